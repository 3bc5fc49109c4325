#include "profwatch/smaps.h"

#include <stdlib.h>
#include <string.h>

#include "profwatch/arena.h"
#include "profwatch/hmap.h"

/* Every key the kernel prints in a smaps block, in its order, with the
 * rollup-only keys where smaps_rollup prints them. Keys we do not sum map to
 * -1; listing them lets the in-order guess skip them in one comparison. */
typedef struct {
    const char *key;
    unsigned char len;
    signed char field;
} keydef_t;

#define K(s, f)                                                                                    \
    {                                                                                              \
        s, sizeof(s) - 1, f                                                                        \
    }
static const keydef_t keys[] = {
    K("Size", -1),
    K("KernelPageSize", -1),
    K("MMUPageSize", -1),
    K("Rss", PW_SMAPS_RSS),
    K("Pss", PW_SMAPS_PSS),
    K("Pss_Dirty", PW_SMAPS_PSS_DIRTY),
    K("Pss_Anon", PW_SMAPS_PSS_ANON),
    K("Pss_File", PW_SMAPS_PSS_FILE),
    K("Pss_Shmem", PW_SMAPS_PSS_SHMEM),
    K("Shared_Clean", PW_SMAPS_SHARED_CLEAN),
    K("Shared_Dirty", PW_SMAPS_SHARED_DIRTY),
    K("Private_Clean", PW_SMAPS_PRIVATE_CLEAN),
    K("Private_Dirty", PW_SMAPS_PRIVATE_DIRTY),
    K("Referenced", PW_SMAPS_REFERENCED),
    K("Anonymous", PW_SMAPS_ANONYMOUS),
    K("KSM", PW_SMAPS_KSM),
    K("LazyFree", PW_SMAPS_LAZYFREE),
    K("AnonHugePages", PW_SMAPS_ANON_HUGE_PAGES),
    K("ShmemPmdMapped", PW_SMAPS_SHMEM_PMD_MAPPED),
    K("FilePmdMapped", PW_SMAPS_FILE_PMD_MAPPED),
    K("Shared_Hugetlb", PW_SMAPS_SHARED_HUGETLB),
    K("Private_Hugetlb", PW_SMAPS_PRIVATE_HUGETLB),
    K("Swap", PW_SMAPS_SWAP),
    K("SwapPss", PW_SMAPS_SWAP_PSS),
    K("Locked", PW_SMAPS_LOCKED),
    K("THPeligible", -1),
    K("ProtectionKey", -1),
    K("VmFlags", -1),
};
#undef K
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* The kernel's spelling, and the metric name the regression detector uses. */
static const struct {
    const char *key, *name;
} fields[PW_SMAPS_NFIELDS] = {
    [PW_SMAPS_RSS] = {"Rss", "rss"},
    [PW_SMAPS_PSS] = {"Pss", "pss"},
    [PW_SMAPS_PSS_DIRTY] = {"Pss_Dirty", "pss_dirty"},
    [PW_SMAPS_PSS_ANON] = {"Pss_Anon", "pss_anon"},
    [PW_SMAPS_PSS_FILE] = {"Pss_File", "pss_file"},
    [PW_SMAPS_PSS_SHMEM] = {"Pss_Shmem", "pss_shmem"},
    [PW_SMAPS_SHARED_CLEAN] = {"Shared_Clean", "shared_clean"},
    [PW_SMAPS_SHARED_DIRTY] = {"Shared_Dirty", "shared_dirty"},
    [PW_SMAPS_PRIVATE_CLEAN] = {"Private_Clean", "private_clean"},
    [PW_SMAPS_PRIVATE_DIRTY] = {"Private_Dirty", "private_dirty"},
    [PW_SMAPS_REFERENCED] = {"Referenced", "referenced"},
    [PW_SMAPS_ANONYMOUS] = {"Anonymous", "anonymous"},
    [PW_SMAPS_KSM] = {"KSM", "ksm"},
    [PW_SMAPS_LAZYFREE] = {"LazyFree", "lazy_free"},
    [PW_SMAPS_ANON_HUGE_PAGES] = {"AnonHugePages", "anon_huge_pages"},
    [PW_SMAPS_SHMEM_PMD_MAPPED] = {"ShmemPmdMapped", "shmem_pmd_mapped"},
    [PW_SMAPS_FILE_PMD_MAPPED] = {"FilePmdMapped", "file_pmd_mapped"},
    [PW_SMAPS_SHARED_HUGETLB] = {"Shared_Hugetlb", "shared_hugetlb"},
    [PW_SMAPS_PRIVATE_HUGETLB] = {"Private_Hugetlb", "private_hugetlb"},
    [PW_SMAPS_SWAP] = {"Swap", "swap"},
    [PW_SMAPS_SWAP_PSS] = {"SwapPss", "swap_pss"},
    [PW_SMAPS_LOCKED] = {"Locked", "locked"},
};

