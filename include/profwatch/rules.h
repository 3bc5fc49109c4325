/* The verdict rules of the flare-profiling seed, with its thresholds as
 * defaults. They work on function tables (pw_node_t arrays with attributed
 * values, as pw_graph_build fills them with opts.attribute), so that
 * `profwatch analyze` on a flare and the daemon on its rolling state reach the
 * same verdict from the same code. */
#ifndef PW_RULES_H
#define PW_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/conf.h"
#include "profwatch/graph.h"

typedef struct {
    uint64_t leak_bytes;   /* heap growth outside the Go runtime ...           */
    int64_t leak_per_ms;   /* ... per this much time between snapshots: a leak */
    double cpu_share;      /* one function's share of a CPU profile: a spike   */
    int64_t cpu_min_ms;    /* a CPU profile with less than this is not judged  */
    int64_t contention_ms; /* cumulative block or mutex delay: contention      */
} pw_rules_t;

/* The daemon's slow-leak rule: the heap outside the runtime over its window,
 * fitted with a straight line. It fires when the fit is good, the line rises
 * fast enough, and the heap grew enough in total: steady growth under the
 * fast rule's limit. */
typedef struct {
    int64_t min_points;  /* snapshots in the window before judging */
    double min_r2;       /* goodness of fit, 0..1 */
    uint64_t min_growth; /* bytes grown across the window */
    uint64_t min_rate;   /* bytes per hour */
} pw_sustained_t;

extern const pw_conf_field_t pw_sustained_conf_table[];

/* The `rules:` config section. */
extern const pw_conf_field_t pw_rules_conf_table[];
void pw_rules_defaults(pw_rules_t *r);

typedef struct {
    int fired;
    int judged;           /* 0 when the input was too small to judge */
    const pw_node_t *top; /* the function the finding names, or NULL */
    int64_t total;        /* growth, CPU or delay considered (sample unit) */
    double measure;       /* leak: growth per leak_per; cpu: share (0..1) */
    char why[320];        /* one sentence: what was measured against what */
} pw_rule_result_t;

/* Leak: attributed growth outside the runtime over gap_s seconds (<= 0:
 * unknown, taken as leak_per), normalised to leak_per. nodes come from a diff
 * graph (new minus base). A flare's snapshots are at least 30 s apart. */
void pw_rule_leak(const pw_node_t *nodes, size_t n, double gap_s, const pw_rules_t *r,
                  pw_rule_result_t *out);
/* The same for the daemon's live scrapes: over a span shorter than leak_per
 * the growth is taken as it is, not extrapolated, because between close
 * scrapes the heap moves with GC timing and scaling that up reads noise as a
 * leak. Whenever this fires, pw_rule_leak on the same two snapshots does. */
void pw_rule_leak_live(const pw_node_t *nodes, size_t n, double span_s, const pw_rules_t *r,
                       pw_rule_result_t *out);
/* CPU spike: the largest attributed share outside the runtime, out of
 * total_ns of CPU samples. */
void pw_rule_cpu(const pw_node_t *nodes, size_t n, int64_t total_ns, const pw_rules_t *r,
                 pw_rule_result_t *out);
/* Contention: total_ns of block or mutex delay ("block"/"mutex" for the
 * message), attributed to the first frame outside the runtime and sync. */
void pw_rule_contention(const pw_node_t *nodes, size_t n, int64_t total_ns, const char *what,
                        const pw_rules_t *r, pw_rule_result_t *out);

/* Sustained growth over a series of (seconds, bytes) points, oldest first. */
void pw_rule_sustained(const double *t_s, const double *bytes, size_t n, const pw_sustained_t *p,
                       pw_rule_result_t *out);

#endif
