/* pprof decoding: gzip or raw bytes -> validated, index-resolved model in the
 * profile's own arena.
 *
 * The Profile message is a flat list of tagged fields, so pprof_wire.c walks
 * it by hand and records where each sub-message sits. Each sub-message body
 * (Sample, Location, Function, Mapping, ValueType) is then decoded by the
 * protoc-c generated unpacker into a scratch arena that is reset after every
 * message. The whole protobuf-c object tree, four to five times the input,
 * never exists at once: peak memory is the input plus the model.
 *
 * Validation follows what pprof's own parser refuses (profile.postDecode and
 * CheckValid), so a file that `go tool pprof` rejects is rejected here too,
 * with a message that says where. */
#include "profwatch/pprof.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pprof.pb-c.h"
#include "pprof_hot.h"
#include "pprof_wire.h"
#include "profwatch/gzip.h"
#include "profwatch/hmap.h"

/* protobuf-c turns each small message into a struct of 40-80 bytes, plus
 * arrays; this bounds one message's scratch memory whatever its bytes say. */
#define SCRATCH_FACTOR 48
#define SCRATCH_SLACK (64u * 1024)

/* id -> index lookup: a flat table when ids are small (Go writes 1..n), a hash
 * map otherwise. */
typedef struct {
    uint32_t *direct;
    size_t n_direct;
    pw_hmap64_t map;
    int use_map;
} idmap_t;

/* ids are read from base + i * stride (the id field of each model struct). */
static int idmap_init(idmap_t *im, size_t n, const void *base, size_t stride, const char *what,
                      pw_err_t *err)
{
    memset(im, 0, sizeof(*im));
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t id = *(const uint64_t *)((const char *)base + i * stride);
        if (id > max)
            max = id;
    }
    if (max <= 4 * (uint64_t)n + 16) {
        im->n_direct = (size_t)max + 1;
        im->direct = malloc(im->n_direct * sizeof(uint32_t));
        if (im->direct == NULL)
            return pw_err_set(err, PW_ENOMEM, "out of memory indexing %ss", what);
        memset(im->direct, 0xff, im->n_direct * sizeof(uint32_t));
    } else {
        im->use_map = 1;
        if (pw_hmap64_init(&im->map, n) != 0)
            return pw_err_set(err, PW_ENOMEM, "out of memory indexing %ss", what);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t id = *(const uint64_t *)((const char *)base + i * stride);
        if (id == 0)
            return pw_err_set(err, PW_EINVAL,
                              "malformed profile: %s #%zu has id 0, which is reserved", what, i);
        uint32_t got;
        if (im->use_map) {
            got = pw_hmap64_put(&im->map, id, (uint32_t)i);
            if (got == PW_HMAP_NONE)
                return pw_err_set(err, PW_ENOMEM, "out of memory indexing %ss", what);
        } else {
            got = im->direct[id];
            if (got == PW_NONE)
                im->direct[id] = (uint32_t)i, got = (uint32_t)i;
        }
        if (got != (uint32_t)i)
            return pw_err_set(err, PW_EINVAL,
                              "malformed profile: %ss #%u and #%zu share the id %" PRIu64, what,
                              got, i, id);
    }
    return 0;
}

static uint32_t idmap_get(const idmap_t *im, uint64_t id)
{
    if (im->use_map)
        return pw_hmap64_get(&im->map, id);
    return id < im->n_direct ? im->direct[id] : PW_NONE;
}

static void idmap_free(idmap_t *im)
{
    free(im->direct);
    if (im->use_map)
        pw_hmap64_free(&im->map);
}

/* pprof's symbolizer rewrites names that look like demangled C++ ("a::b<T>(int)")
 * by stripping parameters and template arguments, and fills an empty name from
 * system_name. Go names pass through unchanged. */