static const signed char pfield_fields[PW_SMAPS_P_NFIELDS] = {
    PW_SMAPS_PSS,          PW_SMAPS_RSS,          PW_SMAPS_PRIVATE_CLEAN, PW_SMAPS_PRIVATE_DIRTY,
    PW_SMAPS_SHARED_CLEAN, PW_SMAPS_SHARED_DIRTY, PW_SMAPS_ANONYMOUS,     PW_SMAPS_SWAP_PSS,
};

#define ALL_FIELDS ((uint32_t)((1ull << PW_SMAPS_NFIELDS) - 1))
#define ALL_PFIELDS ((uint32_t)((1ull << PW_SMAPS_P_NFIELDS) - 1))
#define MANDATORY ((1u << PW_SMAPS_RSS) | (1u << PW_SMAPS_PSS))

static const char deleted_suffix[] = " (deleted)";
#define DELETED_LEN (sizeof(deleted_suffix) - 1)

const char *pw_smaps_field_key(int field)
{
    return field >= 0 && field < PW_SMAPS_NFIELDS ? fields[field].key : NULL;
}

const char *pw_smaps_field_name(int field)
{
    return field >= 0 && field < PW_SMAPS_NFIELDS ? fields[field].name : NULL;
}

int pw_smaps_pfield_field(int pfield)
{
    return pfield >= 0 && pfield < PW_SMAPS_P_NFIELDS ? pfield_fields[pfield] : -1;
}

/* ---- lines ---- */

typedef struct {
    const char *p, *end;
    size_t lineno;
} cursor_t;

/* The next line without its '\n'; 0 at the end of the buffer. */
static int next_line(cursor_t *c, const char **line, size_t *n)
{
    if (c->p >= c->end)
        return 0;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *stop = nl != NULL ? nl : c->end;
    *line = c->p;
    *n = (size_t)(stop - c->p);
    c->p = nl != NULL ? nl + 1 : c->end;
    c->lineno++;
    return 1;
}

/* A short, printable excerpt of bad input for a message. */
static void excerpt(char *out, size_t cap, const char *s, size_t n)
{
    size_t room = cap - 4; /* "..." and the NUL */
    size_t take = n < room ? n : room;
    for (size_t i = 0; i < take; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[i] = ch >= 0x20 && ch < 0x7f && ch != '"' ? (char)ch : '?';
    }
    if (take < n) {
        memcpy(out + take, "...", 3);
        take += 3;
    }
    out[take] = '\0';
}

static int is_hex(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/* Kernel headers start "start-end ", lowercase hex; keys start uppercase. */
static int looks_like_header(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_hex((unsigned char)s[i]))
        i++;
    return i > 0 && i < n && s[i] == '-';
}

static size_t span_hex(const char *s, size_t i, size_t n)
{
    while (i < n && is_hex((unsigned char)s[i]))
        i++;
    return i;
}

/* "start-end perms offset major:minor inode [pathname]". Sets the pathname
 * (possibly empty). Returns 0, or -1 when the line is not a header. */
