/* Unit tests for what the daemon's rolling state is made of: per-function
 * tables and their diff, the sustained-growth rule, the delta of two
 * cumulative profiles, the profiler-wait filter, agent discovery from its
 * config files, the jsonl sink and the capture's memstats round trip. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentconf.h"
#include "pbuild.h"
#include "profwatch/config.h"
#include "profwatch/fntab.h"
#include "profwatch/fsutil.h"
#include "profwatch/graph.h"
#include "profwatch/pprof.h"
#include "profwatch/rules.h"
#include "profwatch/sink.h"
#include "pw_test.h"

/* A heap-like profile: one sample per function, value v[i] (inuse_space),
 * called from main.main, except runtime functions, which stand alone as the
 * runtime's own allocations do. */
static pw_profile_t *heap_profile(const char *const *names, const int64_t *v, size_t n)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "inuse_objects", "count");
    pb_sample_type(b, "inuse_space", "bytes");
    uint64_t m = pb_mapping(b, "/bin/agent", "");
    uint64_t main_fn = pb_function(b, "main.main");
    uint64_t main_loc = pb_location(b, m, &main_fn, 1);
    for (size_t i = 0; i < n; i++) {
        uint64_t f = pb_function(b, names[i]);
        uint64_t locs[2] = {pb_location(b, m, &f, 1), main_loc};
        int64_t vals[2] = {1, v[i]};
        pb_sample(b, locs, strncmp(names[i], "runtime.", 8) == 0 ? 1 : 2, vals);
    }
    size_t len;
    uint8_t *raw = pb_pack(b, 0, &len);
    pb_free(b);
    pw_profile_t *p = NULL;
    pw_err_t err;
    pw_pprof_decode(raw, len, NULL, &p, &err);
    free(raw);
    return p;
}

static pw_graph_t *attributed(const pw_profile_t *p)
{
    pw_graph_opts_t o;
    pw_graph_opts_default(&o);
    o.attribute = 1;
    pw_graph_t *g = NULL;
    pw_err_t err;
    pw_graph_build(&(pw_graph_input_t){p, 0}, 1, &o, &g, &err);
    return g;
}

static const pw_node_t *find(const pw_node_t *nodes, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(nodes[i].name, name) == 0)
            return &nodes[i];
    return NULL;
}

static void test_fntab_diff(void)
{
    const char *names[] = {"github.com/x/a.Grow", "github.com/x/b.Steady", "runtime.malg"};
    int64_t before[] = {1000, 500, 300}, after[] = {5000, 500, 100};
    pw_profile_t *p1 = heap_profile(names, before, 3), *p2 = heap_profile(names, after, 3);
    CHECK(p1 != NULL && p2 != NULL);
    pw_graph_t *g1 = attributed(p1), *g2 = attributed(p2);
    pw_names_t pool;
    pw_fntab_t t1, t2;
    CHECK_INT(pw_names_init(&pool, 100), 0);
    CHECK_INT(pw_fntab_from_graph(&t1, g1, &pool, 16), 0);
    CHECK_INT(pw_fntab_from_graph(&t2, g2, &pool, 16), 0);
    CHECK_INT(t1.total, 1800);
    CHECK_INT(t2.total, 5600);
    /* The runtime's own bytes are not the program's. */
    CHECK_INT(t1.outside_runtime, 1500);
    CHECK_INT(t2.outside_runtime, 5500);
    pw_node_t *d = NULL;
    size_t n = 0;
    CHECK_INT(pw_fntab_diff(&t2, &t1, &pool, &d, &n), 0);
    const pw_node_t *grow = find(d, n, "github.com/x/a.Grow"),
                    *steady = find(d, n, "github.com/x/b.Steady"), *rt = find(d, n, "runtime.malg");
    CHECK(grow != NULL && grow->attr == 4000);
    CHECK(steady == NULL || steady->attr == 0);
    CHECK(rt != NULL && rt->attr == -200 && rt->frame_class == PW_FRAME_RUNTIME);
    /* The leak rule over the diff sees the grower. */
    pw_rules_t rules;
    pw_rules_defaults(&rules);
    rules.leak_bytes = 1000;
    pw_rule_result_t r;
    pw_rule_leak(d, n, 30, &rules, &r);
    CHECK(r.fired);
    CHECK(r.top != NULL && strcmp(r.top->name, "github.com/x/a.Grow") == 0);
    free(d);
    pw_fntab_free(&t1);
    pw_fntab_free(&t2);
    pw_names_free(&pool);
    pw_graph_destroy(g1);
    pw_graph_destroy(g2);
    pw_profile_destroy(p1);
    pw_profile_destroy(p2);
}

