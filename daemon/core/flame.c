#include "profwatch/flame.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/graph.h"
#include "profwatch/hmap.h"

void pw_flame_opts_default(pw_flame_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->width = PW_FLAME_DEFAULT_WIDTH;
}

/* A distinct frame name. Frames are told apart by key: the function name, or
 * for a frame without one, its start line and binary, as pw_graph does. */
typedef struct {
    const char *label; /* printable */
    const char *key;
    uint32_t rank;    /* position in (label, key) order: children sort by it */
    const char *copy; /* label in the tree's arena, made once the frame is kept */
} name_t;

/* A node of the full tree, before merging: one per distinct stack prefix. */
typedef struct {
    uint32_t name;
    uint32_t parent;
    int64_t value;
    int64_t base;
} tnode_t;

typedef struct {
    pw_flame_t *t;
    pw_arena_t *scratch; /* keys and labels of nameless frames */
    int vi;              /* sample value index */

    name_t *names;
    size_t n_names, cap_names;
    pw_hmapstr_t by_key;

    tnode_t *nodes;
    size_t n_nodes, cap_nodes, max_nodes;
    pw_hmap64_t child_ix; /* parent << 32 | name -> node */

    /* Per input, the name of each frame of each location, innermost first. */
    uint32_t *loc_first;
    uint32_t *loc_names;
} builder_t;

static uint32_t intern(builder_t *b, const char *label, const char *key)
{
    size_t n = strlen(key);
    uint32_t h = pw_hash_bytes(key, n);
    uint32_t id = pw_hmapstr_get(&b->by_key, key, n, h);
    if (id != PW_HMAP_NONE)
        return id;
    if (b->n_names == b->cap_names) {
        size_t cap = b->cap_names ? b->cap_names * 2 : 1024;
        name_t *nn = realloc(b->names, cap * sizeof(*nn));
        if (nn == NULL)
            return PW_NONE;
        b->names = nn;
        b->cap_names = cap;
    }
    id = (uint32_t)b->n_names;
    if (pw_hmapstr_put(&b->by_key, key, n, h, id) == PW_HMAP_NONE)
        return PW_NONE;
    b->names[b->n_names++] = (name_t){.label = label, .key = key};
    return id;
}

static uint32_t intern_nameless(builder_t *b, const char *obj, int64_t start_line)
{
    size_t cap = strlen(obj) + 32;
    char *key = pw_arena_alloc(b->scratch, cap);
    if (key == NULL)
        return PW_NONE;
    /* Function names do not start with \x01, so these keys stay apart from
     * named frames' (a hostile name that does only shares a frame's label). */
    int n = snprintf(key, cap, "\x01%lld:%s", (long long)start_line, obj);
    uint32_t id = pw_hmapstr_get(&b->by_key, key, (size_t)n, pw_hash_bytes(key, (size_t)n));
    if (id != PW_HMAP_NONE)
        return id;
    const char *label = pw_graph_nameless_name(b->scratch, obj);
    return label == NULL ? PW_NONE : intern(b, label, key);
}

static uint32_t name_cb(void *ctx, const char *name, const char *objfile, int64_t start_line)
{
    builder_t *b = ctx;
    return name[0] != '\0' ? intern(b, name, name) : intern_nameless(b, objfile, start_line);
}

/* The name of each frame of each location of p, innermost first. */
static int map_locations(builder_t *b, const pw_profile_t *p, pw_err_t *err)
{
    free(b->loc_first);
    free(b->loc_names);
    return pw_graph_map_frames(p, name_cb, b, &b->loc_first, &b->loc_names, err);
}

