#include "profwatch/fntab.h"

#include <stdlib.h>
#include <string.h>

#include "profwatch/err.h"

/* Attributed values come from the target's profile and wrap as pprof's Go
 * int64 arithmetic does (graph.c); doing it on uint64 keeps hostile values
 * (INT64_MIN, sums past INT64_MAX) defined. */
static inline int64_t wadd(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t wneg(int64_t a)
{
    return (int64_t)(0 - (uint64_t)a);
}

int pw_names_init(pw_names_t *p, size_t max)
{
    memset(p, 0, sizeof(*p));
    p->max = max;
    return pw_hmapstr_init(&p->map, 256);
}

void pw_names_free(pw_names_t *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->names[i]);
    free(p->names);
    pw_hmapstr_free(&p->map);
    memset(p, 0, sizeof(*p));
}

uint32_t pw_names_intern(pw_names_t *p, const char *name)
{
    size_t len = strlen(name);
    uint32_t h = pw_hash_bytes(name, len);
    uint32_t id = pw_hmapstr_get(&p->map, name, len, h);
    if (id != PW_HMAP_NONE)
        return id;
    if (p->n >= p->max)
        return UINT32_MAX;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        char **n = realloc(p->names, cap * sizeof(*n));
        if (n == NULL)
            return UINT32_MAX;
        p->names = n;
        p->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return UINT32_MAX;
    memcpy(copy, name, len + 1);
    id = (uint32_t)p->n;
    if (pw_hmapstr_put(&p->map, copy, len, h, id) == PW_HMAP_NONE) {
        free(copy);
        return UINT32_MAX;
    }
    p->names[p->n++] = copy;
    return id;
}

const char *pw_names_get(const pw_names_t *p, uint32_t id)
{
    return id < p->n ? p->names[id] : "[other]";
}

static int by_abs_attr(const void *a, const void *b)
{
    const pw_node_t *x = a, *y = b;
    /* |INT64_MIN| as uint64, so that it ranks first instead of overflowing. */
    uint64_t ax = x->attr < 0 ? (uint64_t)wneg(x->attr) : (uint64_t)x->attr;
    uint64_t ay = y->attr < 0 ? (uint64_t)wneg(y->attr) : (uint64_t)y->attr;
    if (ax != ay)
        return ax > ay ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int by_name_id(const void *a, const void *b)
{
    const pw_fnrow_t *x = a, *y = b;
    return x->name < y->name ? -1 : x->name > y->name;
}

int pw_fntab_from_graph(pw_fntab_t *t, const pw_graph_t *g, pw_names_t *pool, size_t max_rows)
{
    memset(t, 0, sizeof(*t));
    t->total = g->total;
    /* Only rows that carry attributed value matter to the rules. */
    size_t n = 0;
    pw_node_t *nodes = malloc((g->n_all + 1) * sizeof(*nodes));
    if (nodes == NULL)
        return PW_ENOMEM;
    for (size_t i = 0; i < g->n_all; i++) {
        if (g->all[i].attr == 0)
            continue;
        nodes[n++] = g->all[i];
        if (g->all[i].frame_class != PW_FRAME_RUNTIME)
            t->outside_runtime = wadd(t->outside_runtime, g->all[i].attr);
    }
    qsort(nodes, n, sizeof(*nodes), by_abs_attr);
    size_t keep = n < max_rows ? n : max_rows;
    t->rows = malloc((keep + 1) * sizeof(*t->rows));
    if (t->rows == NULL) {
        free(nodes);
        return PW_ENOMEM;
    }
    int64_t other = 0;
    for (size_t i = 0; i < n; i++) {
        if (i >= keep) {
            other = wadd(other, nodes[i].attr);
            continue;
        }
        uint32_t id = pw_names_intern(pool, nodes[i].name);
        if (id == UINT32_MAX) {
            free(nodes);
            pw_fntab_free(t);
            return PW_ETOOBIG;
        }
        t->rows[t->n].name = id;
        t->rows[t->n].frame_class = nodes[i].frame_class;
        t->rows[t->n++].attr = nodes[i].attr;
    }
    if (other != 0) {
        t->rows[t->n].name = PW_FNTAB_OTHER;
        t->rows[t->n].frame_class = PW_FRAME_OWN;
        t->rows[t->n++].attr = other;
    }
    free(nodes);
    qsort(t->rows, t->n, sizeof(*t->rows), by_name_id);
    /* Distinct graph nodes can share a printable name (nameless frames of
     * different binaries are all "[binary]"): one row per name id, so that
     * the merge in pw_fntab_diff pairs rows one to one. */
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (w > 0 && t->rows[w - 1].name == t->rows[i].name)
            t->rows[w - 1].attr = wadd(t->rows[w - 1].attr, t->rows[i].attr);
        else
            t->rows[w++] = t->rows[i];
    }
    t->n = w;
    return 0;
}

void pw_fntab_free(pw_fntab_t *t)
{
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

int pw_fntab_copy(pw_fntab_t *dst, const pw_fntab_t *src)
{
    *dst = *src;
    dst->rows = malloc((src->n + 1) * sizeof(*dst->rows));
    if (dst->rows == NULL) {
        dst->n = 0;
        return PW_ENOMEM;
    }
    memcpy(dst->rows, src->rows, src->n * sizeof(*dst->rows));
    return 0;
}

static void to_node(pw_node_t *n, const pw_names_t *pool, uint32_t id, uint8_t cls, int64_t attr)
{
    memset(n, 0, sizeof(*n));
    n->name = pw_names_get(pool, id);
    n->frame_class = cls;
    n->attr = attr;
}

int pw_fntab_diff(const pw_fntab_t *newer, const pw_fntab_t *older, const pw_names_t *pool,
                  pw_node_t **out, size_t *n)
{
    *out = malloc((newer->n + older->n + 1) * sizeof(pw_node_t));
    if (*out == NULL)
        return PW_ENOMEM;
    size_t i = 0, j = 0, k = 0;
    /* Both are sorted by name id: a merge. */
    while (i < newer->n || j < older->n) {
        const pw_fnrow_t *a = i < newer->n ? &newer->rows[i] : NULL;
        const pw_fnrow_t *b = j < older->n ? &older->rows[j] : NULL;
        if (b == NULL || (a != NULL && a->name < b->name)) {
            to_node(&(*out)[k++], pool, a->name, a->frame_class, a->attr);
            i++;
        } else if (a == NULL || b->name < a->name) {
            to_node(&(*out)[k++], pool, b->name, b->frame_class, wneg(b->attr));
            j++;
        } else {
            if (a->attr != b->attr)
                to_node(&(*out)[k++], pool, a->name, a->frame_class, wadd(a->attr, wneg(b->attr)));
            i++;
            j++;
        }
    }
    *n = k;
    return 0;
}

int pw_fntab_nodes(const pw_fntab_t *t, const pw_names_t *pool, pw_node_t **out, size_t *n)
{
    *out = malloc((t->n + 1) * sizeof(pw_node_t));
    if (*out == NULL)
        return PW_ENOMEM;
    for (size_t i = 0; i < t->n; i++)
        to_node(&(*out)[i], pool, t->rows[i].name, t->rows[i].frame_class, t->rows[i].attr);
    *n = t->n;
    return 0;
}