static int parse_header(const char *s, size_t n, const char **name, size_t *name_len)
{
    size_t i = span_hex(s, 0, n), j;
    if (i == 0 || i >= n || s[i] != '-')
        return -1;
    j = span_hex(s, i + 1, n);
    if (j == i + 1 || j >= n || s[j] != ' ')
        return -1;
    i = j + 1;
    if (i + 5 > n || s[i + 4] != ' ') /* rwxp */
        return -1;
    for (size_t k = 0; k < 4; k++)
        if (s[i + k] == ' ')
            return -1;
    i += 5;
    j = span_hex(s, i, n);
    if (j == i || j >= n || s[j] != ' ')
        return -1;
    i = j + 1;
    j = span_hex(s, i, n);
    if (j == i || j >= n || s[j] != ':')
        return -1;
    i = j + 1;
    j = span_hex(s, i, n);
    if (j == i || j >= n || s[j] != ' ')
        return -1;
    i = j + 1;
    j = i;
    while (j < n && s[j] >= '0' && s[j] <= '9')
        j++;
    if (j == i || (j < n && s[j] != ' '))
        return -1;
    while (j < n && s[j] == ' ')
        j++;
    *name = s + j;
    *name_len = n - j;
    return 0;
}

/* "Key:" at the start of a line: the index into keys[], -2 for a well-formed
 * key we do not know, -1 for a line that is not "Key: ...". guess is the
 * index expected next (the kernel's order). */
static int match_key(const char *s, size_t n, size_t guess, size_t *colon)
{
    size_t k = 0;
    while (k < n && s[k] != ':') {
        unsigned char ch = (unsigned char)s[k];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return -1;
        k++;
    }
    if (k == 0 || k == n)
        return -1;
    *colon = k;
    for (size_t t = 0; t < N_KEYS; t++) {
        size_t idx = (guess + t) % N_KEYS;
        if (keys[idx].len == k && memcmp(keys[idx].key, s, k) == 0)
            return (int)idx;
    }
    return -2;
}

/* "   1234 kB" (after the colon) into bytes. */
static int parse_kb(const char *s, size_t n, uint64_t *bytes)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    uint64_t v = 0;
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (v > (UINT64_MAX / 1024 - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0)
        return -1;
    while (i < n && s[i] == ' ')
        i++;
    if (i + 2 > n || s[i] != 'k' || s[i + 1] != 'B')
        return -1;
    i += 2;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    if (i != n)
        return -1;
    *bytes = v * 1024;
    return 0;
}

static int bad_value(pw_err_t *err, size_t lineno, const char *key, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    char ex[48];
    excerpt(ex, sizeof(ex), s, n);
    return pw_err_set(err, PW_EINVAL,
                      "line %zu: %s: expected a size such as \"1234 kB\", got \"%s\"", lineno, key,
                      ex);
}

/* One "Key: value" line: stores a known field into vals/mask. */
static int value_line(const char *line, size_t n, size_t lineno, size_t *guess, uint64_t *vals,
                      uint32_t *mask, pw_err_t *err)
{
    size_t colon = 0;
    int k = match_key(line, n, *guess, &colon);
    if (k == -1) {
        char ex[48];
        excerpt(ex, sizeof(ex), line, n);
        return pw_err_set(err, PW_EINVAL,
                          "line %zu: expected a mapping header or \"Field: value\", got \"%s\"",
                          lineno, ex);
    }
    if (k == -2)
        return 0; /* a field this profwatch does not know: the kernel adds some */
    *guess = ((size_t)k + 1) % N_KEYS;
    int f = keys[k].field;
    if (f < 0)
        return 0;
    if (*mask & (1u << f))
        return pw_err_set(err, PW_EINVAL, "line %zu: %s appears twice in one block", lineno,
                          keys[k].key);
    uint64_t b;
    if (parse_kb(line + colon + 1, n - colon - 1, &b) != 0)
        return bad_value(err, lineno, keys[k].key, line + colon + 1, n - colon - 1);
    vals[f] = b;
    *mask |= 1u << f;
    return 0;
}

/* ---- smaps_rollup ---- */

