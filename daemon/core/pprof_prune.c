/* drop_frames / keep_frames, applied as pprof applies them after fetching. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/hmap.h"
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

/* The patterns come from the profile, so they are hostile input, and glibc's
 * regex engine is not built for that: "x{1,32767}" takes regcomp 28 s and
 * 8 GB, every optional element costs regcomp and regexec more than the one
 * before it, and back-references make matching exponential. Profilers write
 * alternations of names (pprof's own allocator list is 700 bytes of them), so
 * this refuses what pprof's RE2 refuses too (back-references, counts over
 * 1000, nesting over 1000) and patterns that, with their counted repetitions
 * written out, have over MAX_ELEMENTS elements, or over MAX_REPEATED inside
 * an optional or repeated item: regexec's cost grows with those, by up to
 * 15 us each on a 4 KB name here. At those limits regcomp takes under 40 MB
 * and regexec under 10 ms on a 4 KB name. */
#define MAX_COUNT 1000
#define MAX_DEPTH 1000
#define MAX_ELEMENTS 16384
#define MAX_REPEATED 512

/* Skips a bracket expression starting at p ('['); returns the byte after it. */
static const char *skip_bracket(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++; /* a leading ']' is a member */
    while (*p != '\0' && *p != ']') {
        if (p[0] == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
            const char *end = strchr(p + 2, p[1]);
            while (end != NULL && end[1] != ']')
                end = strchr(end + 1, p[1]);
            if (end == NULL)
                return p + strlen(p);
            p = end + 2;
            continue;
        }
        p++;
    }
    return *p == ']' ? p + 1 : p;
}

/* Reads an interval "{m}", "{m,}" or "{m,n}" at p: returns 1 with the copies
 * it always makes, the copies it may make ("{m,}": a loop, one more) and the
 * byte after it, or 0 when p starts no interval. */
static int read_interval(const char *p, unsigned long *least, unsigned long *most, const char **end)
{
    char *e;
    if (p[1] < '0' || p[1] > '9')
        return 0;
    unsigned long m = strtoul(p + 1, &e, 10), n = m;
    if (*e == ',') {
        e++;
        n = *e >= '0' && *e <= '9' ? strtoul(e, &e, 10) : m + 1;
    }
    if (*e != '}')
        return 0;
    *least = m;
    *most = n > m ? n : m;
    *end = e + 1;
    return 1;
}

/* A pattern or part of it, written out: its elements, and the elements inside
 * optional or repeated items (counted once per enclosing repetition). */
typedef struct {
    size_t elements, repeated;
} cost_t;

