/* The flare profiling report: the analysis plus the agent's context, in the
 * order of the flare-profiling seed, rendered as markdown for people, as
 * JSON for scripts (the JSON fields are a stable contract, see README), and
 * as one self-contained HTML page with flame graphs. */
#ifndef PW_REPORT_H
#define PW_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/agentctx.h"
#include "profwatch/analysis.h"
#include "profwatch/buf.h"
#include "profwatch/memstats.h"
#include "profwatch/window.h"

#define PW_MAX_TRACE_FILES 16

typedef struct {
    const char *path; /* relative to the flare root: "profiles/core.trace" */
    uint64_t bytes;
} pw_trace_file_t;

typedef struct {
    const char *hostname;
    const char *source;       /* the flare as given on the command line */
    int64_t generated_unix_s; /* when the report was made */
    const pw_agentctx_t *agent;
    const pw_memstats_t *memstats; /* NULL when absent or unreadable */
    const char *memstats_problem;  /* why it is missing */
    int64_t goroutines;            /* -1 when there is no goroutine dump */
    size_t n_trace_files;
    pw_trace_file_t trace_files[PW_MAX_TRACE_FILES];
    const pw_analysis_t *analysis;
    const pw_rules_t *rules;
    /* A daemon capture's profwatch/window.json (borrowed); NULL for a flare. */
    const pw_window_t *window;
    /* The profiles the analysis was made from (borrowed), for the HTML
     * page's flame graphs; the other renderers ignore them. */
    const pw_proc_input_t *inputs;
    size_t n_inputs;
} pw_report_t;

int pw_report_markdown(const pw_report_t *r, pw_buf_t *out);
int pw_report_json(const pw_report_t *r, pw_buf_t *out);

/* The HTML page is bounded: its flame graphs take at most
 * PW_REPORT_HTML_GRAPH_BYTES each and PW_REPORT_HTML_GRAPHS_BYTES in all. A
 * graph over its share is drawn again at a quarter of the width (so four
 * times as many narrow frames merge), and if it is still over, the page says
 * so in its place and names the `profwatch flame` command that draws it. The
 * rest of the page is the report's text (the markdown's findings, notes and
 * memory stats) and sparklines of at most PW_WINDOW_MAX_POINTS points. */
#define PW_REPORT_HTML_GRAPH_BYTES (1024u * 1024)
#define PW_REPORT_HTML_GRAPHS_BYTES (6u * 1024 * 1024)

/* The page: the verdict and findings with their owners, the window's PSS and
 * heap sparklines (with r->window), the memory stats, and per process the
 * differential heap flame graph (2nd snapshot against the 1st), the CPU
 * flame graph, and the block and mutex ones when they are not empty.
 * Returns 0 or PW_ENOMEM; a graph that cannot be drawn is explained in the
 * page, not an error. */
int pw_report_html(const pw_report_t *r, pw_buf_t *out);

/* The seed's customer message asking for a profiling flare (used when a flare
 * has no profiles/ folder). */
extern const char pw_report_request_profiling[];

#endif