static uint32_t child(builder_t *b, uint32_t parent, uint32_t name, pw_err_t *err)
{
    uint64_t key = ((uint64_t)parent << 32) | name;
    uint32_t id = pw_hmap64_put(&b->child_ix, key, (uint32_t)b->n_nodes);
    if (id == PW_HMAP_NONE) {
        pw_err_set(err, PW_ENOMEM, "out of memory building the flame graph");
        return PW_NONE;
    }
    if (id != b->n_nodes)
        return id;
    if (b->n_nodes == b->max_nodes) {
        pw_err_set(err, PW_ETOOBIG,
                   "the call stacks make more than %zu distinct frames, the flame graph's limit",
                   b->max_nodes);
        return PW_NONE;
    }
    if (b->n_nodes == b->cap_nodes) {
        size_t cap = b->cap_nodes * 2;
        tnode_t *nn = realloc(b->nodes, cap * sizeof(*nn));
        if (nn == NULL) {
            pw_err_set(err, PW_ENOMEM, "out of memory building the flame graph");
            return PW_NONE;
        }
        b->nodes = nn;
        b->cap_nodes = cap;
    }
    b->nodes[b->n_nodes] = (tnode_t){.name = name, .parent = parent};
    return (uint32_t)b->n_nodes++;
}

/* Adds every sample of p to the tree, from the root (the outermost frame of
 * the last location) to the leaf, into value or (is_base) base. */
static int add_samples(builder_t *b, const pw_profile_t *p, int is_base, pw_err_t *err)
{
    int rc = map_locations(b, p, err);
    if (rc != 0)
        return rc;
    for (size_t si = 0; si < p->n_samples; si++) {
        const pw_sample_t *s = &p->samples[si];
        int64_t v = s->values[b->vi];
        if (v <= 0)
            continue;
        /* Every frame's value is at most the root's: checking the root keeps
         * all sums, and every x + width, inside int64. */
        int64_t *root = is_base ? &b->nodes[0].base : &b->nodes[0].value;
        if (v > INT64_MAX - *root)
            return pw_err_set(err, PW_EINVAL,
                              "sample %zu: the %s values add up past the largest 64-bit integer",
                              si, is_base ? "base's" : "profile's");
        *root += v;
        uint32_t cur = 0;
        for (uint32_t li = s->n_locs; li-- > 0;) {
            uint32_t loc = s->locs[li];
            for (uint32_t k = b->loc_first[loc + 1]; k-- > b->loc_first[loc];) {
                cur = child(b, cur, b->loc_names[k], err);
                if (cur == PW_NONE)
                    return err->code;
                if (is_base)
                    b->nodes[cur].base += v;
                else
                    b->nodes[cur].value += v;
            }
        }
    }
    return 0;
}

typedef struct {
    const char *label;
    const char *key;
    uint32_t id;
} by_name_t;

static int cmp_name(const void *x, const void *y)
{
    const by_name_t *l = x, *r = y;
    int c = strcmp(l->label, r->label);
    return c != 0 ? c : strcmp(l->key, r->key);
}

typedef struct {
    uint32_t rank;
    uint32_t node;
} order_t;

static int cmp_order(const void *x, const void *y)
{
    uint32_t a = ((const order_t *)x)->rank, c = ((const order_t *)y)->rank;
    return a < c ? -1 : a > c;
}