static int looks_like_cpp(const char *s)
{
    if (strpbrk(s, "<>[]:") == NULL)
        return 0; /* the common Go case, in one pass */
    if (strstr(s, ".<") != NULL || strstr(s, "]).") != NULL)
        return 0;
    return strpbrk(s, "<>[]") != NULL || strstr(s, "::") != NULL;
}

static void remove_matching(char *s, char open, char close)
{
    size_t len = strlen(s);
    int nesting = 0;
    size_t first = 0;
    for (size_t cur = 0; cur < len; cur++) {
        if (s[cur] == open) {
            if (++nesting == 1)
                first = cur;
        } else if (s[cur] == close) {
            nesting--;
            if (nesting < 0)
                return; /* mismatch: pprof leaves the name alone from here */
            if (nesting == 0) {
                memmove(s + first, s + cur + 1, len - cur);
                len -= cur + 1 - first;
                cur = first - 1; /* wraps to SIZE_MAX for 0; the loop's ++ resumes at first */
            }
        }
    }
}

static const char *display_name(pw_arena_t *a, const char *name, const char *sys)
{
    if (name[0] != '\0' && strcmp(name, sys) != 0)
        return name;
    if (!looks_like_cpp(sys))
        return sys;
    char *copy = pw_arena_strdup(a, sys);
    if (copy == NULL)
        return sys;
    remove_matching(copy, '(', ')');
    remove_matching(copy, '<', '>');
    return copy;
}

/* pprof clears a mapping's file when it is a URL (remote source) without a
 * build id: url.Parse succeeds with a scheme. */
static int is_abs_url(const char *s)
{
    const char *p = s;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return 0;
    while (*p && *p != ':') {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
        p++;
    }
    if (*p != ':')
        return 0;
    for (const unsigned char *q = (const unsigned char *)s; *q; q++)
        if (*q < 0x20 || *q == 0x7f)
            return 0;
    return 1;
}

typedef struct {
    pw_profile_t *p;
    const uint8_t *data;
    pw_wire_profile_t w;
    const char **str;
    size_t n_str;
    pw_arena_t *scratch;
    ProtobufCAllocator alloc;
    idmap_t map_ids, fn_ids, loc_ids;
    int reference; /* decode every message with protoc-c's unpacker */
    /* reusable per-message buffers */
    pw_hot_location_t loc;
    pw_hot_sample_t smp;
    pw_err_t *err;
} build_t;

#define NO_INDEX SIZE_MAX

/* Resolves a string-table index. what/index name the referring element in the
 * error message, formatted only when there is an error. */
static int getstr(build_t *b, int64_t idx, const char *what, size_t index, const char **out)
{
    if (idx < 0 || (uint64_t)idx >= b->n_str) {
        char where[96];
        if (index == NO_INDEX)
            snprintf(where, sizeof(where), "%s", what);
        else
            snprintf(where, sizeof(where), "%s #%zu", what, index);
        return pw_err_set(b->err, PW_EINVAL,
                          "malformed profile: %s uses string index %" PRId64
                          ", outside the string table of %zu entries",
                          where, idx, b->n_str);
    }
    *out = b->str[idx];
    return 0;
}

static void *scratch_alloc(void *data, size_t size)
{
    return pw_arena_alloc(data, size);
}

static void scratch_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr;
}

/* Prepares the scratch arena for one message of s.len bytes. */
static void scratch_begin(build_t *b, pw_slice_t s)
{
    pw_arena_reset(b->scratch);
    pw_arena_set_limit(b->scratch, s.len * SCRATCH_FACTOR + SCRATCH_SLACK);
}

/* The error for a sub-message protobuf-c refused: out of budget, or the
 * scanner's account of which byte is wrong. */
static int unpack_failed(build_t *b, pw_slice_t s, int kind, const char *what)
{
    if (pw_arena_exhausted(b->scratch))
        return pw_err_set(b->err, PW_ENOMEM,
                          "malformed profile: %s (bytes %zu to %zu) would need more memory than "
                          "any real profile message does",
                          what, s.off, s.off + s.len);
    return pw_wire_explain(b->data, s, kind, what, b->err);
}

