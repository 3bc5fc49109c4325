#include "pprof_hot.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* protobuf-c's limits, kept identical so that both decoders accept and refuse
 * the same bytes: tags of at most 5 bytes and never field 0, varints of at most
 * 10 bytes, length prefixes of at most 5 bytes and INT_MAX, no groups. */

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} rd_t;

static inline int rd_varint(rd_t *r, uint64_t *out)
{
    const uint8_t *p = r->p;
    size_t avail = (size_t)(r->end - p);
    if (avail > 0 && p[0] < 0x80) {
        *out = p[0];
        r->p = p + 1;
        return 0;
    }
    if (avail > 1 && p[1] < 0x80) {
        *out = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        r->p = p + 2;
        return 0;
    }
    if (avail > 2 && p[2] < 0x80) { /* location ids past 16383 */
        *out = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7 | (uint64_t)p[2] << 14;
        r->p = p + 3;
        return 0;
    }
    if (avail > 10)
        avail = 10;
    uint64_t v = 0;
    for (size_t i = 0; i < avail; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (p[i] < 0x80) {
            *out = v;
            r->p = p + i + 1;
            return 0;
        }
    }
    return -1;
}

static inline int rd_tag(rd_t *r, uint32_t *field, int *wt)
{
    const uint8_t *p = r->p;
    size_t avail = (size_t)(r->end - p);
    if ((p[0] & 0xf8) == 0)
        return -1; /* field 0 */
    *wt = p[0] & 7;
    uint32_t tag = (p[0] & 0x7f) >> 3;
    if (p[0] < 0x80) {
        *field = tag;
        r->p = p + 1;
        return 0;
    }
    size_t max = avail > 5 ? 5 : avail;
    unsigned shift = 4;
    for (size_t i = 1; i < max; i++) {
        tag |= (uint32_t)(p[i] & 0x7f) << shift;
        shift += 7;
        if (p[i] < 0x80) {
            *field = tag;
            r->p = p + i + 1;
            return 0;
        }
    }
    return -1;
}

static inline int rd_len(rd_t *r, size_t *len)
{
    const uint8_t *p = r->p;
    size_t avail = (size_t)(r->end - p);
    size_t max = avail > 5 ? 5 : avail;
    size_t v = 0;
    for (size_t i = 0; i < max; i++) {
        v |= (size_t)(p[i] & 0x7f) << (7 * i);
        if (p[i] < 0x80) {
            if (v > INT_MAX || v > avail - i - 1)
                return -1;
            *len = v;
            r->p = p + i + 1;
            return 0;
        }
    }
    return -1;
}

/* Skips the value of a field this reader does not use. */
static int rd_skip(rd_t *r, int wt)
{
    uint64_t v;
    size_t n;
    switch (wt) {
    case 0:
        return rd_varint(r, &v);
    case 1:
        if (r->end - r->p < 8)
            return -1;
        r->p += 8;
        return 0;
    case 2:
        if (rd_len(r, &n) != 0)
            return -1;
        r->p += n;
        return 0;
    case 5:
        if (r->end - r->p < 4)
            return -1;
        r->p += 4;
        return 0;
    default:
        return -1;
    }
}

/* A varint scalar field: wire type 0 only. */
static inline int rd_scalar(rd_t *r, int wt, uint64_t *out)
{
    return wt == 0 ? rd_varint(r, out) : -1;
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 32;
    while (c < need)
        c *= 2;
    void *nb = realloc(*buf, c * elem);
    if (nb == NULL)
        return -2;
    *buf = nb;
    *cap = c;
    return 0;
}

/* Appends one varint (wire type 0) or a packed run (wire type 2) to arr. */
static int rd_repeated(rd_t *r, int wt, uint64_t **arr, size_t *n, size_t *cap)
{
    uint64_t v;
    if (wt == 0) {
        if (rd_varint(r, &v) != 0)
            return -1;
        if (grow((void **)arr, cap, *n + 1, sizeof(uint64_t)) != 0)
            return -2;
        (*arr)[(*n)++] = v;
        return 0;
    }
    if (wt != 2)
        return -1;
    size_t len;
    if (rd_len(r, &len) != 0)
        return -1;
    /* Each varint takes at least one byte: len bounds the count. */
    if (grow((void **)arr, cap, *n + len, sizeof(uint64_t)) != 0)
        return -2;
    rd_t sub = {r->p, r->p + len};
    uint64_t *a = *arr;
    size_t k = *n;
    while (sub.p < sub.end) {
        if (rd_varint(&sub, &a[k]) != 0)
            return -1;
        k++;
    }
    *n = k;
    r->p = sub.end;
    return 0;
}

/* ---- Label ---- */

static int read_label(const uint8_t *d, size_t n, pw_hot_label_t *out)
{
    rd_t r = {d, d + n};
    pw_hot_label_t l = {0, 0, 0, 0};
    while (r.p < r.end) {
        uint32_t f;
        int wt;
        uint64_t v;
        if (rd_tag(&r, &f, &wt) != 0)
            return -1;
        if (f >= 1 && f <= 4) {
            if (rd_scalar(&r, wt, &v) != 0)
                return -1;
            if (f == 1)
                l.key = (int64_t)v;
            else if (f == 2)
                l.str = (int64_t)v;
            else if (f == 3)
                l.num = (int64_t)v;
            else
                l.num_unit = (int64_t)v;
        } else if (rd_skip(&r, wt) != 0) {
            return -1;
        }
    }
    *out = l;
    return 0;
}

