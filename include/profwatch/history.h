/* A bounded history of total PSS over time, one per watched process, and its
 * text form for the state folder (statefile.h writes it to disk).
 *
 * Samples fall into buckets of bucket_s seconds: the newest point stays open
 * while its bucket lasts and averages the samples that arrive. When the
 * history holds cap points, its oldest half is merged pair by pair, so that
 * old points get coarser while recent ones keep full resolution: with 2048
 * points of 5 minutes, the last 3.5 days are exact and older data thins out
 * instead of vanishing. Memory is cap points, whatever the uptime.
 *
 * The text form (one point per line, comments with '#'):
 *   profwatch-history 1
 *   key agent
 *   bucket 300
 *   # start span count mean min max
 *   1714557600 300 20 209715200.000 209000000 210000000
 * Points must be in time order without overlap; a file with more points than
 * cap is thinned on load the same way. */
#ifndef PW_HISTORY_H
#define PW_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/buf.h"
#include "profwatch/err.h"
#include "profwatch/trend.h"

#define PW_HISTORY_DEFAULT_CAP 2048
#define PW_HISTORY_DEFAULT_BUCKET 300
#define PW_HISTORY_MAX_CAP (1u << 20)
#define PW_HISTORY_MAX_BUCKET (366 * 86400)
#define PW_HISTORY_MAX_TIME (INT64_C(1) << 48) /* what the trend classifier takes */
#define PW_HISTORY_MAX_COUNT (UINT64_C(1) << 40)

typedef struct {
    int64_t t;      /* start, unix seconds */
    int64_t span;   /* seconds covered */
    uint64_t count; /* samples averaged */
    double mean;    /* bytes */
    uint64_t min, max;
} pw_hpoint_t;

typedef struct {
    int64_t bucket_s;
    size_t cap; /* even, >= 4 */
    size_t n;
    pw_hpoint_t *pts;
    uint64_t dropped; /* samples older than the newest point (the clock went back) */
    char key[64];     /* the process this is about (pw_history_key form) */
} pw_history_t;

/* A process name as a history key, safe as a file name: [A-Za-z0-9._-] stay,
 * any other byte (and a leading '.') becomes '_'; at most 63 bytes. Returns
 * the key's length, 0 for an empty name. */
size_t pw_history_key(const char *name, char *out, size_t n);

/* cap: points kept (rounded up to even, at least 4, at most
 * PW_HISTORY_MAX_CAP); bucket_s: seconds per point (at least 1); key: see
 * pw_history_key. NULL when out of memory. */
pw_history_t *pw_history_create(size_t cap, int64_t bucket_s, const char *key);
void pw_history_destroy(pw_history_t *h);

/* Adds one sample. Returns 0, or 1 when the sample is older than the newest
 * point and was dropped (counted in h->dropped). */
int pw_history_add(pw_history_t *h, int64_t t, uint64_t bytes);

/* The points as a series for the trend classifier: each point's mean at the
 * middle of its span. Writes at most max; returns the number written. */
size_t pw_history_series(const pw_history_t *h, pw_trend_point_t *out, size_t max);

int pw_history_encode(const pw_history_t *h, pw_buf_t *out);

/* Replaces h's points with those of a text form; h->key gets the file's key.
 * Errors say "SOURCE:LINE: what was expected"; on error h is emptied. */
int pw_history_decode(pw_history_t *h, const char *data, size_t len, const char *source,
                      pw_err_t *err);

#endif
