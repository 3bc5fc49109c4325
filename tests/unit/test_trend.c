/* Unit tests for the trend classifier on synthetic series: a step, a slow
 * leak, noise, a flat line, a step plus noise, and the edges (too little
 * data, a falling slope, a spike, bad input). The noise is Gaussian from a
 * fixed-seed generator, so every run sees the same series. */
#include <math.h>

#include "profwatch/trend.h"
#include "pw_rand.h"
#include "pw_test.h"

#define MIB (1024.0 * 1024.0)
#define T0 1714557600 /* 2024-05-01 10:00 UTC */
#define N 288         /* one day of 5-minute points */
#define DT 300

static pw_rand_t rng = {0x9e3779b97f4a7c15ull};

typedef enum { FLAT, STEP, LEAK } shape_t;

/* level MiB, then the shape's change, plus noise of sigma MiB. */
static void series(pw_trend_point_t *p, size_t n, double level, shape_t shape, double amount,
                   size_t at, double sigma)
{
    for (size_t i = 0; i < n; i++) {
        double v = level;
        if (shape == STEP && i >= at)
            v += amount;
        if (shape == LEAK)
            v += amount * (double)(i * DT) / 3600.0; /* amount is MiB/hour */
        p[i].t = T0 + (int64_t)(i * DT);
        p[i].bytes = (v + pw_rand_gauss(&rng, sigma)) * MIB;
    }
}

static pw_trend_t classify(const pw_trend_point_t *p, size_t n)
{
    pw_trend_t t;
    pw_err_t err = {0};
    pw_trend_opts_t o;
    pw_trend_opts_default(&o);
    CHECK_INT(pw_trend_classify(p, n, &o, &t, &err), 0);
    return t;
}

static void test_step(void)
{
    pw_trend_point_t p[N];
    series(p, N, 200, STEP, 30, 180, 0.2);
    pw_trend_t t = classify(p, N);
    CHECK_STR(pw_trend_class_name(t.cls), "step");
    CHECK_INT(t.step_at, T0 + 180 * DT);
    CHECK(fabs(t.step_bytes / MIB - 30) < 0.5);
    CHECK(fabs(t.before / MIB - 200) < 0.5);
    CHECK(fabs(t.after / MIB - 230) < 0.5);
    char line[256];
    pw_trend_describe(&t, NULL, line, sizeof(line));
    CHECK_CONTAINS(line, "step: +");
    CHECK_CONTAINS(line, " MiB at 2024-05-02 01:00 UTC (200.0 MiB -> 230.0 MiB)"); /* T0 + 15 h */
    /* A step down is a step too. */
    series(p, N, 230, STEP, -30, 40, 0.2);
    t = classify(p, N);
    CHECK_INT(t.cls, PW_TREND_STEP);
    CHECK_INT(t.step_at, T0 + 40 * DT);
    CHECK(t.step_bytes < -29 * MIB);
}

static void test_slow_leak(void)
{
    pw_trend_point_t p[N];
    series(p, N, 200, LEAK, 2.0, 0, 0.5); /* 2 MiB/hour for a day */
    pw_trend_t t = classify(p, N);
    CHECK_STR(pw_trend_class_name(t.cls), "gradual");
    CHECK(fabs(t.slope_mib_per_hour - 2.0) < 0.05);
    CHECK(t.slope_ci95_mib_per_hour > 0 && t.slope_ci95_mib_per_hour < 0.05);
    CHECK(t.r2 > 0.95);
    CHECK(fabs(t.first / MIB - 200) < 1 && fabs(t.last / MIB - (200 + 2 * 23.9167)) < 1);
    char line[256];
    pw_trend_describe(&t, NULL, line, sizeof(line));
    CHECK_CONTAINS(line, "gradual: +2.0");
    CHECK_CONTAINS(line, "MiB/hour");
    /* Shrinking slowly is a trend as well, with its sign. */
    series(p, N, 300, LEAK, -1.0, 0, 0.3);
    t = classify(p, N);
    CHECK_INT(t.cls, PW_TREND_GRADUAL);
    CHECK(fabs(t.slope_mib_per_hour + 1.0) < 0.05);
    /* A climb too slow to matter (0.1 MiB/hour, 2.4 MiB in a day) is not. */
    series(p, N, 200, LEAK, 0.1, 0, 0.05);
    t = classify(p, N);
    CHECK_INT(t.cls, PW_TREND_STABLE);
}

static void test_noise(void)
{
    pw_trend_point_t p[N];
    series(p, N, 200, FLAT, 0, 0, 12); /* 6% of the level */
    pw_trend_t t = classify(p, N);
    CHECK_STR(pw_trend_class_name(t.cls), "variance");
    CHECK(t.spread / MIB > 10 && t.spread / MIB < 14);
    CHECK(fabs(t.slope_mib_per_hour) < t.slope_ci95_mib_per_hour * 2);
}

