#include "profwatch/config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/discover.h"
#include "profwatch/procstat.h"
#include "profwatch/yaml.h"

#define MAX_CONFIG_BYTES (4u * 1024 * 1024)

static const pw_conf_field_t intervals_table[] = {
    {"expvar", PW_CT_DURATION, offsetof(pw_intervals_t, expvar_ms), "15s", 100, 86400000, NULL,
     NULL},
    {"heap", PW_CT_DURATION, offsetof(pw_intervals_t, heap_ms), "30s", 100, 86400000, NULL, NULL},
    {"contention", PW_CT_DURATION, offsetof(pw_intervals_t, contention_ms), "60s", 100, 86400000,
     NULL, NULL},
    {"cpu_every", PW_CT_DURATION, offsetof(pw_intervals_t, cpu_every_ms), "5m", 0, 86400000, NULL,
     NULL},
    {"cpu_duration", PW_CT_DURATION, offsetof(pw_intervals_t, cpu_duration_ms), "10s", 1000,
     3600000, NULL, NULL},
    PW_CONF_END,
};

static const pw_conf_field_t http_table[] = {
    {"connect_timeout", PW_CT_DURATION, offsetof(pw_http_conf_t, connect_timeout_ms), "2s", 10,
     600000, NULL, NULL},
    {"timeout", PW_CT_DURATION, offsetof(pw_http_conf_t, timeout_ms), "30s", 100, 3600000, NULL,
     NULL},
    {"max_body", PW_CT_SIZE, offsetof(pw_http_conf_t, max_body), "64MiB", 4096, 4294967295.0, NULL,
     NULL},
    PW_CONF_END,
};

static const pw_conf_field_t hysteresis_table[] = {
    {"raise_after", PW_CT_INT, offsetof(pw_hysteresis_t, raise_after), "2", 1, 1000, NULL, NULL},
    {"clear_after", PW_CT_INT, offsetof(pw_hysteresis_t, clear_after), "3", 1, 1000, NULL, NULL},
    PW_CONF_END,
};

static const pw_conf_field_t captures_table[] = {
    {"keep", PW_CT_INT, offsetof(pw_captures_conf_t, keep), "20", 1, 100000, NULL, NULL},
    {"max_bytes", PW_CT_SIZE, offsetof(pw_captures_conf_t, max_bytes), "500MiB", 1048576, 1e15,
     NULL, NULL},
    PW_CONF_END,
};

static int memprocs_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                       const char *path, pw_err_t *err);

static const pw_conf_field_t memory_table[] = {
    {"enabled", PW_CT_BOOL, offsetof(pw_memory_conf_t, enabled), "true", 0, 0, NULL, NULL},
    {"proc_root", PW_CT_STRING, offsetof(pw_memory_conf_t, proc_root), "/proc", 0, 0, NULL, NULL},
    {"agent", PW_CT_BOOL, offsetof(pw_memory_conf_t, agent), "true", 0, 0, NULL, NULL},
    {"agent_prefix", PW_CT_STRING, offsetof(pw_memory_conf_t, agent_prefix), PW_AGENT_PREFIX, 0, 0,
     NULL, NULL},
    {"run_path", PW_CT_STRING, offsetof(pw_memory_conf_t, run_path), PW_AGENT_RUN_PATH, 0, 0, NULL,
     NULL},
    {"children", PW_CT_BOOL, offsetof(pw_memory_conf_t, children), "true", 0, 0, NULL, NULL},
    {"interval", PW_CT_DURATION, offsetof(pw_memory_conf_t, interval_ms), "15s", 100, 86400000,
     NULL, NULL},
    {"smaps_every", PW_CT_INT, offsetof(pw_memory_conf_t, smaps_every), "10", 1, 100000, NULL,
     NULL},
    {"top_pathnames", PW_CT_INT, offsetof(pw_memory_conf_t, top_pathnames), "10", 1, 100, NULL,
     NULL},
    {"history_bucket", PW_CT_DURATION, offsetof(pw_memory_conf_t, history_bucket_ms), "5m", 1000,
     86400000, NULL, NULL},
    {"history_points", PW_CT_INT, offsetof(pw_memory_conf_t, history_points), "2048", 16, 65536,
     NULL, NULL},
    {"processes", PW_CT_CUSTOM, offsetof(pw_memory_conf_t, procs), NULL, 0, 0, NULL, memprocs_cb},
    PW_CONF_END,
};

