#include "agentconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "profwatch/yaml.h"

#define MAX_AGENT_CONFIG (8u * 1024 * 1024)

/* A dotted path into nested maps: "apm_config.debug.port". */
static const pw_ynode_t *get(const pw_ynode_t *root, const char *path)
{
    char key[128];
    const pw_ynode_t *n = root;
    while (n != NULL && *path) {
        size_t len = strcspn(path, ".");
        if (len >= sizeof(key))
            return NULL;
        memcpy(key, path, len);
        key[len] = '\0';
        n = pw_ymap_get(n, key);
        path += len + (path[len] == '.');
    }
    return n;
}

static long get_int(const pw_ynode_t *root, const char *path, long def)
{
    const pw_ynode_t *n = get(root, path);
    if (n == NULL || n->kind != PW_Y_SCALAR || n->value[0] == '\0')
        return def;
    char *end;
    long v = strtol(n->value, &end, 10);
    return *end == '\0' ? v : def;
}

static const char *get_str(const pw_ynode_t *root, const char *path)
{
    const pw_ynode_t *n = get(root, path);
    return n != NULL && n->kind == PW_Y_SCALAR && n->value[0] ? n->value : NULL;
}

static pw_target_conf_t *add(pw_discovery_t *d, pw_arena_t *a, const char *name, const char *url)
{
    pw_target_conf_t *t = &d->targets[d->n_targets++];
    memset(t, 0, sizeof(*t));
    t->name = name;
    t->url = pw_arena_strdup(a, url);
    t->tls_verify = 1;
    t->tags[t->n_tags++] = "service:datadog-agent";
    return t;
}

static void skip(pw_discovery_t *d, pw_arena_t *a, const char *name, const char *reason)
{
    if (d->n_skipped == PW_MAX_SKIPPED)
        return;
    d->skipped[d->n_skipped].name = name;
    d->skipped[d->n_skipped++].reason = pw_arena_strdup(a, reason);
}

/* A TCP port from the agent's config (def when absent), or -1 when the value
 * is not one: such a process is skipped with the reason, never given a URL
 * that cannot be reached. */
static long get_port(const pw_ynode_t *root, const char *path, long def)
{
    long v = get_int(root, path, -1);
    if (get(root, path) == NULL)
        return def;
    return v >= 1 && v <= 65535 ? v : -1;
}

static void skip_port(pw_discovery_t *d, pw_arena_t *a, const char *name, const char *key)
{
    char reason[160];
    snprintf(reason, sizeof(reason), "%s in the agent's config is not a port (1-65535)", key);
    skip(d, a, name, reason);
}

/* 1, 0, or def when absent. The agent also accepts "disabled" for some keys. */
static int get_bool(const pw_ynode_t *root, const char *path, int def)
{
    const pw_ynode_t *n = get(root, path);
    if (n == NULL || n->kind != PW_Y_SCALAR)
        return def;
    const char *v = n->value;
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1"))
        return 1;
    if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") ||
        !strcasecmp(v, "disabled"))
        return 0;
    return def;
}

/* The targets datadog.yaml (parsed, root r) names; datadog_yaml is its path,
 * whose folder holds the IPC certificate by default. */
