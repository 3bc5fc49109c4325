/* Unit tests for aggregation and the top report: flat to the leaf, cum once
 * per sample (recursion), inlined frames, trimming, node limits, sort orders,
 * nameless frames, diffs against a base, and the text header. */
#include <stdlib.h>
#include <time.h>

#include "pbuild.h"
#include "profwatch/graph.h"
#include "profwatch/top.h"
#include "pw_test.h"

static const pw_node_t *node(const pw_graph_t *g, const char *name)
{
    const pw_node_t *n = pw_graph_find(g, name);
    CHECK(n != NULL);
    static const pw_node_t none = {0};
    return n ? n : &none;
}

static pw_graph_t *graph(const pw_profile_t *p, const pw_profile_t *base, pw_graph_opts_t *o)
{
    pw_graph_input_t in[2] = {{p, 0}, {base, 1}};
    pw_graph_t *g = NULL;
    pw_err_t err = {0};
    pw_graph_opts_t def;
    if (o == NULL) {
        pw_graph_opts_default(&def);
        o = &def;
    }
    if (pw_graph_build(in, base ? 2 : 1, o, &g, &err) != 0)
        fprintf(stderr, "graph: %s\n", err.msg);
    return g;
}

/* main -> a -> b -> a (recursion) with the leaf in a, and main -> c. */
static pw_profile_t *recursion_profile(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "cpu", "nanoseconds");
    uint64_t fm = pb_function(b, "main"), fa = pb_function(b, "a"), fb = pb_function(b, "b"),
             fc = pb_function(b, "c");
    uint64_t lm = pb_location(b, 0, &fm, 1), la = pb_location(b, 0, &fa, 1),
             lb = pb_location(b, 0, &fb, 1), lc = pb_location(b, 0, &fc, 1);
    uint64_t s1[4] = {la, lb, la, lm};
    int64_t v1 = 700;
    pb_sample(b, s1, 4, &v1);
    uint64_t s2[2] = {lc, lm};
    int64_t v2 = 300;
    pb_sample(b, s2, 2, &v2);
    return pb_decode(b);
}

static void test_flat_and_cum(void)
{
    pw_profile_t *p = recursion_profile();
    pw_graph_t *g = graph(p, NULL, NULL);
    CHECK(g != NULL);
    if (g) {
        CHECK_INT(g->total, 1000);
        CHECK_INT(node(g, "a")->flat, 700);
        CHECK_INT(node(g, "a")->cum, 700); /* a appears twice on one stack: counted once */
        CHECK_INT(node(g, "b")->flat, 0);
        CHECK_INT(node(g, "b")->cum, 700);
        CHECK_INT(node(g, "main")->cum, 1000);
        CHECK_INT(node(g, "c")->flat, 300);
        CHECK_INT(g->n_shown, 4);
        /* flat order: a (700), c (300), then b and main by name at flat 0 */
        CHECK_STR(g->shown[0]->name, "a");
        CHECK_STR(g->shown[1]->name, "c");
        CHECK_STR(g->shown[2]->name, "b");
        CHECK_STR(g->shown[3]->name, "main");
    }
    pw_graph_destroy(g);
    pw_graph_opts_t o;
    pw_graph_opts_default(&o);
    o.cum_sort = 1;
    g = graph(p, NULL, &o);
    if (g) {
        CHECK_STR(g->shown[0]->name, "main");
        CHECK_STR(g->shown[1]->name, "a"); /* ties on cum 700: name decides */
        CHECK_STR(g->shown[2]->name, "b");
    }
    pw_graph_destroy(g);
    o.cum_sort = 0;
    o.node_count = 2;
    g = graph(p, NULL, &o);
    if (g) {
        CHECK_INT(g->n_shown, 2);
        CHECK_INT(g->orig_count, 4);
    }
    pw_graph_destroy(g);
    pw_profile_destroy(p);
}