/* Past max_rows the smallest rows fold into [other], and the sums still hold. */
static void test_fntab_bounded(void)
{
    char names[40][32];
    const char *np[40];
    int64_t v[40];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "github.com/x/f.Fn%02d", i);
        np[i] = names[i];
        v[i] = 100 * (i + 1);
    }
    pw_profile_t *p = heap_profile(np, v, 40);
    pw_graph_t *g = attributed(p);
    pw_names_t pool;
    pw_fntab_t t;
    pw_names_init(&pool, 1000);
    CHECK_INT(pw_fntab_from_graph(&t, g, &pool, 8), 0);
    CHECK_INT(t.n, 9); /* 8 rows and [other] */
    int64_t sum = 0, other = 0;
    for (size_t i = 0; i < t.n; i++) {
        sum += t.rows[i].attr;
        if (t.rows[i].name == PW_FNTAB_OTHER)
            other = t.rows[i].attr;
    }
    CHECK_INT(sum, t.total);
    CHECK_INT(other, 100 * (32 * 33 / 2)); /* Fn00..Fn31 */
    CHECK_INT(t.outside_runtime, t.total);
    pw_fntab_free(&t);
    /* A full name pool is reported, so its owner can restart the window. */
    pw_names_t tiny;
    pw_names_init(&tiny, 4);
    CHECK_INT(pw_fntab_from_graph(&t, g, &tiny, 8), PW_ETOOBIG);
    pw_names_free(&tiny);
    pw_names_free(&pool);
    pw_graph_destroy(g);
    pw_profile_destroy(p);
}

/* Nameless frames of two binaries in one mapping's folder share a printable
 * name ("[app]" twice, told apart by start line): one row per name id, so a
 * diff pairs them once. Hostile values wrap as pprof's do, never overflow. */
static void test_fntab_hostile(void)
{
    pw_node_t nodes[] = {
        {.name = "[app]", .objfile = "/a/app", .start_line = 1, .attr = 700},
        {.name = "[app]", .objfile = "/b/app", .start_line = 2, .attr = 300},
        {.name = "main.max", .attr = INT64_MAX},
        {.name = "main.min", .attr = INT64_MIN},
    };
    pw_graph_t g = {.total = 1000, .n_all = 4, .all = nodes};
    pw_names_t pool;
    pw_fntab_t t;
    CHECK_INT(pw_names_init(&pool, 100), 0);
    CHECK_INT(pw_fntab_from_graph(&t, &g, &pool, 16), 0);
    CHECK_INT(t.n, 3);
    for (size_t i = 1; i < t.n; i++)
        CHECK(t.rows[i - 1].name < t.rows[i].name);
    /* INT64_MAX + INT64_MIN + 1000, as Go's int64 wraps */
    CHECK_INT(t.outside_runtime, 999);
    pw_node_t *d = NULL;
    size_t n = 0;
    CHECK_INT(pw_fntab_diff(&t, &t, &pool, &d, &n), 0);
    CHECK_INT(n, 0);
    free(d);
    pw_fntab_t empty = {0};
    CHECK_INT(pw_fntab_diff(&empty, &t, &pool, &d, &n), 0);
    CHECK_INT(n, 3);
    const pw_node_t *app = find(d, n, "[app]"), *min = find(d, n, "main.min");
    CHECK(app != NULL && app->attr == -1000);
    CHECK(min != NULL && min->attr == INT64_MIN); /* -INT64_MIN wraps to itself */
    free(d);
    /* Ranked by magnitude with INT64_MIN first: only it fits in one row. */
    pw_fntab_free(&t);
    CHECK_INT(pw_fntab_from_graph(&t, &g, &pool, 1), 0);
    CHECK(t.n == 2 && (t.rows[0].name == pw_names_intern(&pool, "main.min") ||
                       t.rows[1].name == pw_names_intern(&pool, "main.min")));
    pw_fntab_free(&t);
    pw_names_free(&pool);
}

/* The live rule never scales a short span up; from leak_per on it is the
 * flare rule. */
