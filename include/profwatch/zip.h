/* Reads zip archives in place (a flare as the agent sends it): the central
 * directory, stored and deflated entries, ZIP64 sizes. Nothing is extracted to
 * disk. Every size and count is bounded, names are checked, and each entry's
 * CRC-32 is verified, so a hostile archive gets an error, never a crash. */
#ifndef PW_ZIP_H
#define PW_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

typedef struct {
    const char *name; /* as stored, '/' separated */
    uint64_t comp_size;
    uint64_t size;
    uint64_t local_offset;
    uint32_t crc;
    uint16_t method; /* 0 stored, 8 deflate */
    uint16_t flags;
} pw_zip_entry_t;

typedef struct pw_zip pw_zip_t;

#define PW_ZIP_MAX_ENTRIES 100000

/* Opens a zip file (owns its fd until pw_zip_close). */
int pw_zip_open(const char *path, pw_zip_t **out, pw_err_t *err);
/* Opens a zip held in memory (borrowed: it must outlive the pw_zip_t). */
int pw_zip_open_mem(const uint8_t *data, size_t len, const char *name, pw_zip_t **out,
                    pw_err_t *err);
void pw_zip_close(pw_zip_t *z);

size_t pw_zip_count(const pw_zip_t *z);
const pw_zip_entry_t *pw_zip_entry(const pw_zip_t *z, size_t i);
/* Index of the entry named exactly name, or -1. */
long pw_zip_find(const pw_zip_t *z, const char *name);
/* Decompresses entry i into a new malloc'd buffer (caller frees); refuses
 * entries larger than max bytes. */
int pw_zip_read(pw_zip_t *z, size_t i, size_t max, uint8_t **out, size_t *len, pw_err_t *err);

/* 1 when the first bytes of a file look like a zip archive. */
int pw_zip_is(const uint8_t *data, size_t len);

#endif
