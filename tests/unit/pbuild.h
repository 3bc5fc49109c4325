/* Builds pprof profiles byte by byte for tests, with protobuf-c's generated
 * packer: the odd cases (unpacked fields, bad indices, recursion, inlining)
 * that real programs rarely write. */
#ifndef PW_TEST_PBUILD_H
#define PW_TEST_PBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/pprof.h"

typedef struct pbuild pbuild_t;

pbuild_t *pb_new(void);
void pb_free(pbuild_t *b);

/* Interns s in the string table; returns its index. */
int64_t pb_str(pbuild_t *b, const char *s);
void pb_sample_type(pbuild_t *b, const char *type, const char *unit);
void pb_period(pbuild_t *b, const char *type, const char *unit, int64_t period);
void pb_header(pbuild_t *b, int64_t time_nanos, int64_t duration_nanos);
void pb_default_type(pbuild_t *b, const char *type);
uint64_t pb_mapping(pbuild_t *b, const char *file, const char *build_id);
uint64_t pb_function(pbuild_t *b, const char *name);
/* A function whose name and system_name differ (or name is empty), as C++
 * and stripped binaries write them. */
uint64_t pb_function_full(pbuild_t *b, const char *name, const char *system_name,
                          int64_t start_line);
/* A location with inlined frames: funcs[0] is the innermost. */
uint64_t pb_location(pbuild_t *b, uint64_t mapping, const uint64_t *funcs, size_t n);
/* A sample: locs[0] is the leaf. values has one entry per sample type. */
void pb_sample(pbuild_t *b, const uint64_t *locs, size_t n, const int64_t *values);
void pb_sample_label(pbuild_t *b, const char *key, const char *str);
void pb_sample_num_label(pbuild_t *b, const char *key, int64_t num, const char *unit);
void pb_comment(pbuild_t *b, const char *text);
void pb_drop_keep(pbuild_t *b, const char *drop_frames, const char *keep_frames);

/* Packs into a malloc'd buffer (caller frees). gzip: compress it too. */
uint8_t *pb_pack(pbuild_t *b, int gzip, size_t *len);

/* Packs, decodes with pw_pprof_decode and frees the builder: the profile, or
 * NULL after printing the decoder's message. The caller destroys it. */
pw_profile_t *pb_decode(pbuild_t *b);

#endif
