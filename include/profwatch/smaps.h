/* /proc/PID/smaps_rollup and /proc/PID/smaps, parsed from a byte buffer.
 *
 * smaps_rollup: every field the kernel prints in kB becomes bytes, with a bit
 * saying whether the kernel printed it at all (Pss_Anon/Pss_File/Pss_Shmem
 * appeared in Linux 5.3, SwapPss in 4.3, Pss_Dirty in 6.0): a field that is
 * absent stays absent, it is never estimated.
 *
 * smaps: one block per mapping, aggregated per pathname, the way the SMP
 * regression detector tags `smaps.*.by_pathname`:
 *   - a mapping with no name counts as "[anon]"; names the kernel puts in
 *     brackets ("[heap]", "[stack]", "[vdso]", "[anon:NAME]") and pseudo-files
 *     ("anon_inode:bpf-map") are kept exactly as the kernel writes them;
 *   - a pathname is the rest of the header line after the inode, spaces
 *     included (a file named "my lib.so" stays "my lib.so"); the kernel writes
 *     a newline in a name as "\012", so one line is always one mapping;
 *   - a trailing " (deleted)" is removed and the row is flagged
 *     PW_SMAPS_PATH_DELETED, so that a binary replaced in place by an upgrade
 *     keeps its pathname (and its metric tag) while the old process still maps
 *     it. A file whose real name ends in " (deleted)" cannot be told apart: the
 *     kernel writes both the same way. Shared anonymous memory is shmem and the
 *     kernel names it "/dev/zero (deleted)", so it shows as "/dev/zero".
 * Per pathname the parser keeps Pss, Rss, Private/Shared Clean/Dirty,
 * Anonymous and SwapPss. It also sums every known field over all mappings,
 * which is what smaps_rollup would have said on a kernel that lacks it (minus
 * Pss_Anon/Pss_File/Pss_Shmem, which smaps does not carry and which are then
 * reported absent).
 *
 * Cost: one pass, no allocation per line. Keys are matched against a table in
 * the order the kernel prints them, so a known key costs one comparison;
 * unknown keys (VmFlags, THPeligible, ...) are skipped without parsing.
 *
 * Hostile input: every entry point takes (buf, len), need not be
 * NUL-terminated, and either fails with a message naming the line, or
 * succeeds. Memory is bounded: names longer than PW_SMAPS_MAX_NAME are
 * refused, at most PW_SMAPS_MAX_TRACKED distinct pathnames are tracked (the
 * rest go to "[other]" and PW_SMAPS_F_OVERFLOW is set), and the object's
 * arena has a byte budget. */
#ifndef PW_SMAPS_H
#define PW_SMAPS_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

/* Fields of smaps_rollup, in the kernel's order. */
typedef enum {
    PW_SMAPS_RSS,
    PW_SMAPS_PSS,
    PW_SMAPS_PSS_DIRTY,
    PW_SMAPS_PSS_ANON,
    PW_SMAPS_PSS_FILE,
    PW_SMAPS_PSS_SHMEM,
    PW_SMAPS_SHARED_CLEAN,
    PW_SMAPS_SHARED_DIRTY,
    PW_SMAPS_PRIVATE_CLEAN,
    PW_SMAPS_PRIVATE_DIRTY,
    PW_SMAPS_REFERENCED,
    PW_SMAPS_ANONYMOUS,
    PW_SMAPS_KSM,
    PW_SMAPS_LAZYFREE,
    PW_SMAPS_ANON_HUGE_PAGES,
    PW_SMAPS_SHMEM_PMD_MAPPED,
    PW_SMAPS_FILE_PMD_MAPPED,
    PW_SMAPS_SHARED_HUGETLB,
    PW_SMAPS_PRIVATE_HUGETLB,
    PW_SMAPS_SWAP,
    PW_SMAPS_SWAP_PSS,
    PW_SMAPS_LOCKED,
    PW_SMAPS_NFIELDS
} pw_smaps_field_t;

/* The fields kept per pathname. */
typedef enum {
    PW_SMAPS_P_PSS,
    PW_SMAPS_P_RSS,
    PW_SMAPS_P_PRIVATE_CLEAN,
    PW_SMAPS_P_PRIVATE_DIRTY,
    PW_SMAPS_P_SHARED_CLEAN,
    PW_SMAPS_P_SHARED_DIRTY,
    PW_SMAPS_P_ANONYMOUS,
    PW_SMAPS_P_SWAP_PSS,
    PW_SMAPS_P_NFIELDS
} pw_smaps_pfield_t;

