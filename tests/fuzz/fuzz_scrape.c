/* fuzz_scrape: what profwatchd does with the body of a 200 response from a
 * target (daemon/watch/target.c: graph_of, on_heap, on_contention, on_cpu,
 * on_expvar), step for step with the same options: decode under the body
 * cap, drop_frames/keep_frames, the profiler's own waits for block and mutex,
 * the attributed graph (by inuse_space or delay when the profile has them),
 * the bounded per-function table on a bounded name pool, the diff against
 * the previous table and the rules. libcurl parses the status line and
 * headers; the error path only prints the body's first line (checked too).
 *
 * The first byte picks the endpoint (heap, block, mutex, cpu, expvar); the
 * rest is the body. The pool is small, so that its cap (and the daemon's
 * restart of the window when it is full) is reached.
 *
 * Checked: a refused body has a code and a message; a table has at most its
 * rows plus [other], sorted by name id, and sums to the graph's attributed
 * values; a table minus itself is all zero; the rules judge finite figures. */
#include <math.h>

#include "fuzz.h"
#include "profwatch/fntab.h"
#include "profwatch/graph.h"
#include "profwatch/memstats.h"
#include "profwatch/pprof.h"
#include "profwatch/rules.h"

#define MAX_BODY (1u << 20) /* the daemon's http.max_body, scaled down */
#define MAX_ROWS 16
#define MAX_NAMES 64

enum { K_HEAP, K_BLOCK, K_MUTEX, K_CPU, K_EXPVAR, K_COUNT };

static const char *index_if(const pw_profile_t *p, const char *name)
{
    for (size_t i = 0; i < p->n_sample_types; i++)
        if (strcmp(p->sample_types[i].type, name) == 0)
            return name;
    return NULL;
}

static void check_table(const pw_fntab_t *t, const pw_names_t *pool)
{
    FUZZ_CHECK(t->n <= MAX_ROWS + 1, "%zu rows", t->n);
    for (size_t i = 0; i < t->n; i++) {
        FUZZ_CHECK(t->rows[i].name == PW_FNTAB_OTHER || pw_names_get(pool, t->rows[i].name),
                   "row %zu names id %u, not in the pool", i, t->rows[i].name);
        if (i > 0)
            FUZZ_CHECK(t->rows[i - 1].name < t->rows[i].name, "rows not sorted by name id");
    }
    pw_node_t *nodes = NULL;
    size_t n = 0;
    if (pw_fntab_diff(t, t, pool, &nodes, &n) == 0)
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(nodes[i].attr == 0, "%s: a table minus itself is %lld", nodes[i].name,
                       (long long)nodes[i].attr);
    free(nodes);
}

static void check_rule(const pw_rule_result_t *r)
{
    FUZZ_CHECK(isfinite(r->measure), "the rule measured %g", r->measure);
    FUZZ_CHECK(memchr(r->why, '\0', sizeof(r->why)) != NULL, "why is not terminated");
}

static void profile_body(int kind, const uint8_t *body, size_t len)
{
    pw_err_t err = {0};
    pw_pprof_opts_t po = {.max_size = MAX_BODY};
    pw_profile_t *prof = NULL;
    int rc = pw_pprof_decode(body, len, &po, &prof, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_pprof_decode");
        return;
    }
    pw_profile_prune(prof, prof->drop_frames, prof->keep_frames, &err);
    if (kind == K_BLOCK || kind == K_MUTEX)
        pw_profile_drop_profiler_waits(prof);
    pw_graph_opts_t go;
    pw_graph_opts_default(&go);
    go.attribute = 1;
    go.node_count = 1;
    go.sample_index = kind == K_HEAP  ? index_if(prof, "inuse_space")
                      : kind == K_CPU ? NULL
                                      : index_if(prof, "delay");
    pw_graph_t *g = NULL;
    memset(&err, 0, sizeof(err));
    rc = pw_graph_build(&(pw_graph_input_t){prof, 0}, 1, &go, &g, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_graph_build");
        pw_profile_destroy(prof);
        return;
    }
    pw_rules_t rules;
    pw_rules_defaults(&rules);
    pw_rule_result_t r;
    if (kind == K_CPU) {
        pw_rule_cpu(g->all, g->n_all, g->total, &rules, &r);
        check_rule(&r);
    }
    pw_names_t pool;
    FUZZ_CHECK(pw_names_init(&pool, MAX_NAMES) == 0, "out of memory");
    pw_fntab_t tab, empty = {0};
    rc = pw_fntab_from_graph(&tab, g, &pool, MAX_ROWS);
    if (rc == PW_ETOOBIG) {
        /* The daemon's answer to a full pool: a new one. */
        pw_names_free(&pool);
        FUZZ_CHECK(pw_names_init(&pool, MAX_NAMES) == 0, "out of memory");
        rc = pw_fntab_from_graph(&tab, g, &pool, MAX_ROWS);
    }
    FUZZ_CHECK(rc == 0 || rc == PW_ETOOBIG, "pw_fntab_from_graph returned %d", rc);
    if (rc == 0) {
        FUZZ_CHECK(tab.total == g->total, "table total %lld, graph %lld", (long long)tab.total,
                   (long long)g->total);
        check_table(&tab, &pool);
        pw_node_t *nodes = NULL;
        size_t n = 0;
        if (pw_fntab_diff(&tab, &empty, &pool, &nodes, &n) == 0) {
            if (kind == K_HEAP)
                pw_rule_leak_live(nodes, n, 30.0, &rules, &r);
            else if (kind != K_CPU)
                pw_rule_contention(nodes, n, tab.total, kind == K_BLOCK ? "block" : "mutex", &rules,
                                   &r);
            if (kind != K_CPU)
                check_rule(&r);
        }
        free(nodes);
        pw_fntab_free(&tab);
    }
    pw_names_free(&pool);
    pw_graph_destroy(g);
    pw_profile_destroy(prof);
}

/* The daemon's last_error for a non-200 answer: the body's first line, at
 * most 120 bytes, printable ASCII only. */
static void error_line(const uint8_t *body, size_t len)
{
    char last_error[256];
    size_t n = len < 120 ? len : 120;
    const char *nl = memchr(body, '\n', n);
    if (nl)
        n = (size_t)(nl - (const char *)body);
    snprintf(last_error, sizeof(last_error), "HTTP %ld: %.*s", 500L, (int)n, (const char *)body);
    for (char *c = last_error; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
            *c = '?';
    FUZZ_CHECK(strlen(last_error) <= 10 + 120, "last_error of %zu bytes", strlen(last_error));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int kind = data[0] % K_COUNT;
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    /* An exact copy, so that a read past the body's end is caught. */
    uint8_t *copy = malloc(len ? len : 1);
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, body, len);
    if (kind == K_EXPVAR) {
        pw_memstats_t ms;
        pw_err_t err = {0};
        int rc = pw_memstats_from_json((const char *)copy, len, &ms, &err);
        if (rc != 0)
            fuzz_check_error(rc, &err, "pw_memstats_from_json");
    } else {
        profile_body(kind, copy, len);
    }
    error_line(copy, len);
    free(copy);
    return 0;
}
