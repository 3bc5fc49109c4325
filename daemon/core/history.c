#include "profwatch/history.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t pw_history_key(const char *name, char *out, size_t n)
{
    size_t k = 0;
    if (n == 0)
        return 0;
    for (; name[k] != '\0' && k < n - 1 && k < 63; k++) {
        char c = name[k];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && k > 0);
        out[k] = ok ? c : '_';
    }
    out[k] = '\0';
    return k;
}

pw_history_t *pw_history_create(size_t cap, int64_t bucket_s, const char *key)
{
    if (cap < 4)
        cap = 4;
    if (cap > PW_HISTORY_MAX_CAP)
        cap = PW_HISTORY_MAX_CAP;
    cap += cap & 1;
    pw_history_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        goto fail_alloc;
    h->pts = malloc(cap * sizeof(*h->pts));
    if (h->pts == NULL)
        goto fail_pts;
    h->cap = cap;
    h->bucket_s = bucket_s < 1                       ? 1
                  : bucket_s > PW_HISTORY_MAX_BUCKET ? PW_HISTORY_MAX_BUCKET
                                                     : bucket_s;
    pw_history_key(key != NULL ? key : "", h->key, sizeof(h->key));
    return h;
fail_pts:
    free(h);
fail_alloc:
    return NULL;
}

void pw_history_destroy(pw_history_t *h)
{
    if (h == NULL)
        return;
    free(h->pts);
    free(h);
}

static pw_hpoint_t merge(const pw_hpoint_t *a, const pw_hpoint_t *b)
{
    pw_hpoint_t m;
    m.t = a->t;
    m.span = b->t + b->span - a->t;
    m.count = a->count + b->count;
    m.mean = (a->mean * (double)a->count + b->mean * (double)b->count) / (double)m.count;
    m.min = a->min < b->min ? a->min : b->min;
    m.max = a->max > b->max ? a->max : b->max;
    return m;
}

/* Merges the oldest half pairwise: frees a quarter of the points. */
static void thin(pw_history_t *h)
{
    size_t half = h->n / 2;
    half -= half & 1;
    size_t w = 0;
    for (size_t i = 0; i + 1 < half; i += 2)
        h->pts[w++] = merge(&h->pts[i], &h->pts[i + 1]);
    memmove(h->pts + w, h->pts + half, (h->n - half) * sizeof(*h->pts));
    h->n = w + (h->n - half);
}

static void push(pw_history_t *h, const pw_hpoint_t *p)
{
    if (h->n == h->cap)
        thin(h);
    h->pts[h->n++] = *p;
}

int pw_history_add(pw_history_t *h, int64_t t, uint64_t bytes)
{
    if (t < 0 || t > PW_HISTORY_MAX_TIME - 2 * h->bucket_s) {
        h->dropped++;
        return 1;
    }
    int64_t start = t - t % h->bucket_s, stop = start + h->bucket_s;
    if (h->n > 0) {
        pw_hpoint_t *last = &h->pts[h->n - 1];
        if (t < last->t) {
            h->dropped++;
            return 1;
        }
        if (t < last->t + last->span) {
            last->mean =
                (last->mean * (double)last->count + (double)bytes) / (double)(last->count + 1);
            last->count++;
            if (bytes < last->min)
                last->min = bytes;
            if (bytes > last->max)
                last->max = bytes;
            return 0;
        }
        /* After a merged point that ends inside this bucket, the new point
         * starts where that one ends, so that points never overlap. */
        if (start < last->t + last->span)
            start = last->t + last->span;
    }
    pw_hpoint_t p = {start, stop - start, 1, (double)bytes, bytes, bytes};
    push(h, &p);
    return 0;
}

size_t pw_history_series(const pw_history_t *h, pw_trend_point_t *out, size_t max)
{
    size_t n = h->n < max ? h->n : max;
    size_t skip = h->n - n; /* keep the newest when out is short */
    for (size_t i = 0; i < n; i++) {
        const pw_hpoint_t *p = &h->pts[skip + i];
        out[i].t = p->t + p->span / 2;
        out[i].bytes = p->mean;
    }
    return n;
}

int pw_history_encode(const pw_history_t *h, pw_buf_t *out)
{
    pw_buf_printf(out, "profwatch-history 1\nkey %s\nbucket %" PRId64 "\n", h->key, h->bucket_s);
    pw_buf_puts(out, "# start span count mean min max\n");
    for (size_t i = 0; i < h->n; i++) {
        const pw_hpoint_t *p = &h->pts[i];
        pw_buf_printf(out, "%" PRId64 " %" PRId64 " %" PRIu64 " %.3f %" PRIu64 " %" PRIu64 "\n",
                      p->t, p->span, p->count, p->mean, p->min, p->max);
    }
    return out->oom ? PW_ENOMEM : 0;
}

