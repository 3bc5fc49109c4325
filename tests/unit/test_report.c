/* Unit tests for the report's renderers around a daemon capture: the
 * profwatch/window.json parser (shape, bounds, hostile bytes), the series
 * summary and budget margin, the trend section of the markdown and JSON, and
 * the HTML page's structure (verdict and owners first, one flame graph per
 * non-empty profile, sparklines, escaping, the size budget). */
#include <stdlib.h>

#include "pbuild.h"
#include "profwatch/analysis.h"
#include "profwatch/owners.h"
#include "profwatch/report.h"
#include "profwatch/window.h"
#include "pw_rand.h"
#include "pw_test.h"

static size_t below(pw_rand_t *r, size_t n)
{
    return (size_t)(pw_rand_uniform(r) * (double)n);
}

static const char window_doc[] =
    "{\"process\":\"core\",\"verdict\":\"memory_leak\",\"window_ms\":300000,"
    "\"heap\":[{\"t\":1000000,\"inuse\":50000000,\"outside_runtime\":1},"
    "{\"t\":1030000,\"inuse\":48000000,\"outside_runtime\":1},"
    "{\"t\":1060000,\"inuse\":80000000,\"outside_runtime\":1}],"
    "\"pss\":[{\"t\":1005000,\"total_pss\":200000000},{\"t\":1065000,\"total_pss\":190000000},"
    "{\"t\":1070000,\"total_pss\":230000000}],"
    "\"memory\":{\"name\":\"core\",\"process\":\"core\",\"pid\":12,\"total_pss_bytes\":230000000,"
    "\"pss_anon\":null,\"top_pathname\":\"[anon]\",\"top_pathname_pss\":90000000,"
    "\"trend\":\"step\",\"trend_text\":\"step: +30.0 MiB at 03:12 (160.0 MiB -> 190.0 MiB)\"},"
    "\"gate\":{\"name\":\"idle\",\"budget_bytes\":183500800,\"origin\":\"memory_gate: idle\","
    "\"status\":\"CRITICAL\",\"message\":\"over\"}}";

static void test_window_parse(void)
{
    pw_window_t *w = malloc(sizeof(*w));
    pw_err_t err = {0};
    CHECK_INT(pw_window_parse(window_doc, strlen(window_doc), w, &err), 0);
    CHECK_STR(w->process, "core");
    CHECK_STR(w->verdict, "memory_leak");
    CHECK_INT(w->window_ms, 300000);
    CHECK_INT(w->n_heap, 3);
    CHECK_INT(w->heap[2].value, 80000000);
    CHECK_INT(w->n_pss, 3);
    CHECK_INT(w->pss[1].t_ms, 1065000);
    CHECK(w->have_memory && w->have_gate);
    CHECK_INT(w->pss_anon, -1); /* null: unknown */
    CHECK_INT(w->pss_file, -1); /* absent: unknown */
    CHECK_STR(w->trend, "step");
    CHECK_STR(pw_window_trend_detail(w), "+30.0 MiB at 03:12 (160.0 MiB -> 190.0 MiB)");
    CHECK_INT(w->budget_bytes, 183500800);

    pw_window_sum_t s;
    pw_window_summary(w->heap, w->n_heap, &s);
    CHECK_INT(s.first, 50000000);
    CHECK_INT(s.last, 80000000);
    CHECK_INT(s.growth, 30000000);
    CHECK_INT(s.min, 48000000);
    CHECK_INT(s.max, 80000000);
    CHECK_INT(s.t_last - s.t_first, 60000);

    int64_t margin = 0, pss = 0;
    CHECK_INT(pw_window_margin(w, &margin, &pss), 0);
    CHECK_INT(pss, 230000000); /* the last PSS reading */
    CHECK_INT(margin, 183500800 - 230000000);

    /* No gate, no margin; no PSS readings: memory.total_pss_bytes. */
    static const char nogate[] = "{\"pss\":[],\"memory\":null,\"gate\":null}";
    CHECK_INT(pw_window_parse(nogate, strlen(nogate), w, &err), 0);
    CHECK(!w->have_gate && !w->have_memory && w->n_pss == 0);
    CHECK_INT(pw_window_margin(w, &margin, &pss), -1);
    static const char rollup_only[] = "{\"memory\":{\"total_pss_bytes\":100},"
                                      "\"gate\":{\"budget_bytes\":150}}";
    CHECK_INT(pw_window_parse(rollup_only, strlen(rollup_only), w, &err), 0);
    CHECK_INT(pw_window_margin(w, &margin, &pss), 0);
    CHECK_INT(margin, 50);
    free(w);
}