static int build_strings(build_t *b)
{
    const pw_slices_t *ss = &b->w.string;
    if (ss->n == 0)
        return pw_err_set(b->err, PW_EINVAL,
                          "malformed profile: the string table is empty (it must start with "
                          "\"\"); this is not a pprof profile");
    if (ss->v[0].len != 0)
        return pw_err_set(b->err, PW_EINVAL,
                          "malformed profile: string_table[0] must be the empty string");
    size_t total = 0;
    for (size_t i = 0; i < ss->n; i++)
        total += ss->v[i].len + 1;
    char *blob = pw_arena_alloc(b->p->arena, total);
    b->str = pw_arena_alloc(b->p->arena, ss->n * sizeof(char *));
    if (blob == NULL || b->str == NULL)
        return pw_err_set(b->err, PW_ENOMEM, "out of memory for the string table");
    for (size_t i = 0; i < ss->n; i++) {
        memcpy(blob, b->data + ss->v[i].off, ss->v[i].len);
        blob[ss->v[i].len] = '\0';
        b->str[i] = blob;
        blob += ss->v[i].len + 1;
    }
    b->n_str = ss->n;
    return 0;
}

static int build_value_type(build_t *b, pw_slice_t s, const char *what, size_t index,
                            pw_value_type_t *vt)
{
    scratch_begin(b, s);
    Perftools__Profiles__ValueType *m =
        perftools__profiles__value_type__unpack(&b->alloc, s.len, b->data + s.off);
    if (m == NULL)
        return unpack_failed(b, s, PW_WIRE_VALUE_TYPE, what);
    int rc = getstr(b, m->type, what, index, &vt->type);
    if (rc == 0)
        rc = getstr(b, m->unit, what, index, &vt->unit);
    return rc;
}

static int build_header(build_t *b)
{
    pw_profile_t *p = b->p;
    pw_wire_profile_t *w = &b->w;
    int rc;

    p->n_sample_types = w->sample_type.n;
    p->sample_types = pw_arena_calloc(p->arena, w->sample_type.n + 1, sizeof(pw_value_type_t));
    p->comments = pw_arena_calloc(p->arena, w->n_comments + 1, sizeof(char *));
    if (p->sample_types == NULL || p->comments == NULL)
        return pw_err_set(b->err, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < w->sample_type.n; i++) {
        if ((rc = build_value_type(b, w->sample_type.v[i], "sample_type", i,
                                   &p->sample_types[i])) != 0)
            return rc;
    }
    p->period_type.type = p->period_type.unit = "";
    if (w->has_period_type &&
        (rc = build_value_type(b, w->period_type, "period_type", NO_INDEX, &p->period_type)) != 0)
        return rc;
    p->period = w->period;
    p->time_nanos = w->time_nanos;
    p->duration_nanos = w->duration_nanos;
    if ((rc = getstr(b, w->drop_frames, "drop_frames", NO_INDEX, &p->drop_frames)) ||
        (rc = getstr(b, w->keep_frames, "keep_frames", NO_INDEX, &p->keep_frames)) ||
        (rc = getstr(b, w->default_sample_type, "default_sample_type", NO_INDEX,
                     &p->default_sample_type)))
        return rc;
    p->n_comments = w->n_comments;
    for (size_t i = 0; i < w->n_comments; i++) {
        if ((rc = getstr(b, w->comments[i], "comment", i, &p->comments[i])))
            return rc;
    }
    return 0;
}