/* The kernel's key ("Pss_Anon") and the metric name ("pss_anon"), as the
 * regression detector spells them; NULL when out of range. */
const char *pw_smaps_field_key(int field);
const char *pw_smaps_field_name(int field);
/* The pw_smaps_field_t that a per-pathname field is, or -1. */
int pw_smaps_pfield_field(int pfield);

typedef struct {
    uint64_t v[PW_SMAPS_NFIELDS]; /* bytes; 0 when absent */
    uint32_t present;             /* bit f: field f was in every input summed */
    uint32_t n_inputs;            /* processes summed; 0 for an empty total */
} pw_smaps_rollup_t;

#define PW_SMAPS_HAS(r, f) ((((r)->present) >> (f)) & 1u)

/* Parses one smaps_rollup text into *out (overwritten). Fails when the text
 * is empty, is not a single "[rollup]" block, has no Rss or Pss line, repeats
 * a field, or has a known field whose value is not "N kB"; err names the line.
 * Unknown fields are ignored. */
int pw_smaps_parse_rollup(const char *buf, size_t len, pw_smaps_rollup_t *out, pw_err_t *err);

/* dst += src, field by field; a field stays present only if both have it.
 * dst may start zeroed. Returns PW_EINVAL (dst unchanged) on overflow. */
int pw_smaps_rollup_add(pw_smaps_rollup_t *dst, const pw_smaps_rollup_t *src, pw_err_t *err);

#define PW_SMAPS_MAX_NAME 8192     /* bytes of one pathname, " (deleted)" included */
#define PW_SMAPS_MAX_TRACKED 16384 /* distinct pathnames tracked by one pw_smaps_t */
#define PW_SMAPS_ARENA_LIMIT (64u * 1024 * 1024)

enum { PW_SMAPS_PATH_DELETED = 1 }; /* at least one mapping was " (deleted)" */

typedef struct {
    const char *name; /* NUL-terminated; "[anon]", "[heap]", "/usr/lib/libc.so.6", ... */
    size_t name_len;
    uint32_t flags;      /* PW_SMAPS_PATH_* */
    uint32_t n_mappings; /* mappings folded into this row */
    uint64_t v[PW_SMAPS_P_NFIELDS];
} pw_smaps_path_t;

enum {
    /* More than PW_SMAPS_MAX_TRACKED distinct pathnames: those seen after the
     * cap went straight to "[other]", so the ranking may miss one of them. */
    PW_SMAPS_F_OVERFLOW = 1,
};

/* What pw_smaps_finish() reports; valid until the next add or reset. */
typedef struct {
    size_t n_paths;                      /* rows in paths, at most max_paths */
    const pw_smaps_path_t *const *paths; /* by Pss descending, then name */
    pw_smaps_path_t other;               /* "[other]": every pathname past max_paths */
    size_t other_paths;                  /* pathnames folded into other (0: other is empty) */
    size_t distinct_paths;               /* pathnames seen in all */
    size_t n_mappings;
    uint32_t path_present; /* bit p: per-pathname field p was in every mapping */
    /* Every known field summed over every mapping: the fallback for kernels
     * without smaps_rollup. Pss_Anon/Pss_File/Pss_Shmem are absent (smaps
     * does not carry them). n_inputs counts the buffers added. */
    pw_smaps_rollup_t total;
    uint32_t flags; /* PW_SMAPS_F_* */
} pw_smaps_result_t;

typedef struct pw_smaps pw_smaps_t;

/* max_paths: the rows pw_smaps_finish() reports (0: all); the rest are summed
 * into "[other]". Returns NULL when out of memory. */
pw_smaps_t *pw_smaps_create(size_t max_paths);
void pw_smaps_destroy(pw_smaps_t *s);

/* Forgets everything added, keeping the memory for the next read. */
void pw_smaps_reset(pw_smaps_t *s);

/* Parses one process's smaps text and adds it to the totals. On error nothing
 * from buf is added, so the caller can skip one process and go on with the
 * next. buf is borrowed only during the call. */
int pw_smaps_add(pw_smaps_t *s, const char *buf, size_t len, pw_err_t *err);

/* pw_smaps_reset + pw_smaps_add: the single-buffer entry point. */
int pw_smaps_parse(pw_smaps_t *s, const char *buf, size_t len, pw_err_t *err);

/* Ranks the pathnames and folds those past max_paths into "[other]". May be
 * called again after more adds. The result belongs to s. NULL only when out
 * of memory. */
const pw_smaps_result_t *pw_smaps_finish(pw_smaps_t *s);

#endif