/* Children of each node in name order: kids[first[n] .. first[n + 1]). */
static int sort_children(builder_t *b, uint32_t **first_out, uint32_t **kids_out)
{
    by_name_t *idx = malloc((b->n_names + 1) * sizeof(by_name_t));
    order_t *ord = malloc(b->n_nodes * sizeof(order_t));
    uint32_t *first = calloc(b->n_nodes + 1, sizeof(uint32_t));
    uint32_t *kids = malloc(b->n_nodes * sizeof(uint32_t));
    if (idx == NULL || ord == NULL || first == NULL || kids == NULL) {
        free(idx);
        free(ord);
        free(first);
        free(kids);
        return -1;
    }
    for (uint32_t i = 0; i < b->n_names; i++)
        idx[i] = (by_name_t){b->names[i].label, b->names[i].key, i};
    qsort(idx, b->n_names, sizeof(by_name_t), cmp_name);
    for (uint32_t i = 0; i < b->n_names; i++)
        b->names[idx[i].id].rank = i;
    free(idx);

    /* Group the nodes by parent (a counting sort: first[p] becomes the
     * start of p's children), then sort each group by name. Most groups are
     * one or two nodes, so this is much cheaper than one sort of all. */
    for (uint32_t i = 1; i < b->n_nodes; i++)
        first[b->nodes[i].parent + 1]++;
    for (size_t i = 0; i < b->n_nodes; i++)
        first[i + 1] += first[i];
    for (uint32_t i = 1; i < b->n_nodes; i++) {
        uint32_t pos = first[b->nodes[i].parent]++;
        ord[pos] = (order_t){b->names[b->nodes[i].name].rank, i};
    }
    /* The placing moved each start to the next group's: shift them back. */
    for (size_t i = b->n_nodes; i > 0; i--)
        first[i] = first[i - 1];
    first[0] = 0;
    for (size_t p = 0; p < b->n_nodes; p++)
        if (first[p + 1] - first[p] > 1)
            qsort(ord + first[p], first[p + 1] - first[p], sizeof(order_t), cmp_order);
    for (size_t i = 0; i + 1 < b->n_nodes; i++)
        kids[i] = ord[i].node;
    free(ord);
    *first_out = first;
    *kids_out = kids;
    return 0;
}

/* A frame waiting to be written: a node of the full tree, or (node ==
 * PW_NONE) the merged frame of its parent's narrow children. */
typedef struct {
    uint32_t node;
    uint32_t parent;
    uint32_t depth;
    uint32_t n_merged;
    int64_t x;
    int64_t value;
    int64_t base;
} item_t;

typedef struct {
    item_t *items;
    size_t n, cap;
} todo_t;

static int push(todo_t *s, item_t it)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        item_t *ni = realloc(s->items, cap * sizeof(*ni));
        if (ni == NULL)
            return -1;
        s->items = ni;
        s->cap = cap;
    }
    s->items[s->n++] = it;
    return 0;
}

static int add_frame(pw_flame_t *t, size_t *cap, const pw_flame_frame_t *f)
{
    if (t->n_frames == *cap) {
        size_t nc = *cap ? *cap * 2 : 1024;
        pw_flame_frame_t *nf = realloc(t->frames, nc * sizeof(*nf));
        if (nf == NULL)
            return -1;
        t->frames = nf;
        *cap = nc;
    }
    t->frames[t->n_frames++] = *f;
    return 0;
}

/* Narrower than one pixel when the total is width pixels wide. */
static inline int narrow(int64_t value, unsigned width, double total)
{
    return width != 0 && (double)value * width < total;
}

/* Writes the tree in pre-order, children by name, merging the children of a
 * frame that are narrower than one pixel at width into one frame after the
 * others. Walks with an explicit stack: hostile stacks may be very deep. */