static int build_mappings(build_t *b)
{
    pw_profile_t *p = b->p;
    const pw_slices_t *ms = &b->w.mapping;
    char what[64];
    int rc;
    p->n_mappings = ms->n;
    p->mappings = pw_arena_calloc(p->arena, ms->n + 1, sizeof(pw_mapping_t));
    if (p->mappings == NULL)
        return pw_err_set(b->err, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < ms->n; i++) {
        scratch_begin(b, ms->v[i]);
        Perftools__Profiles__Mapping *m =
            perftools__profiles__mapping__unpack(&b->alloc, ms->v[i].len, b->data + ms->v[i].off);
        if (m == NULL) {
            snprintf(what, sizeof(what), "mapping #%zu", i);
            return unpack_failed(b, ms->v[i], PW_WIRE_MAPPING, what);
        }
        pw_mapping_t *mp = &p->mappings[i];
        mp->id = m->id;
        mp->start = m->memory_start;
        mp->limit = m->memory_limit;
        mp->offset = m->file_offset;
        if ((rc = getstr(b, m->filename, "mapping", i, &mp->file)) ||
            (rc = getstr(b, m->build_id, "mapping", i, &mp->build_id)))
            return rc;
        if (mp->build_id[0] == '\0' && is_abs_url(mp->file))
            mp->file = "";
    }
    if (ms->n == 0)
        return 0;
    return idmap_init(&b->map_ids, ms->n, &p->mappings[0].id, sizeof(pw_mapping_t), "mapping",
                      b->err);
}

/* ---- the hot messages: Function, Location, Sample ---------------------- *
 * Each is read into a plain struct, by pprof_hot.c or (opts->reference) by the
 * protoc-c unpacker, and converted by one shared function, so the two paths can
 * only differ in how they read bytes. */

static int read_function(build_t *b, pw_slice_t s, pw_hot_function_t *f)
{
    const uint8_t *d = b->data + s.off;
    if (!b->reference)
        return pw_hot_function(d, s.len, f);
    scratch_begin(b, s);
    Perftools__Profiles__Function *m = perftools__profiles__function__unpack(&b->alloc, s.len, d);
    if (m == NULL)
        return -1;
    f->id = m->id;
    f->name = m->name;
    f->system_name = m->system_name;
    f->filename = m->filename;
    f->start_line = m->start_line;
    return 0;
}

static int build_functions(build_t *b)
{
    pw_profile_t *p = b->p;
    const pw_slices_t *fs = &b->w.function;
    char what[64];
    int rc;
    p->n_functions = fs->n;
    p->functions = pw_arena_alloc(p->arena, (fs->n + 1) * sizeof(pw_function_t));
    if (p->functions == NULL)
        return pw_err_set(b->err, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < fs->n; i++) {
        pw_hot_function_t m;
        if (read_function(b, fs->v[i], &m) != 0) {
            snprintf(what, sizeof(what), "function #%zu", i);
            return unpack_failed(b, fs->v[i], PW_WIRE_FUNCTION, what);
        }
        pw_function_t *f = &p->functions[i];
        const char *name = "";
        f->id = m.id;
        f->start_line = m.start_line;
        if ((rc = getstr(b, m.name, "function", i, &name)) ||
            (rc = getstr(b, m.system_name, "function", i, &f->system_name)) ||
            (rc = getstr(b, m.filename, "function", i, &f->filename)))
            return rc;
        f->name = display_name(p->arena, name, f->system_name);
    }
    if (fs->n == 0)
        return 0;
    return idmap_init(&b->fn_ids, fs->n, &p->functions[0].id, sizeof(pw_function_t), "function",
                      b->err);
}

/* Reads one Location into b->loc. -1: invalid, -2: no memory. */
static int read_location(build_t *b, pw_slice_t s)
{
    const uint8_t *d = b->data + s.off;
    pw_hot_location_t *l = &b->loc;
    if (!b->reference)
        return pw_hot_location(d, s.len, l);
    scratch_begin(b, s);
    Perftools__Profiles__Location *m = perftools__profiles__location__unpack(&b->alloc, s.len, d);
    if (m == NULL)
        return -1;
    l->id = m->id;
    l->mapping_id = m->mapping_id;
    l->address = m->address;
    if (pw_hot_location_reserve(l, m->n_line) != 0)
        return -2;
    l->n_lines = m->n_line;
    for (size_t k = 0; k < m->n_line; k++) {
        l->lines[k].function_id = m->line[k]->function_id;
        l->lines[k].line = m->line[k]->line;
    }
    return 0;
}