static void expect_error(pw_window_t *w, const char *doc, int code, const char *what)
{
    pw_err_t err = {0};
    CHECK_INT(pw_window_parse(doc, strlen(doc), w, &err), code);
    CHECK_CONTAINS(err.msg, what);
}

static void test_window_hostile(void)
{
    pw_window_t *w = malloc(sizeof(*w));
    expect_error(w, "{\"heap\":[{\"t\":1,\"inuse\":2}", PW_EINVAL, "malformed JSON");
    expect_error(w, "[1,2]", PW_EINVAL, "expected a JSON object");
    expect_error(w, "{\"heap\":{}}", PW_EINVAL, "\"heap\" is not an array");
    expect_error(w, "{\"heap\":[{\"t\":1}]}", PW_EINVAL, "\"heap\"[0]");
    expect_error(w, "{\"pss\":[{\"t\":1,\"total_pss\":\"big\"}]}", PW_EINVAL, "\"pss\"[0]");
    expect_error(w, "{\"pss\":[{\"t\":1,\"total_pss\":1e300}]}", PW_EINVAL, "\"pss\"[0]");
    expect_error(w, "{\"heap\":[{\"t\":5,\"inuse\":1},{\"t\":4,\"inuse\":1}]}", PW_EINVAL,
                 "backwards");
    expect_error(w, "{\"gate\":{\"budget_bytes\":\"x\"}}", PW_EINVAL, "budget_bytes");
    expect_error(w, "{\"memory\":[]}", PW_EINVAL, "\"memory\" is not an object");
    expect_error(w, "{\"process\":7}", PW_EINVAL, "\"process\" is not a string");

    /* Too many points: refused, not cut. */
    pw_buf_t b;
    pw_buf_init(&b);
    pw_buf_puts(&b, "{\"pss\":[");
    for (int i = 0; i <= PW_WINDOW_MAX_POINTS; i++)
        pw_buf_printf(&b, "%s{\"t\":%d,\"total_pss\":1}", i ? "," : "", i);
    pw_buf_puts(&b, "]}");
    pw_err_t err = {0};
    CHECK_INT(pw_window_parse(b.data, b.len, w, &err), PW_ETOOBIG);
    CHECK_CONTAINS(err.msg, "more than the 1024");
    pw_buf_free(&b);
    char *big = calloc(1, PW_WINDOW_MAX_BYTES + 2);
    memset(big, ' ', PW_WINDOW_MAX_BYTES + 1);
    CHECK_INT(pw_window_parse(big, PW_WINDOW_MAX_BYTES + 1, w, &err), PW_ETOOBIG);
    free(big);

    /* Long strings are cut to their field, and series far apart saturate. */
    pw_buf_init(&b);
    pw_buf_puts(&b, "{\"process\":\"");
    for (int i = 0; i < 1000; i++)
        pw_buf_putc(&b, 'p');
    pw_buf_puts(&b, "\",\"heap\":[{\"t\":1,\"inuse\":-9.1e18},{\"t\":2,\"inuse\":9.1e18}]}");
    CHECK_INT(pw_window_parse(b.data, b.len, w, &err), 0);
    CHECK_INT(strlen(w->process), sizeof(w->process) - 1);
    pw_window_sum_t s;
    pw_window_summary(w->heap, w->n_heap, &s);
    CHECK_INT(s.growth, INT64_MAX);
    pw_buf_free(&b);

    /* Every truncation and random byte flips of a real document: an answer,
     * never a crash (the sanitizer build checks the reads). */
    size_t n = strlen(window_doc);
    char *m = malloc(n);
    pw_rand_t r;
    pw_rand_seed(&r, 9);
    int ok = 0;
    for (size_t cut = 0; cut < n; cut++)
        ok += pw_window_parse(window_doc, cut, w, &err) == 0;
    CHECK_INT(ok, 0); /* no prefix is a whole document */
    for (int i = 0; i < 3000; i++) {
        memcpy(m, window_doc, n);
        for (int k = 0; k < 3; k++)
            m[below(&r, n)] = (char)below(&r, 256);
        pw_window_parse(m, n, w, &err);
    }
    free(m);
    free(w);
}

