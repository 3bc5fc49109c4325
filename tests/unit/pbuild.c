#include "pbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pprof.pb-c.h"

typedef Perftools__Profiles__Profile profile_t;

struct pbuild {
    profile_t p;
    Perftools__Profiles__ValueType period_type;
};

#define GROW(arr, n) ((arr) = realloc((arr), ((n) + 1) * sizeof(*(arr))))

pbuild_t *pb_new(void)
{
    pbuild_t *b = calloc(1, sizeof(*b));
    perftools__profiles__profile__init(&b->p);
    pb_str(b, "");
    return b;
}

void pb_free(pbuild_t *b)
{
    profile_t *p = &b->p;
    for (size_t i = 0; i < p->n_string_table; i++)
        free(p->string_table[i]);
    free(p->string_table);
    for (size_t i = 0; i < p->n_sample_type; i++)
        free(p->sample_type[i]);
    free(p->sample_type);
    for (size_t i = 0; i < p->n_mapping; i++)
        free(p->mapping[i]);
    free(p->mapping);
    for (size_t i = 0; i < p->n_function; i++)
        free(p->function[i]);
    free(p->function);
    for (size_t i = 0; i < p->n_location; i++) {
        for (size_t k = 0; k < p->location[i]->n_line; k++)
            free(p->location[i]->line[k]);
        free(p->location[i]->line);
        free(p->location[i]);
    }
    free(p->location);
    for (size_t i = 0; i < p->n_sample; i++) {
        Perftools__Profiles__Sample *s = p->sample[i];
        for (size_t k = 0; k < s->n_label; k++)
            free(s->label[k]);
        free(s->label);
        free(s->location_id);
        free(s->value);
        free(s);
    }
    free(p->sample);
    free(p->comment);
    free(b);
}

int64_t pb_str(pbuild_t *b, const char *s)
{
    profile_t *p = &b->p;
    for (size_t i = 0; i < p->n_string_table; i++)
        if (strcmp(p->string_table[i], s) == 0)
            return (int64_t)i;
    GROW(p->string_table, p->n_string_table);
    p->string_table[p->n_string_table] = strdup(s);
    return (int64_t)p->n_string_table++;
}

void pb_sample_type(pbuild_t *b, const char *type, const char *unit)
{
    profile_t *p = &b->p;
    Perftools__Profiles__ValueType *vt = malloc(sizeof(*vt));
    perftools__profiles__value_type__init(vt);
    vt->type = pb_str(b, type);
    vt->unit = pb_str(b, unit);
    GROW(p->sample_type, p->n_sample_type);
    p->sample_type[p->n_sample_type++] = vt;
}

void pb_period(pbuild_t *b, const char *type, const char *unit, int64_t period)
{
    perftools__profiles__value_type__init(&b->period_type);
    b->period_type.type = pb_str(b, type);
    b->period_type.unit = pb_str(b, unit);
    b->p.period_type = &b->period_type;
    b->p.period = period;
}

void pb_header(pbuild_t *b, int64_t time_nanos, int64_t duration_nanos)
{
    b->p.time_nanos = time_nanos;
    b->p.duration_nanos = duration_nanos;
}

void pb_default_type(pbuild_t *b, const char *type)
{
    b->p.default_sample_type = pb_str(b, type);
}

uint64_t pb_mapping(pbuild_t *b, const char *file, const char *build_id)
{
    profile_t *p = &b->p;
    Perftools__Profiles__Mapping *m = malloc(sizeof(*m));
    perftools__profiles__mapping__init(m);
    m->id = p->n_mapping + 1;
    m->filename = pb_str(b, file);
    m->build_id = pb_str(b, build_id);
    m->has_functions = 1;
    GROW(p->mapping, p->n_mapping);
    p->mapping[p->n_mapping++] = m;
    return m->id;
}

uint64_t pb_function(pbuild_t *b, const char *name)
{
    profile_t *p = &b->p;
    for (size_t i = 0; i < p->n_function; i++)
        if (strcmp(p->string_table[p->function[i]->name], name) == 0)
            return p->function[i]->id;
    Perftools__Profiles__Function *f = malloc(sizeof(*f));
    perftools__profiles__function__init(f);
    f->id = p->n_function + 1;
    f->name = pb_str(b, name);
    f->system_name = f->name;
    f->filename = pb_str(b, "x.go");
    GROW(p->function, p->n_function);
    p->function[p->n_function++] = f;
    return f->id;
}

