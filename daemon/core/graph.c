#include "profwatch/graph.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/hmap.h"

/* pprof does this arithmetic on Go int64, which wraps; doing it on uint64
 * keeps hostile values defined and the results identical. */
static inline int64_t wadd(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t wneg(int64_t a)
{
    return (int64_t)(0 - (uint64_t)a);
}

static inline int64_t wabs(int64_t a)
{
    return a < 0 ? wneg(a) : a;
}

/* int64(float64(x) * f) as Go computes it; out-of-range floats map to the
 * value amd64 produces (INT64_MIN) instead of C's undefined behaviour. */
static int64_t f2i(double v)
{
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)v;
}

void pw_graph_opts_default(pw_graph_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->node_fraction = 0.005;
    o->edge_fraction = 0.001;
}

typedef struct {
    uint32_t src, dst;
    int64_t weight;
    uint32_t stamp;
    uint8_t inl;
} edge_t;

typedef struct {
    const pw_profile_t *prof;
    int is_base;
    uint32_t *loc_first; /* n_locations + 1 offsets into frames */
    uint32_t *frames;    /* node ids per location, innermost line first */
    uint32_t *kept_first;
    uint32_t *kept_frames; /* frames of kept nodes, | INLINE_BIT when inlined */
} input_t;

typedef struct {
    pw_graph_t *g;
    input_t *in;
    size_t n_in;
    int vi; /* sample value index */
    size_t n_nodes;
    size_t cap_nodes;
    pw_node_t *nodes;
    pw_hmapstr_t by_name;
    pw_hmapstr_t by_obj; /* nameless frames: keyed by objfile + start line */
    uint32_t *stamp;
    /* edges of the last pass */
    edge_t *edges;
    size_t n_edges, cap_edges;
    pw_hmap64_t edge_ix;
} builder_t;

const char *pw_graph_nameless_name(pw_arena_t *a, const char *objfile)
{
    if (objfile[0] == '\0')
        return "<unknown>";
    /* filepath.Base: strip trailing slashes, keep what follows the last '/'. */
    size_t n = strlen(objfile);
    while (n > 1 && objfile[n - 1] == '/')
        n--;
    if (n == 1 && objfile[0] == '/')
        return "/";
    size_t s = n;
    while (s > 0 && objfile[s - 1] != '/')
        s--;
    char *out = pw_arena_alloc(a, n - s + 3);
    if (out == NULL)
        return NULL;
    out[0] = '[';
    memcpy(out + 1, objfile + s, n - s);
    out[n - s + 1] = ']';
    out[n - s + 2] = '\0';
    return out;
}

static uint32_t new_node(builder_t *b, const char *name, const char *obj, int64_t start)
{
    if (b->n_nodes == b->cap_nodes)
        return PW_NONE; /* cannot happen: cap_nodes is an upper bound */
    pw_node_t *n = &b->nodes[b->n_nodes];
    memset(n, 0, sizeof(*n));
    n->start_line = start;
    if (name[0] != '\0') {
        n->name = name;
    } else {
        n->objfile = obj;
        n->name = pw_graph_nameless_name(b->g->arena, obj);
    }
    if (n->name == NULL)
        return PW_NONE;
    return (uint32_t)b->n_nodes++;
}

/* The node for one frame: by function name; frames without a name are told
 * apart by binary and start line, as pprof's NodeInfo does. */
static uint32_t node_for(builder_t *b, const char *fname, const char *obj, int64_t start)
{
    pw_arena_t *a = b->g->arena;
    if (fname[0] != '\0') {
        size_t n = strlen(fname);
        uint32_t h = pw_hash_bytes(fname, n);
        uint32_t id = pw_hmapstr_get(&b->by_name, fname, n, h);
        if (id != PW_HMAP_NONE)
            return id;
        id = new_node(b, fname, "", 0);
        if (id == PW_NONE || pw_hmapstr_put(&b->by_name, fname, n, h, id) == PW_HMAP_NONE)
            return PW_NONE;
        return id;
    }
    char key[64];
    size_t on = strlen(obj);
    int kn = snprintf(key, sizeof(key), "%lld:", (long long)start);
    char *full = pw_arena_alloc(a, (size_t)kn + on + 1);
    if (full == NULL)
        return PW_NONE;
    memcpy(full, key, (size_t)kn);
    memcpy(full + kn, obj, on + 1);
    size_t n = (size_t)kn + on;
    uint32_t h = pw_hash_bytes(full, n);
    uint32_t id = pw_hmapstr_get(&b->by_obj, full, n, h);
    if (id != PW_HMAP_NONE)
        return id; /* the key copy stays in the arena: small, and only for nameless frames */
    id = new_node(b, "", full + kn, start);
    if (id == PW_NONE || pw_hmapstr_put(&b->by_obj, full, n, h, id) == PW_HMAP_NONE)
        return PW_NONE;
    return id;
}