/* ---- Sample ---- */

int pw_hot_sample(const uint8_t *d, size_t n, pw_hot_sample_t *s)
{
    rd_t r = {d, d + n};
    int rc;
    s->n_ids = s->n_values = s->n_labels = 0;
    while (r.p < r.end) {
        uint32_t f;
        int wt;
        if (rd_tag(&r, &f, &wt) != 0)
            return -1;
        switch (f) {
        case 1:
            if ((rc = rd_repeated(&r, wt, &s->ids, &s->n_ids, &s->cap_ids)) != 0)
                return rc;
            break;
        case 2:
            if ((rc = rd_repeated(&r, wt, (uint64_t **)&s->values, &s->n_values, &s->cap_values)) !=
                0)
                return rc;
            break;
        case 3: {
            size_t len;
            if (wt != 2 || rd_len(&r, &len) != 0)
                return -1;
            if (grow((void **)&s->labels, &s->cap_labels, s->n_labels + 1,
                     sizeof(pw_hot_label_t)) != 0)
                return -2;
            if (read_label(r.p, len, &s->labels[s->n_labels]) != 0)
                return -1;
            s->n_labels++;
            r.p += len;
            break;
        }
        default:
            if (rd_skip(&r, wt) != 0)
                return -1;
        }
    }
    return 0;
}

int pw_hot_sample_reserve(pw_hot_sample_t *s, size_t ids, size_t values, size_t labels)
{
    if (grow((void **)&s->ids, &s->cap_ids, ids, sizeof(uint64_t)) ||
        grow((void **)&s->values, &s->cap_values, values, sizeof(int64_t)) ||
        grow((void **)&s->labels, &s->cap_labels, labels, sizeof(pw_hot_label_t)))
        return -2;
    return 0;
}

void pw_hot_sample_free(pw_hot_sample_t *s)
{
    free(s->ids);
    free(s->values);
    free(s->labels);
    memset(s, 0, sizeof(*s));
}

/* ---- Location / Line ---- */

static int read_line(const uint8_t *d, size_t n, pw_hot_line_t *out)
{
    rd_t r = {d, d + n};
    pw_hot_line_t l = {0, 0};
    while (r.p < r.end) {
        uint32_t f;
        int wt;
        uint64_t v;
        if (rd_tag(&r, &f, &wt) != 0)
            return -1;
        if (f >= 1 && f <= 3) {
            if (rd_scalar(&r, wt, &v) != 0)
                return -1;
            if (f == 1)
                l.function_id = v;
            else if (f == 2)
                l.line = (int64_t)v;
        } else if (rd_skip(&r, wt) != 0) {
            return -1;
        }
    }
    *out = l;
    return 0;
}

int pw_hot_location(const uint8_t *d, size_t n, pw_hot_location_t *l)
{
    rd_t r = {d, d + n};
    l->id = l->mapping_id = l->address = 0;
    l->n_lines = 0;
    while (r.p < r.end) {
        uint32_t f;
        int wt;
        uint64_t v;
        if (rd_tag(&r, &f, &wt) != 0)
            return -1;
        switch (f) {
        case 1:
        case 2:
        case 3:
            if (rd_scalar(&r, wt, &v) != 0)
                return -1;
            if (f == 1)
                l->id = v;
            else if (f == 2)
                l->mapping_id = v;
            else
                l->address = v;
            break;
        case 5: /* is_folded, unused: protobuf-c reads a bool from any wire type */
            if (rd_skip(&r, wt) != 0)
                return -1;
            break;
        case 4: {
            size_t len;
            if (wt != 2 || rd_len(&r, &len) != 0)
                return -1;
            if (grow((void **)&l->lines, &l->cap_lines, l->n_lines + 1, sizeof(pw_hot_line_t)) != 0)
                return -2;
            if (read_line(r.p, len, &l->lines[l->n_lines]) != 0)
                return -1;
            l->n_lines++;
            r.p += len;
            break;
        }
        default:
            if (rd_skip(&r, wt) != 0)
                return -1;
        }
    }
    return 0;
}

int pw_hot_location_reserve(pw_hot_location_t *l, size_t lines)
{
    return grow((void **)&l->lines, &l->cap_lines, lines, sizeof(pw_hot_line_t));
}

void pw_hot_location_free(pw_hot_location_t *l)
{
    free(l->lines);
    memset(l, 0, sizeof(*l));
}

/* ---- Function ---- */

int pw_hot_function(const uint8_t *d, size_t n, pw_hot_function_t *out)
{
    rd_t r = {d, d + n};
    pw_hot_function_t fn;
    memset(&fn, 0, sizeof(fn));
    while (r.p < r.end) {
        uint32_t f;
        int wt;
        uint64_t v;
        if (rd_tag(&r, &f, &wt) != 0)
            return -1;
        if (f >= 1 && f <= 5) {
            if (rd_scalar(&r, wt, &v) != 0)
                return -1;
            switch (f) {
            case 1:
                fn.id = v;
                break;
            case 2:
                fn.name = (int64_t)v;
                break;
            case 3:
                fn.system_name = (int64_t)v;
                break;
            case 4:
                fn.filename = (int64_t)v;
                break;
            default:
                fn.start_line = (int64_t)v;
                break;
            }
        } else if (rd_skip(&r, wt) != 0) {
            return -1;
        }
    }
    *out = fn;
    return 0;
}