static void test_flat(void)
{
    pw_trend_point_t p[N];
    series(p, N, 200, FLAT, 0, 0, 0.3);
    pw_trend_t t = classify(p, N);
    CHECK_STR(pw_trend_class_name(t.cls), "stable");
    CHECK(fabs(t.mean / MIB - 200) < 0.1);
    /* Perfectly flat: no spread at all, still stable. */
    series(p, N, 200, FLAT, 0, 0, 0);
    t = classify(p, N);
    CHECK_INT(t.cls, PW_TREND_STABLE);
    CHECK(t.spread == 0);
}

static void test_step_plus_noise(void)
{
    pw_trend_point_t p[N];
    series(p, N, 200, STEP, 25, 100, 3); /* noise 1.5% of the level */
    pw_trend_t t = classify(p, N);
    CHECK_STR(pw_trend_class_name(t.cls), "step");
    CHECK(llabs(t.step_at - (T0 + 100 * DT)) <= 2 * DT);
    CHECK(fabs(t.step_bytes / MIB - 25) < 2);
    /* A step hidden in much larger noise is not claimed: it is variance. */
    series(p, N, 200, STEP, 8, 100, 12);
    t = classify(p, N);
    CHECK(t.cls != PW_TREND_STEP);
}

static void test_ramp_is_not_a_step(void)
{
    pw_trend_point_t p[N];
    /* No noise at all: the best split of a ramp is a big jump with a small
     * spread inside the halves, which must still read as gradual. */
    series(p, N, 200, LEAK, 3.0, 0, 0);
    pw_trend_t t = classify(p, N);
    CHECK_INT(t.cls, PW_TREND_GRADUAL);
    CHECK(fabs(t.slope_mib_per_hour - 3.0) < 1e-6);
}

static void test_spike(void)
{
    pw_trend_point_t p[N];
    series(p, N, 200, FLAT, 0, 0, 0.3);
    p[150].bytes += 60 * MIB; /* one sample off: no step (needs 4 points a side) */
    pw_trend_t t = classify(p, N);
    CHECK(t.cls != PW_TREND_STEP && t.cls != PW_TREND_GRADUAL);
}

static void test_unknown(void)
{
    pw_trend_point_t p[N];
    series(p, 8, 200, STEP, 50, 4, 0);
    pw_trend_t t = classify(p, 8);
    CHECK_STR(pw_trend_class_name(t.cls), "unknown");
    CHECK_INT(t.n, 8);
    char line[256];
    pw_trend_describe(&t, NULL, line, sizeof(line));
    CHECK_CONTAINS(line, "unknown: 8 points over 0.6 h; a trend needs 12 points over 1.0 h");
    /* Enough points, but only 55 minutes of them. */
    series(p, 12, 200, STEP, 50, 6, 0);
    t = classify(p, 12);
    CHECK_INT(t.cls, PW_TREND_UNKNOWN);
    t = classify(p, 0);
    CHECK_INT(t.cls, PW_TREND_UNKNOWN);
}

static void test_thresholds_are_options(void)
{
    pw_trend_point_t p[N];
    series(p, N, 200, STEP, 6, 144, 0.2); /* under the default 8 MiB */
    pw_trend_t t = classify(p, N);
    CHECK(t.cls != PW_TREND_STEP);
    pw_trend_opts_t o;
    pw_trend_opts_default(&o);
    o.step_min_bytes = 4 * MIB;
    pw_err_t err = {0};
    CHECK_INT(pw_trend_classify(p, N, &o, &t, &err), 0);
    CHECK_INT(t.cls, PW_TREND_STEP);
}

static void test_bad_input(void)
{
    pw_trend_point_t p[N];
    series(p, 20, 200, FLAT, 0, 0, 0);
    pw_trend_t t;
    pw_err_t err = {0};
    p[10].t = p[9].t;
    CHECK_INT(pw_trend_classify(p, 20, NULL, &t, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "point 11: time");
    series(p, 20, 200, FLAT, 0, 0, 0);
    p[3].bytes = NAN;
    CHECK_INT(pw_trend_classify(p, 20, NULL, &t, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "point 4");
    p[3].bytes = -1;
    CHECK_INT(pw_trend_classify(p, 20, NULL, &t, &err), PW_EINVAL);
    series(p, 20, 200, FLAT, 0, 0, 0);
    p[0].t = INT64_MIN;
    p[19].t = INT64_MAX;
    CHECK_INT(pw_trend_classify(p, 20, NULL, &t, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "point 1: time");
    CHECK_CONTAINS(err.msg, "is out of range");
}

PW_TESTS(T(test_step), T(test_slow_leak), T(test_noise), T(test_flat), T(test_step_plus_noise),
         T(test_ramp_is_not_a_step), T(test_spike), T(test_unknown), T(test_thresholds_are_options),
         T(test_bad_input))