static int emit(builder_t *b, const uint32_t *first, const uint32_t *kids, unsigned width,
                pw_err_t *err)
{
    pw_flame_t *t = b->t;
    todo_t st = {0};
    size_t cap = 0;
    int rc = PW_ENOMEM;
    const double total = (double)b->nodes[0].value;

    if (push(&st, (item_t){.node = 0,
                           .parent = PW_NONE,
                           .value = b->nodes[0].value,
                           .base = b->nodes[0].base}) != 0)
        goto fail;
    while (st.n > 0) {
        item_t it = st.items[--st.n];
        pw_flame_frame_t f = {.parent = it.parent,
                              .depth = it.depth,
                              .n_merged = it.n_merged,
                              .x = it.x,
                              .value = it.value,
                              .self = it.value,
                              .base = t->is_diff ? it.base : 0};
        uint32_t self_ix = (uint32_t)t->n_frames;
        if (it.node == PW_NONE) {
            f.name = PW_FLAME_MERGED_NAME;
        } else if (it.node == 0) {
            f.name = "root";
        } else {
            name_t *nm = &b->names[b->nodes[it.node].name];
            if (nm->copy == NULL && (nm->copy = pw_arena_strdup(t->arena, nm->label)) == NULL)
                goto fail;
            f.name = nm->copy;
        }
        if (it.node != PW_NONE) {
            /* Wide children keep their order; narrow ones fold into one frame
             * pushed first, so that it is written after them. */
            int64_t wide = 0;
            item_t merged = {.node = PW_NONE, .parent = self_ix, .depth = it.depth + 1};
            for (uint32_t k = first[it.node]; k < first[it.node + 1]; k++) {
                const tnode_t *c = &b->nodes[kids[k]];
                f.self -= c->value;
                if (c->value == 0)
                    continue; /* only in the base: no width */
                if (narrow(c->value, width, total)) {
                    merged.n_merged++;
                    merged.value += c->value;
                    merged.base += c->base;
                } else {
                    wide += c->value;
                    f.n_children++;
                }
            }
            if (merged.n_merged > 0) {
                merged.x = it.x + wide;
                f.n_children++;
                if (push(&st, merged) != 0)
                    goto fail;
            }
            int64_t x = it.x + wide;
            for (uint32_t k = first[it.node + 1]; k-- > first[it.node];) {
                const tnode_t *c = &b->nodes[kids[k]];
                if (c->value == 0 || narrow(c->value, width, total))
                    continue;
                x -= c->value;
                if (push(&st, (item_t){.node = kids[k],
                                       .parent = self_ix,
                                       .depth = it.depth + 1,
                                       .x = x,
                                       .value = c->value,
                                       .base = c->base}) != 0)
                    goto fail;
            }
        }
        if (add_frame(t, &cap, &f) != 0)
            goto fail;
        if (f.depth > t->max_depth)
            t->max_depth = f.depth;
        if (t->is_diff) {
            int64_t d = f.value > f.base ? f.value - f.base : f.base - f.value;
            if (d > t->max_delta)
                t->max_delta = d;
        }
    }
    rc = 0;
fail:
    free(st.items);
    if (rc != 0)
        pw_err_set(err, PW_ENOMEM, "out of memory writing the flame graph");
    return rc;
}

static void builder_free(builder_t *b)
{
    free(b->names);
    free(b->nodes);
    free(b->loc_first);
    free(b->loc_names);
    pw_hmapstr_free(&b->by_key);
    pw_hmap64_free(&b->child_ix);
    pw_arena_destroy(b->scratch);
}