static void test_rule_leak_live(void)
{
    pw_rules_t rules;
    pw_rules_defaults(&rules); /* 10 MB per 30 s */
    pw_node_t grower = {
        .name = "github.com/x/a.Grow", .attr = 5 << 20, .frame_class = PW_FRAME_OWN};
    pw_rule_result_t live, flare;
    pw_rule_leak_live(&grower, 1, 5, &rules, &live);
    pw_rule_leak(&grower, 1, 5, &rules, &flare);
    CHECK(!live.fired && flare.fired); /* 5 MB in 5 s: 30 MB per 30 s if scaled */
    CHECK_CONTAINS(live.why, "not scaled up");
    grower.attr = 12 << 20;
    pw_rule_leak_live(&grower, 1, 5, &rules, &live);
    CHECK(live.fired);
    grower.attr = 15 << 20;
    pw_rule_leak_live(&grower, 1, 60, &rules, &live);
    pw_rule_leak(&grower, 1, 60, &rules, &flare);
    CHECK(!live.fired && !flare.fired && live.measure == flare.measure);
    grower.attr = 30 << 20;
    pw_rule_leak_live(&grower, 1, 45, &rules, &live);
    CHECK(live.fired);
}

static void test_sustained(void)
{
    pw_sustained_t s = {
        .min_points = 6, .min_r2 = 0.8, .min_growth = 20000000, .min_rate = 50000000};
    double t[12], y[12];
    pw_rule_result_t r;
    /* 60 MB/hour for 40 minutes: a slow leak under the fast rule's limit. */
    for (int i = 0; i < 12; i++) {
        t[i] = i * 200.0;
        y[i] = 100e6 + t[i] * (60e6 / 3600) + (i % 2 ? 1e5 : -1e5);
    }
    pw_rule_sustained(t, y, 12, &s, &r);
    CHECK(r.judged && r.fired);
    CHECK(r.measure > 55e6 && r.measure < 65e6);
    CHECK_CONTAINS(r.why, "per hour");
    /* Too few points: not judged. */
    pw_rule_sustained(t, y, 5, &s, &r);
    CHECK(!r.judged && !r.fired);
    /* Flat with noise: no fit. */
    for (int i = 0; i < 12; i++)
        y[i] = 100e6 + (i % 3) * 5e6;
    pw_rule_sustained(t, y, 12, &s, &r);
    CHECK(r.judged && !r.fired);
    /* Steep but short growth under min_growth: not a leak yet. */
    for (int i = 0; i < 12; i++) {
        t[i] = i * 10.0;
        y[i] = 100e6 + i * 1e6;
    }
    pw_rule_sustained(t, y, 12, &s, &r);
    CHECK(r.judged && !r.fired);
    /* A drop is never growth. */
    for (int i = 0; i < 12; i++)
        y[i] = 500e6 - i * 20e6;
    pw_rule_sustained(t, y, 12, &s, &r);
    CHECK(!r.fired);
}

/* A block-like profile: delay per stack, with wait stacks a, b, c. */
static uint8_t *block_profile(const int64_t *delay, size_t *len, int64_t t_ns, int with_pprof)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "contentions", "count");
    pb_sample_type(b, "delay", "nanoseconds");
    pb_header(b, t_ns, 0);
    uint64_t m = pb_mapping(b, "/bin/agent", "");
    const char *fns[] = {"pkg/x.WaitA", "pkg/x.WaitB", "pkg/x.WaitC"};
    for (int i = 0; i < 3; i++) {
        uint64_t f = pb_function(b, fns[i]);
        uint64_t loc = pb_location(b, m, &f, 1);
        int64_t v[2] = {delay[i] ? 1 : 0, delay[i]};
        if (delay[i])
            pb_sample(b, &loc, 1, v);
    }
    if (with_pprof) {
        uint64_t f = pb_function(b, "net/http/pprof.Profile");
        uint64_t loc = pb_location(b, m, &f, 1);
        int64_t v[2] = {1, 30000000000};
        pb_sample(b, &loc, 1, v);
    }
    uint8_t *raw = pb_pack(b, 1, len);
    pb_free(b);
    return raw;
}

static int64_t delay_of(const pw_profile_t *p, const char *fn)
{
    int64_t sum = 0;
    for (size_t s = 0; s < p->n_samples; s++) {
        const pw_location_t *l = &p->locations[p->samples[s].locs[0]];
        if (strcmp(p->functions[l->lines[0].function].name, fn) == 0)
            sum += p->samples[s].values[1];
    }
    return sum;
}