int pw_smaps_parse_rollup(const char *buf, size_t len, pw_smaps_rollup_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    cursor_t c = {buf, buf + len, 0};
    const char *line;
    size_t n, guess = 0;
    int seen_header = 0;
    uint64_t vals[PW_SMAPS_NFIELDS] = {0};
    uint32_t mask = 0;
    if (len == 0)
        return pw_err_set(err, PW_EINVAL, "empty input: no smaps_rollup block");
    while (next_line(&c, &line, &n)) {
        if (n == 0)
            continue;
        if (looks_like_header(line, n)) {
            const char *name;
            size_t name_len;
            if (seen_header)
                return pw_err_set(err, PW_EINVAL,
                                  "line %zu: a second mapping header: this is smaps, not "
                                  "smaps_rollup",
                                  c.lineno);
            if (parse_header(line, n, &name, &name_len) != 0 || name_len != 8 ||
                memcmp(name, "[rollup]", 8) != 0) {
                char ex[48];
                excerpt(ex, sizeof(ex), line, n);
                return pw_err_set(err, PW_EINVAL,
                                  "line %zu: expected the \"[rollup]\" header of smaps_rollup, "
                                  "got \"%s\"",
                                  c.lineno, ex);
            }
            seen_header = 1;
            continue;
        }
        if (!seen_header) {
            char ex[48];
            excerpt(ex, sizeof(ex), line, n);
            return pw_err_set(err, PW_EINVAL,
                              "line %zu: expected the \"... [rollup]\" header line first, got "
                              "\"%s\"",
                              c.lineno, ex);
        }
        int rc = value_line(line, n, c.lineno, &guess, vals, &mask, err);
        if (rc != 0)
            return rc;
    }
    if (!seen_header)
        return pw_err_set(err, PW_EINVAL, "no smaps_rollup block (only empty lines)");
    if ((mask & MANDATORY) != MANDATORY)
        return pw_err_set(err, PW_EINVAL, "the block has no %s line: not a complete smaps_rollup",
                          (mask & (1u << PW_SMAPS_PSS)) ? "Rss" : "Pss");
    memcpy(out->v, vals, sizeof(vals));
    out->present = mask;
    out->n_inputs = 1;
    return 0;
}

int pw_smaps_rollup_add(pw_smaps_rollup_t *dst, const pw_smaps_rollup_t *src, pw_err_t *err)
{
    if (src->n_inputs == 0)
        return 0;
    uint64_t sum[PW_SMAPS_NFIELDS];
    for (int f = 0; f < PW_SMAPS_NFIELDS; f++)
        if (__builtin_add_overflow(dst->v[f], src->v[f], &sum[f]))
            return pw_err_set(err, PW_EINVAL, "%s: the sum overflows 64 bits", fields[f].key);
    memcpy(dst->v, sum, sizeof(sum));
    dst->present = dst->n_inputs == 0 ? src->present : dst->present & src->present;
    dst->n_inputs += src->n_inputs;
    return 0;
}

/* ---- smaps ---- */

typedef struct {
    pw_smaps_path_t pub; /* first: result rows point here */
    uint64_t pend[PW_SMAPS_P_NFIELDS];
    uint32_t pend_mappings;
    uint32_t pend_flags;
    uint32_t gen; /* pw_smaps_add call that last touched it */
} entry_t;

struct pw_smaps {
    size_t max_paths;
    pw_arena_t *names;
    pw_hmapstr_t index;
    entry_t *ent;
    size_t n_ent, cap_ent;
    entry_t overflow; /* pathnames past PW_SMAPS_MAX_TRACKED */
    uint32_t *touched;
    size_t n_touched, cap_touched;
    uint32_t gen;
    const pw_smaps_path_t **rank;
    size_t cap_rank;
    pw_smaps_rollup_t total;
    uint32_t path_present;
    size_t n_mappings;
    uint32_t flags;
    pw_smaps_result_t res;
};

#define OVERFLOW_IDX UINT32_MAX

pw_smaps_t *pw_smaps_create(size_t max_paths)
{
    pw_smaps_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto fail_alloc;
    s->names = pw_arena_create(PW_SMAPS_ARENA_LIMIT);
    if (s->names == NULL)
        goto fail_arena;
    if (pw_hmapstr_init(&s->index, 256) != 0)
        goto fail_index;
    s->max_paths = max_paths;
    pw_smaps_reset(s);
    return s;
fail_index:
    pw_arena_destroy(s->names);
fail_arena:
    free(s);
fail_alloc:
    return NULL;
}

void pw_smaps_destroy(pw_smaps_t *s)
{
    if (s == NULL)
        return;
    pw_hmapstr_free(&s->index);
    pw_arena_destroy(s->names);
    free(s->ent);
    free(s->touched);
    free(s->rank);
    free(s);
}

