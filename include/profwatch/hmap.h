/* Open-addressing hash maps used on the hot paths: u64 -> u32 (location and
 * function ids) and string -> u32 (node names). Values are indices into the
 * caller's arrays; the maps never own keys. */
#ifndef PW_HMAP_H
#define PW_HMAP_H

#include <stddef.h>
#include <stdint.h>

#define PW_HMAP_NONE UINT32_MAX

typedef struct {
    uint64_t *keys;
    uint32_t *vals; /* PW_HMAP_NONE marks an empty slot */
    size_t cap;     /* power of two */
    size_t len;
} pw_hmap64_t;

int pw_hmap64_init(pw_hmap64_t *m, size_t expected);
void pw_hmap64_free(pw_hmap64_t *m);
uint32_t pw_hmap64_get(const pw_hmap64_t *m, uint64_t key);
/* Inserts key->val unless present. Returns the stored value (old or new), or
 * PW_HMAP_NONE when out of memory. */
uint32_t pw_hmap64_put(pw_hmap64_t *m, uint64_t key, uint32_t val);

/* String keys are (pointer, length, hash) borrowed from the caller. */
typedef struct {
    const char **keys;
    uint32_t *lens;
    uint32_t *hashes;
    uint32_t *vals;
    size_t cap;
    size_t len;
} pw_hmapstr_t;

uint32_t pw_hash_bytes(const void *data, size_t n);
int pw_hmapstr_init(pw_hmapstr_t *m, size_t expected);
void pw_hmapstr_free(pw_hmapstr_t *m);
/* Empties the map but keeps its memory, for a table rebuilt on every read. */
void pw_hmapstr_clear(pw_hmapstr_t *m);
uint32_t pw_hmapstr_get(const pw_hmapstr_t *m, const char *key, size_t n, uint32_t hash);
uint32_t pw_hmapstr_put(pw_hmapstr_t *m, const char *key, size_t n, uint32_t hash, uint32_t val);

#endif
