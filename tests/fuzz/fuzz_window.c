/* fuzz_window: pw_window_parse on profwatch/window.json, which analyze reads
 * from any capture folder it is given, and the three reports drawn from it.
 *
 * Checked: a parsed window keeps its promises (series within
 * PW_WINDOW_MAX_POINTS, times in order, strings terminated); a refused one
 * gets a code and a message. Then the markdown, JSON and HTML reports of an
 * empty analysis with that window: the JSON parses back, its "window" is an
 * object, and the HTML page is whole. */
#include <cJSON.h>

#include "fuzz.h"
#include "profwatch/analysis.h"
#include "profwatch/report.h"
#include "profwatch/window.h"

static void check_series(const pw_window_point_t *p, size_t n, const char *name)
{
    FUZZ_CHECK(n <= PW_WINDOW_MAX_POINTS, "%s: %zu points", name, n);
    for (size_t i = 1; i < n; i++)
        FUZZ_CHECK(p[i].t_ms >= p[i - 1].t_ms, "%s[%zu] goes back in time", name, i);
    pw_window_sum_t s;
    pw_window_summary(p, n, &s);
    FUZZ_CHECK(s.n == n && (n == 0 || (s.min <= s.first && s.first <= s.max && s.min <= s.last &&
                                       s.last <= s.max)),
               "%s: summary out of its own range", name);
}

static void check_str(const char *s, size_t cap, const char *name)
{
    FUZZ_CHECK(memchr(s, '\0', cap) != NULL, "%s is not terminated", name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pw_window_t w;
    static pw_analysis_t *an;
    pw_err_t err = {0};
    int rc = pw_window_parse((const char *)data, size, &w, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_window_parse");
        return 0;
    }
    check_series(w.heap, w.n_heap, "heap");
    check_series(w.pss, w.n_pss, "pss");
    check_str(w.process, sizeof(w.process), "process");
    check_str(w.trend_text, sizeof(w.trend_text), "trend_text");
    check_str(w.gate_message, sizeof(w.gate_message), "gate_message");
    int64_t margin, pss;
    if (pw_window_margin(&w, &margin, &pss) == 0)
        FUZZ_CHECK(w.budget_bytes >= 0 && pss >= 0 && margin == w.budget_bytes - pss, "margin %lld",
                   (long long)margin);

    if (an == NULL) {
        an = pw_analyze(NULL, 0, NULL, NULL, &err);
        FUZZ_CHECK(an != NULL, "pw_analyze: %s", err.msg);
    }
    pw_report_t r;
    memset(&r, 0, sizeof(r));
    r.hostname = "fuzz-host";
    r.source = "fuzz";
    r.goroutines = -1;
    r.analysis = an;
    r.window = &w;
    pw_buf_t md, js, html;
    pw_buf_init(&md);
    pw_buf_init(&js);
    pw_buf_init(&html);
    FUZZ_CHECK(pw_report_markdown(&r, &md) == 0, "markdown");
    FUZZ_CHECK(pw_report_json(&r, &js) == 0, "json");
    FUZZ_CHECK(pw_report_html(&r, &html) == 0, "html");
    cJSON *doc = cJSON_ParseWithLength(js.data, js.len);
    FUZZ_CHECK(doc != NULL, "the JSON report does not parse");
    FUZZ_CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "window")),
               "the JSON report has no window object");
    cJSON_Delete(doc);
    FUZZ_CHECK(html.len > 8 && memcmp(html.data + html.len - 8, "</html>\n", 8) == 0,
               "the HTML page is not whole");
    pw_buf_free(&md);
    pw_buf_free(&js);
    pw_buf_free(&html);
    return 0;
}