void pw_smaps_reset(pw_smaps_t *s)
{
    pw_arena_reset(s->names);
    pw_hmapstr_clear(&s->index);
    s->n_ent = 0;
    memset(&s->overflow, 0, sizeof(s->overflow));
    s->overflow.pub.name = "[other]";
    s->overflow.pub.name_len = 7;
    memset(&s->total, 0, sizeof(s->total));
    s->path_present = ALL_PFIELDS;
    s->n_mappings = 0;
    s->flags = 0;
    memset(&s->res, 0, sizeof(s->res));
}

static entry_t *entry_at(pw_smaps_t *s, uint32_t idx)
{
    return idx == OVERFLOW_IDX ? &s->overflow : &s->ent[idx];
}

/* The entry for a pathname, created on first sight. */
static int lookup(pw_smaps_t *s, const char *name, size_t n, uint32_t *idx, pw_err_t *err)
{
    uint32_t h = pw_hash_bytes(name, n);
    uint32_t i = pw_hmapstr_get(&s->index, name, n, h);
    if (i != PW_HMAP_NONE) {
        *idx = i;
        return 0;
    }
    if (s->n_ent >= PW_SMAPS_MAX_TRACKED) {
        *idx = OVERFLOW_IDX;
        return 0;
    }
    if (s->n_ent == s->cap_ent) {
        size_t cap = s->cap_ent ? s->cap_ent * 2 : 64;
        entry_t *e = realloc(s->ent, cap * sizeof(*e));
        if (e == NULL)
            return pw_err_set(err, PW_ENOMEM, "out of memory for %zu pathnames", cap);
        s->ent = e;
        s->cap_ent = cap;
    }
    const char *copy = pw_arena_strndup(s->names, name, n);
    if (copy == NULL)
        return pw_err_set(err, PW_ENOMEM, "pathnames exceed the %u MiB budget",
                          PW_SMAPS_ARENA_LIMIT >> 20);
    if (pw_hmapstr_put(&s->index, copy, n, h, (uint32_t)s->n_ent) == PW_HMAP_NONE)
        return pw_err_set(err, PW_ENOMEM, "out of memory for the pathname index");
    entry_t *e = &s->ent[s->n_ent];
    memset(e, 0, sizeof(*e));
    e->pub.name = copy;
    e->pub.name_len = n;
    *idx = (uint32_t)s->n_ent++;
    return 0;
}

/* State of one pw_smaps_add call. */
typedef struct {
    uint64_t total[PW_SMAPS_NFIELDS];
    uint32_t total_mask;
    uint32_t path_mask;
    size_t n_mappings;
    /* the mapping being read */
    int open;
    uint32_t idx;
    uint32_t flags;
    size_t header_line;
    uint64_t vals[PW_SMAPS_NFIELDS];
    uint32_t mask;
} add_t;

/* Ends the current mapping: adds it to the pending sums. */
static int close_mapping(pw_smaps_t *s, add_t *a, pw_err_t *err)
{
    if (!a->open)
        return 0;
    a->open = 0;
    if ((a->mask & MANDATORY) != MANDATORY)
        return pw_err_set(err, PW_EINVAL, "line %zu: the mapping that starts here has no %s line",
                          a->header_line, (a->mask & (1u << PW_SMAPS_PSS)) ? "Rss" : "Pss");
    entry_t *e = entry_at(s, a->idx);
    uint64_t tot[PW_SMAPS_NFIELDS], pend[PW_SMAPS_P_NFIELDS], tmp;
    for (int f = 0; f < PW_SMAPS_NFIELDS; f++)
        if (__builtin_add_overflow(a->total[f], a->vals[f], &tot[f]) ||
            __builtin_add_overflow(tot[f], s->total.v[f], &tmp))
            return pw_err_set(err, PW_EINVAL, "line %zu: %s summed over mappings overflows 64 bits",
                              a->header_line, fields[f].key);
    uint32_t pmask = 0;
    for (int p = 0; p < PW_SMAPS_P_NFIELDS; p++) {
        int f = pfield_fields[p];
        if (a->mask & (1u << f))
            pmask |= 1u << p;
        if (__builtin_add_overflow(e->pend[p], a->vals[f], &pend[p]) ||
            __builtin_add_overflow(pend[p], e->pub.v[p], &tmp))
            return pw_err_set(err, PW_EINVAL, "line %zu: %s summed over mappings overflows 64 bits",
                              a->header_line, fields[f].key);
    }
    memcpy(a->total, tot, sizeof(tot));
    memcpy(e->pend, pend, sizeof(pend));
    a->total_mask &= a->mask;
    a->path_mask &= pmask;
    a->n_mappings++;
    if (e->gen != s->gen) {
        e->gen = s->gen;
        e->pend_mappings = 0;
        e->pend_flags = 0;
        s->touched[s->n_touched++] = a->idx;
    }
    e->pend_mappings++;
    e->pend_flags |= a->flags;
    return 0;
}