/* A flare-like set of profiles for one process "core": two heap snapshots
 * 30 s apart where TrackContext grew by 40 MB, a CPU profile, an empty block
 * profile and a mutex profile with a hostile function name. */
static pw_profile_t *heap(int64_t t_s, int64_t track)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "alloc_objects", "count");
    pb_sample_type(b, "alloc_space", "bytes");
    pb_sample_type(b, "inuse_objects", "count");
    pb_sample_type(b, "inuse_space", "bytes");
    pb_header(b, t_s * 1000000000, 0);
    uint64_t fm = pb_function(b, "main.main");
    uint64_t ft = pb_function(
        b, "github.com/DataDog/datadog-agent/pkg/aggregator.(*ContextResolver).TrackContext");
    uint64_t fo = pb_function(b, "main.other");
    uint64_t lm = pb_location(b, 0, &fm, 1), lt = pb_location(b, 0, &ft, 1),
             lo = pb_location(b, 0, &fo, 1);
    uint64_t s1[] = {lt, lm}, s2[] = {lo, lm};
    int64_t v1[] = {1, track, 1, track}, v2[] = {1, 5000000, 1, 5000000};
    pb_sample(b, s1, 2, v1);
    pb_sample(b, s2, 2, v2);
    return pb_decode(b);
}

static pw_profile_t *simple(const char *type, const char *unit, const char *leaf, int64_t v,
                            size_t depth)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, type == NULL ? "contentions" : "samples", "count");
    pb_sample_type(b, type ? type : "delay", unit);
    uint64_t fm = pb_function(b, "main.main"), fl = pb_function(b, leaf);
    uint64_t lm = pb_location(b, 0, &fm, 1), ll = pb_location(b, 0, &fl, 1);
    uint64_t *st = malloc((depth + 1) * sizeof(uint64_t));
    for (size_t i = 0; i < depth; i++)
        st[i] = ll;
    st[depth] = lm;
    int64_t vals[] = {1, v};
    if (v > 0)
        pb_sample(b, st, depth + 1, vals);
    free(st);
    return pb_decode(b);
}

typedef struct {
    pw_profile_t *prof[PW_PK_COUNT];
    pw_proc_input_t in;
    pw_owners_t *owners;
    pw_analysis_t *an;
    pw_report_t rep;
} fixture_t;