static int build_locations(build_t *b)
{
    pw_profile_t *p = b->p;
    const pw_slices_t *ls = &b->w.location;
    char what[64];
    p->n_locations = ls->n;
    p->locations = pw_arena_alloc(p->arena, (ls->n + 1) * sizeof(pw_location_t));
    if (p->locations == NULL)
        return pw_err_set(b->err, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < ls->n; i++) {
        int r = read_location(b, ls->v[i]);
        const pw_hot_location_t *m = &b->loc;
        if (r == -2)
            return pw_err_set(b->err, PW_ENOMEM, "out of memory");
        if (r != 0) {
            snprintf(what, sizeof(what), "location #%zu", i);
            return unpack_failed(b, ls->v[i], PW_WIRE_LOCATION, what);
        }
        pw_location_t *l = &p->locations[i];
        l->id = m->id;
        l->address = m->address;
        l->mapping =
            m->mapping_id && p->n_mappings ? idmap_get(&b->map_ids, m->mapping_id) : PW_NONE;
        if (m->n_lines > UINT32_MAX)
            return pw_err_set(b->err, PW_EINVAL,
                              "malformed profile: location #%zu has too many lines", i);
        l->n_lines = (uint32_t)m->n_lines;
        l->lines = NULL;
        if (m->n_lines == 0)
            continue;
        l->lines = pw_arena_alloc(p->arena, m->n_lines * sizeof(pw_line_t));
        if (l->lines == NULL)
            return pw_err_set(b->err, PW_ENOMEM, "out of memory");
        for (size_t k = 0; k < m->n_lines; k++) {
            uint64_t fid = m->lines[k].function_id;
            uint32_t fi = fid && p->n_functions ? idmap_get(&b->fn_ids, fid) : PW_NONE;
            if (fi == PW_NONE)
                return pw_err_set(b->err, PW_EINVAL,
                                  "malformed profile: location id %" PRIu64 " line %zu refers to "
                                  "function id %" PRIu64 ", which is not in the profile",
                                  m->id, k, fid);
            l->lines[k].function = fi;
            l->lines[k].line = m->lines[k].line;
        }
    }
    if (ls->n == 0)
        return 0;
    return idmap_init(&b->loc_ids, ls->n, &p->locations[0].id, sizeof(pw_location_t), "location",
                      b->err);
}

/* Reads one Sample into b->smp. -1: invalid, -2: no memory. */
static int read_sample(build_t *b, pw_slice_t s)
{
    const uint8_t *d = b->data + s.off;
    pw_hot_sample_t *h = &b->smp;
    if (!b->reference)
        return pw_hot_sample(d, s.len, h);
    scratch_begin(b, s);
    Perftools__Profiles__Sample *m = perftools__profiles__sample__unpack(&b->alloc, s.len, d);
    if (m == NULL)
        return -1;
    if (pw_hot_sample_reserve(h, m->n_location_id, m->n_value, m->n_label) != 0)
        return -2;
    h->n_ids = m->n_location_id;
    h->n_values = m->n_value;
    h->n_labels = m->n_label;
    if (h->n_ids)
        memcpy(h->ids, m->location_id, h->n_ids * sizeof(uint64_t));
    if (h->n_values)
        memcpy(h->values, m->value, h->n_values * sizeof(int64_t));
    for (size_t k = 0; k < h->n_labels; k++) {
        h->labels[k].key = m->label[k]->key;
        h->labels[k].str = m->label[k]->str;
        h->labels[k].num = m->label[k]->num;
        h->labels[k].num_unit = m->label[k]->num_unit;
    }
    return 0;
}