int pw_graph_map_frames(const pw_profile_t *p, pw_graph_frame_cb cb, void *ctx,
                        uint32_t **loc_first_out, uint32_t **ids_out, pw_err_t *err)
{
    *loc_first_out = NULL;
    *ids_out = NULL;
    size_t total = 0;
    for (size_t i = 0; i < p->n_locations; i++)
        total += p->locations[i].n_lines ? p->locations[i].n_lines : 1;
    uint32_t *first = malloc((p->n_locations + 1) * sizeof(uint32_t));
    uint32_t *ids = malloc((total + 1) * sizeof(uint32_t));
    if (first == NULL || ids == NULL || total >= UINT32_MAX)
        goto fail;
    uint32_t k = 0;
    for (size_t i = 0; i < p->n_locations; i++) {
        const pw_location_t *l = &p->locations[i];
        const char *obj = "";
        if (l->mapping != PW_NONE && p->mappings[l->mapping].file[0] != '\0')
            obj = p->mappings[l->mapping].file;
        first[i] = k;
        /* A location without lines is one frame, named by its binary. */
        uint32_t n = l->n_lines ? l->n_lines : 1;
        for (uint32_t j = 0; j < n; j++) {
            const pw_function_t *f = l->n_lines ? &p->functions[l->lines[j].function] : NULL;
            uint32_t id = cb(ctx, f ? f->name : "", obj, f ? f->start_line : 0);
            if (id == PW_NONE)
                goto fail;
            ids[k++] = id;
        }
    }
    first[p->n_locations] = k;
    *loc_first_out = first;
    *ids_out = ids;
    return 0;
fail:
    free(first);
    free(ids);
    return pw_err_set(err, PW_ENOMEM, "out of memory mapping %zu frames", total);
}

static uint32_t node_cb(void *ctx, const char *name, const char *objfile, int64_t start_line)
{
    return name[0] != '\0' ? node_for(ctx, name, "", 0) : node_for(ctx, "", objfile, start_line);
}

static int add_edge(builder_t *b, uint32_t src, uint32_t dst, int64_t v, int inl, uint32_t stamp)
{
    uint64_t key = ((uint64_t)src << 32) | dst;
    uint32_t ix = pw_hmap64_get(&b->edge_ix, key);
    if (ix == PW_HMAP_NONE) {
        if (b->n_edges == b->cap_edges) {
            size_t cap = b->cap_edges ? b->cap_edges * 2 : 4096;
            edge_t *e = realloc(b->edges, cap * sizeof(*e));
            if (e == NULL)
                return -1;
            b->edges = e;
            b->cap_edges = cap;
        }
        ix = (uint32_t)b->n_edges++;
        if (pw_hmap64_put(&b->edge_ix, key, ix) == PW_HMAP_NONE)
            return -1;
        edge_t *e = &b->edges[ix];
        e->src = src;
        e->dst = dst;
        e->weight = v;
        e->stamp = stamp;
        e->inl = (uint8_t)inl;
        return 0;
    }
    edge_t *e = &b->edges[ix];
    if (e->stamp == stamp)
        return 0; /* once per sample, like cum */
    e->stamp = stamp;
    e->weight = wadd(e->weight, v);
    if (!inl)
        e->inl = 0;
    return 0;
}

