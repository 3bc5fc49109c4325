/* Unit tests for the flame tree and its HTML page, on profiles built byte by
 * byte: merging of stacks, inlined frames, recursion, widths that add up, the
 * merging of narrow frames, differential values and colours, limits on
 * hostile input, and escaping in the page. */
#include <stdlib.h>

#include "flame_check.h"
#include "pbuild.h"
#include "profwatch/flame.h"
#include "profwatch/html.h"
#include "pw_test.h"

static pw_flame_t *flame(const pw_profile_t *p, const pw_profile_t *base, unsigned width)
{
    pw_flame_opts_t o;
    pw_flame_opts_default(&o);
    o.width = width;
    pw_flame_t *t = NULL;
    pw_err_t err = {0};
    if (pw_flame_build(p, base, &o, &t, &err) != 0)
        fprintf(stderr, "flame: %s\n", err.msg);
    CHECK(t != NULL);
    if (t != NULL)
        flame_check_layout(t);
    return t;
}

static int64_t val(const pw_flame_t *t, const char *path)
{
    const pw_flame_frame_t *f = flame_find(t, path);
    if (f == NULL)
        fprintf(stderr, "no frame at %s\n", path);
    return f ? f->value : -1;
}

/* Functions by name, locations one per function, and samples given as
 * root-first paths "main;a;b" (the builder wants leaf first). */
typedef struct {
    pbuild_t *b;
    const char *names[32];
    uint64_t locs[32];
    int n;
} stacks_t;

static uint64_t loc_of(stacks_t *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->locs[i];
    uint64_t f = pb_function(s->b, name);
    s->names[s->n] = strdup(name);
    s->locs[s->n] = pb_location(s->b, 0, &f, 1);
    return s->locs[s->n++];
}

static void stack(stacks_t *s, const char *path, int64_t v)
{
    uint64_t root_first[64], leaf_first[64];
    size_t n = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok(buf, ";"); tok != NULL; tok = strtok(NULL, ";"))
        root_first[n++] = loc_of(s, tok);
    for (size_t i = 0; i < n; i++)
        leaf_first[i] = root_first[n - 1 - i];
    pb_sample(s->b, leaf_first, n, &v);
}

static stacks_t *stacks_new(void)
{
    stacks_t *s = calloc(1, sizeof(*s));
    s->b = pb_new();
    pb_sample_type(s->b, "cpu", "nanoseconds");
    return s;
}

static pw_profile_t *stacks_build(stacks_t *s)
{
    pw_profile_t *p = pb_decode(s->b);
    for (int i = 0; i < s->n; i++)
        free((char *)s->names[i]);
    free(s);
    return p;
}

static void test_merge_stacks(void)
{
    stacks_t *s = stacks_new();
    stack(s, "main;a;b", 100);
    stack(s, "main;a;c", 50);
    stack(s, "main;a;b", 25); /* the same stack again: one frame */
    stack(s, "main;d", 10);
    stack(s, "main;a;a", 5); /* recursion: a frame per level */
    stack(s, "main;a", 7);   /* a itself */
    pw_profile_t *p = stacks_build(s);
    pw_flame_t *t = flame(p, NULL, 0);
    if (t != NULL) {
        CHECK_INT(t->is_diff, 0);
        CHECK_STR(t->sample_type, "cpu");
        CHECK_INT(t->frames[0].value, 197);
        CHECK_STR(t->frames[0].name, "root");
        CHECK_INT(t->n_frames, 7); /* root main a a b c d */
        CHECK_INT(t->n_full, 6);
        CHECK_INT(t->max_depth, 3);
        CHECK_INT(val(t, "main"), 197);
        CHECK_INT(val(t, "main;a"), 187);
        CHECK_INT(flame_find(t, "main;a")->self, 7);
        CHECK_INT(val(t, "main;a;b"), 125);
        CHECK_INT(val(t, "main;a;c"), 50);
        CHECK_INT(val(t, "main;a;a"), 5);
        CHECK_INT(val(t, "main;d"), 10);
        CHECK(flame_find(t, "main;b") == NULL);
        /* Children by name, left to right: a, b, c under main;a. */
        const pw_flame_frame_t *a = flame_find(t, "main;a");
        CHECK_INT(flame_find(t, "main;a;a")->x, a->x);
        CHECK_INT(flame_find(t, "main;a;b")->x, a->x + 5);
        CHECK_INT(flame_find(t, "main;a;c")->x, a->x + 130);
        CHECK_INT(flame_find(t, "main;d")->x, 187);
        CHECK_INT(a->n_children, 3);
    }
    pw_flame_destroy(t);
    pw_profile_destroy(p);
}