static void test_inline_labels(void)
{
    /* l1 = [leaf inlined into mid], l2 = [mid], l3 = [top], l4 = [x], l5 = [leaf].
     * s1 = l1 <- l3: top->mid is a call, mid->leaf is inlined.
     * s2 = l2 <- l3: top->mid is a call.
     * s3 = l5 <- l4 <- l3: x->leaf is a call.
     * So leaf is reached both inline and by call: "(partial-inline)"; mid is
     * only ever the outer line of its location, so it has no label. */
    pbuild_t *b = pb_new();
    pb_sample_type(b, "cpu", "nanoseconds");
    uint64_t fl = pb_function(b, "leaf"), fmid = pb_function(b, "mid"), ft = pb_function(b, "top"),
             fx = pb_function(b, "x");
    uint64_t inl[2] = {fl, fmid};
    uint64_t l1 = pb_location(b, 0, inl, 2), l2 = pb_location(b, 0, &fmid, 1),
             l3 = pb_location(b, 0, &ft, 1), l4 = pb_location(b, 0, &fx, 1),
             l5 = pb_location(b, 0, &fl, 1);
    uint64_t s1[2] = {l1, l3};
    int64_t v = 100;
    pb_sample(b, s1, 2, &v);
    uint64_t s2[2] = {l2, l3};
    pb_sample(b, s2, 2, &v);
    uint64_t s3[3] = {l5, l4, l3};
    pb_sample(b, s3, 3, &v);
    pw_profile_t *p = pb_decode(b);
    pw_graph_t *g = graph(p, NULL, NULL);
    CHECK(g != NULL);
    if (g) {
        for (size_t i = 0; i < g->n_shown; i++) {
            const pw_node_t *n = g->shown[i];
            if (strcmp(n->name, "leaf") == 0)
                CHECK_INT(n->inline_kind, PW_INLINE_PARTIAL);
            else
                CHECK_INT(n->inline_kind, PW_INLINE_NONE);
        }
        CHECK_INT(node(g, "leaf")->flat, 200);
        CHECK_INT(node(g, "mid")->cum, 200);
    }
    pw_graph_destroy(g);
    pw_profile_destroy(p);
}

static void test_trimming(void)
{
    /* 1000 units in "big", 4 in "tiny": tiny is under 0.5% and dropped. */
    pbuild_t *b = pb_new();
    pb_sample_type(b, "space", "bytes");
    uint64_t fb = pb_function(b, "big"), ft = pb_function(b, "tiny");
    uint64_t lb = pb_location(b, 0, &fb, 1), lt = pb_location(b, 0, &ft, 1);
    int64_t v1 = 1000, v2 = 4;
    pb_sample(b, &lb, 1, &v1);
    pb_sample(b, &lt, 1, &v2);
    pw_profile_t *p = pb_decode(b);
    pw_graph_t *g = graph(p, NULL, NULL);
    CHECK(g != NULL);
    if (g) {
        CHECK_INT(g->n_shown, 1);
        CHECK_INT(g->dropped_nodes, 1);
        CHECK_INT(g->n_all, 2); /* still available to analysis */
        pw_buf_t out;
        pw_buf_init(&out);
        pw_graph_input_t in = {p, 0};
        CHECK_INT(pw_top_render_text(&in, 1, g, NULL, &out), 0);
        CHECK_CONTAINS(out.data, "Showing nodes accounting for 1000B, 99.60% of 1004B total\n"
                                 "Dropped 1 node (cum <= 5B)\n");
        CHECK_CONTAINS(out.data, "     1000B 99.60% 99.60%      1000B 99.60%  big\n");
        pw_buf_free(&out);
    }
    pw_graph_destroy(g);
    pw_profile_destroy(p);
}

static void test_nameless_frames(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    uint64_t m = pb_mapping(b, "/usr/lib/libfoo.so.1", "");
    uint64_t la = pb_location(b, m, NULL, 0); /* no lines: named by the binary */
    uint64_t lu = pb_location(b, 0, NULL, 0); /* nothing at all */
    int64_t v = 5;
    pb_sample(b, &la, 1, &v);
    pb_sample(b, &lu, 1, &v);
    pw_profile_t *p = pb_decode(b);
    pw_graph_t *g = graph(p, NULL, NULL);
    CHECK(g != NULL);
    if (g) {
        CHECK_INT(node(g, "[libfoo.so.1]")->flat, 5);
        CHECK_INT(node(g, "<unknown>")->flat, 5);
    }
    pw_graph_destroy(g);
    pw_profile_destroy(p);
}

