#include "profwatch/trend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIB (1024.0 * 1024.0)
#define TIME_MAX (INT64_C(1) << 48)

void pw_trend_opts_default(pw_trend_opts_t *o)
{
    o->min_points = 12;
    o->min_span_s = 3600;
    o->step_min_points = 4;
    o->step_min_bytes = 8 * MIB;
    o->step_sigmas = 4;
    o->step_vs_line = 0.5;
    o->gradual_min_t = 5;
    o->gradual_min_r2 = 0.3;
    o->gradual_min_mib_per_hour = 0.25;
    o->gradual_min_bytes = 8 * MIB;
    o->variance_min_rel = 0.03;
    o->variance_min_bytes = 4 * MIB;
}

const char *pw_trend_class_name(int cls)
{
    switch (cls) {
    case PW_TREND_STABLE:
        return "stable";
    case PW_TREND_STEP:
        return "step";
    case PW_TREND_GRADUAL:
        return "gradual";
    case PW_TREND_VARIANCE:
        return "variance";
    default:
        return "unknown";
    }
}

/* Two-sided 95% quantile of Student's t with df degrees of freedom. */
static double t95(size_t df)
{
    static const double tab[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (df == 0)
        return INFINITY;
    if (df <= 30)
        return tab[df - 1];
    return 1.96 + 2.5 / (double)df; /* within 0.002 of the exact value past 30 */
}

/* Least-squares line; fills slope, r2, spread, first/last. */
static void fit_line(const pw_trend_point_t *p, size_t n, pw_trend_t *o, double *sse_out)
{
    double tm = 0, ym = o->mean;
    for (size_t i = 0; i < n; i++)
        tm += (double)(p[i].t - p[0].t);
    tm /= (double)n;
    double sxx = 0, sxy = 0, sst = 0;
    for (size_t i = 0; i < n; i++) {
        double x = (double)(p[i].t - p[0].t) - tm, y = p[i].bytes - ym;
        sxx += x * x;
        sxy += x * y;
        sst += y * y;
    }
    double b = sxx > 0 ? sxy / sxx : 0;
    double sse = 0;
    for (size_t i = 0; i < n; i++) {
        double x = (double)(p[i].t - p[0].t) - tm, r = p[i].bytes - ym - b * x;
        sse += r * r;
    }
    double se = n > 2 && sxx > 0 ? sqrt(sse / (double)(n - 2) / sxx) : 0;
    o->slope_mib_per_hour = b * 3600 / MIB;
    o->slope_ci95_mib_per_hour = n > 2 ? t95(n - 2) * se * 3600 / MIB : INFINITY;
    o->slope_t = se > 0 ? fabs(b) / se : (b != 0 ? INFINITY : 0);
    o->r2 = sst > 0 ? 1 - sse / sst : 0;
    o->spread = n > 2 ? sqrt(sse / (double)(n - 2)) : 0;
    o->first = ym + b * (0 - tm);
    o->last = ym + b * ((double)(p[n - 1].t - p[0].t) - tm);
    *sse_out = sse;
}

/* The split into two flat segments with the least squared error. Returns the
 * index of the first point of the second segment, 0 when none fits. */
static size_t best_split(const pw_trend_point_t *p, size_t n, size_t min_seg, double ym,
                         double *sse_out)
{
    if (min_seg == 0)
        min_seg = 1;
    if (n < 2 * min_seg)
        return 0;
    double tot_s = 0, tot_q = 0;
    for (size_t i = 0; i < n; i++) {
        double y = p[i].bytes - ym; /* centred: keeps the sums of squares exact enough */
        tot_s += y;
        tot_q += y * y;
    }
    double s = 0, q = 0, best = INFINITY;
    size_t at = 0;
    for (size_t k = 1; k < n; k++) {
        double y = p[k - 1].bytes - ym;
        s += y;
        q += y * y;
        if (k < min_seg || n - k < min_seg)
            continue;
        double nl = (double)k, nr = (double)(n - k);
        double sse = (q - s * s / nl) + ((tot_q - q) - (tot_s - s) * (tot_s - s) / nr);
        if (sse < best) {
            best = sse;
            at = k;
        }
    }
    *sse_out = best < 0 ? 0 : best;
    return at;
}

int pw_trend_classify(const pw_trend_point_t *pts, size_t n, const pw_trend_opts_t *opts,
                      pw_trend_t *out, pw_err_t *err)
{
    pw_trend_opts_t defaults;
    if (opts == NULL) {
        pw_trend_opts_default(&defaults);
        opts = &defaults;
    }
    memset(out, 0, sizeof(*out));
    out->cls = PW_TREND_UNKNOWN;
    out->n = n;
    if (n == 0)
        return 0;
    double sum = 0;
    out->min = out->max = pts[0].bytes;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(pts[i].bytes) || pts[i].bytes < 0)
            return pw_err_set(err, PW_EINVAL, "point %zu: %g is not a memory size", i + 1,
                              pts[i].bytes);
        /* Real clocks are far inside this; it keeps time differences exact. */
        if (pts[i].t < 0 || pts[i].t > TIME_MAX)
            return pw_err_set(err, PW_EINVAL, "point %zu: time %lld is out of range", i + 1,
                              (long long)pts[i].t);
        if (i > 0 && pts[i].t <= pts[i - 1].t)
            return pw_err_set(err, PW_EINVAL,
                              "point %zu: time %lld does not come after the previous point's "
                              "(%lld)",
                              i + 1, (long long)pts[i].t, (long long)pts[i - 1].t);
        sum += pts[i].bytes;
        if (pts[i].bytes < out->min)
            out->min = pts[i].bytes;
        if (pts[i].bytes > out->max)
            out->max = pts[i].bytes;
    }
    out->t_first = pts[0].t;
    out->t_last = pts[n - 1].t;
    out->mean = sum / (double)n;
    out->first = out->last = out->mean;
    if (n < 3)
        return 0;
    double sse_line, sse_step = 0;
    fit_line(pts, n, out, &sse_line);
    size_t k = best_split(pts, n, opts->step_min_points, out->mean, &sse_step);
    if (k > 0) {
        double l = 0, r = 0;
        for (size_t i = 0; i < k; i++)
            l += pts[i].bytes;
        for (size_t i = k; i < n; i++)
            r += pts[i].bytes;
        out->before = l / (double)k;
        out->after = r / (double)(n - k);
        out->step_bytes = out->after - out->before;
        out->step_at = pts[k].t;
    }
    if (n < opts->min_points || out->t_last - out->t_first < opts->min_span_s)
        return 0;

    double within = sqrt(sse_step / (double)(n - 2));
    double jump = fabs(out->step_bytes);
    if (k > 0 && jump >= opts->step_min_bytes && jump >= opts->step_sigmas * within &&
        sse_step <= opts->step_vs_line * sse_line) {
        out->cls = PW_TREND_STEP;
        return 0;
    }
    double slope = fabs(out->slope_mib_per_hour);
    double growth = slope * MIB * (double)(out->t_last - out->t_first) / 3600;
    if (out->slope_t >= opts->gradual_min_t && out->r2 >= opts->gradual_min_r2 &&
        slope >= opts->gradual_min_mib_per_hour && growth >= opts->gradual_min_bytes) {
        out->cls = PW_TREND_GRADUAL;
        return 0;
    }
    if (out->spread >= opts->variance_min_bytes &&
        out->spread >= opts->variance_min_rel * out->mean) {
        out->cls = PW_TREND_VARIANCE;
        return 0;
    }
    out->cls = PW_TREND_STABLE;
    return 0;
}