static void from_datadog_yaml(const pw_ynode_t *r, const char *datadog_yaml, pw_arena_t *arena,
                              pw_discovery_t *out)
{
    char url[128], reason[256];

    long port = get_port(r, "expvar_port", 5000);
    if (port < 0) {
        skip_port(out, arena, "core", "expvar_port");
    } else {
        snprintf(url, sizeof(url), "http://127.0.0.1:%ld", port);
        add(out, arena, "core", url);
    }

    /* The trace-agent's debug server is HTTPS with the agent's IPC
     * certificate; its block profile is never fetched (that resets its block
     * rate to 0). */
    long debug_port = get_int(r, "apm_config.debug.port", 5012);
    if (!get_bool(r, "apm_config.enabled", 1)) {
        skip(out, arena, "trace", "apm_config.enabled is false in the agent's config");
    } else if (debug_port == 0) {
        skip(out, arena, "trace",
             "apm_config.debug.port is 0: the trace-agent's debug server is off");
    } else if (debug_port < 1 || debug_port > 65535) {
        skip_port(out, arena, "trace", "apm_config.debug.port");
    } else {
        snprintf(url, sizeof(url), "https://127.0.0.1:%ld", debug_port);
        pw_target_conf_t *t = add(out, arena, "trace", url);
        t->skip_block = 1;
        const char *cert = get_str(r, "ipc_cert_file_path");
        char def[512];
        if (cert == NULL) {
            const char *slash = strrchr(datadog_yaml, '/');
            snprintf(def, sizeof(def), "%.*s/ipc_cert.pem", slash ? (int)(slash - datadog_yaml) : 1,
                     slash ? datadog_yaml : ".");
            cert = def;
        }
        struct stat st;
        if (stat(cert, &st) == 0) {
            t->ca_file = pw_arena_strdup(arena, cert);
        } else {
            /* Without the certificate there is nothing to verify against. */
            out->n_targets--;
            snprintf(reason, sizeof(reason),
                     "its debug port is HTTPS and the agent's IPC certificate %s is missing; "
                     "add a `trace` target with ca_file, or tls_verify: false",
                     cert);
            skip(out, arena, "trace", reason);
        }
    }

    const pw_ynode_t *pc = get(r, "process_config.enabled");
    if (pc != NULL && pc->kind == PW_Y_SCALAR && !strcasecmp(pc->value, "disabled")) {
        skip(out, arena, "process", "process_config.enabled is \"disabled\"");
    } else if ((port = get_port(r, "process_config.expvar_port", 6062)) < 0) {
        skip_port(out, arena, "process", "process_config.expvar_port");
    } else {
        snprintf(url, sizeof(url), "http://127.0.0.1:%ld", port);
        add(out, arena, "process", url);
    }

    if (get_bool(r, "runtime_security_config.enabled", 0) ||
        get_bool(r, "compliance_config.enabled", 0)) {
        port = get_port(r, "security_agent.expvar_port", 5011);
        if (port < 0) {
            skip_port(out, arena, "security-agent", "security_agent.expvar_port");
        } else {
            snprintf(url, sizeof(url), "http://127.0.0.1:%ld", port);
            add(out, arena, "security-agent", url);
        }
    } else {
        skip(out, arena, "security-agent",
             "neither runtime_security_config nor compliance_config is enabled");
    }
}

/* system-probe, from system-probe.yaml (parsed, root r). */
static void from_system_probe_yaml(const pw_ynode_t *r, pw_arena_t *arena, pw_discovery_t *out)
{
    static const char *const features[] = {"system_probe_config.enabled",
                                           "network_config.enabled",
                                           "service_monitoring_config.enabled",
                                           "runtime_security_config.enabled",
                                           "discovery.enabled",
                                           "dynamic_instrumentation.enabled"};
    int enabled = 0;
    for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
        enabled |= get_bool(r, features[i], 0);
    if (!enabled) {
        skip(out, arena, "system-probe", "no system-probe feature is enabled in its config");
    } else {
        const char *sock = get_str(r, "system_probe_config.sysprobe_socket");
        pw_target_conf_t *t = add(out, arena, "system-probe", "http://sysprobe");
        t->unix_socket =
            pw_arena_strdup(arena, sock ? sock : "/opt/datadog-agent/run/sysprobe.sock");
    }
}

static void sysprobe_unreadable(pw_arena_t *arena, pw_discovery_t *out, const pw_err_t *err)
{
    char reason[320];
    snprintf(reason, sizeof(reason), "its config cannot be read: %s", err->msg);
    skip(out, arena, "system-probe", reason);
}