static pw_profile_t *heap(int64_t a, int64_t c, int64_t time_ns)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "inuse_space", "bytes");
    pb_header(b, time_ns, 0);
    uint64_t fa = pb_function(b, "grower"), fc = pb_function(b, "shrinker"),
             fm = pb_function(b, "main");
    uint64_t lm = pb_location(b, 0, &fm, 1);
    uint64_t s1[2] = {pb_location(b, 0, &fa, 1), lm};
    uint64_t s2[2] = {pb_location(b, 0, &fc, 1), lm};
    pb_sample(b, s1, 2, &a);
    pb_sample(b, s2, 2, &c);
    return pb_decode(b);
}

static void test_diff(void)
{
    pw_profile_t *base = heap(1000, 3000, 2000);
    pw_profile_t *cur = heap(6000, 1000, 1000);
    pw_graph_t *g = graph(cur, base, NULL);
    CHECK(g != NULL);
    if (g) {
        CHECK_INT(g->total, 4000); /* the base's total, as -diff_base */
        CHECK_INT(node(g, "grower")->flat, 5000);
        CHECK_INT(node(g, "shrinker")->flat, -2000);
        CHECK_INT(node(g, "main")->cum, 3000);
        CHECK_STR(g->shown[0]->name, "grower"); /* ranked by |flat| */
        CHECK_STR(g->shown[1]->name, "shrinker");
    }
    pw_graph_destroy(g);
    /* Profiles of different kinds cannot be compared. */
    pbuild_t *b = pb_new();
    pb_sample_type(b, "cpu", "nanoseconds");
    pw_profile_t *cpu = pb_decode(b);
    pw_graph_input_t in[2] = {{cur, 0}, {cpu, 1}};
    pw_err_t err = {0};
    CHECK(pw_graph_build(in, 2, NULL, &g, &err) != 0);
    CHECK_CONTAINS(err.msg, "cannot be compared");
    pw_profile_destroy(cpu);
    pw_profile_destroy(base);
    pw_profile_destroy(cur);
}

static void test_text_header(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    pb_sample_type(b, "cpu", "nanoseconds");
    pb_header(b, 1506718620000000000LL, 2000000000); /* Sep 29, 2017 20:57 UTC */
    uint64_t m = pb_mapping(b, "/opt/app/bin/server", "deadbeef");
    uint64_t f = pb_function(b, "main.busy");
    uint64_t l = pb_location(b, m, &f, 1);
    int64_t v[2] = {176, 1760000000};
    pb_sample(b, &l, 1, v);
    pw_profile_t *p = pb_decode(b);
    pw_graph_t *g = graph(p, NULL, NULL);
    CHECK(g != NULL);
    if (g) {
        pw_buf_t out;
        pw_buf_init(&out);
        pw_graph_input_t in = {p, 0};
        pw_top_render_text(&in, 1, g, NULL, &out);
        CHECK_CONTAINS(out.data, "File: server\nBuild ID: deadbeef\nType: cpu\n"
                                 "Time: Sep 29, 2017 at 8:57pm (UTC)\n"
                                 "Duration: 2s, Total samples = 1.76s (88.00%)\n");
        CHECK_CONTAINS(out.data, "      flat  flat%   sum%        cum   cum%\n"
                                 "     1.76s   100%   100%      1.76s   100%  main.busy\n");
        pw_buf_reset(&out);
        pw_top_render_json(&in, 1, g, NULL, &out);
        CHECK_CONTAINS(out.data, "\"total\": 1760000000");
        CHECK_CONTAINS(out.data, "\"name\": \"main.busy\"");
        CHECK_CONTAINS(out.data, "\"flat_label\": \"1.76s\"");
        pw_buf_free(&out);
    }
    pw_graph_destroy(g);
    pw_profile_destroy(p);
}

PW_TESTS(T(test_flat_and_cum), T(test_inline_labels), T(test_trimming), T(test_nameless_frames),
         T(test_diff), T(test_text_header))