/* Whitespace-separated fields of one line (a copy, NUL-terminated). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r", &save); tok != NULL && n <= max;
         tok = strtok_r(NULL, " \t\r", &save))
        f[n++] = tok;
    return n;
}

static int to_i64(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0)
        return -1;
    *v = x;
    return 0;
}

static int to_u64(const char *s, uint64_t *v)
{
    char *end;
    if (*s == '-')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0)
        return -1;
    *v = x;
    return 0;
}

int pw_history_decode(pw_history_t *h, const char *data, size_t len, const char *source,
                      pw_err_t *err)
{
    h->n = 0;
    h->dropped = 0;
    h->key[0] = '\0';
    const char *p = data, *end = data + len;
    int lineno = 0, seen_magic = 0;
    char line[512];
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        size_t n = (size_t)(stop - p);
        lineno++;
        if (n >= sizeof(line)) {
            h->n = 0;
            return pw_err_set(err, PW_EINVAL, "%s:%d: line longer than %zu bytes", source, lineno,
                              sizeof(line) - 1);
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl != NULL ? nl + 1 : end;
        if (memchr(line, '\0', n) != NULL) {
            h->n = 0;
            return pw_err_set(err, PW_EINVAL, "%s:%d: NUL byte", source, lineno);
        }
        char *f[7];
        int nf = split(line, f, 6);
        if (nf == 0 || f[0][0] == '#')
            continue;
        if (!seen_magic) {
            if (nf != 2 || strcmp(f[0], "profwatch-history") != 0 || strcmp(f[1], "1") != 0) {
                h->n = 0;
                return pw_err_set(err, PW_EINVAL,
                                  "%s:%d: expected \"profwatch-history 1\": not a profwatch "
                                  "history, or a newer version",
                                  source, lineno);
            }
            seen_magic = 1;
            continue;
        }
        if (strcmp(f[0], "key") == 0) {
            if (nf != 2) {
                h->n = 0;
                return pw_err_set(err, PW_EINVAL, "%s:%d: key: expected one word", source, lineno);
            }
            pw_history_key(f[1], h->key, sizeof(h->key));
            continue;
        }
        int64_t bucket;
        if (strcmp(f[0], "bucket") == 0) {
            if (nf != 2 || to_i64(f[1], &bucket) != 0 || bucket < 1) {
                h->n = 0;
                return pw_err_set(err, PW_EINVAL, "%s:%d: bucket: expected seconds >= 1", source,
                                  lineno);
            }
            continue; /* points carry their own span; new ones use h's bucket */
        }
        pw_hpoint_t pt;
        char *e;
        if (nf != 6 || to_i64(f[0], &pt.t) != 0 || to_i64(f[1], &pt.span) != 0 ||
            to_u64(f[2], &pt.count) != 0 || to_u64(f[4], &pt.min) != 0 ||
            to_u64(f[5], &pt.max) != 0) {
            h->n = 0;
            return pw_err_set(err, PW_EINVAL,
                              "%s:%d: expected a point \"start span count mean min max\" (6 "
                              "numbers)",
                              source, lineno);
        }
        errno = 0;
        pt.mean = strtod(f[3], &e);
        /* The bounds keep every later sum (merged counts, spans, times) exact. */
        if (*e != '\0' || errno != 0 || !isfinite(pt.mean) || pt.span < 1 || pt.count == 0 ||
            pt.count > PW_HISTORY_MAX_COUNT || pt.min > pt.max || pt.mean < (double)pt.min - 1 ||
            pt.mean > (double)pt.max + 1 || pt.t < 0 || pt.span > PW_HISTORY_MAX_TIME ||
            pt.t > PW_HISTORY_MAX_TIME - pt.span) {
            h->n = 0;
            return pw_err_set(err, PW_EINVAL,
                              "%s:%d: inconsistent point (span >= 1, count >= 1, "
                              "min <= mean <= max and a time from 0 to 2^48 are required)",
                              source, lineno);
        }
        if (h->n > 0 && pt.t < h->pts[h->n - 1].t + h->pts[h->n - 1].span) {
            h->n = 0;
            return pw_err_set(err, PW_EINVAL,
                              "%s:%d: this point starts before the previous one ends; points "
                              "must be in time order",
                              source, lineno);
        }
        push(h, &pt);
    }
    if (!seen_magic) {
        h->n = 0;
        return pw_err_set(err, PW_EINVAL, "%s: empty; expected \"profwatch-history 1\"", source);
    }
    return 0;
}