static uint32_t next_stamp(builder_t *b, uint32_t stamp)
{
    if (++stamp != 0)
        return stamp;
    /* 2^32 samples: restart the stamps rather than mistake old ones. */
    memset(b->stamp, 0, b->n_nodes * sizeof(uint32_t));
    for (size_t e = 0; e < b->n_edges; e++)
        b->edges[e].stamp = 0;
    return 1;
}

/* Flat and cum of every node over every sample: pprof's newGraph with all
 * nodes kept. Flat goes to the leaf frame; cum once per sample per node.
 * attr goes to the sample's first frame of the program's own code (see
 * pw_frame_class), found in the same walk. */
static void pass_values(builder_t *b, int attribute)
{
    for (size_t i = 0; i < b->n_nodes; i++) {
        b->nodes[i].flat = 0;
        b->nodes[i].cum = 0;
        b->nodes[i].attr = 0;
        b->stamp[i] = 0;
    }
    uint32_t stamp = 0;
    for (size_t ii = 0; ii < b->n_in; ii++) {
        const input_t *in = &b->in[ii];
        const pw_profile_t *p = in->prof;
        for (size_t si = 0; si < p->n_samples; si++) {
            const pw_sample_t *s = &p->samples[si];
            int64_t v = in->is_base ? wneg(s->values[b->vi]) : s->values[b->vi];
            if (v == 0 || s->n_locs == 0)
                continue;
            stamp = next_stamp(b, stamp);
            /* Without attribution the walk pretends it already found it. */
            uint32_t own = attribute ? PW_NONE : 0, std = PW_NONE;
            for (uint32_t li = 0; li < s->n_locs; li++) {
                uint32_t loc = s->locs[li];
                for (uint32_t k = in->loc_first[loc]; k < in->loc_first[loc + 1]; k++) {
                    uint32_t n = in->frames[k];
                    if (b->stamp[n] != stamp) {
                        b->stamp[n] = stamp;
                        b->nodes[n].cum = wadd(b->nodes[n].cum, v);
                    }
                    if (own == PW_NONE) {
                        int c = b->nodes[n].frame_class;
                        if (c == PW_FRAME_OWN)
                            own = n;
                        else if (c == PW_FRAME_STD && std == PW_NONE)
                            std = n;
                    }
                }
            }
            uint32_t leaf = in->frames[in->loc_first[s->locs[0]]];
            b->nodes[leaf].flat = wadd(b->nodes[leaf].flat, v);
            if (attribute) {
                uint32_t to = own != PW_NONE ? own : std != PW_NONE ? std : leaf;
                b->nodes[to].attr = wadd(b->nodes[to].attr, v);
            }
        }
    }
}

#define INLINE_BIT 0x80000000u

/* Per location, the frames whose node is kept, innermost first, each tagged
 * with whether it is an inlined frame (not the location's outermost line). */