static int open_mapping(pw_smaps_t *s, add_t *a, const char *line, size_t n, size_t lineno,
                        pw_err_t *err)
{
    const char *name;
    size_t name_len;
    if (parse_header(line, n, &name, &name_len) != 0) {
        char ex[64];
        excerpt(ex, sizeof(ex), line, n);
        return pw_err_set(err, PW_EINVAL,
                          "line %zu: expected a mapping header \"start-end perms offset dev "
                          "inode [pathname]\", got \"%s\"",
                          lineno, ex);
    }
    if (name_len > PW_SMAPS_MAX_NAME)
        return pw_err_set(err, PW_EINVAL, "line %zu: pathname of %zu bytes (the limit is %d)",
                          lineno, name_len, PW_SMAPS_MAX_NAME);
    /* Values and keys reject a NUL byte as they parse; a name is copied as a
     * C string, so it is checked here. */
    if (memchr(name, '\0', name_len) != NULL)
        return pw_err_set(err, PW_EINVAL, "line %zu: NUL byte in the pathname", lineno);
    a->flags = 0;
    if (name_len > DELETED_LEN &&
        memcmp(name + name_len - DELETED_LEN, deleted_suffix, DELETED_LEN) == 0) {
        name_len -= DELETED_LEN;
        a->flags |= PW_SMAPS_PATH_DELETED;
    }
    if (name_len == 0) {
        name = "[anon]";
        name_len = 6;
    }
    /* Every entry this call touches goes on the list once; make room first so
     * close_mapping cannot fail for it. */
    if (s->n_touched == s->cap_touched) {
        size_t cap = s->cap_touched ? s->cap_touched * 2 : 64;
        uint32_t *t = realloc(s->touched, cap * sizeof(*t));
        if (t == NULL)
            return pw_err_set(err, PW_ENOMEM, "out of memory");
        s->touched = t;
        s->cap_touched = cap;
    }
    int rc = lookup(s, name, name_len, &a->idx, err);
    if (rc != 0)
        return rc;
    a->open = 1;
    a->header_line = lineno;
    memset(a->vals, 0, sizeof(a->vals));
    a->mask = 0;
    return 0;
}

/* Makes the pending sums of this call permanent, or drops them. */
static void settle(pw_smaps_t *s, const add_t *a, int keep)
{
    for (size_t i = 0; i < s->n_touched; i++) {
        entry_t *e = entry_at(s, s->touched[i]);
        if (keep) {
            for (int p = 0; p < PW_SMAPS_P_NFIELDS; p++)
                e->pub.v[p] += e->pend[p];
            e->pub.n_mappings += e->pend_mappings;
            e->pub.flags |= e->pend_flags;
        }
        memset(e->pend, 0, sizeof(e->pend));
        e->pend_mappings = 0;
        e->pend_flags = 0;
    }
    s->n_touched = 0;
    if (!keep)
        return;
    if (s->overflow.gen == s->gen)
        s->flags |= PW_SMAPS_F_OVERFLOW;
    for (int f = 0; f < PW_SMAPS_NFIELDS; f++)
        s->total.v[f] += a->total[f];
    s->total.present = s->total.n_inputs == 0 ? a->total_mask : s->total.present & a->total_mask;
    s->total.n_inputs++;
    s->path_present &= a->path_mask;
    s->n_mappings += a->n_mappings;
}