static void fixture_init(fixture_t *f, size_t cpu_depth)
{
    static const char *files[PW_PK_COUNT] = {"core-1st-heap.pprof", "core-2nd-heap.pprof",
                                             "core-cpu.pprof", "core-block.pprof",
                                             "core-mutex.pprof"};
    memset(f, 0, sizeof(*f));
    f->prof[PW_PK_HEAP1] = heap(1000, 1000000);
    f->prof[PW_PK_HEAP2] = heap(1030, 41000000);
    f->prof[PW_PK_CPU] = simple("cpu", "nanoseconds", "main.spin", 3000000000, cpu_depth);
    f->prof[PW_PK_BLOCK] = simple(NULL, "nanoseconds", "main.wait", 0, 1);
    f->prof[PW_PK_MUTEX] =
        simple(NULL, "nanoseconds", "main.<script>alert(1)</script>", 2000000000, 1);
    f->in.name = "core";
    f->in.trace_bytes = -1;
    for (int k = 0; k < PW_PK_COUNT; k++) {
        CHECK(f->prof[k] != NULL);
        f->in.prof[k] = f->prof[k];
        f->in.file[k] = files[k];
    }
    pw_err_t err = {0};
    f->owners = pw_owners_create();
    f->an = pw_analyze(&f->in, 1, NULL, f->owners, &err);
    CHECK(f->an != NULL);
    f->rep.hostname = "host-<1>";
    f->rep.source = "flare.zip";
    f->rep.generated_unix_s = 1700000000;
    f->rep.goroutines = -1;
    f->rep.analysis = f->an;
    f->rep.inputs = &f->in;
    f->rep.n_inputs = 1;
}

