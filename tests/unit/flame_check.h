/* Structural checks of a flame tree, shared by the flame unit tests: every
 * rule of pw_flame_t's layout, checked frame by frame. */
#ifndef PW_TEST_FLAME_CHECK_H
#define PW_TEST_FLAME_CHECK_H

#include "profwatch/flame.h"
#include "pw_test.h"

/* Returns the number of violations (also counted as failed checks). */
static inline int flame_check_layout(const pw_flame_t *t)
{
    int bad = 0;
#define FC(cond)                                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if (bad++ < 5)                                                                         \
                fprintf(stderr, "frame %zu (%s): layout rule broken: %s\n", i, t->frames[i].name,  \
                        #cond);                                                                    \
        }                                                                                          \
    } while (0)
    size_t i = 0;
    FC(t->n_frames >= 1);
    if (t->n_frames == 0)
        return 1;
    FC(t->frames[0].parent == PW_NONE && t->frames[0].depth == 0 && t->frames[0].x == 0);
    /* next_x[p]: where p's next child must start; kids[p]: children seen. */
    int64_t *next_x = calloc(t->n_frames, sizeof(int64_t));
    int64_t *child_sum = calloc(t->n_frames, sizeof(int64_t));
    uint32_t *kids = calloc(t->n_frames, sizeof(uint32_t));
    uint32_t *path = calloc((size_t)t->max_depth + 2, sizeof(uint32_t));
    for (i = 0; i < t->n_frames; i++) {
        const pw_flame_frame_t *f = &t->frames[i];
        next_x[i] = f->x;
        FC(f->value > 0 || i == 0);
        FC(f->self >= 0 && f->self <= f->value);
        FC(f->base >= 0 && (t->is_diff || f->base == 0));
        FC(f->depth <= t->max_depth);
        if (i == 0 || f->depth > t->max_depth)
            continue;
        FC(f->parent < i); /* pre-order: the parent comes first */
        if (f->parent >= i)
            continue;
        const pw_flame_frame_t *p = &t->frames[f->parent];
        FC(f->depth == p->depth + 1);
        FC(f->value <= p->value);
        FC(f->x == next_x[f->parent]); /* children touch, left to right */
        FC(f->x >= p->x && f->x + f->value <= p->x + p->value);
        FC(p->n_merged == 0); /* a merged frame has no children */
        next_x[f->parent] = f->x + f->value;
        child_sum[f->parent] += f->value;
        kids[f->parent]++;
        /* Pre-order: the parent is the last frame seen one level up. */
        FC(path[p->depth] == f->parent);
        path[f->depth] = (uint32_t)i;
        if (f->n_merged > 0)
            FC(strcmp(f->name, PW_FLAME_MERGED_NAME) == 0 && f->self == f->value);
    }
    for (i = 0; i < t->n_frames; i++) {
        const pw_flame_frame_t *f = &t->frames[i];
        FC(kids[i] == f->n_children);
        FC(child_sum[i] + f->self == f->value); /* widths sum to the parent's */
    }
#undef FC
    free(next_x);
    free(child_sum);
    free(kids);
    free(path);
    pw_test_checks++;
    if (bad > 0)
        pw_test_failures++;
    return bad;
}

/* The frame at a path of names from the root ("main;a;b"), or NULL. */
static inline const pw_flame_frame_t *flame_find(const pw_flame_t *t, const char *path)
{
    size_t cur = 0;
    const char *p = path;
    while (*p != '\0') {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        size_t found = SIZE_MAX;
        for (size_t i = cur + 1; i < t->n_frames; i++) {
            if (t->frames[i].parent == cur && strlen(t->frames[i].name) == n &&
                strncmp(t->frames[i].name, p, n) == 0) {
                found = i;
                break;
            }
        }
        if (found == SIZE_MAX)
            return NULL;
        cur = found;
        p += n + (semi != NULL);
    }
    return &t->frames[cur];
}

#endif