static const char *scalar_of(const pw_ynode_t *map, const char *key)
{
    const pw_ynode_t *n = pw_ymap_get(map, key);
    return n != NULL && n->kind == PW_Y_SCALAR ? n->value : NULL;
}

/* Every key of map must be in allowed (NULL-terminated). */
static int only_keys(const pw_ynode_t *map, const char *const *allowed, const char *source,
                     const char *path, pw_err_t *err)
{
    for (size_t k = 0; k < map->n; k++) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, map->keys[k]) == 0;
        if (!ok) {
            char list[256] = "";
            for (const char *const *a = allowed; *a; a++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                         a == allowed ? "" : ", ", *a);
            return pw_err_set(err, PW_EINVAL, "%s:%d: %s: unknown key \"%s\" (expected one of: %s)",
                              source, map->key_lines[k], path, map->keys[k], list);
        }
    }
    return 0;
}

static const char *copy(pw_arena_t *a, const char *s)
{
    return s ? pw_arena_strdup(a, s) : NULL;
}

/* The Datadog outputs' settings, beside their "type". */
static const pw_conf_field_t dogstatsd_table[] = {
    {"type", PW_CT_STRING, offsetof(pw_output_conf_t, type), NULL, 0, 0, NULL, NULL},
    {"socket", PW_CT_STRING, offsetof(pw_output_conf_t, socket), NULL, 0, 0, NULL, NULL},
    {"host", PW_CT_STRING, offsetof(pw_output_conf_t, host), "127.0.0.1", 0, 0, NULL, NULL},
    {"port", PW_CT_INT, offsetof(pw_output_conf_t, port), "0", 0, 65535, NULL, NULL},
    {"max_datagram", PW_CT_SIZE, offsetof(pw_output_conf_t, max_datagram), "8192", 512, 65507, NULL,
     NULL},
    PW_CONF_END,
};

static const pw_conf_field_t api_table[] = {
    {"type", PW_CT_STRING, offsetof(pw_output_conf_t, type), NULL, 0, 0, NULL, NULL},
    {"url", PW_CT_STRING, offsetof(pw_output_conf_t, url), NULL, 0, 0, NULL, NULL},
    {"timeout", PW_CT_DURATION, offsetof(pw_output_conf_t, timeout_ms), "20s", 100, 600000, NULL,
     NULL},
    {"connect_timeout", PW_CT_DURATION, offsetof(pw_output_conf_t, connect_timeout_ms), "5s", 10,
     600000, NULL, NULL},
    {"backoff_base", PW_CT_DURATION, offsetof(pw_output_conf_t, backoff_base_ms), "2s", 10, 3600000,
     NULL, NULL},
    {"backoff_max", PW_CT_DURATION, offsetof(pw_output_conf_t, backoff_max_ms), "64s", 10, 86400000,
     NULL, NULL},
    {"queue_max", PW_CT_SIZE, offsetof(pw_output_conf_t, queue_max), "15MiB", 1024, 1e12, NULL,
     NULL},
    {"spool_max", PW_CT_SIZE, offsetof(pw_output_conf_t, spool_max), "256MiB", 0, 1e13, NULL, NULL},
    PW_CONF_END,
};