static int build_labels(build_t *b, size_t n_labels, pw_sample_t *s, size_t si)
{
    int rc;
    s->labels = pw_arena_alloc(b->p->arena, n_labels * sizeof(pw_label_t));
    if (s->labels == NULL)
        return pw_err_set(b->err, PW_ENOMEM, "out of memory");
    for (size_t k = 0; k < n_labels; k++) {
        const pw_hot_label_t *ml = &b->smp.labels[k];
        pw_label_t *lb = &s->labels[s->n_labels];
        lb->str = NULL;
        lb->num = 0;
        lb->num_unit = NULL;
        if ((rc = getstr(b, ml->key, "label of sample", si, &lb->key)))
            return rc;
        if (ml->str != 0) {
            if ((rc = getstr(b, ml->str, "label of sample", si, &lb->str)))
                return rc;
        } else if (ml->num != 0 || ml->num_unit != 0) {
            lb->num = ml->num;
            lb->num_unit = "";
            if (ml->num_unit != 0 &&
                (rc = getstr(b, ml->num_unit, "label of sample", si, &lb->num_unit)))
                return rc;
        } else {
            continue; /* a key without a value: pprof drops it too */
        }
        s->n_labels++;
    }
    return 0;
}

static int build_samples(build_t *b)
{
    pw_profile_t *p = b->p;
    const pw_slices_t *ss = &b->w.sample;
    char what[64];
    int rc;
    if (ss->n > 0 && p->n_sample_types == 0)
        return pw_err_set(b->err, PW_EINVAL,
                          "malformed profile: it has %zu samples but no sample types", ss->n);
    p->n_samples = ss->n;
    p->samples = pw_arena_alloc(p->arena, (ss->n + 1) * sizeof(pw_sample_t));
    if (p->samples == NULL)
        return pw_err_set(b->err, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < ss->n; i++) {
        int r = read_sample(b, ss->v[i]);
        const pw_hot_sample_t *h = &b->smp;
        if (r == -2)
            return pw_err_set(b->err, PW_ENOMEM, "out of memory");
        if (r != 0) {
            snprintf(what, sizeof(what), "sample #%zu", i);
            return unpack_failed(b, ss->v[i], PW_WIRE_SAMPLE, what);
        }
        pw_sample_t *s = &p->samples[i];
        if (h->n_values != p->n_sample_types)
            return pw_err_set(b->err, PW_EINVAL,
                              "malformed profile: sample #%zu has %zu values but the profile "
                              "declares %zu sample types",
                              i, h->n_values, p->n_sample_types);
        if (h->n_ids > UINT32_MAX || h->n_labels > UINT32_MAX)
            return pw_err_set(b->err, PW_EINVAL, "malformed profile: sample #%zu is too large", i);
        s->n_locs = (uint32_t)h->n_ids;
        s->n_labels = 0;
        s->labels = NULL;
        s->locs = pw_arena_alloc(p->arena, (h->n_ids + 1) * sizeof(uint32_t));
        s->values = pw_arena_alloc(p->arena, (h->n_values + 1) * sizeof(int64_t));
        if (s->locs == NULL || s->values == NULL)
            return pw_err_set(b->err, PW_ENOMEM, "out of memory");
        if (h->n_values)
            memcpy(s->values, h->values, h->n_values * sizeof(int64_t));
        for (size_t k = 0; k < h->n_ids; k++) {
            uint32_t li = p->n_locations ? idmap_get(&b->loc_ids, h->ids[k]) : PW_NONE;
            if (li == PW_NONE)
                return pw_err_set(b->err, PW_EINVAL,
                                  "malformed profile: sample #%zu refers to location id %" PRIu64
                                  ", which is not in the profile",
                                  i, h->ids[k]);
            s->locs[k] = li;
        }
        if (h->n_labels > 0 && (rc = build_labels(b, h->n_labels, s, i)) != 0)
            return rc;
    }
    return 0;
}

