/* A Datadog Agent flare, read where it is: an extracted folder (the hostname
 * folder itself, or a folder holding exactly one) or the .zip the agent sends
 * (one top folder named after the host), read in place with no temporary
 * extraction. Paths given to the functions below are relative to the flare's
 * hostname folder: "status.log", "profiles/core-cpu.pprof". */
#ifndef PW_FLARE_H
#define PW_FLARE_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

typedef struct pw_flare pw_flare_t;

int pw_flare_open(const char *path, pw_flare_t **out, pw_err_t *err);
void pw_flare_close(pw_flare_t *f);

/* The hostname folder's name ("" when a zip has no single top folder). */
const char *pw_flare_hostname(const pw_flare_t *f);
/* 1 for a zip, 0 for a folder. */
int pw_flare_is_zip(const pw_flare_t *f);

/* 0 and the size when rel exists as a file, PW_ENOENT otherwise. */
int pw_flare_stat(pw_flare_t *f, const char *rel, uint64_t *size);
/* Reads rel whole into a new buffer (NUL-terminated; caller frees). */
int pw_flare_read(pw_flare_t *f, const char *rel, size_t max, uint8_t **data, size_t *len,
                  pw_err_t *err);

typedef void (*pw_flare_list_cb)(const char *name, uint64_t size, void *ud);
/* Calls cb for each file directly inside the folder rel ("profiles"). */
int pw_flare_list(pw_flare_t *f, const char *rel, pw_flare_list_cb cb, void *ud);

#endif
