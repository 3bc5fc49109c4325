/* pprof profiles: decoding (gzip or raw protobuf) into a compact, validated
 * model that lives in one arena. The model resolves every id to an array index,
 * so consumers never touch protobuf ids or string-table indices.
 *
 * Ownership: pw_pprof_decode() returns a profile the caller frees with
 * pw_profile_destroy(); every pointer inside it belongs to the profile. */
#ifndef PW_PPROF_H
#define PW_PPROF_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/err.h"

#define PW_NONE UINT32_MAX

/* Default input cap: both the file as read and the decompressed protobuf. */
#define PW_PPROF_DEFAULT_MAX_SIZE (256u * 1024 * 1024)

typedef struct {
    const char *type;
    const char *unit;
} pw_value_type_t;

typedef struct {
    uint64_t id;
    uint64_t start, limit, offset;
    const char *file;
    const char *build_id;
} pw_mapping_t;

typedef struct {
    uint64_t id;
    const char *name; /* as pprof displays it (see pprof.c: display names) */
    const char *system_name;
    const char *filename;
    int64_t start_line;
} pw_function_t;

typedef struct {
    uint32_t function; /* index into functions */
    int64_t line;
} pw_line_t;

typedef struct {
    uint64_t id;
    uint64_t address;
    uint32_t mapping; /* index into mappings, or PW_NONE */
    uint32_t n_lines;
    pw_line_t *lines; /* lines[0] is the innermost inlined frame */
} pw_location_t;

typedef struct {
    const char *key;
    const char *str; /* NULL for a numeric label */
    int64_t num;
    const char *num_unit;
} pw_label_t;

typedef struct {
    uint32_t n_locs;
    uint32_t n_labels;
    uint32_t *locs;  /* indices into locations; locs[0] is the leaf */
    int64_t *values; /* one per sample type */
    pw_label_t *labels;
} pw_sample_t;

typedef struct pw_profile {
    pw_arena_t *arena;

    size_t n_sample_types;
    pw_value_type_t *sample_types;
    size_t n_samples;
    pw_sample_t *samples;
    size_t n_mappings;
    pw_mapping_t *mappings;
    size_t n_locations;
    pw_location_t *locations;
    size_t n_functions;
    pw_function_t *functions;
    size_t n_comments;
    const char **comments;

    const char *drop_frames;
    const char *keep_frames;
    const char *default_sample_type;
    pw_value_type_t period_type;
    int64_t period;
    int64_t time_nanos;
    int64_t duration_nanos;

    size_t raw_size; /* bytes of protobuf after decompression */
    int was_gzipped;
} pw_profile_t;

typedef struct {
    size_t max_size; /* cap on input and on decompressed size; 0: default */
    /* Decode every message with the protoc-c generated unpacker instead of the
     * direct readers for Sample/Location/Function. Slower; tests use it as the
     * reference the fast path must agree with. */
    int reference;
} pw_pprof_opts_t;

/* Decodes a profile from memory (borrowed). On error returns a negative PW_E*
 * code and fills err with a one-line message that says what was wrong where. */
int pw_pprof_decode(const uint8_t *data, size_t len, const pw_pprof_opts_t *opts,
                    pw_profile_t **out, pw_err_t *err);

/* Reads and decodes a file; err messages are prefixed with the path. */
int pw_pprof_load_file(const char *path, const pw_pprof_opts_t *opts, pw_profile_t **out,
                       pw_err_t *err);

void pw_profile_destroy(pw_profile_t *p);

/* newer minus older, for profiles that count since the process started
 * (block, mutex): samples are matched by their stack of addresses (function
 * and line where a location has none), as `go tool pprof -diff_base` matches
 * them across two scrapes of one process, and only what grew is kept. The
 * result is newer's profile with those samples, its time set to older's and
 * its duration to the gap, gzip'd into *out (malloc'd; caller frees). Both
 * inputs are capped at max bytes decompressed. */
int pw_pprof_delta(const uint8_t *newer, size_t newer_len, const uint8_t *older, size_t older_len,
                   size_t max, uint8_t **out, size_t *out_len, pw_err_t *err);

/* Applies drop_frames/keep_frames as pprof does after fetching. The patterns
 * are POSIX extended regular expressions anchored at both ends (pprof uses RE2;
 * the two agree on the patterns profilers write). NULL/"" drop: no-op. */
int pw_profile_prune(pw_profile_t *p, const char *drop, const char *keep, pw_err_t *err);

/* Removes the samples with a frame whose function name starts with prefix
 * (pprof's -ignore, by name prefix); returns how many went. */
size_t pw_profile_drop_samples_in(pw_profile_t *p, const char *prefix);
/* Block and mutex profiles record the profiler's own handlers waiting: a CPU
 * profile being taken (by a flare or by profwatchd) is a goroutine blocked in
 * net/http/pprof for its whole duration. Those samples say nothing about the
 * program and are removed before contention is judged. */
size_t pw_profile_drop_profiler_waits(pw_profile_t *p);

/* Resolves a sample index like pprof's -sample_index: NULL/"" picks
 * default_sample_type or else the last type; a number is an index; a name may
 * omit an "inuse_" prefix. Returns the index, or a negative code with err set. */
int pw_profile_sample_index(const pw_profile_t *p, const char *name, pw_err_t *err);

/* 0 when b can be merged with or compared to a (pprof's compatibility rule:
 * the same sample types, units and period type); otherwise a negative code
 * with err naming both sets of sample types. */
int pw_profile_comparable(const pw_profile_t *a, const pw_profile_t *b, pw_err_t *err);

/* Human-readable list of sample type names, "a, b, c", into out. */
void pw_profile_sample_type_names(const pw_profile_t *p, char *out, size_t n);

#endif