/* Decodes the protobuf bytes raw[0..len). */
static int decode_raw(const uint8_t *raw, size_t len, int reference, pw_profile_t *p, pw_err_t *err)
{
    build_t b;
    int rc;
    memset(&b, 0, sizeof(b));
    b.reference = reference;
    b.p = p;
    b.data = raw;
    b.err = err;
    if ((rc = pw_wire_walk(raw, len, &b.w, err)) != 0)
        goto done;
    b.scratch = pw_arena_create(0);
    if (b.scratch == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto done;
    }
    b.alloc.alloc = scratch_alloc;
    b.alloc.free = scratch_free;
    b.alloc.allocator_data = b.scratch;
    /* pprof's order of dependencies: strings, then what refers to them. */
    if ((rc = build_strings(&b)) || (rc = build_header(&b)) || (rc = build_mappings(&b)) ||
        (rc = build_functions(&b)) || (rc = build_locations(&b)) || (rc = build_samples(&b)))
        goto done;
done:
    idmap_free(&b.map_ids);
    idmap_free(&b.fn_ids);
    idmap_free(&b.loc_ids);
    pw_arena_destroy(b.scratch);
    pw_wire_free(&b.w);
    pw_hot_location_free(&b.loc);
    pw_hot_sample_free(&b.smp);
    return rc;
}

/* Decodes data; when owned is non-NULL it is data's malloc'd buffer, freed as
 * soon as it is no longer needed (right after decompression). */
static int decode(const uint8_t *data, size_t len, uint8_t *owned, const pw_pprof_opts_t *opts,
                  pw_profile_t **out, pw_err_t *err)
{
    size_t max = opts && opts->max_size ? opts->max_size : PW_PPROF_DEFAULT_MAX_SIZE;
    char lim[32];
    uint8_t *plain = NULL;
    size_t plain_len = len;
    const uint8_t *raw = data;
    pw_profile_t *p = NULL;
    int gz = 0;
    int rc;

    *out = NULL;
    pw_fmt_size(lim, sizeof(lim), max);
    if (len == 0) {
        rc = pw_err_set(err, PW_EINVAL, "empty input: a profile has at least a header");
        goto fail;
    }
    if (len > max) {
        rc =
            pw_err_set(err, PW_ETOOBIG,
                       "input is %zu bytes, over the %s limit; raise it with --max-size", len, lim);
        goto fail;
    }
    if (pw_gzip_is(data, len)) {
        if ((rc = pw_gzip_inflate(data, len, max, &plain, &plain_len, err)) != 0)
            goto fail;
        free(owned);
        owned = NULL;
        raw = plain;
        gz = 1;
        if (plain_len == 0) {
            rc = pw_err_set(err, PW_EINVAL, "the gzip stream is empty: no profile inside");
            goto fail;
        }
    }
    if ((rc = pw_wire_check_format(raw, plain_len, err)) != 0)
        goto fail;
    p = calloc(1, sizeof(*p));
    if (p == NULL || (p->arena = pw_arena_create(0)) == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    p->raw_size = plain_len;
    p->was_gzipped = gz;
    if ((rc = decode_raw(raw, plain_len, opts && opts->reference, p, err)) != 0)
        goto fail;
    *out = p;
    p = NULL;
fail:
    pw_profile_destroy(p);
    free(plain);
    free(owned);
    return rc;
}

int pw_pprof_decode(const uint8_t *data, size_t len, const pw_pprof_opts_t *opts,
                    pw_profile_t **out, pw_err_t *err)
{
    return decode(data, len, NULL, opts, out, err);
}

void pw_profile_destroy(pw_profile_t *p)
{
    if (p == NULL)
        return;
    pw_arena_destroy(p->arena);
    free(p);
}

int pw_pprof_load_file(const char *path, const pw_pprof_opts_t *opts, pw_profile_t **out,
                       pw_err_t *err)
{
    size_t max = opts && opts->max_size ? opts->max_size : PW_PPROF_DEFAULT_MAX_SIZE;
    char lim[32];
    pw_fmt_size(lim, sizeof(lim), max);
    int rc;
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return pw_err_set(err, errno == ENOENT ? PW_ENOENT : PW_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = pw_err_set(err, PW_EIO, "%s: cannot stat: %s", path, strerror(errno));
        goto fail_fd;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = pw_err_set(err, PW_EINVAL, "%s: is a directory, not a profile file", path);
        goto fail_fd;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        rc = pw_err_set(err, PW_ETOOBIG,
                        "%s: file is %lld bytes, over the %s limit; raise it with --max-size", path,
                        (long long)st.st_size, lim);
        goto fail_fd;
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "%s: out of memory", path);
        goto fail_fd;
    }
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                rc = pw_err_set(err, PW_ETOOBIG,
                                "%s: input is over the %s limit; raise it with --max-size", path,
                                lim);
                goto fail_buf;
            }
            size_t ncap = cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = pw_err_set(err, PW_ENOMEM, "%s: out of memory", path);
                goto fail_buf;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = pw_err_set(err, PW_EIO, "%s: read failed: %s", path, strerror(errno));
            goto fail_buf;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    rc = decode(buf, len, buf, opts, out, err); /* frees buf */
    buf = NULL;
    if (rc != 0)
        pw_err_prefix(err, "%s", path);
