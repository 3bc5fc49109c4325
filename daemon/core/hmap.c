#include "profwatch/hmap.h"

#include <stdlib.h>
#include <string.h>

static size_t cap_for(size_t expected)
{
    size_t cap = 16;
    /* Keep the load factor under 1/2 so that probes stay short. */
    while (cap < expected * 2 + 1)
        cap *= 2;
    return cap;
}

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

int pw_hmap64_init(pw_hmap64_t *m, size_t expected)
{
    memset(m, 0, sizeof(*m));
    m->cap = cap_for(expected);
    m->keys = malloc(m->cap * sizeof(*m->keys));
    m->vals = malloc(m->cap * sizeof(*m->vals));
    if (m->keys == NULL || m->vals == NULL) {
        pw_hmap64_free(m);
        return -1;
    }
    memset(m->vals, 0xff, m->cap * sizeof(*m->vals));
    return 0;
}

void pw_hmap64_free(pw_hmap64_t *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

uint32_t pw_hmap64_get(const pw_hmap64_t *m, uint64_t key)
{
    if (m->cap == 0)
        return PW_HMAP_NONE;
    size_t mask = m->cap - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == PW_HMAP_NONE)
            return PW_HMAP_NONE;
        if (m->keys[i] == key)
            return m->vals[i];
    }
}

static int grow64(pw_hmap64_t *m)
{
    pw_hmap64_t n;
    if (pw_hmap64_init(&n, m->cap) != 0)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->vals[i] != PW_HMAP_NONE)
            pw_hmap64_put(&n, m->keys[i], m->vals[i]);
    pw_hmap64_free(m);
    *m = n;
    return 0;
}

uint32_t pw_hmap64_put(pw_hmap64_t *m, uint64_t key, uint32_t val)
{
    if ((m->len + 1) * 2 > m->cap && grow64(m) != 0)
        return PW_HMAP_NONE;
    size_t mask = m->cap - 1;
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == PW_HMAP_NONE) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->len++;
            return val;
        }
        if (m->keys[i] == key)
            return m->vals[i];
    }
}

uint32_t pw_hash_bytes(const void *data, size_t n)
{
    /* Eight bytes per step: function names average 50 bytes and are hashed
     * once per frame in the graph builder. */
    const unsigned char *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return (uint32_t)h;
}

int pw_hmapstr_init(pw_hmapstr_t *m, size_t expected)
{
    memset(m, 0, sizeof(*m));
    m->cap = cap_for(expected);
    m->keys = malloc(m->cap * sizeof(*m->keys));
    m->lens = malloc(m->cap * sizeof(*m->lens));
    m->hashes = malloc(m->cap * sizeof(*m->hashes));
    m->vals = malloc(m->cap * sizeof(*m->vals));
    if (!m->keys || !m->lens || !m->hashes || !m->vals) {
        pw_hmapstr_free(m);
        return -1;
    }
    memset(m->vals, 0xff, m->cap * sizeof(*m->vals));
    return 0;
}

void pw_hmapstr_free(pw_hmapstr_t *m)
{
    free(m->keys);
    free(m->lens);
    free(m->hashes);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

void pw_hmapstr_clear(pw_hmapstr_t *m)
{
    if (m->cap != 0)
        memset(m->vals, 0xff, m->cap * sizeof(*m->vals));
    m->len = 0;
}

uint32_t pw_hmapstr_get(const pw_hmapstr_t *m, const char *key, size_t n, uint32_t hash)
{
    if (m->cap == 0)
        return PW_HMAP_NONE;
    size_t mask = m->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == PW_HMAP_NONE)
            return PW_HMAP_NONE;
        if (m->hashes[i] == hash && m->lens[i] == n && memcmp(m->keys[i], key, n) == 0)
            return m->vals[i];
    }
}

static int growstr(pw_hmapstr_t *m)
{
    pw_hmapstr_t n;
    if (pw_hmapstr_init(&n, m->cap) != 0)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->vals[i] != PW_HMAP_NONE)
            pw_hmapstr_put(&n, m->keys[i], m->lens[i], m->hashes[i], m->vals[i]);
    pw_hmapstr_free(m);
    *m = n;
    return 0;
}

uint32_t pw_hmapstr_put(pw_hmapstr_t *m, const char *key, size_t n, uint32_t hash, uint32_t val)
{
    if (n > UINT32_MAX)
        return PW_HMAP_NONE;
    if ((m->len + 1) * 2 > m->cap && growstr(m) != 0)
        return PW_HMAP_NONE;
    size_t mask = m->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == PW_HMAP_NONE) {
            m->keys[i] = key;
            m->lens[i] = (uint32_t)n;
            m->hashes[i] = hash;
            m->vals[i] = val;
            m->len++;
            return val;
        }
        if (m->hashes[i] == hash && m->lens[i] == n && memcmp(m->keys[i], key, n) == 0)
            return m->vals[i];
    }
}
