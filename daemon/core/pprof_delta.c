/* The difference of two cumulative profiles of one process, written back as
 * a profile, so that a capture holds what the daemon judged (the delay of
 * one interval) and not everything since the process started. It uses the
 * generated protobuf-c code in both directions: this runs once per capture,
 * not per scrape, so fidelity matters more than speed. */
#include <stdlib.h>
#include <string.h>

#include "pprof.pb-c.h"
#include "profwatch/arena.h"
#include "profwatch/buf.h"
#include "profwatch/gzip.h"
#include "profwatch/hmap.h"
#include "profwatch/pprof.h"

typedef struct {
    Perftools__Profiles__Profile *p;
    pw_hmap64_t loc_ix; /* location id -> index */
    pw_hmap64_t fn_ix;  /* function id -> index */
} side_t;

static void close_side(side_t *s)
{
    if (s->p != NULL)
        perftools__profiles__profile__free_unpacked(s->p, NULL);
    pw_hmap64_free(&s->loc_ix);
    pw_hmap64_free(&s->fn_ix);
}

static int open_side(const uint8_t *data, size_t len, size_t max, const char *which, side_t *s,
                     pw_err_t *err)
{
    uint8_t *plain = NULL;
    size_t n = len;
    int rc;
    memset(s, 0, sizeof(*s));
    if (pw_gzip_is(data, len)) {
        if ((rc = pw_gzip_inflate(data, len, max, &plain, &n, err)) != 0) {
            pw_err_prefix(err, "the %s profile", which);
            return rc;
        }
        data = plain;
    } else if (len > max) {
        return pw_err_set(err, PW_ETOOBIG, "the %s profile is over %zu bytes", which, max);
    }
    s->p = perftools__profiles__profile__unpack(NULL, n, data);
    free(plain);
    if (s->p == NULL)
        return pw_err_set(err, PW_EINVAL, "the %s profile is not a valid pprof protobuf", which);
    if (pw_hmap64_init(&s->loc_ix, s->p->n_location) != 0 ||
        pw_hmap64_init(&s->fn_ix, s->p->n_function) != 0)
        goto fail_oom;
    for (size_t i = 0; i < s->p->n_location; i++)
        if (pw_hmap64_put(&s->loc_ix, s->p->location[i]->id, (uint32_t)i) == PW_HMAP_NONE)
            goto fail_oom;
    for (size_t i = 0; i < s->p->n_function; i++)
        if (pw_hmap64_put(&s->fn_ix, s->p->function[i]->id, (uint32_t)i) == PW_HMAP_NONE)
            goto fail_oom;
    return 0;
fail_oom:
    close_side(s);
    return pw_err_set(err, PW_ENOMEM, "out of memory");
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* What a location stands for across two scrapes: its address in the same
 * binary, or its functions and lines when it has none. */
static uint64_t loc_identity(const side_t *s, uint64_t id)
{
    uint32_t i = pw_hmap64_get(&s->loc_ix, id);
    if (i == PW_HMAP_NONE)
        return fnv(14695981039346656037ull, &id, sizeof(id));
    const Perftools__Profiles__Location *loc = s->p->location[i];
    if (loc->address != 0)
        return loc->address;
    uint64_t h = 14695981039346656037ull;
    for (size_t k = 0; k < loc->n_line; k++) {
        const Perftools__Profiles__Line *ln = loc->line[k];
        uint32_t f = pw_hmap64_get(&s->fn_ix, ln->function_id);
        int64_t name = f == PW_HMAP_NONE ? -1 : s->p->function[f]->name;
        if (name > 0 && (uint64_t)name < s->p->n_string_table)
            h = fnv(h, s->p->string_table[name], strlen(s->p->string_table[name]));
        h = fnv(h, &ln->line, sizeof(ln->line));
    }
    return h;
}

static int stack_key(const side_t *s, const Perftools__Profiles__Sample *sm, pw_buf_t *key)
{
    pw_buf_reset(key);
    for (size_t i = 0; i < sm->n_location_id; i++) {
        uint64_t v = loc_identity(s, sm->location_id[i]);
        if (pw_buf_append(key, &v, sizeof(v)) != 0)
            return -1;
    }
    return 0;
}

static int same_types(const side_t *a, const side_t *b)
{
    if (a->p->n_sample_type != b->p->n_sample_type)
        return 0;
    for (size_t i = 0; i < a->p->n_sample_type; i++) {
        int64_t ta = a->p->sample_type[i]->type, tb = b->p->sample_type[i]->type;
        if (ta < 0 || tb < 0 || (uint64_t)ta >= a->p->n_string_table ||
            (uint64_t)tb >= b->p->n_string_table ||
            strcmp(a->p->string_table[ta], b->p->string_table[tb]) != 0)
            return 0;
    }
    return 1;
}

int pw_pprof_delta(const uint8_t *newer, size_t newer_len, const uint8_t *older, size_t older_len,
                   size_t max, uint8_t **out, size_t *out_len, pw_err_t *err)
{
    side_t nw, old;
    pw_hmapstr_t keys;
    pw_arena_t *arena = NULL;
    pw_buf_t key;
    int64_t *left = NULL; /* per old stack: values not yet subtracted */
    Perftools__Profiles__Sample **kept = NULL;
    uint8_t *packed = NULL;
    int rc;

    *out = NULL;
    *out_len = 0;
    pw_buf_init(&key);
    memset(&keys, 0, sizeof(keys));
    if ((rc = open_side(newer, newer_len, max, "newer", &nw, err)) != 0)
        return rc;
    if ((rc = open_side(older, older_len, max, "older", &old, err)) != 0)
        goto fail_newer;
    if (!same_types(&nw, &old)) {
        rc = pw_err_set(err, PW_EINVAL, "the two profiles have different sample types");
        goto fail_older;
    }
    size_t nv = nw.p->n_sample_type;
    arena = pw_arena_create(0);
    left = calloc((old.p->n_sample + 1) * (nv + 1), sizeof(*left));
    kept = calloc(nw.p->n_sample + 1, sizeof(*kept));
    if (arena == NULL || left == NULL || kept == NULL ||
        pw_hmapstr_init(&keys, old.p->n_sample) != 0)
        goto fail_oom;

    /* The older profile, summed per stack. */
    uint32_t n_keys = 0;
    for (size_t i = 0; i < old.p->n_sample; i++) {
        const Perftools__Profiles__Sample *sm = old.p->sample[i];
        if (sm->n_value != nv || stack_key(&old, sm, &key) != 0)
            continue;
        char *k = pw_arena_alloc(arena, key.len + 1);
        if (k == NULL)
            goto fail_oom;
        memcpy(k, key.data, key.len);
        uint32_t at = pw_hmapstr_put(&keys, k, key.len, pw_hash_bytes(k, key.len), n_keys);
        if (at == PW_HMAP_NONE)
            goto fail_oom;
        if (at == n_keys)
            n_keys++;
        for (size_t v = 0; v < nv; v++)
            left[(size_t)at * nv + v] += sm->value[v];
    }

    /* The newer one, less what the older one already had. */
    size_t n_kept = 0;
    for (size_t i = 0; i < nw.p->n_sample; i++) {
        Perftools__Profiles__Sample *sm = nw.p->sample[i];
        if (sm->n_value != nv || stack_key(&nw, sm, &key) != 0)
            continue;
        uint32_t at = pw_hmapstr_get(&keys, (const char *)key.data, key.len,
                                     pw_hash_bytes(key.data, key.len));
        int grew = 0;
        for (size_t v = 0; v < nv; v++) {
            if (at != PW_HMAP_NONE) {
                int64_t *l = &left[(size_t)at * nv + v];
                int64_t take = *l < sm->value[v] ? *l : sm->value[v];
                if (take > 0) {
                    sm->value[v] -= take;
                    *l -= take;
                }
            }
            grew |= sm->value[v] > 0;
        }
        if (grew)
            kept[n_kept++] = sm;
    }

    /* Pack with the kept samples, then put the full list back for the free. */
    Perftools__Profiles__Sample **all = nw.p->sample;
    size_t n_all = nw.p->n_sample;
    nw.p->sample = kept;
    nw.p->n_sample = n_kept;
    if (old.p->time_nanos > 0 && nw.p->time_nanos > old.p->time_nanos) {
        nw.p->duration_nanos = nw.p->time_nanos - old.p->time_nanos;
        nw.p->time_nanos = old.p->time_nanos;
    }
    size_t size = perftools__profiles__profile__get_packed_size(nw.p);
    packed = malloc(size + 1);
    if (packed != NULL)
        perftools__profiles__profile__pack(nw.p, packed);
    nw.p->sample = all;
    nw.p->n_sample = n_all;
    if (packed == NULL)
        goto fail_oom;
    rc = pw_gzip_deflate(packed, size, out, out_len, err);
    goto done;

fail_oom:
    rc = pw_err_set(err, PW_ENOMEM, "out of memory");
done:
    free(packed);
    free(kept);
    free(left);
    pw_hmapstr_free(&keys);
    pw_arena_destroy(arena);
    pw_buf_free(&key);
fail_older:
    close_side(&old);
fail_newer:
    close_side(&nw);
    return rc;
}
