/* pw_trend_sweep [SEEDS]: how often the trend classifier gives each answer
 * on random series of known kinds (a day of 5-minute points around 200 MiB,
 * Gaussian noise from a seeded generator), with the default thresholds.
 * Prints one row per kind; the README quotes it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "profwatch/trend.h"
#include "pw_rand.h"

#define MIB (1024.0 * 1024.0)
#define N 288

typedef struct {
    const char *name;
    double step_mib; /* level change at point `at` */
    size_t at;
    double mib_per_hour;
    double sigma_mib;
} kind_t;

static const kind_t kinds[] = {
    {"step +30 MiB, noise 0.2 MiB", 30, 180, 0, 0.2},
    {"step +25 MiB, noise 3 MiB (1.5%)", 25, 100, 0, 3},
    {"step +10 MiB, noise 2 MiB", 10, 180, 0, 2},
    {"step +8 MiB, noise 1.5 MiB (threshold)", 8, 100, 0, 1.5},
    {"leak 2 MiB/h, noise 0.5 MiB", 0, 0, 2, 0.5},
    {"leak 0.5 MiB/h, noise 1 MiB", 0, 0, 0.5, 1},
    {"leak 1 MiB/h, noise 4 MiB", 0, 0, 1, 4},
    {"ramp 3 MiB/h, noise 1 MiB", 0, 0, 3, 1},
    {"noise 6% (12 MiB)", 0, 0, 0, 12},
    {"noise 3% (6 MiB, threshold)", 0, 0, 0, 6},
    {"flat, noise 0.3 MiB", 0, 0, 0, 0.3},
    {"flat, noise 1 MiB", 0, 0, 0, 1},
};

int main(int argc, char **argv)
{
    int seeds = argc > 1 ? atoi(argv[1]) : 500;
    if (seeds < 1)
        seeds = 1;
    printf("%-40s %8s %8s %8s %8s %8s\n", "series (288 points, 5 min apart)", "step", "gradual",
           "variance", "stable", "unknown");
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const kind_t *d = &kinds[k];
        int count[5] = {0};
        for (int seed = 1; seed <= seeds; seed++) {
            pw_rand_t rng;
            pw_rand_seed(&rng, (uint64_t)seed);
            pw_trend_point_t p[N];
            for (size_t i = 0; i < N; i++) {
                double v = 200 + (d->step_mib != 0 && i >= d->at ? d->step_mib : 0) +
                           d->mib_per_hour * (double)(i * 300) / 3600 +
                           pw_rand_gauss(&rng, d->sigma_mib);
                p[i].t = 1714557600 + (int64_t)i * 300;
                p[i].bytes = v * MIB;
            }
            pw_trend_t t;
            pw_err_t err = {0};
            if (pw_trend_classify(p, N, NULL, &t, &err) != 0) {
                fprintf(stderr, "pw_trend_sweep: %s\n", err.msg);
                return 1;
            }
            count[t.cls]++;
        }
        printf("%-40s %8d %8d %8d %8d %8d\n", d->name, count[PW_TREND_STEP],
               count[PW_TREND_GRADUAL], count[PW_TREND_VARIANCE], count[PW_TREND_STABLE],
               count[PW_TREND_UNKNOWN]);
    }
    printf("(%d series of each kind)\n", seeds);
    return 0;
}
