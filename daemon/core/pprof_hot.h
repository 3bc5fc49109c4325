/* Internal to the pprof decoder: direct readers for the three message types
 * that repeat once per sample or per stack frame (Sample, Location, Function).
 *
 * protobuf-c's generic unpacker spends about 900 instructions of fixed cost on
 * every message; with tens of thousands of these per profile that was 40% of
 * `profwatch top`. These readers follow protobuf-c's rules exactly (wire types,
 * 10-byte varints, last-wins scalars, packed or unpacked repeated fields) and a
 * test decodes every profile both ways and requires identical models. */
#ifndef PW_PPROF_HOT_H
#define PW_PPROF_HOT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t key, str, num, num_unit;
} pw_hot_label_t;

/* Growable arrays the readers fill; reused from message to message. */
typedef struct {
    uint64_t *ids;
    size_t n_ids, cap_ids;
    int64_t *values;
    size_t n_values, cap_values;
    pw_hot_label_t *labels;
    size_t n_labels, cap_labels;
} pw_hot_sample_t;

typedef struct {
    uint64_t function_id;
    int64_t line;
} pw_hot_line_t;

typedef struct {
    uint64_t id, mapping_id, address;
    pw_hot_line_t *lines;
    size_t n_lines, cap_lines;
} pw_hot_location_t;

typedef struct {
    uint64_t id;
    int64_t name, system_name, filename, start_line;
} pw_hot_function_t;

/* Each returns 0, -1 when the bytes are not a valid message of that type, or
 * -2 when a buffer could not grow. */
int pw_hot_sample(const uint8_t *d, size_t n, pw_hot_sample_t *s);
int pw_hot_location(const uint8_t *d, size_t n, pw_hot_location_t *l);
int pw_hot_function(const uint8_t *d, size_t n, pw_hot_function_t *f);
/* Makes room for at least this many entries (used by the reference decoder,
 * which copies protobuf-c's arrays into the same buffers). 0 or -2. */
int pw_hot_sample_reserve(pw_hot_sample_t *s, size_t ids, size_t values, size_t labels);
int pw_hot_location_reserve(pw_hot_location_t *l, size_t lines);
void pw_hot_sample_free(pw_hot_sample_t *s);
void pw_hot_location_free(pw_hot_location_t *l);

#endif
