/* A small seeded generator for tests and benchmarks (xorshift64*), and
 * Gaussian noise from it (Box-Muller): every run sees the same series. */
#ifndef PW_RAND_H
#define PW_RAND_H

#include <math.h>
#include <stdint.h>

typedef struct {
    uint64_t s;
} pw_rand_t;

static inline void pw_rand_seed(pw_rand_t *r, uint64_t seed)
{
    r->s = 0x9e3779b97f4a7c15ull * seed + 1;
}

/* Uniform in [0, 1). */
static inline double pw_rand_uniform(pw_rand_t *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (double)((r->s * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

static inline double pw_rand_gauss(pw_rand_t *r, double sigma)
{
    double u = pw_rand_uniform(r), v = pw_rand_uniform(r);
    if (u < 1e-300)
        u = 1e-300;
    return sigma * sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

#endif