int pw_smaps_add(pw_smaps_t *s, const char *buf, size_t len, pw_err_t *err)
{
    add_t a;
    memset(&a, 0, sizeof(a));
    a.total_mask = ALL_FIELDS;
    a.path_mask = ALL_PFIELDS;
    s->gen++;
    if (s->gen == 0) { /* wrapped: no entry may look already touched */
        for (size_t i = 0; i < s->n_ent; i++)
            s->ent[i].gen = 0;
        s->overflow.gen = 0;
        s->gen = 1;
    }
    s->n_touched = 0;
    cursor_t c = {buf, buf + len, 0};
    const char *line;
    size_t n, guess = 0;
    int rc = 0;
    while (next_line(&c, &line, &n)) {
        if (n == 0)
            continue;
        if (looks_like_header(line, n)) {
            rc = close_mapping(s, &a, err);
            if (rc == 0)
                rc = open_mapping(s, &a, line, n, c.lineno, err);
            if (rc != 0)
                goto fail;
            guess = 0;
            continue;
        }
        if (!a.open) {
            char ex[48];
            excerpt(ex, sizeof(ex), line, n);
            rc = pw_err_set(err, PW_EINVAL,
                            "line %zu: expected a mapping header \"start-end perms offset dev "
                            "inode [pathname]\" first, got \"%s\"",
                            c.lineno, ex);
            goto fail;
        }
        rc = value_line(line, n, c.lineno, &guess, a.vals, &a.mask, err);
        if (rc != 0)
            goto fail;
    }
    rc = close_mapping(s, &a, err);
    if (rc != 0)
        goto fail;
    if (a.n_mappings == 0) {
        rc = pw_err_set(err, PW_EINVAL, "no mappings in the input (empty smaps)");
        goto fail;
    }
    settle(s, &a, 1);
    return 0;
fail:
    settle(s, &a, 0);
    return rc;
}

int pw_smaps_parse(pw_smaps_t *s, const char *buf, size_t len, pw_err_t *err)
{
    pw_smaps_reset(s);
    return pw_smaps_add(s, buf, len, err);
}

static int by_pss(const void *pa, const void *pb)
{
    const pw_smaps_path_t *a = *(const pw_smaps_path_t *const *)pa;
    const pw_smaps_path_t *b = *(const pw_smaps_path_t *const *)pb;
    if (a->v[PW_SMAPS_P_PSS] != b->v[PW_SMAPS_P_PSS])
        return a->v[PW_SMAPS_P_PSS] > b->v[PW_SMAPS_P_PSS] ? -1 : 1;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int c = memcmp(a->name, b->name, n);
    if (c != 0)
        return c;
    return a->name_len < b->name_len ? -1 : a->name_len > b->name_len;
}

const pw_smaps_result_t *pw_smaps_finish(pw_smaps_t *s)
{
    if (s->cap_rank < s->n_ent) {
        const pw_smaps_path_t **r = realloc(s->rank, s->n_ent * sizeof(*r));
        if (r == NULL)
            return NULL;
        s->rank = r;
        s->cap_rank = s->n_ent;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->n_ent; i++)
        if (s->ent[i].pub.n_mappings > 0) /* entries left by a failed add have none */
            s->rank[n++] = &s->ent[i].pub;
    if (n > 1)
        qsort(s->rank, n, sizeof(*s->rank), by_pss);
    pw_smaps_result_t *r = &s->res;
    memset(r, 0, sizeof(*r));
    size_t keep = s->max_paths == 0 || s->max_paths > n ? n : s->max_paths;
    r->n_paths = keep;
    r->paths = (const pw_smaps_path_t *const *)s->rank;
    r->other = s->overflow.pub;
    r->other.name = "[other]";
    r->other.name_len = 7;
    for (size_t i = keep; i < n; i++) {
        const pw_smaps_path_t *p = s->rank[i];
        for (int f = 0; f < PW_SMAPS_P_NFIELDS; f++)
            r->other.v[f] += p->v[f]; /* cannot overflow: the total of each field fits */
        r->other.n_mappings += p->n_mappings;
        r->other.flags |= p->flags;
        r->other_paths++;
    }
    r->distinct_paths = n;
    r->n_mappings = s->n_mappings;
    r->path_present = s->total.n_inputs ? s->path_present : 0;
    r->total = s->total;
    r->flags = s->flags;
    return r;
}
