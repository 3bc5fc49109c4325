/* Trend of a memory series: the SMP document's Phase 5 questions (a step, a
 * gradual climb, or noise?) answered on a series of (time, bytes) points.
 *
 * The classes, tried in this order:
 *   step     one change point. The best split into two flat segments (least
 *            squares over every split leaving step_min_points on each side)
 *            must move the level by at least step_min_bytes and by
 *            step_sigmas times the spread inside the segments, and must fit
 *            clearly better than a straight line (residual sum of squares at
 *            most step_vs_line of the line's), which keeps a steady climb from
 *            passing for a step. Reports when (the first point at the new
 *            level) and how much.
 *   gradual  a least-squares slope that is significant (slope over its
 *            standard error at least gradual_min_t), explains enough of the
 *            variation (R^2 at least gradual_min_r2), and is large enough
 *            (gradual_min_mib_per_hour, and gradual_min_bytes over the span).
 *            Reports the slope in MiB/hour with its 95% confidence interval
 *            and R^2. A falling slope is gradual too, with a negative sign.
 *   variance the spread around the line is at least variance_min_bytes and
 *            variance_min_rel of the mean: an unstable process.
 *   stable   none of the above.
 *   unknown  too few points, or too short a span, to say.
 * The points are taken as they come (a downsampled point counts once). */
#ifndef PW_TREND_H
#define PW_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

typedef struct {
    int64_t t;    /* unix seconds, strictly increasing, 0..2^48 */
    double bytes; /* finite, >= 0 */
} pw_trend_point_t;

enum {
    PW_TREND_UNKNOWN = 0,
    PW_TREND_STABLE,
    PW_TREND_STEP,
    PW_TREND_GRADUAL,
    PW_TREND_VARIANCE,
};

typedef struct {
    size_t min_points;               /* 12 */
    int64_t min_span_s;              /* 3600: one hour */
    size_t step_min_points;          /* 4 on each side of the change */
    double step_min_bytes;           /* 8 MiB */
    double step_sigmas;              /* 4 */
    double step_vs_line;             /* 0.5 */
    double gradual_min_t;            /* 5 */
    double gradual_min_r2;           /* 0.3 */
    double gradual_min_mib_per_hour; /* 0.25 */
    double gradual_min_bytes;        /* 8 MiB over the whole span */
    double variance_min_rel;         /* 0.03: 3% of the mean */
    double variance_min_bytes;       /* 4 MiB */
} pw_trend_opts_t;

void pw_trend_opts_default(pw_trend_opts_t *o);

typedef struct {
    int cls; /* PW_TREND_* */
    size_t n;
    int64_t t_first, t_last;
    double mean, min, max;
    double first, last; /* the line's values at t_first and t_last */
    /* the straight line, computed for every class */
    double slope_mib_per_hour;
    double slope_ci95_mib_per_hour; /* half-width of the 95% interval */
    double slope_t;                 /* |slope| / its standard error (infinite on a perfect line) */
    double r2;
    double spread; /* standard deviation around the line, bytes */
    /* the best change point, computed for every class with enough points */
    int64_t step_at;   /* time of the first point at the new level; 0: none */
    double step_bytes; /* mean after - mean before */
    double before, after;
} pw_trend_t;

/* Classifies pts[0..n). Returns 0, or PW_EINVAL when the times are not
 * strictly increasing or a value is negative or not finite (err says where). */
int pw_trend_classify(const pw_trend_point_t *pts, size_t n, const pw_trend_opts_t *opts,
                      pw_trend_t *out, pw_err_t *err);

/* "unknown", "stable", "step", "gradual", "variance": the tag value. */
const char *pw_trend_class_name(int cls);

/* One line for people, e.g. "step: +30.0 MiB at 2024-05-01 13:05 UTC
 * (201.2 MiB -> 231.2 MiB)". opts: the thresholds used (for "unknown"). */
void pw_trend_describe(const pw_trend_t *t, const pw_trend_opts_t *opts, char *out, size_t n);

#endif
