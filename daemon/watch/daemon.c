/* The daemon: its config, its sinks, its HTTP client and its targets (the
 * agent's processes found from the agent's own config, plus the ones listed
 * in ours), the signals that stop and reload it, and its own metrics. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "profwatch/fsutil.h"
#include "profwatch/log.h"
#include "profwatch/metric_names.h"

int64_t pw_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pw_daemon_metric(pw_daemon_t *d, pw_target_t *t, const char *name, double value,
                      const char *extra_tag)
{
    const char *tags[PW_MAX_TAGS + 4];
    size_t n = 0;
    for (size_t i = 0; t != NULL && i < t->n_tags; i++)
        tags[n++] = t->tags[i];
    if (extra_tag != NULL)
        tags[n++] = extra_tag;
    pw_metric_t m = {
        .name = name, .value = value, .timestamp = pw_now_ms() / 1000, .tags = tags, .n_tags = n};
    pw_emit_metric(&d->emitter, &m);
}

void pw_daemon_tag(char *out, size_t n, const char *key, const char *value)
{
    size_t k = (size_t)snprintf(out, n, "%s:", key);
    for (const char *p = value; *p && k + 1 < n && k < 200; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == ':' || c == '.' || c == '/';
        out[k++] = ok ? c : '_';
    }
    out[k] = '\0';
}

/* ---- sinks ----------------------------------------------------------------- */

