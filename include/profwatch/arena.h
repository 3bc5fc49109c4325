/* Bump allocator with a byte budget. One arena holds everything decoded from one
 * profile, so the whole profile is freed in one step and a hostile input can
 * never allocate more than the budget. */
#ifndef PW_ARENA_H
#define PW_ARENA_H

#include <stddef.h>

typedef struct pw_arena pw_arena_t;

/* limit: most bytes the arena may hold (0: no limit). Returns NULL on OOM. */
pw_arena_t *pw_arena_create(size_t limit);
void pw_arena_destroy(pw_arena_t *a);

/* Forgets every allocation but keeps one chunk for reuse, so a scratch arena
 * that is reset per message costs no malloc in the steady state. */
void pw_arena_reset(pw_arena_t *a);
/* Changes the budget (0: none); applies to allocations from now on. */
void pw_arena_set_limit(pw_arena_t *a, size_t limit);

/* 16-byte aligned; NULL when the budget or the system runs out. */
void *pw_arena_alloc(pw_arena_t *a, size_t size);
void *pw_arena_calloc(pw_arena_t *a, size_t n, size_t size);
char *pw_arena_strndup(pw_arena_t *a, const char *s, size_t n);
char *pw_arena_strdup(pw_arena_t *a, const char *s);

/* Bytes handed out so far, and whether an allocation was refused for the budget. */
size_t pw_arena_used(const pw_arena_t *a);
int pw_arena_exhausted(const pw_arena_t *a);

#endif