static int outputs_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                      const char *path, pw_err_t *err)
{
    pw_config_t *c = (pw_config_t *)((char *)dst - offsetof(pw_config_t, outputs));
    static const char *const keys[] = {"type", "path", NULL};
    if (node->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, node, path, "expected a list of outputs");
    if (node->n > PW_MAX_OUTPUTS)
        return pw_conf_error(err, source, node, path, "at most %d outputs", PW_MAX_OUTPUTS);
    c->n_outputs = 0;
    c->outputs_set = 1;
    for (size_t i = 0; i < node->n; i++) {
        const pw_ynode_t *o = node->items[i];
        char sub[64];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (o->kind != PW_Y_MAP)
            return pw_conf_error(err, source, o, sub, "expected a map with a \"type\"");
        int rc;
        const char *type = scalar_of(o, "type"), *p = scalar_of(o, "path");
        pw_output_conf_t *out = &c->outputs[c->n_outputs++];
        memset(out, 0, sizeof(*out));
        out->line = o->line;
        if (type == NULL)
            return pw_conf_error(err, source, o, sub,
                                 "\"type\" is required (jsonl, stdout, dogstatsd or api)");
        if (strcmp(type, "dogstatsd") == 0 || strcmp(type, "api") == 0) {
            const pw_conf_field_t *t = type[0] == 'd' ? dogstatsd_table : api_table;
            if ((rc = pw_conf_defaults(t, out, arena, err)) != 0 ||
                (rc = pw_conf_bind(o, t, out, arena, source, sub, err)) != 0)
                return rc;
            out->line = o->line;
            if (out->url != NULL && strncmp(out->url, "https://", 8) != 0 &&
                strncmp(out->url, "http://", 7) != 0)
                return pw_conf_error(err, source, pw_ymap_get(o, "url"), sub,
                                     "url \"%s\" must start with https:// (or http://)", out->url);
            if (out->backoff_max_ms < out->backoff_base_ms)
                return pw_conf_error(err, source, o, sub,
                                     "backoff_max must not be shorter than backoff_base");
            continue;
        }
        rc = only_keys(o, keys, source, sub, err);
        if (rc != 0)
            return rc;
        if (strcmp(type, "jsonl") == 0) {
            if (p == NULL || p[0] == '\0')
                return pw_conf_error(err, source, o, sub, "a jsonl output needs a \"path\"");
        } else if (strcmp(type, "stdout") == 0) {
            if (p != NULL)
                return pw_conf_error(err, source, o, sub, "a stdout output takes no \"path\"");
        } else {
            return pw_conf_error(err, source, o, sub,
                                 "unknown output type \"%s\" (expected jsonl, stdout, dogstatsd "
                                 "or api)",
                                 type);
        }
        out->type = copy(arena, type);
        out->path = copy(arena, p);
    }
    return 0;
}

static int tags_of(const pw_ynode_t *node, pw_target_conf_t *t, pw_arena_t *arena,
                   const char *source, const char *path, pw_err_t *err)
{
    if (node == NULL)
        return 0;
    if (node->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, node, path, "expected a list of \"key:value\" tags");
    if (node->n > PW_MAX_TAGS)
        return pw_conf_error(err, source, node, path, "at most %d tags", PW_MAX_TAGS);
    for (size_t i = 0; i < node->n; i++) {
        const pw_ynode_t *tg = node->items[i];
        if (tg->kind != PW_Y_SCALAR || tg->value[0] == '\0' || strchr(tg->value, ',') ||
            strchr(tg->value, '|') || strchr(tg->value, '\n'))
            return pw_conf_error(err, source, tg, path,
                                 "a tag is one \"key:value\" string without ',', '|' or newlines");
        t->tags[t->n_tags++] = copy(arena, tg->value);
    }
    return 0;
}