static void test_pprof_delta(void)
{
    size_t l1, l2, ld;
    int64_t d1[] = {1000, 5000, 0}, d2[] = {1000, 9000, 700};
    uint8_t *old = block_profile(d1, &l1, 1000000000, 0);
    uint8_t *nw = block_profile(d2, &l2, 61000000000, 0);
    uint8_t *delta = NULL;
    pw_err_t err = {0};
    CHECK_INT(pw_pprof_delta(nw, l2, old, l1, 1 << 20, &delta, &ld, &err), 0);
    pw_profile_t *p = NULL;
    CHECK_INT(pw_pprof_decode(delta, ld, NULL, &p, &err), 0);
    if (p != NULL) {
        CHECK_INT(delay_of(p, "pkg/x.WaitA"), 0);
        CHECK_INT(delay_of(p, "pkg/x.WaitB"), 4000);
        CHECK_INT(delay_of(p, "pkg/x.WaitC"), 700);
        CHECK_INT(p->n_samples, 2); /* unchanged stacks are gone */
        CHECK_INT(p->time_nanos, 1000000000);
        CHECK_INT(p->duration_nanos, 60000000000);
        CHECK(p->was_gzipped);
    }
    pw_profile_destroy(p);
    free(delta);
    /* Garbage and mismatched types are errors, not crashes. */
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0x01, 0x02};
    CHECK(pw_pprof_delta(junk, sizeof(junk), old, l1, 1 << 20, &delta, &ld, &err) < 0);
    CHECK(delta == NULL);
    CHECK(pw_pprof_delta(nw, l2, old, l1, 16, &delta, &ld, &err) == PW_ETOOBIG);
    free(old);
    free(nw);
}

static void test_drop_profiler_waits(void)
{
    size_t len;
    int64_t d[] = {1000, 2000, 0};
    uint8_t *raw = block_profile(d, &len, 1, 1);
    pw_profile_t *p = NULL;
    pw_err_t err;
    CHECK_INT(pw_pprof_decode(raw, len, NULL, &p, &err), 0);
    free(raw);
    if (p == NULL)
        return;
    CHECK_INT(p->n_samples, 3);
    CHECK_INT(pw_profile_drop_profiler_waits(p), 1);
    CHECK_INT(p->n_samples, 2);
    CHECK_INT(delay_of(p, "net/http/pprof.Profile"), 0);
    CHECK_INT(delay_of(p, "pkg/x.WaitB"), 2000);
    CHECK_INT(pw_profile_drop_profiler_waits(p), 0);
    pw_profile_destroy(p);
}

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    pw_err_t err;
    pw_fs_write_atomic(path, text, strlen(text), 0640, &err);
}

static const pw_target_conf_t *target(const pw_discovery_t *d, const char *name)
{
    for (size_t i = 0; i < d->n_targets; i++)
        if (strcmp(d->targets[i].name, name) == 0)
            return &d->targets[i];
    return NULL;
}

static const char *skipped(const pw_discovery_t *d, const char *name)
{
    for (size_t i = 0; i < d->n_skipped; i++)
        if (strcmp(d->skipped[i].name, name) == 0)
            return d->skipped[i].reason;
    return NULL;
}

