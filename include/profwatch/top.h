/* The `top` report: pprof's header labels (File, Type, Time, Duration), the
 * "Showing nodes accounting for" summary, and the flat/cum table, rendered as
 * text identical to `go tool pprof -top`, or as JSON with the same numbers. */
#ifndef PW_TOP_H
#define PW_TOP_H

#include "profwatch/buf.h"
#include "profwatch/graph.h"

typedef struct {
    double node_fraction; /* for the "Dropped N nodes (cum <= X)" line */
    const char *source;   /* file name(s) for the JSON "source" field; may be NULL */
} pw_top_opts_t;

/* inputs/n_inputs: what the graph was built from (their headers are merged the
 * way pprof merges a profile with its -diff_base). */
int pw_top_render_text(const pw_graph_input_t *inputs, size_t n_inputs, const pw_graph_t *g,
                       const pw_top_opts_t *opts, pw_buf_t *out);
int pw_top_render_json(const pw_graph_input_t *inputs, size_t n_inputs, const pw_graph_t *g,
                       const pw_top_opts_t *opts, pw_buf_t *out);

/* "Jan 2, 2006 at 3:04pm (MST)" in the local time zone, as pprof prints it. */
void pw_top_format_time(int64_t unix_nanos, char *out, size_t n);

#endif
