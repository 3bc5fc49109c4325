#include "profwatch/rules.h"

#include <stdio.h>
#include <string.h>

#include "profwatch/gzip.h"
#include "profwatch/units.h"

const pw_conf_field_t pw_rules_conf_table[] = {
    {"leak_bytes", PW_CT_SIZE, offsetof(pw_rules_t, leak_bytes), "10MB", 1, 1e15, NULL, NULL},
    {"leak_per", PW_CT_DURATION, offsetof(pw_rules_t, leak_per_ms), "30s", 1000, 86400000, NULL,
     NULL},
    {"cpu_share", PW_CT_DOUBLE, offsetof(pw_rules_t, cpu_share), "0.5", 0.01, 1, NULL, NULL},
    {"cpu_min", PW_CT_DURATION, offsetof(pw_rules_t, cpu_min_ms), "1s", 0, 86400000, NULL, NULL},
    {"contention", PW_CT_DURATION, offsetof(pw_rules_t, contention_ms), "1s", 1, 86400000, NULL,
     NULL},
    PW_CONF_END,
};

const pw_conf_field_t pw_sustained_conf_table[] = {
    {"min_points", PW_CT_INT, offsetof(pw_sustained_t, min_points), "6", 3, 100000, NULL, NULL},
    {"min_r2", PW_CT_DOUBLE, offsetof(pw_sustained_t, min_r2), "0.8", 0, 1, NULL, NULL},
    {"min_growth", PW_CT_SIZE, offsetof(pw_sustained_t, min_growth), "20MB", 0, 0, NULL, NULL},
    {"min_rate", PW_CT_SIZE, offsetof(pw_sustained_t, min_rate), "50MB", 0, 0, NULL, NULL},
    PW_CONF_END,
};

void pw_rules_defaults(pw_rules_t *r)
{
    pw_err_t err;
    memset(r, 0, sizeof(*r));
    (void)pw_conf_defaults(pw_rules_conf_table, r, NULL, &err);
}

/* Sizes in binary units with a word ("0 bytes", "12.5 MiB"), times as pprof
 * labels them ("1.28s"): these read as sentences in the report. */
static void fmt(char *out, size_t n, int64_t v, const char *unit)
{
    if (strcmp(unit, "bytes") == 0) {
        char b[32];
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        pw_fmt_size(b, sizeof(b), mag);
        snprintf(out, n, "%s%s", v < 0 ? "-" : "", b);
        return;
    }
    pw_units_label(out, n, v, unit, "auto");
}

/* The node with the largest attributed value among classes allowed by mask
 * (bit per PW_FRAME_*), or NULL when none is positive. */
static const pw_node_t *top_attr(const pw_node_t *nodes, size_t n, unsigned mask)
{
    const pw_node_t *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(mask & (1u << nodes[i].frame_class)) || nodes[i].attr <= 0)
            continue;
        if (best == NULL || nodes[i].attr > best->attr ||
            (nodes[i].attr == best->attr && strcmp(nodes[i].name, best->name) < 0))
            best = &nodes[i];
    }
    return best;
}

#define NOT_RUNTIME ((1u << PW_FRAME_OWN) | (1u << PW_FRAME_STD) | (1u << PW_FRAME_SYNC))
#define OWN_OR_STD ((1u << PW_FRAME_OWN) | (1u << PW_FRAME_STD))

static void leak_rule(const pw_node_t *nodes, size_t n, double gap_s, int extrapolate,
                      const pw_rules_t *r, pw_rule_result_t *out)
{
    char grew[32], limit[32], per[32];
    memset(out, 0, sizeof(*out));
    out->judged = 1;
    int64_t growth = 0;
    for (size_t i = 0; i < n; i++)
        if (nodes[i].frame_class != PW_FRAME_RUNTIME)
            growth =
                (int64_t)((uint64_t)growth + (uint64_t)nodes[i].attr); /* hostile input wraps */
    double per_s = (double)r->leak_per_ms / 1000.0;
    int assumed = gap_s <= 0;
    if (assumed)
        gap_s = per_s;
    out->total = growth;
    int short_span = !extrapolate && gap_s < per_s;
    out->measure = short_span ? (double)growth : (double)growth * per_s / gap_s;
    out->top = top_attr(nodes, n, NOT_RUNTIME);
    out->fired = out->measure > (double)r->leak_bytes;
    fmt(grew, sizeof(grew), growth, "bytes");
    fmt(limit, sizeof(limit), (int64_t)r->leak_bytes, "bytes");
    fmt(per, sizeof(per), r->leak_per_ms, "milliseconds");
    char rate[32];
    double m = out->measure;
    fmt(rate, sizeof(rate), m > 9e18 ? INT64_MAX : m < -9e18 ? INT64_MIN : (int64_t)m, "bytes");
    if (short_span)
        snprintf(out->why, sizeof(out->why),
                 "the heap outside the Go runtime grew by %s in %.1f s (under %s: the growth "
                 "itself is judged, not scaled up) against a limit of %s per %s",
                 grew, gap_s, per, limit, per);
    else
        snprintf(out->why, sizeof(out->why),
                 "the heap outside the Go runtime grew by %s in %.1f s%s, %s per %s against a "
                 "limit of %s per %s",
                 grew, gap_s, assumed ? " (snapshot times unknown: assumed)" : "", rate, per, limit,
                 per);
}