int pw_agentconf_discover(const char *datadog_yaml, const char *system_probe_yaml,
                          pw_arena_t *arena, pw_discovery_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    pw_ydoc_t *doc = NULL;
    int rc = pw_yaml_load_file(datadog_yaml, MAX_AGENT_CONFIG, &doc, err);
    if (rc != 0) {
        pw_err_prefix(err, "agent discovery (set datadog_config: \"\" to turn it off)");
        return rc;
    }
    from_datadog_yaml(doc->root, datadog_yaml, arena, out);
    pw_yaml_free(doc);

    if (system_probe_yaml == NULL || system_probe_yaml[0] == '\0') {
        skip(out, arena, "system-probe", "no system-probe config is set");
        return 0;
    }
    struct stat st;
    if (stat(system_probe_yaml, &st) != 0) {
        char reason[320];
        snprintf(reason, sizeof(reason), "%s does not exist", system_probe_yaml);
        skip(out, arena, "system-probe", reason);
        return 0;
    }
    if (pw_yaml_load_file(system_probe_yaml, MAX_AGENT_CONFIG, &doc, err) != 0) {
        sysprobe_unreadable(arena, out, err);
        return 0;
    }
    from_system_probe_yaml(doc->root, arena, out);
    pw_yaml_free(doc);
    return 0;
}

int pw_agentconf_parse(const char *datadog_yaml, const char *dd, size_t dd_len, const char *sp,
                       size_t sp_len, pw_arena_t *arena, pw_discovery_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    pw_ydoc_t *doc = NULL;
    int rc = dd_len > MAX_AGENT_CONFIG ? pw_err_set(err, PW_ETOOBIG, "%s: over the %u-byte limit",
                                                    datadog_yaml, (unsigned)MAX_AGENT_CONFIG)
                                       : pw_yaml_parse(dd, dd_len, datadog_yaml, &doc, err);
    if (rc != 0) {
        pw_err_prefix(err, "agent discovery (set datadog_config: \"\" to turn it off)");
        return rc;
    }
    from_datadog_yaml(doc->root, datadog_yaml, arena, out);
    pw_yaml_free(doc);
    if (sp == NULL) {
        skip(out, arena, "system-probe", "no system-probe config is set");
        return 0;
    }
    pw_err_t sp_err = {0};
    if (sp_len > MAX_AGENT_CONFIG ||
        pw_yaml_parse(sp, sp_len, "system-probe.yaml", &doc, &sp_err) != 0) {
        if (sp_len > MAX_AGENT_CONFIG)
            pw_err_set(&sp_err, PW_ETOOBIG, "over the %u-byte limit", (unsigned)MAX_AGENT_CONFIG);
        sysprobe_unreadable(arena, out, &sp_err);
        return 0;
    }
    from_system_probe_yaml(doc->root, arena, out);
    pw_yaml_free(doc);
    return 0;
}

int pw_agentconf_intake(const char *datadog_yaml, pw_arena_t *arena, pw_agent_intake_t *out,
                        pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    struct stat st;
    if (datadog_yaml == NULL || datadog_yaml[0] == '\0' || stat(datadog_yaml, &st) != 0)
        return 0;
    pw_ydoc_t *doc = NULL;
    int rc = pw_yaml_load_file(datadog_yaml, MAX_AGENT_CONFIG, &doc, err);
    if (rc != 0)
        return rc;
    const pw_ynode_t *r = doc->root;
    const char *v;
#define TAKE(field, key)                                                                           \
    if ((v = get_str(r, key)) != NULL)                                                             \
    out->field = pw_arena_strdup(arena, v)
    TAKE(api_key, "api_key");
    TAKE(site, "site");
    TAKE(dd_url, "dd_url");
    TAKE(proxy_https, "proxy.https");
    TAKE(proxy_http, "proxy.http");
    TAKE(dogstatsd_socket, "dogstatsd_socket");
#undef TAKE
    out->dogstatsd_port = get_int(r, "dogstatsd_port", 0);
    out->file_mode = (unsigned)(st.st_mode & 07777);
    pw_yaml_free(doc);
    return 0;
}