static int targets_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                      const char *path, pw_err_t *err)
{
    pw_config_t *c = (pw_config_t *)((char *)dst - offsetof(pw_config_t, targets));
    static const char *const keys[] = {"name",       "url",     "unix_socket", "tags",
                                       "tls_verify", "ca_file", NULL};
    if (pw_yscalar_is_null(node))
        return 0;
    if (node->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, node, path, "expected a list of targets");
    if (node->n > PW_MAX_TARGETS)
        return pw_conf_error(err, source, node, path, "at most %d targets", PW_MAX_TARGETS);
    c->n_targets = 0;
    for (size_t i = 0; i < node->n; i++) {
        const pw_ynode_t *o = node->items[i];
        char sub[64];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (o->kind != PW_Y_MAP)
            return pw_conf_error(err, source, o, sub, "expected a map with \"name\" and \"url\"");
        int rc = only_keys(o, keys, source, sub, err);
        if (rc != 0)
            return rc;
        pw_target_conf_t *t = &c->targets[c->n_targets++];
        memset(t, 0, sizeof(*t));
        t->line = o->line;
        t->tls_verify = 1;
        const char *name = scalar_of(o, "name"), *url = scalar_of(o, "url"),
                   *sock = scalar_of(o, "unix_socket"), *ca = scalar_of(o, "ca_file"),
                   *verify = scalar_of(o, "tls_verify");
        if (name == NULL || name[0] == '\0' ||
            strspn(name, "abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(name))
            return pw_conf_error(err, source, o, sub,
                                 "\"name\" is required: letters, digits, '-', '_' or '.'");
        for (size_t k = 0; k + 1 < c->n_targets; k++)
            if (strcmp(c->targets[k].name, name) == 0)
                return pw_conf_error(err, source, o, sub, "target \"%s\" is named twice", name);
        if (sock != NULL && url == NULL)
            url = "http://localhost";
        if (url == NULL)
            return pw_conf_error(err, source, o, sub, "\"url\" or \"unix_socket\" is required");
        if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
            return pw_conf_error(err, source, o, sub,
                                 "url \"%s\" must start with http:// or https://", url);
        if (verify != NULL && pw_parse_bool(verify, &t->tls_verify) != 0)
            return pw_conf_error(err, source, o, sub, "tls_verify: expected true or false");
        t->name = copy(arena, name);
        t->url = copy(arena, url);
        t->unix_socket = copy(arena, sock);
        t->ca_file = copy(arena, ca);
        if ((rc = tags_of(pw_ymap_get(o, "tags"), t, arena, source, sub, err)) != 0)
            return rc;
    }
    return 0;
}

/* memory.processes: [{name: N} | {pid: P} | {pidfile: F}, each with an
 * optional as: TAG], ... */
static int memprocs_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                       const char *path, pw_err_t *err)
{
    pw_memory_conf_t *m = (pw_memory_conf_t *)((char *)dst - offsetof(pw_memory_conf_t, procs));
    static const char *const keys[] = {"name", "pid", "pidfile", "as", NULL};
    if (pw_yscalar_is_null(node))
        return 0;
    if (node->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, node, path,
                             "expected a list of {name: N}, {pid: P} or {pidfile: F}");
    if (node->n > PW_MAX_MEMPROCS)
        return pw_conf_error(err, source, node, path, "at most %d processes", PW_MAX_MEMPROCS);
    m->n_procs = 0;
    for (size_t i = 0; i < node->n; i++) {
        const pw_ynode_t *o = node->items[i];
        char sub[64];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (o->kind != PW_Y_MAP)
            return pw_conf_error(err, source, o, sub,
                                 "expected one of {name: N}, {pid: P} or {pidfile: F}");
        int rc = only_keys(o, keys, source, sub, err);
        if (rc != 0)
            return rc;
        const char *name = scalar_of(o, "name"), *pid = scalar_of(o, "pid"),
                   *pidfile = scalar_of(o, "pidfile"), *as = scalar_of(o, "as");
        if ((name != NULL) + (pid != NULL) + (pidfile != NULL) != 1)
            return pw_conf_error(err, source, o, sub, "give exactly one of name, pid and pidfile");
        m->procs[i].name = copy(arena, name);
        m->procs[i].pidfile = copy(arena, pidfile);
        m->procs[i].as = copy(arena, as);
        m->procs[i].pid = 0;
        if (pid != NULL) {
            char *end;
            long v = strtol(pid, &end, 10);
            if (*end != '\0' || v < 1 || v > PW_PID_MAX)
                return pw_conf_error(err, source, o, sub, "pid: expected 1 to %d, got \"%s\"",
                                     PW_PID_MAX, pid);
            m->procs[i].pid = (int)v;
        }
        m->n_procs++;
    }
    return 0;
}

static int gates_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                    const char *path, pw_err_t *err)
{
    pw_config_t *c = (pw_config_t *)((char *)dst - offsetof(pw_config_t, gates));
    (void)path;
    return pw_budget_gates_from_yaml(node, source, arena, &c->gates, &c->n_gates, err);
}