static int filter_frames(builder_t *b, input_t *in, const uint8_t *kept, pw_err_t *err)
{
    size_t nloc = in->prof->n_locations;
    uint32_t n = 0;
    for (uint32_t k = 0; k < in->loc_first[nloc]; k++)
        n += kept[in->frames[k]];
    in->kept_first = malloc((nloc + 1) * sizeof(uint32_t));
    in->kept_frames = malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (in->kept_first == NULL || in->kept_frames == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    n = 0;
    for (size_t l = 0; l < nloc; l++) {
        in->kept_first[l] = n;
        uint32_t first = in->loc_first[l], last = in->loc_first[l + 1];
        for (uint32_t k = first; k < last; k++)
            if (kept[in->frames[k]])
                in->kept_frames[n++] = in->frames[k] | (k != last - 1 ? INLINE_BIT : 0);
    }
    in->kept_first[nloc] = n;
    return 0;
}

/* The caller->callee edges of the graph rebuilt with only the kept nodes, as
 * pprof rebuilds it: an edge may skip dropped frames. Flat and cum are not
 * recomputed: for a kept node they are the same as in the full graph. */
static int pass_edges(builder_t *b, const uint8_t *kept, pw_err_t *err)
{
    int rc;
    b->n_edges = 0;
    if (pw_hmap64_init(&b->edge_ix, 64) != 0)
        return pw_err_set(err, PW_ENOMEM, "out of memory for call edges");
    uint32_t stamp = 0;
    for (size_t ii = 0; ii < b->n_in; ii++) {
        input_t *in = &b->in[ii];
        if ((rc = filter_frames(b, in, kept, err)) != 0)
            return rc;
        const pw_profile_t *p = in->prof;
        for (size_t si = 0; si < p->n_samples; si++) {
            const pw_sample_t *s = &p->samples[si];
            int64_t v = in->is_base ? wneg(s->values[b->vi]) : s->values[b->vi];
            if (v == 0)
                continue;
            stamp = next_stamp(b, stamp);
            uint32_t parent = PW_NONE;
            for (uint32_t li = s->n_locs; li-- > 0;) {
                uint32_t loc = s->locs[li];
                for (uint32_t k = in->kept_first[loc + 1]; k-- > in->kept_first[loc];) {
                    uint32_t n = in->kept_frames[k] & ~INLINE_BIT;
                    if (parent != PW_NONE && n != parent &&
                        add_edge(b, parent, n, v, (in->kept_frames[k] & INLINE_BIT) != 0, stamp) !=
                            0)
                        return pw_err_set(err, PW_ENOMEM, "out of memory for call edges");
                    parent = n;
                }
            }
        }
    }
    return 0;
}

/* fmt.Sprint of pprof's NodeInfo, the last tie-breaker of its sort. */
static void node_info_str(const pw_node_t *n, char *out, size_t sz)
{
    const char *name = n->objfile == NULL ? n->name : "";
    snprintf(out, sz, "{%s  0  %lld 0 %s}", name, (long long)n->start_line,
             n->objfile ? n->objfile : "");
}

static int cmp_info(const pw_node_t *l, const pw_node_t *r)
{
    char a[512], c[512];
    node_info_str(l, a, sizeof(a));
    node_info_str(r, c, sizeof(c));
    return strcmp(a, c);
}

static int cmp_flat(const void *x, const void *y)
{
    const pw_node_t *l = *(pw_node_t *const *)x, *r = *(pw_node_t *const *)y;
    int64_t a = wabs(l->flat), c = wabs(r->flat);
    if (a != c)
        return a > c ? -1 : 1;
    int s = strcmp(l->name, r->name);
    if (s != 0)
        return s;
    a = wabs(l->cum), c = wabs(r->cum);
    if (a != c)
        return a > c ? -1 : 1;
    return cmp_info(l, r);
}

static int cmp_cum(const void *x, const void *y)
{
    const pw_node_t *l = *(pw_node_t *const *)x, *r = *(pw_node_t *const *)y;
    int64_t a = wabs(l->cum), c = wabs(r->cum);
    if (a != c)
        return a > c ? -1 : 1;
    int s = strcmp(l->name, r->name);
    if (s != 0)
        return s;
    a = wabs(l->flat), c = wabs(r->flat);
    if (a != c)
        return a > c ? -1 : 1;
    return cmp_info(l, r);
}

static int check_inputs(const pw_graph_input_t *inputs, size_t n, pw_err_t *err)
{
    if (n == 0)
        return pw_err_set(err, PW_EINVAL, "no profile to aggregate");
    for (size_t i = 1; i < n; i++) {
        int rc = pw_profile_comparable(inputs[0].profile, inputs[i].profile, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int pw_graph_build(const pw_graph_input_t *inputs, size_t n_inputs, const pw_graph_opts_t *opts,
                   pw_graph_t **out, pw_err_t *err)
{
    pw_graph_opts_t defaults;
    builder_t b;
    uint8_t *kept = NULL;
    int rc;

    *out = NULL;
    if (opts == NULL) {
        pw_graph_opts_default(&defaults);
        opts = &defaults;
    }
    if ((rc = check_inputs(inputs, n_inputs, err)) != 0)
        return rc;
    memset(&b, 0, sizeof(b));
    pw_graph_t *g = calloc(1, sizeof(*g));
    if (g == NULL || (g->arena = pw_arena_create(0)) == NULL) {
        free(g);
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    b.g = g;

    /* A merged profile takes the first non-empty default_sample_type. */
    pw_profile_t view = *inputs[0].profile;
    for (size_t i = 0; i < n_inputs && view.default_sample_type[0] == '\0'; i++)
        view.default_sample_type = inputs[i].profile->default_sample_type;
    rc = pw_profile_sample_index(&view, opts->sample_index, err);
    if (rc < 0)
        goto fail;
    b.vi = rc;
    g->sample_index = rc;
    g->sample_type = pw_arena_strdup(g->arena, view.sample_types[rc].type);
    g->sample_unit = pw_arena_strdup(g->arena, view.sample_types[rc].unit);

    b.n_in = n_inputs;
    b.in = calloc(n_inputs, sizeof(input_t));
    size_t expect = 0;
    size_t n_funcs = 0;
    for (size_t i = 0; i < n_inputs; i++) {
        expect += inputs[i].profile->n_functions + inputs[i].profile->n_locations + 1;
        n_funcs += inputs[i].profile->n_functions;
    }
    /* Every node comes from a function or a line-less location: sizing the
     * array to that bound once avoids copying it while it grows. */
    b.cap_nodes = expect;
    b.nodes = malloc((expect + 1) * sizeof(pw_node_t));
    if (b.nodes == NULL || b.in == NULL || g->sample_type == NULL || g->sample_unit == NULL ||
        pw_hmapstr_init(&b.by_name, n_funcs) != 0 || pw_hmapstr_init(&b.by_obj, 16) != 0) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n_inputs; i++) {
        b.in[i].prof = inputs[i].profile;
        b.in[i].is_base = inputs[i].is_base;
        if ((rc = pw_graph_map_frames(inputs[i].profile, node_cb, &b, &b.in[i].loc_first,
                                      &b.in[i].frames, err)) != 0)
            goto fail;
    }

    /* The report total: |values| summed, the base's alone in a diff. */
    int64_t total = 0, base_total = 0;
    for (size_t i = 0; i < n_inputs; i++) {
        const pw_profile_t *p = inputs[i].profile;
        for (size_t s = 0; s < p->n_samples; s++) {
            int64_t v = wabs(p->samples[s].values[b.vi]);
            total = wadd(total, v);
            if (inputs[i].is_base)
                base_total = wadd(base_total, v);
        }
    }
    g->total = base_total > 0 ? base_total : total;

    b.stamp = calloc(b.n_nodes + 1, sizeof(uint32_t));
    kept = calloc(b.n_nodes + 1, 1);
    if (b.stamp == NULL || kept == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    if (opts->attribute)
        for (size_t i = 0; i < b.n_nodes; i++)
            b.nodes[i].frame_class = (uint8_t)pw_frame_class(b.nodes[i].name);
    pass_values(&b, opts->attribute);

    /* Every node with a value, and the cutoffs derived from their flat sum. */
    g->shown = pw_arena_alloc(g->arena, (b.n_nodes + 1) * sizeof(pw_node_t *));
    if (g->shown == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    int64_t flat_sum = 0;
    size_t n_graph = 0;
    for (size_t i = 0; i < b.n_nodes; i++) {
        if (b.nodes[i].flat == 0 && b.nodes[i].cum == 0)
            continue;
        flat_sum = wadd(flat_sum, b.nodes[i].flat);
        n_graph++;
    }
    int64_t node_cut = wabs(f2i((double)flat_sum * opts->node_fraction));
    int64_t edge_cut = wabs(f2i((double)flat_sum * opts->edge_fraction));

    size_t n_kept = 0;
    for (size_t i = 0; i < b.n_nodes; i++) {
        const pw_node_t *n = &b.nodes[i];
        if (n->flat == 0 && n->cum == 0)
            continue;
        if (node_cut > 0 && wabs(n->cum) < node_cut)
            continue;
        kept[i] = 1;
        n_kept++;
    }
    g->dropped_nodes = n_graph - n_kept;
    g->orig_count = n_kept;

    /* Sort, then cut to node_count: pprof keeps the first N in sort order. */
    size_t k = 0;
    for (size_t i = 0; i < b.n_nodes; i++)
        if (kept[i])
            g->shown[k++] = &b.nodes[i];
    int (*cmp)(const void *, const void *) = opts->cum_sort ? cmp_cum : cmp_flat;
    qsort(g->shown, k, sizeof(pw_node_t *), cmp);
    if (opts->node_count > 0 && (size_t)opts->node_count < k) {
        for (size_t i = (size_t)opts->node_count; i < k; i++)
            kept[g->shown[i] - b.nodes] = 0;
        k = (size_t)opts->node_count;
    }

    /* The edges of the rebuilt graph decide the inline labels. */
    if ((rc = pass_edges(&b, kept, err)) != 0)
        goto fail;
    uint8_t *inl = calloc(b.n_nodes + 1, 1);
    if (inl == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t e = 0; e < b.n_edges; e++) {
        const edge_t *ed = &b.edges[e];
        if (wabs(ed->weight) < edge_cut)
            continue;
        inl[ed->dst] |= ed->inl ? 1 : 2;
    }
    /* The shown nodes move into the graph's arena: b.nodes is scratch. */
    pw_node_t *shown = pw_arena_alloc(g->arena, (k + 1) * sizeof(pw_node_t));
    if (shown == NULL) {
        free(inl);
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < k; i++) {
        size_t id = (size_t)(g->shown[i] - b.nodes);
        shown[i] = b.nodes[id];
        shown[i].inline_kind = inl[id] == 1   ? PW_INLINE_FULL
                               : inl[id] == 3 ? PW_INLINE_PARTIAL
                                              : PW_INLINE_NONE;
        g->shown[i] = &shown[i];
    }
    g->n_shown = k;
    free(inl);
    /* The builder's node array becomes the graph's list of all nodes. */
    for (size_t i = 0; i < b.n_nodes; i++)
        if (b.nodes[i].flat != 0 || b.nodes[i].cum != 0)
            b.nodes[g->n_all++] = b.nodes[i];
    g->all = b.nodes;
    b.nodes = NULL;
    rc = 0;
    *out = g;
    g = NULL;
fail:
    for (size_t i = 0; b.in != NULL && i < n_inputs; i++) {
        free(b.in[i].loc_first);
        free(b.in[i].frames);
        free(b.in[i].kept_first);
        free(b.in[i].kept_frames);
    }
    free(b.in);
    free(b.nodes);
    free(b.stamp);
    free(b.edges);
    free(kept);
    pw_hmapstr_free(&b.by_name);
    pw_hmapstr_free(&b.by_obj);
    pw_hmap64_free(&b.edge_ix);
    pw_graph_destroy(g);
    return rc;
}

void pw_graph_destroy(pw_graph_t *g)
{
    if (g == NULL)
        return;
    free(g->all);
    pw_arena_destroy(g->arena);
    free(g);
}

int pw_frame_class(const char *name)
{
    if (strncmp(name, "runtime.", 8) == 0 || strncmp(name, "runtime/", 8) == 0)
        return PW_FRAME_RUNTIME;
    if (strncmp(name, "sync.", 5) == 0 || strncmp(name, "sync/", 5) == 0)
        return PW_FRAME_SYNC;
    if (strncmp(name, "main.", 5) == 0)
        return PW_FRAME_OWN;
    /* Go's standard library: an import path whose first element has no dot
     * ("net/http", "internal/poll"), or a plain lower-case package with no path
     * ("bytes.growSlice"). Modules start with a domain ("github.com/..."); C
     * symbols ("malloc"), C++ ("a::b") and binaries ("[libc.so.6]") are the
     * program's own. */
    const char *slash = strchr(name, '/'), *dot = strchr(name, '.');
    if (slash != NULL)
        return dot == NULL || dot > slash ? PW_FRAME_STD : PW_FRAME_OWN;
    size_t i = 0;
    while ((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
           name[i] == '_')
        i++;
    if (i > 0 && name[i] == '.' && name[i + 1] != '\0')
        return PW_FRAME_STD;
    return PW_FRAME_OWN;
}

const pw_node_t *pw_graph_find(const pw_graph_t *g, const char *name)
{
    for (size_t i = 0; i < g->n_all; i++)
        if (strcmp(g->all[i].name, name) == 0)
            return &g->all[i];
    return NULL;
}