static void test_discover(void)
{
    char dd[512], sp[512];
    pw_arena_t *a = pw_arena_create(0);
    pw_discovery_t d;
    pw_err_t err = {0};
    snprintf(dd, sizeof(dd), "%s/datadog.yaml", tmpdir);
    snprintf(sp, sizeof(sp), "%s/system-probe.yaml", tmpdir);

    /* Defaults: core on 5000, process on 6062; trace needs its certificate. */
    write_file("datadog.yaml", "api_key: x\n");
    CHECK_INT(pw_agentconf_discover(dd, sp, a, &d, &err), 0);
    CHECK(target(&d, "core") != NULL &&
          strcmp(target(&d, "core")->url, "http://127.0.0.1:5000") == 0);
    CHECK(target(&d, "process") != NULL &&
          strcmp(target(&d, "process")->url, "http://127.0.0.1:6062") == 0);
    CHECK(target(&d, "trace") == NULL);
    CHECK_CONTAINS(skipped(&d, "trace"), "ipc_cert.pem");
    CHECK_CONTAINS(skipped(&d, "security-agent"), "enabled");
    CHECK_CONTAINS(skipped(&d, "system-probe"), "does not exist");

    /* Ports, the certificate, security-agent and system-probe, as configured. */
    write_file("ipc_cert.pem", "not checked here\n");
    write_file("datadog.yaml", "expvar_port: 5900\n"
                               "apm_config:\n  debug:\n    port: 5912\n"
                               "process_config:\n  enabled: disabled\n"
                               "runtime_security_config:\n  enabled: true\n"
                               "security_agent:\n  expvar_port: 5911\n");
    write_file("system-probe.yaml", "network_config:\n  enabled: true\n"
                                    "system_probe_config:\n  sysprobe_socket: /run/sp.sock\n");
    CHECK_INT(pw_agentconf_discover(dd, sp, a, &d, &err), 0);
    CHECK(target(&d, "core") && strcmp(target(&d, "core")->url, "http://127.0.0.1:5900") == 0);
    const pw_target_conf_t *tr = target(&d, "trace");
    CHECK(tr && strcmp(tr->url, "https://127.0.0.1:5912") == 0 && tr->skip_block && tr->tls_verify);
    CHECK(tr && tr->ca_file && strstr(tr->ca_file, "ipc_cert.pem"));
    CHECK_CONTAINS(skipped(&d, "process"), "disabled");
    CHECK(target(&d, "security-agent") &&
          strcmp(target(&d, "security-agent")->url, "http://127.0.0.1:5911") == 0);
    const pw_target_conf_t *sp_t = target(&d, "system-probe");
    CHECK(sp_t && sp_t->unix_socket && strcmp(sp_t->unix_socket, "/run/sp.sock") == 0);

    /* The trace-agent off, and system-probe with nothing enabled. */
    write_file("datadog.yaml", "apm_config:\n  enabled: false\n");
    write_file("system-probe.yaml", "network_config:\n  enabled: false\n");
    CHECK_INT(pw_agentconf_discover(dd, sp, a, &d, &err), 0);
    CHECK_CONTAINS(skipped(&d, "trace"), "apm_config.enabled is false");
    CHECK_CONTAINS(skipped(&d, "system-probe"), "no system-probe feature");

    /* A missing or broken datadog.yaml is an error that says how to turn it off. */
    char missing[512];
    snprintf(missing, sizeof(missing), "%s/nope.yaml", tmpdir);
    CHECK(pw_agentconf_discover(missing, sp, a, &d, &err) < 0);
    CHECK_CONTAINS(err.msg, "datadog_config");
    write_file("datadog.yaml", "expvar_port: [\n");
    CHECK(pw_agentconf_discover(dd, sp, a, &d, &err) < 0);
    CHECK_CONTAINS(err.msg, "datadog.yaml");

    /* A value that is not a TCP port skips that process, with the key. */
    static const char odd[] = "expvar_port: 70000\n"
                              "apm_config:\n  debug:\n    port: -3\n"
                              "process_config:\n  expvar_port: 0x10\n";
    CHECK_INT(pw_agentconf_parse(dd, odd, sizeof(odd) - 1, NULL, 0, a, &d, &err), 0);
    CHECK(target(&d, "core") == NULL && target(&d, "process") == NULL &&
          target(&d, "trace") == NULL);
    CHECK_CONTAINS(skipped(&d, "core"), "expvar_port in the agent's config is not a port");
    CHECK_CONTAINS(skipped(&d, "trace"), "apm_config.debug.port");
    CHECK_CONTAINS(skipped(&d, "process"), "process_config.expvar_port");
    CHECK_CONTAINS(skipped(&d, "system-probe"), "no system-probe config");
    /* In memory, system-probe.yaml that does not parse only skips it. */
    CHECK_INT(pw_agentconf_parse(dd, "{}", 2, "[", 1, a, &d, &err), 0);
    CHECK(target(&d, "core") != NULL);
    CHECK_CONTAINS(skipped(&d, "system-probe"), "cannot be read");
    pw_arena_destroy(a);
}

/* What the Datadog outputs take from the agent's datadog.yaml. */
static void test_agent_intake(void)
{
    char dd[512], missing[512];
    pw_arena_t *a = pw_arena_create(0);
    pw_agent_intake_t in;
    pw_err_t err = {0};
    snprintf(dd, sizeof(dd), "%s/datadog.yaml", tmpdir);
    snprintf(missing, sizeof(missing), "%s/nope.yaml", tmpdir);
    write_file("datadog.yaml", "api_key: abc123\nsite: datadoghq.eu\n"
                               "dd_url: https://relay.example:8443\n"
                               "proxy:\n  https: http://proxy:3128\n  http: http://proxy:3129\n"
                               "dogstatsd_socket: /run/dsd.sock\ndogstatsd_port: 8135\n");
    CHECK_INT(pw_agentconf_intake(dd, a, &in, &err), 0);
    CHECK_STR(in.api_key, "abc123");
    CHECK_STR(in.site, "datadoghq.eu");
    CHECK_STR(in.dd_url, "https://relay.example:8443");
    CHECK_STR(in.proxy_https, "http://proxy:3128");
    CHECK_STR(in.proxy_http, "http://proxy:3129");
    CHECK_STR(in.dogstatsd_socket, "/run/dsd.sock");
    CHECK_INT(in.dogstatsd_port, 8135);
    /* Unset settings stay unset; a missing file is no error, a broken one is. */
    write_file("datadog.yaml", "api_key: \"\"\n");
    CHECK_INT(pw_agentconf_intake(dd, a, &in, &err), 0);
    CHECK(in.api_key == NULL && in.site == NULL && in.proxy_https == NULL);
    CHECK_INT(in.dogstatsd_port, 0);
    CHECK_INT(pw_agentconf_intake(missing, a, &in, &err), 0);
    CHECK(in.api_key == NULL);
    CHECK_INT(pw_agentconf_intake("", a, &in, &err), 0);
    write_file("datadog.yaml", "api_key: [\n");
    CHECK(pw_agentconf_intake(dd, a, &in, &err) < 0);
    CHECK_CONTAINS(err.msg, "datadog.yaml");
    pw_arena_destroy(a);
}

