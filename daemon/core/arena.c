#include "profwatch/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64 * 1024)
#define ALIGN 16

typedef struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
} chunk_t;

struct pw_arena {
    chunk_t *head;
    size_t limit;     /* 0: unlimited */
    size_t reserved;  /* bytes taken from the system, headers included */
    size_t used;      /* bytes handed out */
    size_t next_size; /* chunk sizes double so that big profiles need few mallocs */
    int exhausted;
};

pw_arena_t *pw_arena_create(size_t limit)
{
    pw_arena_t *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->limit = limit;
    a->next_size = CHUNK_MIN;
    return a;
}

void pw_arena_destroy(pw_arena_t *a)
{
    if (a == NULL)
        return;
    chunk_t *c = a->head;
    while (c != NULL) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void pw_arena_reset(pw_arena_t *a)
{
    chunk_t *keep = a->head;
    if (keep == NULL)
        return;
    /* Keep the biggest chunk: the next message likely needs as much. */
    for (chunk_t *c = a->head; c != NULL; c = c->next)
        if (c->size > keep->size)
            keep = c;
    chunk_t *c = a->head;
    while (c != NULL) {
        chunk_t *next = c->next;
        if (c != keep)
            free(c);
        c = next;
    }
    keep->next = NULL;
    keep->used = 0;
    a->head = keep;
    a->reserved = sizeof(chunk_t) + keep->size;
    a->used = 0;
    a->exhausted = 0;
}

void pw_arena_set_limit(pw_arena_t *a, size_t limit)
{
    a->limit = limit;
}

static chunk_t *chunk_new(pw_arena_t *a, size_t need)
{
    size_t size = a->next_size;
    if (size < need)
        size = need;
    if (a->limit != 0) {
        size_t room = a->limit > a->reserved ? a->limit - a->reserved : 0;
        if (room < sizeof(chunk_t) + need) {
            a->exhausted = 1;
            return NULL;
        }
        if (sizeof(chunk_t) + size > room)
            size = room - sizeof(chunk_t);
    }
    chunk_t *c = malloc(sizeof(chunk_t) + size);
    if (c == NULL) {
        a->exhausted = 1;
        return NULL;
    }
    c->size = size;
    c->used = 0;
    a->reserved += sizeof(chunk_t) + size;
    if (a->next_size < 8 * 1024 * 1024)
        a->next_size *= 2;
    return c;
}

void *pw_arena_alloc(pw_arena_t *a, size_t size)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ALIGN)
        return NULL;
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    chunk_t *c = a->head;
    if (c == NULL || c->size - c->used < size) {
        chunk_t *n = chunk_new(a, size);
        if (n == NULL)
            return NULL;
        /* A chunk made for one big block goes behind the head, so the head's
         * free space stays usable for the small allocations that follow. */
        if (c != NULL && n->size == size && c->size - c->used > 0) {
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->used += size;
    return p;
}

void *pw_arena_calloc(pw_arena_t *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = pw_arena_alloc(a, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

char *pw_arena_strndup(pw_arena_t *a, const char *s, size_t n)
{
    char *p = pw_arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *pw_arena_strdup(pw_arena_t *a, const char *s)
{
    return pw_arena_strndup(a, s, strlen(s));
}

size_t pw_arena_used(const pw_arena_t *a)
{
    return a->used;
}

int pw_arena_exhausted(const pw_arena_t *a)
{
    return a->exhausted;
}