/* One location holding inlined calls: outer calls mid calls inner, all in
 * one location; each is a frame, outermost nearest the root. */
static void test_inlined_frames(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    uint64_t fm = pb_function(b, "main"), fo = pb_function(b, "outer"),
             fmid = pb_function(b, "mid"), fi = pb_function(b, "inner");
    uint64_t inl[3] = {fi, fmid, fo};
    uint64_t l1 = pb_location(b, 0, inl, 3), lm = pb_location(b, 0, &fm, 1);
    uint64_t st[2] = {l1, lm};
    int64_t v = 3;
    pb_sample(b, st, 2, &v);
    pw_profile_t *p = pb_decode(b);
    pw_flame_t *t = flame(p, NULL, 0);
    if (t != NULL) {
        CHECK_INT(val(t, "main;outer;mid;inner"), 3);
        CHECK_INT(t->max_depth, 4);
        CHECK_INT(flame_find(t, "main;outer;mid;inner")->self, 3);
        CHECK_INT(flame_find(t, "main;outer")->self, 0);
    }
    pw_flame_destroy(t);
    pw_profile_destroy(p);
}

/* Frames without a function name take pprof's "[binary]" name. */
static void test_nameless_frames(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    uint64_t m = pb_mapping(b, "/usr/lib/x86_64-linux-gnu/libc.so.6", "abc");
    uint64_t fm = pb_function(b, "main");
    uint64_t lc = pb_location(b, m, NULL, 0), lm = pb_location(b, 0, &fm, 1);
    uint64_t st[2] = {lc, lm};
    int64_t v = 4;
    pb_sample(b, st, 2, &v);
    pw_profile_t *p = pb_decode(b);
    pw_flame_t *t = flame(p, NULL, 0);
    if (t != NULL)
        CHECK_INT(val(t, "main;[libc.so.6]"), 4);
    pw_flame_destroy(t);
    pw_profile_destroy(p);
}

/* A total of 1000 drawn 100 px wide: a pixel is 10, so the ten small
 * children fold into one merged frame after the wide ones. */
static void test_merge_narrow(void)
{
    stacks_t *s = stacks_new();
    static const char *small[] = {"main;n0", "main;n1", "main;n2", "main;n3", "main;n4",
                                  "main;n5", "main;n6", "main;n7", "main;n8", "main;n9"};
    stack(s, "main;wide", 979);
    stack(s, "main;edge", 10); /* exactly one pixel: kept */
    for (int i = 0; i < 10; i++)
        stack(s, small[i], 1);
    stack(s, "main;n0;deeper", 1); /* under a narrow frame: goes with it */
    pw_profile_t *p = stacks_build(s);

    pw_flame_t *t = flame(p, NULL, 100);
    if (t != NULL) {
        CHECK_INT(t->frames[0].value, 1000);
        CHECK_INT(t->width, 100);
        const pw_flame_frame_t *m = flame_find(t, "main;" PW_FLAME_MERGED_NAME);
        CHECK(m != NULL);
        if (m != NULL) {
            CHECK_INT(m->n_merged, 10);
            CHECK_INT(m->value, 11);
            CHECK_INT(m->n_children, 0);
            /* Drawn last: after edge (10) and wide (979). */
            CHECK_INT(m->x, 989);
        }
        CHECK_INT(val(t, "main;edge"), 10);
        CHECK_INT(val(t, "main;wide"), 979);
        CHECK(flame_find(t, "main;n0") == NULL);
        CHECK_INT(flame_find(t, "main")->n_children, 3);
        CHECK_INT(t->n_frames, 5); /* root main edge wide merged */
        CHECK_INT(t->n_full, 14);
    }
    pw_flame_destroy(t);

    /* Width 0 keeps every frame. */
    t = flame(p, NULL, 0);
    if (t != NULL) {
        CHECK_INT(t->n_frames, 15);
        CHECK_INT(val(t, "main;n0;deeper"), 1);
        CHECK(flame_find(t, "main;" PW_FLAME_MERGED_NAME) == NULL);
    }
    pw_flame_destroy(t);
    pw_profile_destroy(p);
}