static void fixture_free(fixture_t *f)
{
    pw_analysis_destroy(f->an);
    pw_owners_destroy(f->owners);
    for (int k = 0; k < PW_PK_COUNT; k++)
        pw_profile_destroy(f->prof[k]);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_html_structure(void)
{
    fixture_t f;
    fixture_init(&f, 1);
    if (f.an == NULL)
        return;
    pw_window_t *w = malloc(sizeof(*w));
    pw_err_t err = {0};
    CHECK_INT(pw_window_parse(window_doc, strlen(window_doc), w, &err), 0);
    f.rep.window = w;
    pw_buf_t page;
    pw_buf_init(&page);
    CHECK_INT(pw_report_html(&f.rep, &page), 0);
    pw_buf_putc(&page, '\0');
    const char *s = page.data;
    CHECK(strncmp(s, "<!DOCTYPE html>", 15) == 0);
    CHECK(page.len > 8 && strcmp(s + page.len - 9, "</html>\n") == 0);
    CHECK_CONTAINS(s, "<title>Flare Profiling Analysis: host-&lt;1&gt;</title>");
    CHECK_CONTAINS(s, "default-src 'none'");
    /* The verdict and the finding's owner come before any graph. */
    const char *verdict = strstr(s, "pwr-verdict pwr-bad\">Multiple Issues");
    const char *owner = strstr(s, "<td>Core Agent (aggregation)</td>");
    const char *graph = strstr(s, "<section class=\"pwf\"");
    CHECK(verdict != NULL && owner != NULL && graph != NULL && verdict < owner && owner < graph);
    /* One graph per profile with samples: the heap diff, CPU and mutex, not
     * the empty block profile. */
    CHECK_INT(count(s, "<section class=\"pwf\""), 3);
    CHECK_INT(count(s, "class=\"pwf-data\""), 3);
    CHECK_CONTAINS(s, "id=\"core-heap\"");
    CHECK_CONTAINS(s, "id=\"core-cpu\"");
    CHECK_CONTAINS(s, "id=\"core-mutex\"");
    CHECK(strstr(s, "id=\"core-block\"") == NULL);
    CHECK_CONTAINS(s, "The block profile is empty");
    /* The heap graph is the differential one, with its legend. */
    const char *heap_sec = strstr(s, "id=\"core-heap\"");
    CHECK(heap_sec != NULL && strstr(heap_sec, "pwf-grad") != NULL &&
          strstr(heap_sec, "pwf-grad") < strstr(heap_sec, "id=\"core-cpu\""));
    CHECK_CONTAINS(s, "Colour: change against the base");
    /* A hostile function name is text, never markup. */
    CHECK(strstr(s, "<script>alert") == NULL);
    CHECK_CONTAINS(s, "main.&lt;script&gt;alert(1)&lt;/script&gt;");
    /* Sparklines: one point per reading; the trend and the margin. */
    const char *spark = strstr(s, "id=\"spark-pss\"");
    CHECK(spark != NULL);
    if (spark != NULL) {
        const char *pts = strstr(spark, "points=\"");
        const char *end = pts ? strchr(pts + 8, '"') : NULL;
        size_t commas = 0;
        for (const char *p = pts; p && p < end; p++)
            commas += *p == ',';
        CHECK_INT(commas, 3);
    }
    CHECK_CONTAINS(s, "id=\"spark-heap\"");
    CHECK_CONTAINS(s, "<b id=\"trend\">step</b>: +30.0 MiB");
    CHECK_CONTAINS(s, "44.3 MiB over</b>"); /* 230,000,000 - 183,500,800 bytes */
    /* Nothing is fetched: no URL but the SVG namespace. */
    CHECK_INT(count(s, "http://") + count(s, "https://"), count(s, "http://www.w3.org/2000/svg"));
    CHECK(strstr(s, " src=") == NULL);

    /* The markdown and JSON carry the same trend. */
    pw_buf_t md, js;
    pw_buf_init(&md);
    pw_buf_init(&js);
    CHECK_INT(pw_report_markdown(&f.rep, &md), 0);
    CHECK_INT(pw_report_json(&f.rep, &js), 0);
    pw_buf_putc(&md, '\0');
    pw_buf_putc(&js, '\0');
    CHECK_CONTAINS(md.data, "## Memory Trend");
    CHECK_CONTAINS(md.data, "| Heap in use (inuse_space) | 3 | 47.7 MiB | 76.3 MiB | +28.6 MiB | "
                            "45.8 MiB | 76.3 MiB | 60 s |");
    CHECK_CONTAINS(md.data, "**step**: +30.0 MiB at 03:12");
    CHECK_CONTAINS(md.data, "is **44.3 MiB over** it (gate CRITICAL)");
    CHECK_CONTAINS(js.data, "\"growth_bytes\": 30000000");
    CHECK_CONTAINS(js.data, "\"margin_bytes\": -46499200");
    /* Without a window: no section, and "window": null. */
    f.rep.window = NULL;
    pw_buf_reset(&md);
    pw_buf_reset(&js);
    pw_report_markdown(&f.rep, &md);
    pw_report_json(&f.rep, &js);
    pw_buf_putc(&md, '\0');
    pw_buf_putc(&js, '\0');
    CHECK(strstr(md.data, "## Memory Trend") == NULL);
    CHECK_CONTAINS(js.data, "\"window\": null");
    pw_buf_free(&md);
    pw_buf_free(&js);
    pw_buf_free(&page);
    free(w);
    fixture_free(&f);
}

/* A CPU profile 30,000 frames deep: too big for the page at any width, so
 * a note takes its place and the page stays within its bound. */
static void test_html_budget(void)
{
    fixture_t f;
    fixture_init(&f, 30000);
    if (f.an == NULL)
        return;
    pw_buf_t page;
    pw_buf_init(&page);
    CHECK_INT(pw_report_html(&f.rep, &page), 0);
    pw_buf_putc(&page, '\0');
    const char *cpu = strstr(page.data, "id=\"core-cpu\"");
    CHECK(cpu != NULL);
    if (cpu != NULL) {
        CHECK(strncmp(strstr(cpu, "<p"), "<p class=\"pwf-sum\">Not drawn here: drawn 300 pixels",
                      50) == 0);
        CHECK_CONTAINS(cpu,
                       "<code>profwatch flame profiles/core-cpu.pprof -o core-cpu.html</code>");
    }
    CHECK_INT(count(page.data, "class=\"pwf-data\""), 2); /* heap and mutex still drawn */
    CHECK(page.len < PW_REPORT_HTML_GRAPH_BYTES);
    pw_buf_free(&page);
    fixture_free(&f);
}

PW_TESTS(T(test_window_parse), T(test_window_hostile), T(test_html_structure), T(test_html_budget))