int pw_flame_build(const pw_profile_t *prof, const pw_profile_t *base, const pw_flame_opts_t *opts,
                   pw_flame_t **out, pw_err_t *err)
{
    pw_flame_opts_t defaults;
    builder_t b;
    uint32_t *first = NULL, *kids = NULL;
    int rc;

    *out = NULL;
    if (opts == NULL) {
        pw_flame_opts_default(&defaults);
        opts = &defaults;
    }
    if (base != NULL && (rc = pw_profile_comparable(prof, base, err)) != 0)
        return rc;
    /* As in a pprof merge, a default sample type missing from NEW comes
     * from BASE. */
    pw_profile_t view = *prof;
    if (base != NULL && view.default_sample_type[0] == '\0')
        view.default_sample_type = base->default_sample_type;
    rc = pw_profile_sample_index(&view, opts->sample_index, err);
    if (rc < 0)
        return rc;

    memset(&b, 0, sizeof(b));
    b.vi = rc;
    b.max_nodes = opts->max_nodes ? opts->max_nodes : PW_FLAME_DEFAULT_MAX_NODES;
    /* Frames are indexed by uint32_t, and merging can add one per node. */
    if (b.max_nodes > UINT32_MAX / 2 - 1)
        b.max_nodes = UINT32_MAX / 2 - 1;
    b.cap_nodes = 1024;
    pw_flame_t *t = calloc(1, sizeof(*t));
    b.t = t;
    b.nodes = malloc(b.cap_nodes * sizeof(tnode_t));
    if (t == NULL || b.nodes == NULL || (t->arena = pw_arena_create(0)) == NULL ||
        (b.scratch = pw_arena_create(0)) == NULL || pw_hmapstr_init(&b.by_key, 1024) != 0 ||
        pw_hmap64_init(&b.child_ix, 4096) != 0) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail_build;
    }
    t->is_diff = base != NULL;
    t->width = opts->width;
    t->sample_type = pw_arena_strdup(t->arena, view.sample_types[b.vi].type);
    t->sample_unit = pw_arena_strdup(t->arena, view.sample_types[b.vi].unit);
    if (t->sample_type == NULL || t->sample_unit == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail_build;
    }
    b.nodes[0] = (tnode_t){.name = PW_NONE, .parent = PW_NONE};
    b.n_nodes = 1;
    if ((rc = add_samples(&b, prof, 0, err)) != 0)
        goto fail_build;
    if (base != NULL && (rc = add_samples(&b, base, 1, err)) != 0)
        goto fail_build;
    t->n_full = b.n_nodes - 1;

    if (sort_children(&b, &first, &kids) != 0) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory sorting the flame graph");
        goto fail_build;
    }
    rc = emit(&b, first, kids, opts->width, err);
    free(first);
    free(kids);
    if (rc != 0)
        goto fail_build;
    builder_free(&b);
    *out = t;
    return 0;

fail_build:
    builder_free(&b);
    pw_flame_destroy(t);
    return rc;
}

void pw_flame_destroy(pw_flame_t *t)
{
    if (t == NULL)
        return;
    free(t->frames);
    pw_arena_destroy(t->arena);
    free(t);
}

static void mix(char out[8], const int from[3], const int to[3], double s)
{
    int c[3];
    for (int i = 0; i < 3; i++)
        c[i] = (int)lround(from[i] + (to[i] - from[i]) * s);
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* The package of a Go function name: what follows the last '/' up to the
 * first '.', so "github.com/x/y/pkg.(*T).M" gives "pkg". */
static void package_span(const char *name, const char **start, size_t *len)
{
    const char *s = name;
    for (const char *p = name; *p != '\0' && *p != '('; p++)
        if (*p == '/')
            s = p + 1;
    const char *dot = strchr(s, '.');
    *start = s;
    *len = dot != NULL ? (size_t)(dot - s) : strlen(s);
}

void pw_flame_diff_color(double ratio, char out[8])
{
    static const int grey[3] = {0xdc, 0xdc, 0xdc};
    static const int red[3] = {0xe0, 0x2d, 0x1b};
    static const int blue[3] = {0x25, 0x6c, 0xd8};
    if (!(ratio == ratio))
        ratio = 0; /* NaN */
    double s = sqrt(fabs(ratio));
    mix(out, grey, ratio > 0 ? red : blue, s > 1 ? 1 : s);
}

void pw_flame_color(const pw_flame_t *t, const pw_flame_frame_t *f, char out[8])
{
    if (t->is_diff) {
        double d = (double)(f->value - f->base);
        pw_flame_diff_color(t->max_delta > 0 ? d / (double)t->max_delta : 0, out);
        return;
    }
    if (f->n_merged > 0 || f->parent == PW_NONE) {
        snprintf(out, 8, "#c8c8c8");
        return;
    }
    const char *pkg;
    size_t n;
    package_span(f->name, &pkg, &n);
    uint32_t h = pw_hash_bytes(pkg, n);
    snprintf(out, 8, "#%02x%02x%02x", 0xd0 + (h & 0x2f), 0x60 + ((h >> 8) % 0x90),
             0x30 + ((h >> 16) % 0x38));
}