fail_buf:
    free(buf);
fail_fd:
    if (!is_stdin)
        close(fd);
    return rc;
}

int pw_profile_sample_index(const pw_profile_t *p, const char *name, pw_err_t *err)
{
    char names[512];
    if (p->n_sample_types == 0)
        return pw_err_set(err, PW_EINVAL, "the profile has no sample types");
    if (name == NULL || name[0] == '\0') {
        if (p->default_sample_type[0] != '\0')
            for (size_t i = 0; i < p->n_sample_types; i++)
                if (strcmp(p->sample_types[i].type, p->default_sample_type) == 0)
                    return (int)i;
        return (int)p->n_sample_types - 1;
    }
    char *end;
    errno = 0;
    long v = strtol(name, &end, 10);
    if (*end == '\0' && errno == 0) {
        if (v < 0 || (size_t)v >= p->n_sample_types)
            return pw_err_set(err, PW_EINVAL, "sample index %s is outside the range [0..%zu]", name,
                              p->n_sample_types - 1);
        return (int)v;
    }
    const char *no_inuse = strncmp(name, "inuse_", 6) == 0 ? name + 6 : name;
    for (size_t i = 0; i < p->n_sample_types; i++)
        if (strcmp(p->sample_types[i].type, name) == 0 ||
            strcmp(p->sample_types[i].type, no_inuse) == 0)
            return (int)i;
    pw_profile_sample_type_names(p, names, sizeof(names));
    return pw_err_set(err, PW_EINVAL, "sample index \"%s\" is not in this profile; it has: %s",
                      name, names);
}

void pw_profile_sample_type_names(const pw_profile_t *p, char *out, size_t n)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p->n_sample_types && off < n; i++) {
        int w = snprintf(out + off, n - off, "%s%s", i ? ", " : "", p->sample_types[i].type);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

int pw_profile_comparable(const pw_profile_t *a, const pw_profile_t *b, pw_err_t *err)
{
    int same = a->n_sample_types == b->n_sample_types &&
               strcmp(a->period_type.type, b->period_type.type) == 0 &&
               strcmp(a->period_type.unit, b->period_type.unit) == 0;
    for (size_t k = 0; same && k < a->n_sample_types; k++)
        same = strcmp(a->sample_types[k].type, b->sample_types[k].type) == 0 &&
               strcmp(a->sample_types[k].unit, b->sample_types[k].unit) == 0;
    if (same)
        return 0;
    char na[256], nb[256];
    pw_profile_sample_type_names(a, na, sizeof(na));
    pw_profile_sample_type_names(b, nb, sizeof(nb));
    return pw_err_set(err, PW_EINVAL,
                      "the profiles cannot be compared: sample types [%s] vs [%s] (or their "
                      "units or period types differ)",
                      na, nb);
}
