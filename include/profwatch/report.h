/* The flare profiling report: the analysis plus the agent's context, in the
 * order of the flare-profiling seed, rendered as markdown for people and as
 * JSON for scripts (the JSON fields are a stable contract, see README). */
#ifndef PW_REPORT_H
#define PW_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/agentctx.h"
#include "profwatch/analysis.h"
#include "profwatch/buf.h"
#include "profwatch/memstats.h"

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
} pw_report_t;

int pw_report_markdown(const pw_report_t *r, pw_buf_t *out);
int pw_report_json(const pw_report_t *r, pw_buf_t *out);

/* The seed's customer message asking for a profiling flare (used when a flare
 * has no profiles/ folder). */
extern const char pw_report_request_profiling[];

#endif
