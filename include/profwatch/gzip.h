/* gzip decompression with an output cap, shared by the pprof decoder and the
 * HTTP client. Concatenated members are read as one stream, as Go does. */
#ifndef PW_GZIP_H
#define PW_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

/* 1 when data starts with the gzip magic bytes. */
int pw_gzip_is(const uint8_t *data, size_t len);

/* Inflates in[0..in_len) into a new malloc'd buffer (*out, caller frees).
 * Fails with PW_ETOOBIG past max bytes of output, PW_EINVAL on corrupt or
 * truncated data; err says which byte. */
int pw_gzip_inflate(const uint8_t *in, size_t in_len, size_t max, uint8_t **out, size_t *out_len,
                    pw_err_t *err);

/* Compresses in[0..in_len) into a new malloc'd gzip member (*out, caller
 * frees), as Go writes profiles. */
int pw_gzip_deflate(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
                    pw_err_t *err);

/* "256 MiB", "1.5 KiB", "300 bytes": sizes as messages show them. */
void pw_fmt_size(char *out, size_t n, uint64_t bytes);

#endif
