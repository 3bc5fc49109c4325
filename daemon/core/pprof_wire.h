/* Internal to the pprof decoder: the top-level walk over a Profile message,
 * the recognisers for legacy formats, and the schema-aware scanner that turns
 * "protobuf-c refused these bytes" into a message naming the byte and field. */
#ifndef PW_PPROF_WIRE_H
#define PW_PPROF_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

typedef struct {
    size_t off;
    size_t len;
} pw_slice_t;

typedef struct {
    pw_slice_t *v;
    size_t n;
    size_t cap;
} pw_slices_t;

/* Where each top-level field of a Profile sits in the buffer. Sub-messages are
 * decoded later, one at a time, so their protobuf-c trees never coexist. */
typedef struct {
    pw_slices_t sample_type, sample, mapping, location, function, string;
    int64_t *comments;
    size_t n_comments, cap_comments;
    int64_t drop_frames, keep_frames, time_nanos, duration_nanos, period, default_sample_type;
    pw_slice_t period_type;
    int has_period_type;
} pw_wire_profile_t;

enum { PW_WIRE_VALUE_TYPE, PW_WIRE_SAMPLE, PW_WIRE_MAPPING, PW_WIRE_LOCATION, PW_WIRE_FUNCTION };

int pw_wire_walk(const uint8_t *d, size_t n, pw_wire_profile_t *w, pw_err_t *err);
void pw_wire_free(pw_wire_profile_t *w);

/* Explains why the sub-message at s (of the given PW_WIRE_* kind) does not
 * decode. Returns a negative code with err set; offsets are absolute. */
int pw_wire_explain(const uint8_t *d, pw_slice_t s, int kind, const char *what, pw_err_t *err);

/* Returns 0 when the bytes may be a protobuf profile, or a negative code with
 * err saying which legacy or foreign format they are. */
int pw_wire_check_format(const uint8_t *d, size_t n, pw_err_t *err);

#endif