static int is_loopback_url(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    return strncmp(h, "127.", 4) == 0 || strncmp(h, "localhost", 9) == 0 ||
           strncmp(h, "[::1]", 5) == 0;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The DogStatsD output: our settings, else the agent's, else the defaults. */
static pw_sink_t *dogstatsd_sink(const pw_output_conf_t *o, const pw_agent_intake_t *ag,
                                 const char *hostname, pw_err_t *err)
{
    pw_dsd_conf_t c = {
        .socket = o->socket,
        .host = o->host,
        .port = (int)o->port,
        .max_datagram = (size_t)o->max_datagram,
    };
    if (c.socket == NULL)
        c.socket = ag->dogstatsd_socket ? ag->dogstatsd_socket : "/var/run/datadog/dsd.socket";
    if (c.port == 0)
        c.port =
            ag->dogstatsd_port > 0 && ag->dogstatsd_port < 65536 ? (int)ag->dogstatsd_port : 8125;
    return pw_sink_dogstatsd_create(&c, hostname, err);
}

/* Where the API output sends and with which key: the key and site from the
 * environment (as the agent reads them) or the agent's datadog.yaml; the
 * intake from our url, else the agent's dd_url, else api.<site>. Shared by
 * the output and --check-config, so both say the same. */
typedef struct {
    const char *key; /* borrowed from the environment or ag */
    char key_from[4200], url[2048];
    const char *proxy; /* NULL: none; "": libcurl's environment rules */
} api_endpoint_t;

static int api_endpoint(const pw_config_t *cfg, const pw_output_conf_t *o,
                        const pw_agent_intake_t *ag, api_endpoint_t *ep, pw_err_t *err)
{
    ep->key = env("DD_API_KEY");
    if (ep->key != NULL) {
        snprintf(ep->key_from, sizeof(ep->key_from), "DD_API_KEY");
    } else if ((ep->key = ag->api_key) != NULL) {
        snprintf(ep->key_from, sizeof(ep->key_from), "api_key in %s", cfg->datadog_config);
    } else {
        return pw_err_set(err, PW_EINVAL,
                          "api: no API key: set DD_API_KEY, or api_key in the agent's "
                          "datadog.yaml (datadog_config: %s)",
                          cfg->datadog_config[0] ? cfg->datadog_config : "\"\", which is off");
    }
    const char *site = env("DD_SITE") ? env("DD_SITE") : ag->site ? ag->site : "datadoghq.com";
    if (strspn(site, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(site))
        return pw_err_set(err, PW_EINVAL, "api: site \"%s\" is not a host name", site);
    if (o->url != NULL)
        snprintf(ep->url, sizeof(ep->url), "%s", o->url);
    else if (env("DD_DD_URL") || ag->dd_url)
        snprintf(ep->url, sizeof(ep->url), "%s", env("DD_DD_URL") ? env("DD_DD_URL") : ag->dd_url);
    else
        snprintf(ep->url, sizeof(ep->url), "https://api.%s", site);
    /* A proxy named for Datadog wins; else libcurl's environment rules
     * (HTTPS_PROXY, NO_PROXY), except for an intake on this host. */
    int https = strncmp(ep->url, "https://", 8) == 0;
    ep->proxy = https ? (env("DD_PROXY_HTTPS") ? env("DD_PROXY_HTTPS") : ag->proxy_https)
                      : (env("DD_PROXY_HTTP") ? env("DD_PROXY_HTTP") : ag->proxy_http);
    if (ep->proxy == NULL)
        ep->proxy = is_loopback_url(ep->url) ? NULL : "";
    return 0;
}

static pw_sink_t *api_sink(const pw_config_t *cfg, const pw_output_conf_t *o, size_t nth,
                           const pw_agent_intake_t *ag, uv_loop_t *loop, const char *hostname,
                           pw_err_t *err)
{
    api_endpoint_t ep;
    char spool[4200];
    if (api_endpoint(cfg, o, ag, &ep, err) != 0)
        return NULL;
    /* The agent's installer makes datadog.yaml 0640; wider means every local
     * user can read the key we are about to use. */
    if (ep.key == ag->api_key && (ag->file_mode & 0004))
        pw_log(PW_LOG_WARN, "api",
               "%s holds api_key and every user can read it (mode %04o): chmod o-r it",
               cfg->datadog_config, ag->file_mode);
    snprintf(spool, sizeof(spool), "%s/spool/api%s%.0zu", cfg->state_dir, nth ? "-" : "", nth);
    pw_api_conf_t c = {
        .url = ep.url,
        .api_key = ep.key,
        .key_from = ep.key_from,
        .proxy = ep.proxy,
        .spool_dir = spool,
        .queue_max = o->queue_max,
        .spool_max = o->spool_max,
        .backoff_base_ms = o->backoff_base_ms,
        .backoff_max_ms = o->backoff_max_ms,
        .connect_timeout_ms = o->connect_timeout_ms,
        .timeout_ms = o->timeout_ms,
    };
    return pw_sink_api_create(loop, &c, hostname, err);
}

int pw_daemon_check_outputs(const pw_config_t *cfg, FILE *out, pw_err_t *err)
{
    pw_agent_intake_t ag;
    memset(&ag, 0, sizeof(ag));
    pw_arena_t *arena = pw_arena_create(0);
    if (arena == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    int dd = 0, rc = 0;
    for (size_t i = 0; i < cfg->n_outputs; i++)
        dd |= strcmp(cfg->outputs[i].type, "api") == 0 ||
              strcmp(cfg->outputs[i].type, "dogstatsd") == 0;
    /* As at start: the agent's settings are read only for a Datadog output. */
    if (dd)
        rc = pw_agentconf_intake(cfg->datadog_config, arena, &ag, err);
    if (!cfg->outputs_set)
        fprintf(out, "output jsonl %s/metrics.jsonl (the default)\n", cfg->state_dir);
    for (size_t i = 0; rc == 0 && i < cfg->n_outputs; i++) {
        const pw_output_conf_t *o = &cfg->outputs[i];
        api_endpoint_t ep;
        if (strcmp(o->type, "api") == 0) {
            if ((rc = api_endpoint(cfg, o, &ag, &ep, err)) != 0)
                pw_err_prefix(err, "%s:%d: outputs[%zu]", cfg->path, o->line, i);
            else
                fprintf(out, "output api %s (API key from %s)\n", ep.url, ep.key_from);
        } else if (strcmp(o->type, "jsonl") == 0) {
            fprintf(out, "output jsonl %s\n", o->path);
        } else {
            fprintf(out, "output %s\n", o->type);
        }
    }
    pw_arena_destroy(arena);
    return rc;
}

static int open_sinks(const pw_config_t *cfg, const char *hostname, uv_loop_t *loop,
                      pw_emitter_t *out, pw_err_t *err)
{
    pw_output_conf_t def = {.type = "jsonl"};
    char def_path[4096];
    const pw_output_conf_t *outs = cfg->outputs;
    size_t n = cfg->n_outputs, n_api = 0;
    pw_agent_intake_t ag;
    pw_arena_t *arena = NULL;
    memset(&ag, 0, sizeof(ag));
    if (!cfg->outputs_set) {
        snprintf(def_path, sizeof(def_path), "%s/metrics.jsonl", cfg->state_dir);
        def.path = def_path;
        outs = &def;
        n = 1;
    }
    memset(out, 0, sizeof(*out));
    out->sinks = calloc(n + 1, sizeof(*out->sinks));
    if (out->sinks == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        pw_sink_t *s = NULL;
        int dd = strcmp(outs[i].type, "dogstatsd") == 0 || strcmp(outs[i].type, "api") == 0;
        if (dd && arena == NULL) {
            /* The agent's settings, read once for all Datadog outputs. */
            if ((arena = pw_arena_create(0)) == NULL) {
                pw_err_set(err, PW_ENOMEM, "out of memory");
            } else if (pw_agentconf_intake(cfg->datadog_config, arena, &ag, err) != 0) {
                pw_arena_destroy(arena);
                arena = NULL;
            }
            if (arena == NULL)
                goto fail;
        }
        if (strcmp(outs[i].type, "stdout") == 0) {
            s = pw_sink_stdout_create(hostname);
            if (s == NULL)
                pw_err_set(err, PW_ENOMEM, "out of memory");
        } else if (strcmp(outs[i].type, "dogstatsd") == 0) {
            s = dogstatsd_sink(&outs[i], &ag, hostname, err);
        } else if (strcmp(outs[i].type, "api") == 0) {
            s = api_sink(cfg, &outs[i], n_api++, &ag, loop, hostname, err);
        } else {
            char dir[4096];
            const char *slash = strrchr(outs[i].path, '/');
            if (slash != NULL && slash != outs[i].path) {
                snprintf(dir, sizeof(dir), "%.*s", (int)(slash - outs[i].path), outs[i].path);
                if (pw_fs_mkdir_p(dir, 0750, err) == 0)
                    s = pw_sink_jsonl_create(outs[i].path, hostname, err);
            } else {
                s = pw_sink_jsonl_create(outs[i].path, hostname, err);
            }
        }
        if (s == NULL) {
            if (outs != &def)
                pw_err_prefix(err, "%s:%d: outputs[%zu]", cfg->path, outs[i].line, i);
            goto fail;
        }
        out->sinks[out->n++] = s;
    }
    pw_arena_destroy(arena);
    return 0;
fail:
    pw_arena_destroy(arena);
    pw_emitter_destroy(out);
    return err->code ? err->code : PW_EIO;
}

/* ---- targets ----------------------------------------------------------------- */

/* The agent's processes from its config, then ours: a target of ours with the
 * same name as a discovered one takes its place. */
static int plan_targets(const pw_config_t *cfg, pw_arena_t *arena, pw_discovery_t *disc,
                        char *disc_error, size_t disc_error_n, const pw_target_conf_t **plan,
                        size_t *n_plan, pw_err_t *err)
{
    memset(disc, 0, sizeof(*disc));
    disc_error[0] = '\0';
    *n_plan = 0;
    if (cfg->datadog_config && cfg->datadog_config[0]) {
        pw_err_t derr = {0};
        if (pw_agentconf_discover(cfg->datadog_config, cfg->system_probe_config, arena, disc,
                                  &derr) != 0)
            snprintf(disc_error, disc_error_n, "%s", derr.msg);
    }
    for (size_t i = 0; i < disc->n_targets; i++) {
        int overridden = 0;
        for (size_t k = 0; k < cfg->n_targets; k++)
            overridden |= strcmp(cfg->targets[k].name, disc->targets[i].name) == 0;
        if (!overridden)
            plan[(*n_plan)++] = &disc->targets[i];
    }
    for (size_t k = 0; k < cfg->n_targets; k++)
        plan[(*n_plan)++] = &cfg->targets[k];
    if (*n_plan == 0)
        return pw_err_set(err, PW_EINVAL,
                          "nothing to watch: %s%sand no targets in %s (list some under "
                          "\"targets:\", or point datadog_config at the agent's datadog.yaml)",
                          disc_error[0] ? disc_error : "", disc_error[0] ? "; " : "",
                          cfg->path ? cfg->path : "the configuration");
    return 0;
}

static void log_plan(const pw_daemon_t *d)
{
    if (d->discovery_error[0])
        pw_log(PW_LOG_WARN, "discover", "%s", d->discovery_error);
    for (size_t i = 0; i < d->discovery.n_skipped; i++)
        pw_log(PW_LOG_INFO, "discover", "%s skipped: %s", d->discovery.skipped[i].name,
               d->discovery.skipped[i].reason);
    for (size_t i = 0; i < d->n_targets; i++) {
        const pw_target_conf_t *c = &d->targets[i]->conf;
        pw_log(PW_LOG_INFO, "target", "watching %s at %s%s%s", c->name, c->url,
               c->unix_socket ? " over " : "", c->unix_socket ? c->unix_socket : "");
    }
}

/* ---- the daemon's own metrics ------------------------------------------------ */

static uint64_t self_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, rss = 0;
    if (f == NULL)
        return 0;
    if (fscanf(f, "%lu %lu", &size, &rss) != 2)
        rss = 0;
    fclose(f);
    return (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void on_self_timer(uv_timer_t *timer)
{
    pw_daemon_t *d = timer->data;
    for (size_t i = 0; i < d->emitter.n; i++) {
        pw_sink_t *s = d->emitter.sinks[i];
        char tag[64];
        snprintf(tag, sizeof(tag), "output:%s", s->ops->type);
        pw_daemon_metric(d, NULL, PW_M_SINK_ERRORS, (double)s->stats.errors, tag);
        pw_daemon_metric(d, NULL, PW_M_SINK_DROPPED, (double)s->stats.dropped, tag);
        pw_daemon_metric(d, NULL, PW_M_SINK_SENT, (double)s->stats.sent, tag);
        if (s->stats.queues) {
            pw_daemon_metric(d, NULL, PW_M_SINK_QUEUE_BYTES, (double)s->stats.queue_bytes, tag);
            pw_daemon_metric(d, NULL, PW_M_SINK_SPOOL_BYTES, (double)s->stats.spool_bytes, tag);
            pw_daemon_metric(d, NULL, PW_M_SINK_RETRIES, (double)s->stats.retries, tag);
        }
    }
    pw_daemon_metric(d, NULL, PW_M_LOG_SUPPRESSED, (double)pw_log_suppressed(), NULL);
    /* Profiles come and go in bodies of a few MiB; without this glibc keeps
     * the freed pages, and RSS wanders upwards with fragmentation. On a heap
     * of a few MiB the walk costs microseconds. */
    malloc_trim(0);
    pw_daemon_metric(d, NULL, PW_M_DAEMON_RSS, (double)self_rss_bytes(), NULL);
    pw_daemon_metric(d, NULL, PW_M_RELOAD_ERRORS, (double)d->reload_errors, NULL);
    pw_emit_flush(&d->emitter);
}

/* ---- signals --------------------------------------------------------------- */

static void on_signal(uv_signal_t *h, int signum)
{
    pw_daemon_t *d = h->data;
    if (signum == SIGHUP) {
        pw_daemon_reload(d, d->cfg.path);
        return;
    }
    pw_log(PW_LOG_INFO, "daemon", "%s: stopping", signum == SIGTERM ? "SIGTERM" : "SIGINT");
    pw_daemon_stop(d);
}

/* ---- start, reload, stop ----------------------------------------------------- */

static void set_hostname(pw_daemon_t *d)
{
    if (d->cfg.hostname && d->cfg.hostname[0]) {
        snprintf(d->hostname, sizeof(d->hostname), "%s", d->cfg.hostname);
    } else if (gethostname(d->hostname, sizeof(d->hostname) - 1) != 0 || !d->hostname[0]) {
        snprintf(d->hostname, sizeof(d->hostname), "localhost");
    }
}

int pw_daemon_start(pw_daemon_t *d, uv_loop_t *loop, pw_config_t *cfg, pw_err_t *err)
{
    const pw_target_conf_t *plan[PW_MAX_TARGETS + 8];
    size_t n_plan;
    int rc;

    memset(d, 0, sizeof(*d));
    d->loop = loop;
    d->cfg = *cfg; /* ours now */
    memset(cfg, 0, sizeof(*cfg));
    d->started_ms = pw_now_ms();
    pw_log_set_level((pw_log_level_t)pw_log_parse_level(d->cfg.log_level));
    set_hostname(d);
    if ((rc = plan_targets(&d->cfg, d->cfg.arena, &d->discovery, d->discovery_error,
                           sizeof(d->discovery_error), plan, &n_plan, err)) != 0)
        goto fail_config;
    if ((rc = pw_fs_mkdir_p(d->cfg.state_dir, 0750, err)) != 0)
        goto fail_config;
    if ((rc = open_sinks(&d->cfg, d->hostname, loop, &d->emitter, err)) != 0)
        goto fail_config;
    if ((d->http = pw_http_create(loop)) == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "cannot start the HTTP client");
        goto fail_sinks;
    }
    if ((rc = pw_status_open(d, err)) != 0)
        goto fail_http;
    for (size_t i = 0; i < n_plan; i++) {
        pw_target_t *t = pw_target_create(d, plan[i], err);
        if (t == NULL) {
            rc = err->code;
            goto fail_targets;
        }
        d->targets[d->n_targets++] = t;
    }
    for (size_t i = 0; i < d->n_targets; i++)
        pw_target_start(d->targets[i]);
    if ((rc = pw_memory_start(d, err)) != 0)
        goto fail_targets;
    log_plan(d);

    uv_signal_init(loop, &d->sig_term);
    uv_signal_init(loop, &d->sig_int);
    uv_signal_init(loop, &d->sig_hup);
    d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
    uv_signal_start(&d->sig_term, on_signal, SIGTERM);
    uv_signal_start(&d->sig_int, on_signal, SIGINT);
    uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
    uv_timer_init(loop, &d->self_timer);
    d->self_timer.data = d;
    uv_timer_start(&d->self_timer, on_self_timer, (uint64_t)d->cfg.intervals.expvar_ms,
                   (uint64_t)d->cfg.intervals.expvar_ms);
    d->running = 1;
    pw_log(PW_LOG_INFO, "daemon", "profwatchd %s started as %s: %zu target%s, reports in %s",
           PW_VERSION, d->hostname, d->n_targets, d->n_targets == 1 ? "" : "s", d->cfg.reports_dir);
    return 0;

fail_targets:
    pw_memory_stop(d);
    for (size_t i = 0; i < d->n_targets; i++)
        pw_target_close(d->targets[i]);
    d->n_targets = 0;
    pw_status_close(d);
fail_http:
    pw_http_destroy(d->http);
    d->http = NULL;
fail_sinks:
    pw_emitter_destroy(&d->emitter);
fail_config:
    pw_config_free(&d->cfg);
    return rc;
}

static int same_status_socket(const pw_config_t *a, const pw_config_t *b)
{
    return strcmp(a->status_socket ? a->status_socket : "",
                  b->status_socket ? b->status_socket : "") == 0;
}

void pw_daemon_reload(pw_daemon_t *d, const char *path)
{
    pw_config_t nc;
    pw_err_t err = {0};
    pw_discovery_t disc;
    char disc_error[sizeof(d->discovery_error)];
    const pw_target_conf_t *plan[PW_MAX_TARGETS + 8];
    size_t n_plan = 0;
    pw_emitter_t em;

    if (d->stopping)
        return;
    if (path == NULL) {
        pw_log(PW_LOG_INFO, "daemon", "SIGHUP: running on built-in defaults, nothing to reload");
        pw_emit_reopen(&d->emitter);
        return;
    }
    /* path may be the running config's own copy, freed below. */
    char file[4096];
    snprintf(file, sizeof(file), "%s", path);
    path = file;
    if (pw_config_load(&nc, path, &err) != 0)
        goto fail;
    if (plan_targets(&nc, nc.arena, &disc, disc_error, sizeof(disc_error), plan, &n_plan, &err) !=
        0)
        goto fail_config;
    char hostname[sizeof(d->hostname)];
    memcpy(hostname, d->hostname, sizeof(hostname));
    if (nc.hostname && nc.hostname[0])
        snprintf(hostname, sizeof(hostname), "%s", nc.hostname);
    if (pw_fs_mkdir_p(nc.state_dir, 0750, &err) != 0 ||
        open_sinks(&nc, hostname, d->loop, &em, &err) != 0)
        goto fail_config;

    /* Committed: from here on nothing fails. */
    pw_emit_flush(&d->emitter);
    pw_emitter_destroy(&d->emitter);
    d->emitter = em;
    int reopen_status = !same_status_socket(&d->cfg, &nc);
    if (reopen_status)
        pw_status_close(d);
    pw_target_t *kept[PW_MAX_TARGETS + 8];
    size_t n_kept = 0;
    for (size_t i = 0; i < d->n_targets; i++) {
        pw_target_t *t = d->targets[i];
        int keep = 0;
        for (size_t k = 0; k < n_plan && !keep; k++)
            if (plan[k] != NULL && pw_target_same(t, plan[k])) {
                keep = 1;
                plan[k] = NULL; /* taken */
            }
        if (keep)
            kept[n_kept++] = t;
        else
            pw_target_close(t);
    }
    pw_config_t old = d->cfg;
    d->cfg = nc;
    d->discovery = disc;
    memcpy(d->discovery_error, disc_error, sizeof(disc_error));
    set_hostname(d);
    pw_log_set_level((pw_log_level_t)pw_log_parse_level(d->cfg.log_level));
    memcpy(d->targets, kept, n_kept * sizeof(kept[0]));
    d->n_targets = n_kept;
    for (size_t i = 0; i < n_kept; i++)
        pw_target_reconfigure(kept[i]);
    for (size_t k = 0; k < n_plan; k++) {
        if (plan[k] == NULL)
            continue;
        pw_target_t *t = pw_target_create(d, plan[k], &err);
        if (t == NULL) {
            pw_log(PW_LOG_ERROR, "daemon", "reload: target %s: %s", plan[k]->name, err.msg);
            continue;
        }
        d->targets[d->n_targets++] = t;
        pw_target_start(t);
    }
    pw_memory_reconfigure(d, &err);
    pw_config_free(&old);
    if (reopen_status && pw_status_open(d, &err) != 0)
        pw_log(PW_LOG_ERROR, "daemon", "reload: %s", err.msg);
    uv_timer_start(&d->self_timer, on_self_timer, (uint64_t)d->cfg.intervals.expvar_ms,
                   (uint64_t)d->cfg.intervals.expvar_ms);
    d->reloads++;
    d->reload_error[0] = '\0';
    pw_log(PW_LOG_INFO, "daemon", "reloaded %s: %zu target%s", path, d->n_targets,
           d->n_targets == 1 ? "" : "s");
    log_plan(d);
    return;

fail_config:
    pw_config_free(&nc);
fail:
    d->reload_errors++;
    snprintf(d->reload_error, sizeof(d->reload_error), "%s", err.msg);
    pw_log(PW_LOG_ERROR, "daemon", "reload failed, the running configuration stays: %s", err.msg);
}

void pw_daemon_stop(pw_daemon_t *d)
{
    if (d->stopping || !d->running)
        return;
    d->stopping = 1;
    uv_close((uv_handle_t *)&d->sig_term, NULL);
    uv_close((uv_handle_t *)&d->sig_int, NULL);
    uv_close((uv_handle_t *)&d->sig_hup, NULL);
    uv_close((uv_handle_t *)&d->self_timer, NULL);
    pw_status_close(d);
    pw_memory_stop(d);
    for (size_t i = 0; i < d->n_targets; i++)
        pw_target_close(d->targets[i]);
    d->n_targets = 0;
    /* In-flight requests end now: their callbacks free what they hold. */
    pw_http_destroy(d->http);
    d->http = NULL;
    pw_emit_flush(&d->emitter);
    /* The API sink's last attempt runs on the loop, which main keeps
     * running until its requests end (each has a timeout). */
    pw_emit_stop(&d->emitter);
}

void pw_daemon_free(pw_daemon_t *d)
{
    pw_emitter_destroy(&d->emitter);
    pw_config_free(&d->cfg);
}