static const pw_conf_field_t table[] = {
    {"hostname", PW_CT_STRING, offsetof(pw_config_t, hostname), "", 0, 0, NULL, NULL},
    {"datadog_config", PW_CT_STRING, offsetof(pw_config_t, datadog_config),
     "/etc/datadog-agent/datadog.yaml", 0, 0, NULL, NULL},
    {"system_probe_config", PW_CT_STRING, offsetof(pw_config_t, system_probe_config),
     "/etc/datadog-agent/system-probe.yaml", 0, 0, NULL, NULL},
    {"reports_dir", PW_CT_STRING, offsetof(pw_config_t, reports_dir), "/var/lib/profwatch/reports",
     0, 0, NULL, NULL},
    {"state_dir", PW_CT_STRING, offsetof(pw_config_t, state_dir), "/var/lib/profwatch", 0, 0, NULL,
     NULL},
    {"status_socket", PW_CT_STRING, offsetof(pw_config_t, status_socket),
     "/var/lib/profwatch/profwatchd.sock", 0, 0, NULL, NULL},
    {"log_level", PW_CT_STRING, offsetof(pw_config_t, log_level), "info", 0, 0, NULL, NULL},
    {"outputs", PW_CT_CUSTOM, offsetof(pw_config_t, outputs), NULL, 0, 0, NULL, outputs_cb},
    {"intervals", PW_CT_SECTION, offsetof(pw_config_t, intervals), NULL, 0, 0, intervals_table,
     NULL},
    {"window", PW_CT_DURATION, offsetof(pw_config_t, window_ms), "10m", 1000, 604800000, NULL,
     NULL},
    {"targets", PW_CT_CUSTOM, offsetof(pw_config_t, targets), NULL, 0, 0, NULL, targets_cb},
    {"http", PW_CT_SECTION, offsetof(pw_config_t, http), NULL, 0, 0, http_table, NULL},
    {"verdict", PW_CT_SECTION, offsetof(pw_config_t, verdict), NULL, 0, 0, hysteresis_table, NULL},
    {"sustained", PW_CT_SECTION, offsetof(pw_config_t, sustained), NULL, 0, 0,
     pw_sustained_conf_table, NULL},
    {"captures", PW_CT_SECTION, offsetof(pw_config_t, captures), NULL, 0, 0, captures_table, NULL},
    {"top_functions", PW_CT_INT, offsetof(pw_config_t, top_functions), "5", 0, 50, NULL, NULL},
    {"memory", PW_CT_SECTION, offsetof(pw_config_t, memory), NULL, 0, 0, memory_table, NULL},
    {"memory_gate", PW_CT_STRING, offsetof(pw_config_t, memory_gate), "", 0, 0, NULL, NULL},
    {"memory_budget", PW_CT_STRING, offsetof(pw_config_t, memory_budget), "", 0, 0, NULL, NULL},
    {"memory_experiment", PW_CT_STRING, offsetof(pw_config_t, memory_experiment), "", 0, 0, NULL,
     NULL},
    {"memory_gates", PW_CT_CUSTOM, offsetof(pw_config_t, gates), NULL, 0, 0, NULL, gates_cb},
    {"rules", PW_CT_SECTION, offsetof(pw_config_t, rules), NULL, 0, 0, pw_rules_conf_table, NULL},
    {"ownership", PW_CT_CUSTOM, offsetof(pw_config_t, owners), NULL, 0, 0, NULL, pw_owners_conf_cb},
    PW_CONF_END,
};