static void test_jsonl_sink(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/metrics.jsonl", tmpdir);
    pw_err_t err = {0};
    pw_sink_t *s = pw_sink_jsonl_create(path, "web-1", &err);
    CHECK(s != NULL);
    if (s == NULL)
        return;
    pw_emitter_t em = {.sinks = calloc(1, sizeof(pw_sink_t *)), .n = 1};
    em.sinks[0] = s;
    const char *tags[] = {"process:core", "team:a\"b"};
    pw_emit_metric(&em, &(pw_metric_t){.name = "profwatch.heap.inuse_bytes",
                                       .value = 12345,
                                       .timestamp = 1700000000,
                                       .tags = tags,
                                       .n_tags = 2});
    pw_emit_service_check(&em, &(pw_service_check_t){.name = "profwatch.verdict",
                                                     .status = 2,
                                                     .timestamp = 1700000001,
                                                     .message = "memory_leak: grew\nfast",
                                                     .tags = tags,
                                                     .n_tags = 1});
    pw_emit_event(&em, &(pw_event_t){.title = "profwatch: core: Memory Leak",
                                     .text = "x",
                                     .timestamp = 1700000002,
                                     .alert_type = "error",
                                     .tags = tags,
                                     .n_tags = 1});
    pw_emit_flush(&em);
    pw_emitter_destroy(&em);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    FILE *f = fopen(path, "r");
    char line[1024];
    int n = 0;
    while (f && fgets(line, sizeof(line), f)) {
        n++;
        if (n == 1) {
            CHECK_CONTAINS(line, "{\"type\":\"metric\",\"name\":\"profwatch.heap.inuse_bytes\","
                                 "\"value\":12345,\"tags\":[\"process:core\",\"team:a\\\"b\"],"
                                 "\"timestamp\":1700000000,\"host\":\"web-1\"}");
        } else if (n == 2) {
            CHECK_CONTAINS(line, "\"type\":\"service_check\"");
            CHECK_CONTAINS(line, "\"status\":2");
            CHECK_CONTAINS(line, "grew\\nfast");
        } else {
            CHECK_CONTAINS(line, "\"type\":\"event\"");
            CHECK_CONTAINS(line, "\"title\":\"profwatch: core: Memory Leak\"");
            CHECK_CONTAINS(line, "\"text\":\"x\"");
        }
    }
    CHECK_INT(n, 3);
    if (f)
        fclose(f);
}

/* Loads text as a config file; returns the load's result. */
static int load_config(const char *text, pw_config_t *c, pw_err_t *err)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/profwatch.yaml", tmpdir);
    write_file("profwatch.yaml", text);
    return pw_config_load(c, path, err);
}

