/* YAML documents as a small tree with line numbers, built with libyaml. Used
 * for profwatch's own config and for the flare's YAML files (expvar dumps,
 * install_info.log). Hostile input is bounded: aliases are refused (no
 * "billion laughs"), depth and node count are capped, and every node lives in
 * the document's arena. */
#ifndef PW_YAML_H
#define PW_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/err.h"

typedef enum { PW_Y_SCALAR, PW_Y_MAP, PW_Y_SEQ } pw_ykind_t;

typedef struct pw_ynode {
    pw_ykind_t kind;
    int line; /* 1-based, where the node starts */
    int col;
    /* scalar */
    const char *value; /* NUL-terminated; "" for an empty scalar */
    int quoted;        /* '...' or "..." in the source: never null/bool/number */
    /* map and seq: n entries; a map's keys are scalars */
    size_t n;
    struct pw_ynode **items; /* seq items, or map values */
    const char **keys;       /* map keys */
    int *key_lines;
} pw_ynode_t;

typedef struct {
    pw_arena_t *arena;
    pw_ynode_t *root;   /* NULL for an empty document */
    const char *source; /* file name for messages */
} pw_ydoc_t;

#define PW_YAML_MAX_DEPTH 64
#define PW_YAML_MAX_NODES 1000000

/* Parses the first document of data. source names it in messages, which read
 * "SOURCE:LINE:COL: what". */
int pw_yaml_parse(const char *data, size_t len, const char *source, pw_ydoc_t **out, pw_err_t *err);
/* Reads and parses a file (at most max_bytes). */
int pw_yaml_load_file(const char *path, size_t max_bytes, pw_ydoc_t **out, pw_err_t *err);
void pw_yaml_free(pw_ydoc_t *doc);

/* The value of key in a map, or NULL (also when node is not a map). */
const pw_ynode_t *pw_ymap_get(const pw_ynode_t *map, const char *key);

/* A scalar that YAML would read as null: empty, "~", "null". */
int pw_yscalar_is_null(const pw_ynode_t *n);

/* Numbers written the way Go's YAML encoder writes float64 (6.0791104e+07),
 * or plainly. Return 0, or -1 when the scalar is not a number. */
int pw_yscalar_double(const pw_ynode_t *n, double *out);

#endif
