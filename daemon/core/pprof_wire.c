/* The Profile message walked by hand at the top level (it is a flat list of
 * tagged fields), plus error explanations. Every sub-message body is decoded by
 * the protoc-c generated code in pprof.c. */
#include "pprof_wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- legacy and foreign formats ----------------------------------------- */

static uint64_t rd64(const uint8_t *p, int big)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[big ? 7 - i : i] << (8 * i);
    return v;
}

static uint32_t rd32(const uint8_t *p, int big)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[big ? 3 - i : i] << (8 * i);
    return v;
}

/* The pre-protobuf binary CPU format starts with the header words
 * {0, 3, 0, period, 0} in 32- or 64-bit words of either byte order. */
static int is_legacy_cpu(const uint8_t *d, size_t n)
{
    for (int big = 0; big <= 1; big++) {
        if (n >= 40 && rd64(d, big) == 0 && rd64(d + 8, big) == 3 && rd64(d + 16, big) == 0)
            return 1;
        if (n >= 20 && rd32(d, big) == 0 && rd32(d + 4, big) == 3 && rd32(d + 8, big) == 0)
            return 1;
    }
    return 0;
}

/* Legacy text profiles ("heap profile: ...", "--- contention", "goroutine
 * profile: total 7") are printable text from the first byte; a protobuf
 * profile never is, since its first bytes are a tag and a length. */
static int legacy_text_line(const uint8_t *d, size_t n, char *line, size_t line_n)
{
    size_t i = 0;
    while (i < n && i < 120 && d[i] != '\n') {
        if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\r')
            return 0;
        if (d[i] >= 0x7f)
            return 0;
        i++;
    }
    if (i < 4)
        return 0;
    size_t k = i < line_n - 1 ? i : line_n - 1;
    memcpy(line, d, k);
    line[k] = '\0';
    return 1;
}