static int check_pattern(const char *pat, const char *what, pw_err_t *err)
{
    /* group[d]: the group open at depth d so far, group[0] the pattern;
     * total: their sum; last: the item an operator would apply to. Counts are
     * at most MAX_COUNT and totals at most the limits: nothing overflows. */
    cost_t group[MAX_DEPTH + 1], total = {0, 0}, last = {0, 0};
    unsigned long least, copies;
    int depth = 0;
    group[0] = total;
    for (const char *p = pat; *p != '\0';) {
        const char *next = p + 1;
        cost_t more = {1, 0};
        if (*p == '(') {
            if (depth == MAX_DEPTH)
                return pw_err_set(err, PW_EUNSUPP,
                                  "the profile's %s pattern nests groups more than %d deep", what,
                                  MAX_DEPTH);
            group[++depth] = (cost_t){0, 0};
            last = group[depth];
            p = next;
            continue;
        } else if (*p == ')' && depth > 0) {
            last = group[depth--];
            group[depth].elements += last.elements;
            group[depth].repeated += last.repeated;
            p = next;
            continue;
        } else if (*p == '{' && read_interval(p, &least, &copies, &next)) {
            if (copies > MAX_COUNT)
                return pw_err_set(err, PW_EUNSUPP,
                                  "the profile's %s pattern repeats something %lu times; pprof's "
                                  "regular expressions allow at most %d",
                                  what, copies, MAX_COUNT);
            /* The item is written out once already; the copies past the
             * least are optional. */
            more.elements = copies > 0 ? last.elements * (copies - 1) : 0;
            more.repeated =
                (copies > 0 ? last.repeated * (copies - 1) : 0) + last.elements * (copies - least);
            last.elements += more.elements;
            last.repeated += more.repeated;
        } else if (*p == '?' || *p == '*' || *p == '+') {
            more.repeated = last.elements;
            last.repeated += last.elements;
            last.elements++;
        } else {
            if (*p == '\\' && p[1] >= '1' && p[1] <= '9')
                return pw_err_set(err, PW_EUNSUPP,
                                  "the profile's %s pattern uses a back-reference (\\%c), which "
                                  "pprof's regular expressions do not have",
                                  what, p[1]);
            if (*p == '\\' && p[1] != '\0')
                next = p + 2;
            else if (*p == '[')
                next = skip_bracket(p);
            last = more;
        }
        group[depth].elements += more.elements;
        group[depth].repeated += more.repeated;
        total.elements += more.elements;
        total.repeated += more.repeated;
        if (total.elements > MAX_ELEMENTS || total.repeated > MAX_REPEATED)
            return pw_err_set(err, PW_EUNSUPP,
                              "the profile's %s pattern is too costly to match safely: written "
                              "out, it has over %d elements, or over %d inside optional or "
                              "repeated items",
                              what, MAX_ELEMENTS, MAX_REPEATED);
        p = next;
    }
    return 0;
}

static int compile_anchored(regex_t *re, const char *pat, const char *what, pw_err_t *err)
{
    int rc = check_pattern(pat, what, err);
    if (rc != 0)
        return rc;
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

/* Which functions' frames are dropped. A match can take milliseconds on a
 * long name (see check_pattern), and a hostile profile can repeat one name in
 * every function and frame, so each distinct name is matched once: the cost
 * then grows with the bytes of distinct names, not with the frames. */
typedef struct {
    const pw_profile_t *p;
    regex_t *drop, *keep;
    uint8_t *verdict;  /* per function: 0 not yet known, DROP, KEEP */
    pw_hmapstr_t seen; /* name -> DROP or KEEP */
    char name[4096];
} matcher_t;

enum { DROP = 1, KEEP = 2 };

static int dropped(matcher_t *m, uint32_t fi)
{
    if (m->verdict[fi] != 0)
        return m->verdict[fi] == DROP;
    const char *fname = m->p->functions[fi].name;
    size_t len = strlen(fname);
    uint32_t h = pw_hash_bytes(fname, len);
    uint32_t v = pw_hmapstr_get(&m->seen, fname, len, h);
    if (v == PW_HMAP_NONE) {
        v = KEEP;
        if (fname[0] != '\0') {
            simplify_func(fname, m->name, sizeof(m->name));
            if (regexec(m->drop, m->name, 0, NULL, 0) == 0 &&
                (m->keep == NULL || regexec(m->keep, m->name, 0, NULL, 0) != 0))
                v = DROP;
        }
        /* Out of memory here only means matching this name again later. */
        (void)pw_hmapstr_put(&m->seen, fname, len, h, v);
    }
    m->verdict[fi] = (uint8_t)v;
    return v == DROP;
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
    matcher_t m = {.p = p, .drop = &dre, .keep = have_keep ? &kre : NULL};
    m.verdict = calloc(p->n_functions + 1, 1);
    if (state == NULL || m.verdict == NULL || pw_hmapstr_init(&m.seen, p->n_functions) != 0) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t li = 0; li < p->n_locations; li++) {
        pw_location_t *l = &p->locations[li];
        long i;
        for (i = (long)l->n_lines - 1; i >= 0; i--)
            if (dropped(&m, l->lines[i].function))
                break;
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
done:
    free(state);
    free(m.verdict);
    pw_hmapstr_free(&m.seen);
    regfree(&dre);
    if (have_keep)
        regfree(&kre);
    return rc;
}