static void fmt_time(int64_t t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, n, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(out, n, "@%lld", (long long)t);
}

void pw_trend_describe(const pw_trend_t *t, const pw_trend_opts_t *opts, char *out, size_t n)
{
    pw_trend_opts_t defaults;
    if (opts == NULL) {
        pw_trend_opts_default(&defaults);
        opts = &defaults;
    }
    double hours = (double)(t->t_last - t->t_first) / 3600;
    char when[64];
    switch (t->cls) {
    case PW_TREND_STEP:
        fmt_time(t->step_at, when, sizeof(when));
        snprintf(out, n, "step: %+.1f MiB at %s (%.1f MiB -> %.1f MiB)", t->step_bytes / MIB, when,
                 t->before / MIB, t->after / MIB);
        break;
    case PW_TREND_GRADUAL:
        snprintf(out, n,
                 "gradual: %+.2f MiB/hour (95%% interval +/- %.2f, R^2 %.2f) over %.1f h, "
                 "%.1f MiB -> %.1f MiB",
                 t->slope_mib_per_hour, t->slope_ci95_mib_per_hour, t->r2, hours, t->first / MIB,
                 t->last / MIB);
        break;
    case PW_TREND_VARIANCE:
        snprintf(out, n, "variance: spread %.1f MiB (%.1f%% of the mean %.1f MiB) over %.1f h",
                 t->spread / MIB, t->mean > 0 ? 100 * t->spread / t->mean : 0, t->mean / MIB,
                 hours);
        break;
    case PW_TREND_STABLE:
        snprintf(out, n, "stable: %.1f MiB, spread %.1f MiB, slope %+.2f MiB/hour over %.1f h",
                 t->mean / MIB, t->spread / MIB, t->slope_mib_per_hour, hours);
        break;
    default:
        snprintf(out, n, "unknown: %zu points over %.1f h; a trend needs %zu points over %.1f h",
                 t->n, hours, opts->min_points, (double)opts->min_span_s / 3600);
        break;
    }
}
