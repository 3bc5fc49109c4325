/* An on-disk queue of payloads, for the API sink: one file per payload in
 * one folder (0750), each written atomically (a temporary name, then a
 * rename) with mode 0640, named so that the oldest sorts first and so that
 * its kind and item count are known without reading it. The folder is read
 * afresh on each call, so a spool survives restarts and two sinks (the old
 * and the new one across a reload) can share it. Its size is bounded: adding
 * past the bound removes the oldest files first, and says how many items
 * went with them. */
#ifndef PW_SPOOL_H
#define PW_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

typedef struct {
    char name[96]; /* the file's name inside the folder */
    int kind;      /* the caller's payload kind, 0 to 9 */
    uint64_t n_items, raw_len, size;
} pw_spool_entry_t;

typedef struct pw_spool pw_spool_t;

/* Creates dir (and parents) and removes temporary files a crash left. */
pw_spool_t *pw_spool_open(const char *dir, uint64_t max_bytes, pw_err_t *err);
void pw_spool_close(pw_spool_t *s);

/* The oldest payload: 0, or PW_ENOENT when the spool is empty. */
int pw_spool_oldest(pw_spool_t *s, pw_spool_entry_t *e);
/* Reads it into a new malloc'd buffer; PW_ETOOBIG past max bytes. */
int pw_spool_read(pw_spool_t *s, const pw_spool_entry_t *e, size_t max, uint8_t **data, size_t *len,
                  pw_err_t *err);
void pw_spool_remove(pw_spool_t *s, const pw_spool_entry_t *e);

/* Adds a payload, first removing the oldest ones as needed to stay within
 * the bound (never the one named busy, which is being sent: may be NULL);
 * their items are added to *dropped_items. PW_ETOOBIG (nothing written,
 * nothing removed) when the payload alone is over the bound. */
int pw_spool_push(pw_spool_t *s, int kind, const void *data, size_t len, uint64_t n_items,
                  uint64_t raw_len, const char *busy, uint64_t *dropped_items, pw_err_t *err);

/* Bytes and files in the spool, as of the latest call that read the folder. */
uint64_t pw_spool_bytes(const pw_spool_t *s);
size_t pw_spool_files(const pw_spool_t *s);

#endif