int pw_config_init(pw_config_t *c, pw_err_t *err)
{
    memset(c, 0, sizeof(*c));
    c->arena = pw_arena_create(0);
    c->owners = pw_owners_create();
    if (c->arena == NULL || c->owners == NULL) {
        pw_config_free(c);
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    int rc = pw_conf_defaults(table, c, c->arena, err);
    if (rc != 0)
        pw_config_free(c);
    return rc;
}

/* The memory gate's budget, from a gate name, a size or an experiment file:
 * resolved here so that a bad one is a config error, at start or on reload. */
static int resolve_budget(pw_config_t *c, const char *source, pw_err_t *err)
{
    int n = (c->memory_gate[0] != '\0') + (c->memory_budget[0] != '\0') +
            (c->memory_experiment[0] != '\0');
    c->have_budget = 0;
    if (n == 0)
        return 0;
    if (n > 1)
        return pw_err_set(err, PW_EINVAL,
                          "%s: set one of memory_gate, memory_budget and memory_experiment",
                          source);
    int rc;
    if (c->memory_gate[0]) {
        size_t ng = c->n_gates;
        const pw_gate_t *g = c->gates;
        if (g == NULL)
            g = pw_budget_default_gates(&ng);
        rc = pw_budget_from_gate(c->memory_gate, g, ng, &c->budget, err);
    } else if (c->memory_budget[0]) {
        rc = pw_budget_from_size(c->memory_budget, &c->budget, err);
    } else {
        rc = pw_budget_load_experiment(c->memory_experiment, &c->budget, err);
    }
    if (rc != 0) {
        pw_err_prefix(err, "%s", source);
        return rc;
    }
    c->have_budget = 1;
    return 0;
}

/* Settings that are valid alone but not together. */
static int cross_check(pw_config_t *c, const char *source, pw_err_t *err)
{
    const pw_intervals_t *i = &c->intervals;
    if (i->cpu_every_ms != 0 && i->cpu_duration_ms >= i->cpu_every_ms)
        return pw_err_set(err, PW_EINVAL,
                          "%s: intervals.cpu_duration (%lld ms) must be shorter than "
                          "intervals.cpu_every (%lld ms), or set cpu_every to 0",
                          source, (long long)i->cpu_duration_ms, (long long)i->cpu_every_ms);
    if (c->window_ms < 2 * i->heap_ms)
        return pw_err_set(err, PW_EINVAL,
                          "%s: window (%lld ms) must hold at least two heap scrapes "
                          "(intervals.heap is %lld ms)",
                          source, (long long)c->window_ms, (long long)i->heap_ms);
    const char *levels[] = {"error", "warn", "info", "debug"};
    int ok = 0;
    for (int k = 0; k < 4; k++)
        ok |= strcmp(levels[k], c->log_level) == 0;
    if (!ok)
        return pw_err_set(err, PW_EINVAL, "%s: log_level \"%s\" is not error, warn, info or debug",
                          source, c->log_level);
    return resolve_budget(c, source, err);
}

/* Binds a parsed document (NULL: the defaults alone) on top of the defaults. */
static int load_doc(pw_config_t *c, pw_ydoc_t *doc, int rc, const char *source, pw_err_t *err)
{
    if (rc == 0)
        rc = pw_conf_bind(doc->root, table, c, c->arena, source, "", err);
    pw_yaml_free(doc);
    if (rc == 0)
        rc = cross_check(c, source, err);
    if (rc != 0) {
        pw_config_free(c);
        return rc;
    }
    c->path = pw_arena_strdup(c->arena, source);
    return 0;
}

int pw_config_load(pw_config_t *c, const char *path, pw_err_t *err)
{
    int rc = pw_config_init(c, err);
    if (rc != 0)
        return rc;
    pw_ydoc_t *doc = NULL;
    rc = pw_yaml_load_file(path, MAX_CONFIG_BYTES, &doc, err);
    return load_doc(c, doc, rc, path, err);
}

int pw_config_parse(pw_config_t *c, const char *data, size_t len, const char *source, pw_err_t *err)
{
    int rc = pw_config_init(c, err);
    if (rc != 0)
        return rc;
    pw_ydoc_t *doc = NULL;
    rc = len > MAX_CONFIG_BYTES
             ? pw_err_set(err, PW_ETOOBIG, "%s: %zu bytes, over the %u-byte limit", source, len,
                          (unsigned)MAX_CONFIG_BYTES)
             : pw_yaml_parse(data, len, source, &doc, err);
    return load_doc(c, doc, rc, source, err);
}

void pw_config_free(pw_config_t *c)
{
    pw_owners_destroy(c->owners);
    pw_arena_destroy(c->arena);
    memset(c, 0, sizeof(*c));
}
