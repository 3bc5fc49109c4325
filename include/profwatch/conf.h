/* Config binding, as redis and fluent-bit do it: a table of {key, type,
 * offset, default, min, max} per section maps YAML onto a C struct. Unknown
 * keys and bad values are errors that name the file, the line, the key path
 * and what was expected. Strings are copied into the caller's arena. */
#ifndef PW_CONF_H
#define PW_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/err.h"
#include "profwatch/yaml.h"

typedef enum {
    PW_CT_BOOL,     /* int: true/false/yes/no/on/off */
    PW_CT_INT,      /* int64_t */
    PW_CT_DOUBLE,   /* double */
    PW_CT_STRING,   /* const char * (arena copy) */
    PW_CT_DURATION, /* int64_t milliseconds: 500ms, 30s, 5m, 1h, 0 */
    PW_CT_SIZE,     /* uint64_t bytes: 4096, 10MB, 300MiB (K/M/G are binary) */
    PW_CT_SECTION,  /* a nested map bound by .sub, at .offset */
    PW_CT_CUSTOM,   /* any node, handed to .custom */
} pw_conf_type_t;

typedef struct pw_conf_field pw_conf_field_t;

/* Binds one node into dst + field->offset; returns 0 or a negative code with
 * err set (use pw_conf_error for the message). */
typedef int (*pw_conf_custom_cb)(const pw_ynode_t *node, void *dst, pw_arena_t *arena,
                                 const char *source, const char *path, pw_err_t *err);

struct pw_conf_field {
    const char *key;
    pw_conf_type_t type;
    size_t offset;
    const char *def;            /* default, in the YAML form ("30s", "10MB", "true"); NULL: zero */
    double min, max;            /* bounds for numbers, durations (ms) and sizes; min == max: none */
    const pw_conf_field_t *sub; /* PW_CT_SECTION: the section's table */
    pw_conf_custom_cb custom;
};

/* Tables end with a {NULL} entry. */
#define PW_CONF_END                                                                                \
    {                                                                                              \
        NULL, 0, 0, NULL, 0, 0, NULL, NULL                                                         \
    }

/* Applies every default of the table (and of its sections) to dst. */
int pw_conf_defaults(const pw_conf_field_t *table, void *dst, pw_arena_t *arena, pw_err_t *err);

/* Binds map onto dst. path is the section's dotted name ("" at the top). */
int pw_conf_bind(const pw_ynode_t *map, const pw_conf_field_t *table, void *dst, pw_arena_t *arena,
                 const char *source, const char *path, pw_err_t *err);

/* Sets err to "SOURCE:LINE: PATH: message". */
int pw_conf_error(pw_err_t *err, const char *source, const pw_ynode_t *node, const char *path,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Value parsers, shared with command-line flags. 0 or -1. */
int pw_parse_duration_ms(const char *s, int64_t *ms);
int pw_parse_size(const char *s, uint64_t *bytes);
int pw_parse_bool(const char *s, int *v);

#endif