void pw_rule_leak(const pw_node_t *nodes, size_t n, double gap_s, const pw_rules_t *r,
                  pw_rule_result_t *out)
{
    leak_rule(nodes, n, gap_s, 1, r, out);
}

void pw_rule_leak_live(const pw_node_t *nodes, size_t n, double span_s, const pw_rules_t *r,
                       pw_rule_result_t *out)
{
    leak_rule(nodes, n, span_s, 0, r, out);
}

void pw_rule_cpu(const pw_node_t *nodes, size_t n, int64_t total_ns, const pw_rules_t *r,
                 pw_rule_result_t *out)
{
    char total[32], min[32];
    memset(out, 0, sizeof(*out));
    out->total = total_ns;
    fmt(total, sizeof(total), total_ns, "nanoseconds");
    if (total_ns < r->cpu_min_ms * 1000000) {
        fmt(min, sizeof(min), r->cpu_min_ms, "milliseconds");
        snprintf(out->why, sizeof(out->why),
                 "the CPU profile holds only %s of CPU time, under the %s needed to judge a "
                 "spike",
                 total, min);
        return;
    }
    out->judged = 1;
    out->top = top_attr(nodes, n, NOT_RUNTIME);
    out->measure = out->top != NULL ? (double)out->top->attr / (double)total_ns : 0;
    out->fired = out->measure > r->cpu_share;
    snprintf(out->why, sizeof(out->why),
             "the busiest function outside the Go runtime has %.1f%% of %s of CPU, against a "
             "limit of %.0f%%",
             out->measure * 100, total, r->cpu_share * 100);
}

void pw_rule_contention(const pw_node_t *nodes, size_t n, int64_t total_ns, const char *what,
                        const pw_rules_t *r, pw_rule_result_t *out)
{
    char total[32], limit[32];
    memset(out, 0, sizeof(*out));
    out->judged = 1;
    out->total = total_ns;
    out->top = top_attr(nodes, n, OWN_OR_STD);
    if (out->top == NULL)
        out->top = top_attr(nodes, n, ~0u);
    out->measure = (double)total_ns / 1e9;
    out->fired = total_ns > r->contention_ms * 1000000;
    fmt(total, sizeof(total), total_ns, "nanoseconds");
    fmt(limit, sizeof(limit), r->contention_ms, "milliseconds");
    snprintf(out->why, sizeof(out->why),
             "goroutines waited %s in total on %s events, against a limit of %s", total, what,
             limit);
}

void pw_rule_sustained(const double *t_s, const double *bytes, size_t n, const pw_sustained_t *p,
                       pw_rule_result_t *out)
{
    char grew[32], rate[32], min_rate[32], min_growth[32];
    memset(out, 0, sizeof(*out));
    if (n < (size_t)p->min_points || n < 2) {
        snprintf(out->why, sizeof(out->why),
                 "%zu heap snapshots in the window; %lld are needed to judge steady growth", n,
                 (long long)p->min_points);
        return;
    }
    out->judged = 1;
    double mt = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mt += t_s[i];
        my += bytes[i];
    }
    mt /= (double)n;
    my /= (double)n;
    double stt = 0, syy = 0, sty = 0;
    for (size_t i = 0; i < n; i++) {
        double dt = t_s[i] - mt, dy = bytes[i] - my;
        stt += dt * dt;
        syy += dy * dy;
        sty += dt * dy;
    }
    double slope = stt > 0 ? sty / stt : 0;
    double r2 = stt > 0 && syy > 0 ? (sty * sty) / (stt * syy) : 0;
    double growth = bytes[n - 1] - bytes[0];
    double per_hour = slope * 3600;
    out->total = growth > 9e18 ? INT64_MAX : growth < -9e18 ? INT64_MIN : (int64_t)growth;
    out->measure = per_hour;
    out->fired = slope > 0 && r2 >= p->min_r2 && per_hour >= (double)p->min_rate &&
                 growth >= (double)p->min_growth;
    fmt(grew, sizeof(grew), out->total, "bytes");
    fmt(rate, sizeof(rate), per_hour > 9e18 ? INT64_MAX : (int64_t)per_hour, "bytes");
    fmt(min_rate, sizeof(min_rate), (int64_t)p->min_rate, "bytes");
    fmt(min_growth, sizeof(min_growth), (int64_t)p->min_growth, "bytes");
    snprintf(out->why, sizeof(out->why),
             "over %.0f s the heap outside the Go runtime grew by %s, %s per hour on a line "
             "that fits with R2 %.2f; steady growth needs %s per hour, R2 %.2f and %s in all",
             t_s[n - 1] - t_s[0], grew, rate, r2, min_rate, p->min_r2, min_growth);
}