static int rgb(const char *hex, int *r, int *g, int *b)
{
    return strlen(hex) == 7 && hex[0] == '#' && sscanf(hex + 1, "%2x%2x%2x", r, g, b) == 3;
}

static void test_diff_values_and_colours(void)
{
    stacks_t *s = stacks_new();
    stack(s, "main;grow", 100);
    stack(s, "main;shrink", 200);
    stack(s, "main;same", 100);
    stack(s, "main;gone", 50);
    stack(s, "main;bump", 100);
    pw_profile_t *base = stacks_build(s);
    s = stacks_new();
    stack(s, "main;grow", 300);
    stack(s, "main;shrink", 50);
    stack(s, "main;same", 100);
    stack(s, "main;new", 80);
    stack(s, "main;bump", 110);
    pw_profile_t *cur = stacks_build(s);

    pw_flame_t *t = flame(cur, base, 0);
    if (t != NULL) {
        CHECK_INT(t->is_diff, 1);
        CHECK_INT(t->frames[0].value, 640);
        CHECK_INT(t->frames[0].base, 550);
        const pw_flame_frame_t *g = flame_find(t, "main;grow"), *sh = flame_find(t, "main;shrink"),
                               *sa = flame_find(t, "main;same"), *nw = flame_find(t, "main;new"),
                               *bu = flame_find(t, "main;bump");
        CHECK(g && sh && sa && nw && bu);
        /* Width is the new value; only-in-base stacks have none. */
        CHECK(flame_find(t, "main;gone") == NULL);
        CHECK_INT(flame_find(t, "main")->n_children, 5);
        if (g && sh && sa && nw && bu) {
            CHECK_INT(g->value, 300);
            CHECK_INT(g->base, 100);
            CHECK_INT(sh->value, 50);
            CHECK_INT(sh->base, 200);
            CHECK_INT(sa->base, 100);
            CHECK_INT(nw->base, 0);
            CHECK_INT(t->max_delta, 200); /* grow: +200 */

            char c[8];
            int r, gr, b;
            pw_flame_color(t, g, c);
            CHECK(rgb(c, &r, &gr, &b) && r > gr && r > b + 100); /* grew: red */
            int grow_r = r - b;
            pw_flame_color(t, sh, c);
            CHECK(rgb(c, &r, &gr, &b) && b > r + 50 && b > gr); /* shrank: blue */
            pw_flame_color(t, sa, c);
            CHECK(rgb(c, &r, &gr, &b) && r == gr && gr == b); /* unchanged: grey */
            pw_flame_color(t, bu, c);
            /* +10 is a small change: reddish, but paler than +200. */
            CHECK(rgb(c, &r, &gr, &b) && r > b && r - b < grow_r);
        }
    }
    pw_flame_destroy(t);

    /* The colour scale: symmetric, monotone, grey at zero. */
    char lo[8], hi[8], mid[8], near[8];
    int r1, g1, b1, r2, g2, b2;
    pw_flame_diff_color(0, mid);
    pw_flame_diff_color(1, hi);
    pw_flame_diff_color(-1, lo);
    pw_flame_diff_color(0.1, near);
    CHECK(rgb(mid, &r1, &g1, &b1) && r1 == g1 && g1 == b1);
    CHECK(rgb(hi, &r1, &g1, &b1) && rgb(near, &r2, &g2, &b2) && r1 - b1 > r2 - b2 && r2 > b2);
    CHECK(rgb(lo, &r1, &g1, &b1) && b1 > r1);
    pw_flame_diff_color(5, near); /* out of range: clamped to the end */
    CHECK_STR(near, hi);

    /* A non-diff tree never calls a frame grown or shrunk: no blue/grey scale. */
    pw_flame_t *plain = flame(cur, NULL, 0);
    if (plain != NULL) {
        CHECK_INT(plain->is_diff, 0);
        CHECK_INT(plain->max_delta, 0);
        CHECK_INT(flame_find(plain, "main;grow")->base, 0);
    }
    pw_flame_destroy(plain);
    pw_profile_destroy(base);
    pw_profile_destroy(cur);
}