/* First lines of the text formats pprof's legacy parsers accept. */
static int is_legacy_text(const char *line)
{
    static const char *prefixes[] = {"heap profile:", "heap_v2/", "--- ",
                                     "heapz",         "growthz",  "contention"};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(line, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return strstr(line, " profile: total ") != NULL;
}

int pw_wire_check_format(const uint8_t *d, size_t n, pw_err_t *err)
{
    char line[128];
    if (is_legacy_cpu(d, n))
        return pw_err_set(err, PW_EUNSUPP,
                          "this is a legacy binary CPU profile (pre-protobuf format), which is "
                          "not supported; convert it with `go tool pprof -proto FILE > "
                          "FILE.pb.gz`");
    if (!legacy_text_line(d, n, line, sizeof(line)))
        return 0;
    if (is_legacy_text(line))
        return pw_err_set(err, PW_EUNSUPP,
                          "this is a text profile (\"%s\"), the legacy pre-protobuf format, "
                          "which is not supported; fetch it with ?debug=0 or convert it with "
                          "`go tool pprof -proto FILE > FILE.pb.gz`",
                          line);
    return pw_err_set(err, PW_EINVAL, "this is text, not a pprof profile; it starts with \"%s\"%s",
                      line, line[0] == '<' ? " (an HTML page: check the URL or the port)" : "");
}

/* ---- schema scan, for error messages ----------------------------------- */

/* When protobuf-c refuses the bytes it does not say why; this walks the same
 * bytes with the pprof schema and names the first bad spot. */

/* Bools are K_ANY: protobuf-c reads a bool from a field of any wire type. */
enum { K_ANY, K_VARINT, K_BYTES, K_PACKED, K_MSG };

typedef struct schema {
    const char *name;
    struct {
        int field;
        int kind;
        const char *name;
        const struct schema *sub;
    } f[16];
} schema_t;

static const schema_t s_vt = {"value type", {{1, K_VARINT, "type", 0}, {2, K_VARINT, "unit", 0}}};
static const schema_t s_label = {"label",
                                 {{1, K_VARINT, "key", 0},
                                  {2, K_VARINT, "str", 0},
                                  {3, K_VARINT, "num", 0},
                                  {4, K_VARINT, "num_unit", 0}}};
static const schema_t s_sample = {
    "sample",
    {{1, K_PACKED, "location_id", 0}, {2, K_PACKED, "value", 0}, {3, K_MSG, "label", &s_label}}};
static const schema_t s_mapping = {"mapping",
                                   {{1, K_VARINT, "id", 0},
                                    {2, K_VARINT, "memory_start", 0},
                                    {3, K_VARINT, "memory_limit", 0},
                                    {4, K_VARINT, "file_offset", 0},
                                    {5, K_VARINT, "filename", 0},
                                    {6, K_VARINT, "build_id", 0},
                                    {7, K_ANY, "has_functions", 0},
                                    {8, K_ANY, "has_filenames", 0},
                                    {9, K_ANY, "has_line_numbers", 0},
                                    {10, K_ANY, "has_inline_frames", 0}}};
static const schema_t s_line = {
    "line",
    {{1, K_VARINT, "function_id", 0}, {2, K_VARINT, "line", 0}, {3, K_VARINT, "column", 0}}};
static const schema_t s_location = {"location",
                                    {{1, K_VARINT, "id", 0},
                                     {2, K_VARINT, "mapping_id", 0},
                                     {3, K_VARINT, "address", 0},
                                     {4, K_MSG, "line", &s_line},
                                     {5, K_ANY, "is_folded", 0}}};
static const schema_t s_function = {"function",
                                    {{1, K_VARINT, "id", 0},
                                     {2, K_VARINT, "name", 0},
                                     {3, K_VARINT, "system_name", 0},
                                     {4, K_VARINT, "filename", 0},
                                     {5, K_VARINT, "start_line", 0}}};
static const schema_t s_profile = {"profile",
                                   {{1, K_MSG, "sample_type", &s_vt},
                                    {2, K_MSG, "sample", &s_sample},
                                    {3, K_MSG, "mapping", &s_mapping},
                                    {4, K_MSG, "location", &s_location},
                                    {5, K_MSG, "function", &s_function},
                                    {6, K_BYTES, "string_table", 0},
                                    {7, K_VARINT, "drop_frames", 0},
                                    {8, K_VARINT, "keep_frames", 0},
                                    {9, K_VARINT, "time_nanos", 0},
                                    {10, K_VARINT, "duration_nanos", 0},
                                    {11, K_MSG, "period_type", &s_vt},
                                    {12, K_VARINT, "period", 0},
                                    {13, K_PACKED, "comment", 0},
                                    {14, K_VARINT, "default_sample_type", 0},
                                    {15, K_VARINT, "doc_url", 0}}};

static int rd_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (int i = 0; i < 10; i++) {
        if (*pos >= n)
            return -1; /* truncated */
        uint8_t b = p[(*pos)++];
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -2; /* over 10 bytes */
}

static int scan_msg(const uint8_t *base, size_t start, size_t end, const schema_t *s,
                    const char *where, pw_err_t *err)
{
    size_t pos = start;
    while (pos < end) {
        size_t at = pos;
        uint64_t tag;
        int r = rd_varint(base, end, &pos, &tag);
        if (r != 0)
            return pw_err_set(err, PW_EINVAL, "%s: field tag at byte %zu is %s", where, at,
                              r == -1 ? "cut off" : "longer than 10 bytes");
        uint64_t field = tag >> 3;
        int wt = (int)(tag & 7);
        if (field == 0 || field > 536870911u)
            return pw_err_set(err, PW_EINVAL,
                              "%s: byte %zu holds field number %" PRIu64
                              ", which protobuf does not allow; this is not a pprof profile",
                              where, at, field);
        int kind = K_ANY;
        const char *fname = "unknown field";
        const schema_t *sub = NULL;
        for (int i = 0; i < 16 && s->f[i].field; i++) {
            if ((uint64_t)s->f[i].field == field) {
                kind = s->f[i].kind;
                fname = s->f[i].name;
                sub = s->f[i].sub;
            }
        }
        int ok_wt = (kind == K_ANY && (wt == 0 || wt == 1 || wt == 2 || wt == 5)) ||
                    (kind == K_VARINT && wt == 0) || (kind == K_PACKED && (wt == 0 || wt == 2)) ||
                    ((kind == K_MSG || kind == K_BYTES) && wt == 2);
        if (!ok_wt)
            return pw_err_set(err, PW_EINVAL,
                              "%s: byte %zu: field %" PRIu64 " (%s) has wire type %d, which "
                              "does not fit it",
                              where, at, field, fname, wt);
        uint64_t v;
        switch (wt) {
        case 0:
            r = rd_varint(base, end, &pos, &v);
            if (r != 0)
                return pw_err_set(err, PW_EINVAL,
                                  "%s: value of field %" PRIu64 " (%s) at byte %zu is %s", where,
                                  field, fname, at, r == -1 ? "cut off" : "over 10 bytes");
            break;
        case 1:
        case 5: {
            size_t w = wt == 1 ? 8 : 4;
            if (end - pos < w)
                return pw_err_set(err, PW_EINVAL,
                                  "%s: field %" PRIu64 " at byte %zu needs %zu bytes, %zu remain",
                                  where, field, at, w, end - pos);
            pos += w;
            break;
        }
        case 2: {
            size_t lat = pos;
            r = rd_varint(base, end, &pos, &v);
            if (r != 0)
                return pw_err_set(err, PW_EINVAL,
                                  "%s: length of field %" PRIu64 " (%s) at byte %zu is %s", where,
                                  field, fname, lat, r == -1 ? "cut off" : "over 10 bytes");
            if (v > end - pos)
                return pw_err_set(err, PW_EINVAL,
                                  "%s: field %" PRIu64 " (%s) at byte %zu declares %" PRIu64
                                  " bytes but only %zu remain; the data is truncated or not a "
                                  "profile",
                                  where, field, fname, at, v, end - pos);
            size_t sub_end = pos + (size_t)v;
            if (kind == K_MSG) {
                char w2[160];
                snprintf(w2, sizeof(w2), "%s at byte %zu", sub->name, at);
                int rc = scan_msg(base, pos, sub_end, sub, w2, err);
                if (rc != 0)
                    return rc;
            } else if (kind == K_PACKED) {
                size_t p2 = pos;
                while (p2 < sub_end) {
                    size_t vat = p2;
                    if (rd_varint(base, sub_end, &p2, &v) != 0)
                        return pw_err_set(err, PW_EINVAL,
                                          "%s: packed %s at byte %zu has a cut-off number at "
                                          "byte %zu",
                                          where, fname, at, vat);
                }
            }
            pos = sub_end;
            break;
        }
        default:
            return pw_err_set(err, PW_EINVAL,
                              "%s: byte %zu uses protobuf groups (wire type %d), "
                              "which pprof never writes; this is not a pprof profile",
                              where, at, wt);
        }
    }
    return 0;
}

int pw_wire_explain(const uint8_t *d, pw_slice_t s, int kind, const char *what, pw_err_t *err)
{
    static const schema_t *const schemas[] = {&s_vt, &s_sample, &s_mapping, &s_location,
                                              &s_function};
    int rc = scan_msg(d, s.off, s.off + s.len, schemas[kind], what, err);
    if (rc == 0)
        rc = pw_err_set(err, PW_EINVAL,
                        "%s: a field holds a value of the wrong kind (bytes %zu to %zu)", what,
                        s.off, s.off + s.len);
    return rc;
}

/* ---- top-level walk ---------------------------------------------------- */

/* The walk runs twice: once to check the framing and count each list, once to
 * fill lists allocated to their exact size (growing them by doubling copied
 * megabytes into fresh pages, a third of `top`'s page faults). */
static int push(pw_slices_t *v, size_t off, size_t len, int fill)
{
    if (fill) {
        v->v[v->n].off = off;
        v->v[v->n].len = len;
    }
    v->n++;
    return 0;
}

static int push_comment(pw_wire_profile_t *w, int64_t c, int fill)
{
    if (fill)
        w->comments[w->n_comments] = c;
    w->n_comments++;
    return 0;
}

static int walk(const uint8_t *d, size_t n, pw_wire_profile_t *w, int fill, pw_err_t *err)
{
    pw_slices_t *lists[7] = {NULL,         &w->sample_type, &w->sample, &w->mapping,
                             &w->location, &w->function,    &w->string};
    size_t pos = 0;
    while (pos < n) {
        size_t at = pos;
        /* Fast path for the bulk of a profile: a one-byte tag of fields 1-6
         * with wire type 2 and a length of one or two bytes. */
        if (d[pos] >= 0x0a && d[pos] <= 0x32 && (d[pos] & 7) == 2 && n - pos >= 3) {
            size_t len, hdr;
            if (d[pos + 1] < 0x80) {
                len = d[pos + 1];
                hdr = 2;
            } else if (d[pos + 2] < 0x80) {
                len = (size_t)(d[pos + 1] & 0x7f) | (size_t)d[pos + 2] << 7;
                hdr = 3;
            } else {
                goto general;
            }
            if (len <= n - pos - hdr) {
                pw_slices_t *list = lists[d[pos] >> 3];
                if (fill) {
                    list->v[list->n].off = pos + hdr;
                    list->v[list->n].len = len;
                }
                list->n++;
                pos += hdr + len;
                continue;
            }
        }
    general:;
        uint64_t tag, v;
        int r = rd_varint(d, n, &pos, &tag);
        if (r != 0)
            return pw_err_set(err, PW_EINVAL,
                              "not a valid pprof protobuf: field tag at byte %zu is %s", at,
                              r == -1 ? "cut off" : "longer than 10 bytes");
        uint64_t field = tag >> 3;
        int wt = (int)(tag & 7);
        int want = -1; /* wire type the field must have; -1: any */
        pw_slices_t *list = NULL;
        int64_t *scalar = NULL;
        switch (field) {
        case 1:
            list = &w->sample_type;
            want = 2;
            break;
        case 2:
            list = &w->sample;
            want = 2;
            break;
        case 3:
            list = &w->mapping;
            want = 2;
            break;
        case 4:
            list = &w->location;
            want = 2;
            break;
        case 5:
            list = &w->function;
            want = 2;
            break;
        case 6:
            list = &w->string;
            want = 2;
            break;
        case 7:
            scalar = &w->drop_frames;
            want = 0;
            break;
        case 8:
            scalar = &w->keep_frames;
            want = 0;
            break;
        case 9:
            scalar = &w->time_nanos;
            want = 0;
            break;
        case 10:
            scalar = &w->duration_nanos;
            want = 0;
            break;
        case 11:
            want = 2;
            break;
        case 12:
            scalar = &w->period;
            want = 0;
            break;
        case 13:
            want = wt == 2 ? 2 : 0;
            break;
        case 14:
            scalar = &w->default_sample_type;
            want = 0;
            break;
        case 15:
            want = 0;
            break;
        default:
            break;
        }
        const char *fname = "unknown field";
        if (field >= 1 && field <= 15)
            fname = s_profile.f[field - 1].name;
        if (field == 0 || (want >= 0 && wt != want) || wt == 3 || wt == 4 || wt > 5) {
            /* The scanner words each of these cases; it fails at this very byte. */
            int rc = scan_msg(d, at, n, &s_profile, "not a valid pprof protobuf", err);
            if (rc != 0)
                return rc;
            return pw_err_set(err, PW_EINVAL,
                              "not a valid pprof protobuf: byte %zu: field %" PRIu64
                              " (%s) has wire type %d",
                              at, field, fname, wt);
        }
        switch (wt) {
        case 0:
            if ((r = rd_varint(d, n, &pos, &v)) != 0)
                return pw_err_set(err, PW_EINVAL,
                                  "not a valid pprof protobuf: value of field %" PRIu64
                                  " (%s) at byte %zu is %s",
                                  field, fname, at, r == -1 ? "cut off" : "over 10 bytes");
            if (scalar != NULL)
                *scalar = (int64_t)v;
            else if (field == 13 && push_comment(w, (int64_t)v, fill) != 0)
                return pw_err_set(err, PW_ENOMEM, "out of memory");
            break;
        case 1:
        case 5: {
            size_t width = wt == 1 ? 8 : 4;
            if (n - pos < width)
                return pw_err_set(err, PW_EINVAL,
                                  "not a valid pprof protobuf: field %" PRIu64 " at byte %zu "
                                  "needs %zu bytes, %zu remain",
                                  field, at, width, n - pos);
            pos += width;
            break;
        }
        case 2: {
            size_t lat = pos;
            if ((r = rd_varint(d, n, &pos, &v)) != 0)
                return pw_err_set(err, PW_EINVAL,
                                  "not a valid pprof protobuf: length of field %" PRIu64
                                  " (%s) at byte %zu is %s",
                                  field, fname, lat, r == -1 ? "cut off" : "over 10 bytes");
            if (v > n - pos)
                return pw_err_set(err, PW_EINVAL,
                                  "not a valid pprof protobuf: field %" PRIu64 " (%s) at byte %zu "
                                  "declares %" PRIu64 " bytes but only %zu remain; the data is "
                                  "truncated or not a profile",
                                  field, fname, at, v, n - pos);
            if (list != NULL && push(list, pos, (size_t)v, fill) != 0)
                return pw_err_set(err, PW_ENOMEM, "out of memory");
            if (field == 11) {
                w->period_type.off = pos;
                w->period_type.len = (size_t)v;
                w->has_period_type = 1;
            }
            if (field == 13) {
                size_t p = pos, end = pos + (size_t)v;
                while (p < end) {
                    size_t cat = p;
                    if (rd_varint(d, end, &p, &v) != 0)
                        return pw_err_set(err, PW_EINVAL,
                                          "not a valid pprof protobuf: comment list at byte %zu "
                                          "has a cut-off number at byte %zu",
                                          at, cat);
                    if (push_comment(w, (int64_t)v, fill) != 0)
                        return pw_err_set(err, PW_ENOMEM, "out of memory");
                }
                pos = end;
            } else {
                pos += (size_t)v;
            }
            break;
        }
        }
    }
    return 0;
}

static int alloc_list(pw_slices_t *v)
{
    v->cap = v->n;
    v->v = malloc((v->n + 1) * sizeof(pw_slice_t));
    v->n = 0;
    return v->v == NULL ? -1 : 0;
}

int pw_wire_walk(const uint8_t *d, size_t n, pw_wire_profile_t *w, pw_err_t *err)
{
    memset(w, 0, sizeof(*w));
    int rc = walk(d, n, w, 0, err);
    if (rc != 0)
        return rc;
    w->cap_comments = w->n_comments;
    w->comments = malloc((w->n_comments + 1) * sizeof(int64_t));
    w->n_comments = 0;
    if (w->comments == NULL || alloc_list(&w->sample_type) || alloc_list(&w->sample) ||
        alloc_list(&w->mapping) || alloc_list(&w->location) || alloc_list(&w->function) ||
        alloc_list(&w->string))
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    return walk(d, n, w, 1, err);
}

void pw_wire_free(pw_wire_profile_t *w)
{
    free(w->sample_type.v);
    free(w->sample.v);
    free(w->mapping.v);
    free(w->location.v);
    free(w->function.v);
    free(w->string.v);
    free(w->comments);
    memset(w, 0, sizeof(*w));
}
