/* drop_frames / keep_frames, applied as pprof applies them after fetching. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/pprof.h"

/* pprof matches frame names with their argument list cut off at the first '('
 * (except inside "(anonymous namespace)" and "operator()"). */
static void simplify_func(const char *name, char *out, size_t n)
{
    if (name[0] == '.')
        name++;
    size_t len = strlen(name);
    size_t cut = len;
    for (size_t i = 0; i < len; i++) {
        if (strncmp(name + i, "(anonymous namespace)", 21) == 0) {
            i += 20;
            continue;
        }
        if (strncmp(name + i, "operator()", 10) == 0) {
            i += 9;
            continue;
        }
        if (name[i] == '(') {
            cut = i;
            break;
        }
    }
    if (cut >= n)
        cut = n - 1;
    memcpy(out, name, cut);
    out[cut] = '\0';
}

static int compile_anchored(regex_t *re, const char *pat, const char *what, pw_err_t *err)
{
    size_t n = strlen(pat) + 5;
    char *full = malloc(n);
    if (full == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    snprintf(full, n, "^(%s)$", pat);
    int r = regcomp(re, full, REG_EXTENDED | REG_NOSUB);
    free(full);
    if (r != 0)
        return pw_err_set(err, PW_EUNSUPP,
                          "the profile's %s pattern \"%s\" is not a regular "
                          "expression profwatch can compile",
                          what, pat);
    return 0;
}

int pw_profile_prune(pw_profile_t *p, const char *drop, const char *keep, pw_err_t *err)
{
    if (drop == NULL || drop[0] == '\0')
        return 0;
    regex_t dre, kre;
    int have_keep = keep != NULL && keep[0] != '\0';
    int rc = compile_anchored(&dre, drop, "drop_frames", err);
    if (rc != 0)
        return rc;
    if (have_keep && (rc = compile_anchored(&kre, keep, "keep_frames", err)) != 0) {
        regfree(&dre);
        return rc;
    }
    /* 1: prune this location entirely, 2: prune beneath it (keep it) */
    uint8_t *state = calloc(p->n_locations + 1, 1);
    if (state == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto done;
    }
    char name[4096];
    for (size_t li = 0; li < p->n_locations; li++) {
        pw_location_t *l = &p->locations[li];
        long i;
        for (i = (long)l->n_lines - 1; i >= 0; i--) {
            const pw_function_t *f = &p->functions[l->lines[i].function];
            if (f->name[0] == '\0')
                continue;
            simplify_func(f->name, name, sizeof(name));
            if (regexec(&dre, name, 0, NULL, 0) == 0 &&
                (!have_keep || regexec(&kre, name, 0, NULL, 0) != 0))
                break;
        }
        if (i >= 0) {
            if (i == (long)l->n_lines - 1) {
                state[li] = 1;
            } else {
                state[li] = 2;
                l->lines += i + 1;
                l->n_lines -= (uint32_t)(i + 1);
            }
        }
    }
    for (size_t si = 0; si < p->n_samples; si++) {
        pw_sample_t *s = &p->samples[si];
        int found_user = 0;
        for (long i = (long)s->n_locs - 1; i >= 0; i--) {
            uint8_t st = state[s->locs[i]];
            if (st == 0) {
                found_user = 1;
                continue;
            }
            if (!found_user)
                continue;
            if (st == 1) {
                s->locs += i + 1;
                s->n_locs -= (uint32_t)(i + 1);
            } else {
                s->locs += i;
                s->n_locs -= (uint32_t)i;
            }
            break;
        }
    }
    free(state);
done:
    regfree(&dre);
    if (have_keep)
        regfree(&kre);
    return rc;
}
