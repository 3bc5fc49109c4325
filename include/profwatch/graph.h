/* Function-level aggregation of one profile, or of a profile and a negated
 * base (diff), exactly as `go tool pprof -top` computes it:
 *   - nodes are keyed by function name; inlined frames count as their own nodes;
 *   - flat goes to the leaf frame, cum once per sample to each distinct node;
 *   - nodes with |cum| under node_fraction of the total are dropped, the rest
 *     sorted by |flat| (or |cum|) and cut to node_count;
 *   - a node whose incoming call edges are all inlined is labelled "(inline)".
 * Node names point into the profiles (copying 20k names cost a tenth of
 * `top`'s time): destroy the graph before its profiles. */
#ifndef PW_GRAPH_H
#define PW_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/err.h"
#include "profwatch/pprof.h"

enum { PW_INLINE_NONE = 0, PW_INLINE_FULL = 1, PW_INLINE_PARTIAL = 2 };

/* Where a frame belongs, for attributing a sample to code someone owns. */
enum {
    PW_FRAME_OWN = 0, /* the program's own code, modules, main, C libraries */
    PW_FRAME_STD,     /* Go's standard library (bytes, net/http, ...) */
    PW_FRAME_SYNC,    /* sync and sync/atomic: lock internals */
    PW_FRAME_RUNTIME, /* runtime and its internal packages: GC, scheduler */
};

/* Classifies a printable frame name (a Go function, "[binary]", ...). */
int pw_frame_class(const char *name);

typedef struct {
    const char *name;    /* printable: the function, "[binary]" or "<unknown>" */
    const char *objfile; /* NULL for a named function; nameless frames are told */
    int64_t start_line;  /* apart by binary and start line, as pprof does */
    int64_t flat;
    int64_t cum;
    /* Attributed value: each sample counts once, for its first frame (from the
     * leaf) in the program's own code; failing that, its first standard-library
     * frame; failing that, its leaf. So a lock's Unlock row points at the
     * caller that held the lock, and memmove at the code that copied. */
    int64_t attr;
    int inline_kind;     /* PW_INLINE_*; only set on shown nodes */
    uint8_t frame_class; /* PW_FRAME_*; set when opts.attribute */
} pw_node_t;

typedef struct {
    const pw_profile_t *profile;
    int is_base; /* values are negated; the total is the base's (as -diff_base) */
} pw_graph_input_t;

typedef struct {
    const char *sample_index; /* NULL: the profile's default */
    double node_fraction;     /* pprof default 0.005 */
    double edge_fraction;     /* pprof default 0.001 */
    int node_count;           /* 0: no limit */
    int cum_sort;
    int attribute; /* compute pw_node_t.attr (about 5% more work) */
} pw_graph_opts_t;

void pw_graph_opts_default(pw_graph_opts_t *o);

typedef struct pw_graph {
    pw_arena_t *arena;
    int sample_index;
    const char *sample_type; /* e.g. "inuse_space" */
    const char *sample_unit; /* e.g. "bytes" */

    int64_t total; /* sum of |values| (of the base's, in a diff) */

    /* Every function with a non-zero flat or cum, in no particular order. */
    size_t n_all;
    pw_node_t *all;

    /* The nodes pprof would show, sorted. */
    size_t n_shown;
    pw_node_t **shown;
    size_t dropped_nodes; /* removed by node_fraction */
    size_t orig_count;    /* nodes left after node_fraction, before node_count */
} pw_graph_t;

/* Builds the graph over inputs (one profile, or new + base). Inputs must agree
 * on sample types. Returns 0 or a negative code with err set. */
int pw_graph_build(const pw_graph_input_t *inputs, size_t n_inputs, const pw_graph_opts_t *opts,
                   pw_graph_t **out, pw_err_t *err);
void pw_graph_destroy(pw_graph_t *g);

/* The printable name pprof gives a frame whose function has no name: the base
 * name of its binary in brackets ("[libc.so.6]"), or "<unknown>" when the
 * mapping has no file. Allocated in a unless it is a constant; NULL on OOM. */
const char *pw_graph_nameless_name(pw_arena_t *a, const char *objfile);

/* Gives every frame of every location of p an id, the way the graph tells
 * frames apart: cb gets the function's name ("" when it has none, or for a
 * location without lines, which is one frame), the binary of the location's
 * mapping ("" when none) and the function's start line, and returns the id,
 * or PW_NONE when out of memory. On success *loc_first holds n_locations + 1
 * offsets into *ids, whose frames run innermost first; the caller frees both.
 * The flame tree names its frames with it too. */
typedef uint32_t (*pw_graph_frame_cb)(void *ctx, const char *name, const char *objfile,
                                      int64_t start_line);
int pw_graph_map_frames(const pw_profile_t *p, pw_graph_frame_cb cb, void *ctx,
                        uint32_t **loc_first, uint32_t **ids, pw_err_t *err);

/* Finds a node by printable name among all nodes; NULL when absent. */
const pw_node_t *pw_graph_find(const pw_graph_t *g, const char *name);

#endif