static void test_config_daemon(void)
{
    pw_config_t c;
    pw_err_t err = {0};
    CHECK_INT(load_config("hostname: web-1\n"
                          "datadog_config: \"\"\n"
                          "outputs:\n"
                          "  - type: jsonl\n"
                          "    path: /tmp/m.jsonl\n"
                          "  - type: stdout\n"
                          "intervals: {expvar: 500ms, heap: 2s, contention: 1m, cpu_every: 0}\n"
                          "window: 1h\n"
                          "targets:\n"
                          "  - name: myservice\n"
                          "    url: http://127.0.0.1:6060\n"
                          "    tags: [\"team:payments\"]\n"
                          "  - name: system-probe\n"
                          "    unix_socket: /opt/datadog-agent/run/sysprobe.sock\n"
                          "  - name: tls\n"
                          "    url: https://127.0.0.1:5012\n"
                          "    tls_verify: false\n"
                          "verdict: {raise_after: 1, clear_after: 4}\n"
                          "captures: {keep: 3, max_bytes: 10MiB}\n",
                          &c, &err),
              0);
    CHECK_STR(c.hostname, "web-1");
    CHECK_STR(c.datadog_config, "");
    CHECK_INT(c.n_outputs, 2);
    CHECK_STR(c.outputs[0].type, "jsonl");
    CHECK_STR(c.outputs[0].path, "/tmp/m.jsonl");
    CHECK_STR(c.outputs[1].type, "stdout");
    CHECK_INT(c.intervals.expvar_ms, 500);
    CHECK_INT(c.intervals.heap_ms, 2000);
    CHECK_INT(c.intervals.contention_ms, 60000);
    CHECK_INT(c.intervals.cpu_every_ms, 0);
    CHECK_INT(c.window_ms, 3600000);
    CHECK_INT(c.n_targets, 3);
    CHECK_STR(c.targets[0].name, "myservice");
    CHECK_INT(c.targets[0].n_tags, 1);
    CHECK_STR(c.targets[0].tags[0], "team:payments");
    CHECK_INT(c.targets[0].tls_verify, 1);
    CHECK_STR(c.targets[1].unix_socket, "/opt/datadog-agent/run/sysprobe.sock");
    CHECK_STR(c.targets[1].url, "http://localhost");
    CHECK_INT(c.targets[2].tls_verify, 0);
    CHECK_INT(c.verdict.raise_after, 1);
    CHECK_INT(c.verdict.clear_after, 4);
    CHECK_INT(c.captures.keep, 3);
    CHECK_INT(c.captures.max_bytes, 10u << 20);
    pw_config_free(&c);

    /* Defaults are the documented ones. */
    CHECK_INT(load_config("", &c, &err), 0);
    CHECK_INT(c.intervals.expvar_ms, 15000);
    CHECK_INT(c.intervals.heap_ms, 30000);
    CHECK_INT(c.intervals.contention_ms, 60000);
    CHECK_INT(c.intervals.cpu_every_ms, 300000);
    CHECK_INT(c.intervals.cpu_duration_ms, 10000);
    CHECK_INT(c.window_ms, 600000);
    CHECK_STR(c.datadog_config, "/etc/datadog-agent/datadog.yaml");
    CHECK_INT(c.outputs_set, 0);
    pw_config_free(&c);

    /* The memory section and the gate. */
    CHECK_INT(load_config("memory:\n"
                          "  interval: 1s\n"
                          "  processes:\n"
                          "    - pid: 42\n"
                          "      as: core\n"
                          "    - name: myservice\n"
                          "    - pidfile: /run/x.pid\n"
                          "memory_gate: logs\n",
                          &c, &err),
              0);
    CHECK_INT(c.memory.enabled, 1);
    CHECK_INT(c.memory.interval_ms, 1000);
    CHECK_INT(c.memory.n_procs, 3);
    CHECK_INT(c.memory.procs[0].pid, 42);
    CHECK_STR(c.memory.procs[0].as, "core");
    CHECK_STR(c.memory.procs[1].name, "myservice");
    CHECK_STR(c.memory.procs[2].pidfile, "/run/x.pid");
    CHECK_INT(c.have_budget, 1);
    CHECK_INT(c.budget.bytes, 220u << 20);
    pw_config_free(&c);
    CHECK_INT(load_config("memory_gates:\n  tiny: 3MiB\nmemory_gate: tiny\n", &c, &err), 0);
    CHECK_INT(c.budget.bytes, 3u << 20);
    pw_config_free(&c);
    CHECK_INT(load_config("memory_budget: 300MiB\n", &c, &err), 0);
    CHECK_INT(c.budget.bytes, 300u << 20);
    pw_config_free(&c);

    /* Each mistake names the file, the line and what was expected. */
    struct {
        const char *text, *want;
    } bad[] = {
        {"outputs:\n  - type: kafka\n", "profwatch.yaml:2: outputs[0]: unknown output type "
                                        "\"kafka\" (expected jsonl, stdout, dogstatsd or api)"},
        {"outputs:\n  - type: dogstatsd\n    port: 70000\n",
         "profwatch.yaml:3: outputs[0].port: 70000 is outside [0, 65535]"},
        {"outputs:\n  - type: dogstatsd\n    max_datagram: 100\n",
         "profwatch.yaml:3: outputs[0].max_datagram: \"100\" is outside"},
        {"outputs:\n  - type: dogstatsd\n    prot: 1\n",
         "profwatch.yaml:3: unknown key \"prot\" in outputs[0]"},
        {"outputs:\n  - type: api\n    url: ftp://x\n",
         "profwatch.yaml:3: outputs[0]: url \"ftp://x\" must start with https://"},
        {"outputs:\n  - type: api\n    backoff_base: soon\n",
         "profwatch.yaml:3: outputs[0].backoff_base: expected a duration"},
        {"outputs:\n  - type: api\n    backoff_base: 10s\n    backoff_max: 1s\n",
         "backoff_max must not be shorter than backoff_base"},
        {"outputs:\n  - type: api\n    path: /x\n", "profwatch.yaml:3: unknown key \"path\""},
        {"outputs:\n  - type: jsonl\n", "a jsonl output needs a \"path\""},
        {"targets:\n  - name: a\n    url: http://x\n    colour: red\n",
         "profwatch.yaml:4: targets[0]: unknown key \"colour\""},
        {"targets:\n  - url: http://x\n", "\"name\" is required"},
        {"targets:\n  - name: a b\n    url: http://x\n", "letters, digits"},
        {"targets:\n  - name: a\n    url: ftp://x\n", "must start with http:// or https://"},
        {"targets:\n  - name: a\n    url: http://x\n  - name: a\n    url: http://y\n",
         "target \"a\" is named twice"},
        {"targets:\n  - name: a\n    url: http://x\n    tags: [\"a,b\"]\n", "without ','"},
        {"targets:\n  - name: a\n    url: http://x\n    tls_verify: sometimes\n",
         "tls_verify: expected true or false"},
        {"intervals:\n  cpu_every: 10s\n  cpu_duration: 10s\n",
         "cpu_duration (10000 ms) must be shorter than intervals.cpu_every"},
        {"window: 30s\nintervals:\n  heap: 1m\n", "window (30000 ms) must hold at least two"},
        {"log_level: loud\n", "log_level \"loud\""},
        {"captures:\n  max_bytes: 10\n", "profwatch.yaml:2: captures.max_bytes"},
        {"intervals:\n  heap: 1\n", "intervals.heap"},
        {"verdict:\n  raise_after: 0\n", "verdict.raise_after"},
        {"memory:\n  processes:\n    - pid: 0\n", "profwatch.yaml:3: memory.processes[0]: pid"},
        {"memory:\n  processes:\n    - pid: 1\n      name: x\n", "exactly one of name"},
        {"memory:\n  procs: []\n", "unknown key \"procs\""},
        {"memory_gate: huge\n", "huge"},
        {"memory_gate: idle\nmemory_budget: 1GiB\n", "set one of memory_gate"},
        {"memory_budget: lots\n", "lots"},
        {"memory_experiment: /nonexistent/experiment.yaml\n", "/nonexistent/experiment.yaml"},
        {"memory_gates: [1]\n", "memory_gates"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&err, 0, sizeof(err));
        CHECK(load_config(bad[i].text, &c, &err) != 0);
        CHECK_CONTAINS(err.msg, bad[i].want);
    }

    /* The example shipped in conf.d loads as it is. */
    CHECK_INT(pw_config_load(&c, PW_SOURCE_DIR "/conf.d/profwatch.yaml", &err), 0);
    pw_config_free(&c);
}