uint64_t pb_function_full(pbuild_t *b, const char *name, const char *system_name,
                          int64_t start_line)
{
    profile_t *p = &b->p;
    Perftools__Profiles__Function *f = malloc(sizeof(*f));
    perftools__profiles__function__init(f);
    f->id = p->n_function + 1;
    f->name = pb_str(b, name);
    f->system_name = pb_str(b, system_name);
    f->filename = pb_str(b, "x.cc");
    f->start_line = start_line;
    GROW(p->function, p->n_function);
    p->function[p->n_function++] = f;
    return f->id;
}

uint64_t pb_location(pbuild_t *b, uint64_t mapping, const uint64_t *funcs, size_t n)
{
    profile_t *p = &b->p;
    Perftools__Profiles__Location *l = malloc(sizeof(*l));
    perftools__profiles__location__init(l);
    l->id = p->n_location + 1;
    l->mapping_id = mapping;
    l->address = 0x1000 + l->id * 16;
    l->n_line = n;
    l->line = calloc(n + 1, sizeof(*l->line));
    for (size_t i = 0; i < n; i++) {
        l->line[i] = malloc(sizeof(**l->line));
        perftools__profiles__line__init(l->line[i]);
        l->line[i]->function_id = funcs[i];
        l->line[i]->line = 10 + (int64_t)i;
    }
    GROW(p->location, p->n_location);
    p->location[p->n_location++] = l;
    return l->id;
}

void pb_sample(pbuild_t *b, const uint64_t *locs, size_t n, const int64_t *values)
{
    profile_t *p = &b->p;
    Perftools__Profiles__Sample *s = malloc(sizeof(*s));
    perftools__profiles__sample__init(s);
    s->n_location_id = n;
    s->location_id = malloc((n + 1) * sizeof(uint64_t));
    memcpy(s->location_id, locs, n * sizeof(uint64_t));
    s->n_value = p->n_sample_type;
    s->value = malloc((s->n_value + 1) * sizeof(int64_t));
    memcpy(s->value, values, s->n_value * sizeof(int64_t));
    GROW(p->sample, p->n_sample);
    p->sample[p->n_sample++] = s;
}

void pb_sample_label(pbuild_t *b, const char *key, const char *str)
{
    Perftools__Profiles__Sample *s = b->p.sample[b->p.n_sample - 1];
    Perftools__Profiles__Label *l = malloc(sizeof(*l));
    perftools__profiles__label__init(l);
    l->key = pb_str(b, key);
    l->str = pb_str(b, str);
    GROW(s->label, s->n_label);
    s->label[s->n_label++] = l;
}

void pb_sample_num_label(pbuild_t *b, const char *key, int64_t num, const char *unit)
{
    Perftools__Profiles__Sample *s = b->p.sample[b->p.n_sample - 1];
    Perftools__Profiles__Label *l = malloc(sizeof(*l));
    perftools__profiles__label__init(l);
    l->key = pb_str(b, key);
    l->num = num;
    l->num_unit = pb_str(b, unit);
    GROW(s->label, s->n_label);
    s->label[s->n_label++] = l;
}

void pb_comment(pbuild_t *b, const char *text)
{
    profile_t *p = &b->p;
    GROW(p->comment, p->n_comment);
    p->comment[p->n_comment++] = pb_str(b, text);
}

void pb_drop_keep(pbuild_t *b, const char *drop_frames, const char *keep_frames)
{
    b->p.drop_frames = pb_str(b, drop_frames);
    b->p.keep_frames = pb_str(b, keep_frames);
}

uint8_t *pb_pack(pbuild_t *b, int gzip, size_t *len)
{
    size_t n = perftools__profiles__profile__get_packed_size(&b->p);
    uint8_t *raw = malloc(n + 1);
    perftools__profiles__profile__pack(&b->p, raw);
    if (!gzip) {
        *len = n;
        return raw;
    }
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, n) + 32;
    uint8_t *out = malloc(cap);
    zs.next_in = raw;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    *len = zs.total_out;
    deflateEnd(&zs);
    free(raw);
    return out;
}

pw_profile_t *pb_decode(pbuild_t *b)
{
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pw_profile_t *p = NULL;
    pw_err_t err = {0};
    if (pw_pprof_decode(raw, n, NULL, &p, &err) != 0)
        fprintf(stderr, "decode: %s\n", err.msg);
    free(raw);
    pb_free(b);
    return p;
}
