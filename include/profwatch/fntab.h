/* Per-function tables for the daemon's rolling state: one row per function
 * (an interned name id, its frame class, its attributed value), built from a
 * graph and bounded to the largest rows plus one "[other]" row, so a table
 * costs a few kilobytes whatever the profile. Tables of the same target share
 * one name pool; subtracting two gives the per-function change between two
 * scrapes, in the pw_node_t form the rules take. */
#ifndef PW_FNTAB_H
#define PW_FNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/graph.h"
#include "profwatch/hmap.h"

/* Interned function names, with a cap; reset by its owner when full. */
typedef struct {
    pw_hmapstr_t map;
    char **names;
    size_t n, cap, max;
} pw_names_t;

int pw_names_init(pw_names_t *p, size_t max);
void pw_names_free(pw_names_t *p);
/* The id of name (added when new), or UINT32_MAX when the pool is full. */
uint32_t pw_names_intern(pw_names_t *p, const char *name);
const char *pw_names_get(const pw_names_t *p, uint32_t id);

#define PW_FNTAB_OTHER UINT32_MAX /* the row that sums what did not fit */

typedef struct {
    uint32_t name; /* id in the pool, or PW_FNTAB_OTHER */
    uint8_t frame_class;
    int64_t attr;
} pw_fnrow_t;

typedef struct {
    size_t n;
    pw_fnrow_t *rows;        /* sorted by name id */
    int64_t total;           /* the graph's total */
    int64_t outside_runtime; /* sum of attr outside the runtime, exactly */
} pw_fntab_t;

/* Keeps the max_rows rows with the largest |attr| from g (built with
 * opts.attribute); the rest is summed into the [other] row. 0 or PW_ENOMEM
 * (or PW_ETOOBIG when the pool is full: the caller resets it). */
int pw_fntab_from_graph(pw_fntab_t *t, const pw_graph_t *g, pw_names_t *pool, size_t max_rows);
void pw_fntab_free(pw_fntab_t *t);
/* A copy of src into dst (rows malloc'd). 0 or PW_ENOMEM. */
int pw_fntab_copy(pw_fntab_t *dst, const pw_fntab_t *src);

/* new - old per function, as nodes for the rules (names from the pool; the
 * [other] row is named "[other]"). *out is malloc'd; the caller frees it. */
int pw_fntab_diff(const pw_fntab_t *newer, const pw_fntab_t *older, const pw_names_t *pool,
                  pw_node_t **out, size_t *n);
/* The table itself as nodes. */
int pw_fntab_nodes(const pw_fntab_t *t, const pw_names_t *pool, pw_node_t **out, size_t *n);

#endif