static void cleanup(void)
{
    pw_err_t err;
    pw_fs_remove_tree(tmpdir, &err);
}

static void test_fs_tree(void)
{
    char sub[512], file[600];
    pw_err_t err = {0};
    snprintf(sub, sizeof(sub), "%s/tree/a/b", tmpdir);
    CHECK_INT(pw_fs_mkdir_p(sub, 0750, &err), 0);
    snprintf(file, sizeof(file), "%s/f", sub);
    CHECK_INT(pw_fs_write_new(file, "12345", 5, 0640, &err), 0);
    snprintf(file, sizeof(file), "%s/tree/g", tmpdir);
    CHECK_INT(pw_fs_write_new(file, "123", 3, 0600, &err), 0);
    struct stat st;
    CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600);
    snprintf(sub, sizeof(sub), "%s/tree", tmpdir);
    CHECK_INT((int)pw_fs_tree_size(sub), 8);
    CHECK_INT(pw_fs_remove_tree(sub, &err), 0);
    CHECK(stat(sub, &st) != 0);
    CHECK_INT(pw_fs_remove_tree(sub, &err), 0); /* already gone: fine */
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "%s/pwtest-watch-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    static const pw_test_case_t t_[] = {
        T(test_fntab_diff),          T(test_fntab_bounded), T(test_fntab_hostile),
        T(test_rule_leak_live),      T(test_sustained),     T(test_pprof_delta),
        T(test_drop_profiler_waits), T(test_discover),      T(test_agent_intake),
        T(test_jsonl_sink),          T(test_fs_tree),       T(test_config_daemon)};
    int rc = pw_test_main(t_, sizeof(t_) / sizeof(t_[0]));
    cleanup();
    return rc;
}