static void test_errors_and_limits(void)
{
    pw_err_t err = {0};
    pw_flame_t *t = NULL;
    pw_flame_opts_t o;

    stacks_t *s = stacks_new();
    stack(s, "main;a;b;c", 1);
    stack(s, "main;x", 0);  /* zero: left out */
    stack(s, "main;y", -5); /* negative: left out */
    pw_profile_t *p = stacks_build(s);
    t = flame(p, NULL, 0);
    if (t != NULL) {
        CHECK_INT(t->frames[0].value, 1);
        CHECK(flame_find(t, "main;x") == NULL);
        CHECK(flame_find(t, "main;y") == NULL);
    }
    pw_flame_destroy(t);

    pw_flame_opts_default(&o);
    o.max_nodes = 3;
    CHECK_INT(pw_flame_build(p, NULL, &o, &t, &err), PW_ETOOBIG);
    CHECK(t == NULL);
    CHECK_CONTAINS(err.msg, "more than 3 distinct frames");

    o.max_nodes = 0;
    o.sample_index = "alloc_space";
    CHECK_INT(pw_flame_build(p, NULL, &o, &t, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "is not in this profile; it has: cpu");

    /* Values that overflow int64 are refused, not wrapped. */
    s = stacks_new();
    stack(s, "main;a", INT64_MAX / 2 + 1);
    stack(s, "main;b", INT64_MAX / 2 + 1);
    pw_profile_t *big = stacks_build(s);
    CHECK_INT(pw_flame_build(big, NULL, NULL, &t, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "past the largest 64-bit integer");

    /* Profiles of different kinds cannot be compared. */
    pbuild_t *b = pb_new();
    pb_sample_type(b, "inuse_space", "bytes");
    pw_profile_t *heap = pb_decode(b);
    CHECK_INT(pw_flame_build(p, heap, NULL, &t, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "cannot be compared");

    /* An empty profile is a root alone. */
    t = flame(heap, NULL, PW_FLAME_DEFAULT_WIDTH);
    if (t != NULL) {
        CHECK_INT(t->n_frames, 1);
        CHECK_INT(t->frames[0].value, 0);
    }
    pw_flame_destroy(t);
    pw_profile_destroy(p);
    pw_profile_destroy(big);
    pw_profile_destroy(heap);
}

/* A 100,000-deep recursive stack: walked without recursion in C. */
static void test_deep_stack(void)
{
    enum { DEPTH = 100000 };
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    uint64_t ff = pb_function(b, "f"), fm = pb_function(b, "main");
    uint64_t lf = pb_location(b, 0, &ff, 1), lm = pb_location(b, 0, &fm, 1);
    uint64_t *st = malloc((DEPTH + 1) * sizeof(uint64_t));
    for (int i = 0; i < DEPTH; i++)
        st[i] = lf;
    st[DEPTH] = lm;
    int64_t v = 2;
    pb_sample(b, st, DEPTH + 1, &v);
    free(st);
    pw_profile_t *p = pb_decode(b);
    pw_flame_t *t = flame(p, NULL, PW_FLAME_DEFAULT_WIDTH);
    if (t != NULL) {
        CHECK_INT(t->max_depth, DEPTH + 1);
        CHECK_INT(t->n_frames, DEPTH + 2);
        CHECK_INT(t->frames[t->n_frames - 1].value, 2);
        CHECK_INT(t->frames[t->n_frames - 1].depth, DEPTH + 1);
    }
    pw_flame_destroy(t);
    pw_profile_destroy(p);
}

static void test_html_escape(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    pw_html_escape(&b, "a<b>&\"c\"'d'");
    CHECK_STR(b.data, "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
    pw_buf_reset(&b);
    /* Valid UTF-8 stays; bad bytes and controls become U+FFFD. */
    pw_html_escape(&b, "caf\xc3\xa9 \xff\x01x\t\xe2\x80");
    CHECK_STR(b.data, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbdx\t\xef\xbf\xbd\xef\xbf\xbd");
    pw_buf_reset(&b);
    CHECK_INT(pw_html_escape_n(&b, "ab<", 2), 0);
    CHECK_STR(b.data, "ab");
    pw_buf_free(&b);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Function names are hostile: they must come out as text, never markup. */
static void test_html_page(void)
{
    stacks_t *s = stacks_new();
    stack(s, "main;pkg.<F></text></svg><script>alert(1)</script>", 60);
    stack(s, "main;github.com/x/y/pkg.(*T).Method", 30);
    stack(s, "main;a&b \"q\" 'q'", 10);
    stack(s, "main;bad\xff", 1);
    pw_profile_t *p = stacks_build(s);
    pw_flame_t *t = flame(p, NULL, 0);
    pw_buf_t page;
    pw_buf_init(&page);
    if (t != NULL) {
        CHECK_INT(pw_flame_html_begin(&page, "host <1> & co"), 0);
        pw_buf_puts(&page, "<p id=\"report-own\">verdict</p>\n");
        CHECK_INT(pw_flame_html_section(&page, t, "cpu\"1", "CPU <of> x", "note & more"), 0);
        CHECK_INT(pw_flame_html_section(&page, t, "cpu2", "again", NULL), 0);
        CHECK_INT(pw_flame_html_end(&page), 0);
        const char *h = page.data;
        CHECK(h != NULL && strncmp(h, "<!DOCTYPE html>", 15) == 0);
        CHECK_CONTAINS(h, "<title>host &lt;1&gt; &amp; co</title>");
        CHECK_CONTAINS(h, "<p id=\"report-own\">verdict</p>");
        CHECK_CONTAINS(h, "id=\"cpu&quot;1\"");
        CHECK_CONTAINS(h, "<h2>CPU &lt;of&gt; x</h2>");
        CHECK_CONTAINS(h, "note &amp; more");
        /* The only script elements are the page's two data blocks and its code. */
        CHECK_INT(count(h, "<script"), 3);
        CHECK_INT(count(h, "</script>"), 3);
        CHECK_CONTAINS(
            h,
            ">pkg.&lt;F&gt;&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text>");
        /* In the JSON data, '<' is written \u003c. */
        CHECK_CONTAINS(
            h, "\"pkg.\\u003cF>\\u003c/text>\\u003c/svg>\\u003cscript>alert(1)\\u003c/script>\"");
        CHECK_CONTAINS(h, "a&amp;b &quot;q&quot; &#39;q&#39;");
        CHECK_CONTAINS(h, "bad\xef\xbf\xbd");
        /* Boxes show the short name; the data keeps the full one. */
        CHECK_CONTAINS(h, ">pkg.(*T).Method</text>");
        CHECK_CONTAINS(h, "\"github.com/x/y/pkg.(*T).Method\"");
        /* One box per frame per section. */
        CHECK_INT(count(h, "<rect "), 2 * t->n_frames);
        /* The one-nanosecond frame is too narrow for a label at 1200 px. */
        CHECK_CONTAINS(h, "<svg class=\"n\" x=\"9.901%\"");
        /* Self-contained: nothing is fetched, and the policy forbids it. */
        CHECK_CONTAINS(h, "default-src 'none'");
        CHECK_INT(count(h, "src="), 0);
        CHECK_INT(count(h, "href="), 0);
        CHECK_INT(count(h, "url("), 0);
        CHECK_INT(count(h, "http"),
                  count(h, "http://www.w3.org/2000/svg\"") + count(h, "http-equiv="));
        CHECK_CONTAINS(h, "</html>\n");
    }

    /* A diff section has the legend; an empty tree says so instead of drawing. */
    pbuild_t *b = pb_new();
    pb_sample_type(b, "cpu", "nanoseconds");
    pw_profile_t *empty = pb_decode(b);
    pw_flame_t *e = flame(empty, NULL, 0), *d = flame(p, p, 0);
    pw_buf_reset(&page);
    if (e != NULL && d != NULL) {
        CHECK_INT(pw_flame_html_section(&page, e, "e", "empty", NULL), 0);
        CHECK_CONTAINS(page.data, "No samples");
        CHECK_INT(count(page.data, "<svg"), 0);
        pw_buf_reset(&page);
        CHECK_INT(pw_flame_html_section(&page, d, "d", "diff", NULL), 0);
        CHECK_CONTAINS(page.data, "pwf-legend");
        CHECK_CONTAINS(page.data, "linear-gradient");
        CHECK_CONTAINS(page.data, "change none"); /* a profile against itself */
    }
    pw_flame_destroy(e);
    pw_flame_destroy(d);
    pw_profile_destroy(empty);
    pw_buf_free(&page);
    pw_flame_destroy(t);
    pw_profile_destroy(p);
}

PW_TESTS(T(test_merge_stacks), T(test_inlined_frames), T(test_nameless_frames),
         T(test_merge_narrow), T(test_diff_values_and_colours), T(test_errors_and_limits),
         T(test_deep_stack), T(test_html_escape), T(test_html_page))
