/* fuzz_smaps: /proc/PID/smaps_rollup (pw_smaps_parse_rollup) and
 * /proc/PID/smaps (pw_smaps_parse, pw_smaps_add, pw_smaps_finish), both on
 * every input. The daemon reads them from processes it does not control, and
 * `profwatch smaps` reads saved copies.
 *
 * Checked: a refusal has a code and a message; an accepted rollup has Rss
 * and Pss, and no value for a field it does not mark present; a parsed smaps
 * reports at most max_paths rows, ranked by Pss, each a NUL-terminated name
 * within PW_SMAPS_MAX_NAME, with every pathname counted once in the rows or
 * in [other]; adding the same text twice doubles every total (or fails
 * cleanly on overflow) without changing the pathnames seen. */
#include "fuzz.h"
#include "profwatch/smaps.h"

#define MAX_PATHS 8

static void check_rollup(const pw_smaps_rollup_t *r)
{
    FUZZ_CHECK(PW_SMAPS_HAS(r, PW_SMAPS_RSS) && PW_SMAPS_HAS(r, PW_SMAPS_PSS),
               "a rollup without Rss or Pss");
    for (int f = 0; f < PW_SMAPS_NFIELDS; f++)
        FUZZ_CHECK(PW_SMAPS_HAS(r, f) || r->v[f] == 0, "absent %s = %llu", pw_smaps_field_key(f),
                   (unsigned long long)r->v[f]);
    FUZZ_CHECK(r->n_inputs == 1, "one rollup counted as %u inputs", r->n_inputs);
}

static void check_result(const pw_smaps_result_t *r)
{
    FUZZ_CHECK(r->n_paths <= MAX_PATHS, "%zu rows over %d", r->n_paths, MAX_PATHS);
    FUZZ_CHECK(r->n_paths + r->other_paths == r->distinct_paths,
               "%zu rows + %zu in [other] != %zu pathnames", r->n_paths, r->other_paths,
               r->distinct_paths);
    uint32_t mappings = r->other.n_mappings;
    for (size_t i = 0; i < r->n_paths; i++) {
        const pw_smaps_path_t *p = r->paths[i];
        FUZZ_CHECK(p != NULL && p->name != NULL, "row %zu has no name", i);
        FUZZ_CHECK(p->name_len == strlen(p->name) && p->name_len > 0 &&
                       p->name_len <= PW_SMAPS_MAX_NAME,
                   "row %zu: name of %zu bytes, strlen %zu", i, p->name_len, strlen(p->name));
        FUZZ_CHECK(p->n_mappings > 0, "\"%s\" has no mapping", p->name);
        if (i > 0)
            FUZZ_CHECK(r->paths[i - 1]->v[PW_SMAPS_P_PSS] >= p->v[PW_SMAPS_P_PSS],
                       "\"%s\" ranked below a smaller Pss", r->paths[i - 1]->name);
        mappings += p->n_mappings;
    }
    FUZZ_CHECK(r->other_paths > 0 || r->other.n_mappings == 0, "[other] holds mappings of none");
    FUZZ_CHECK(mappings == r->n_mappings || (r->flags & PW_SMAPS_F_OVERFLOW),
               "%u mappings in the rows, %zu parsed", mappings, r->n_mappings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    pw_err_t err = {0};
    pw_smaps_rollup_t roll, sum;
    int rc = pw_smaps_parse_rollup(text, size, &roll, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_smaps_parse_rollup");
    } else {
        check_rollup(&roll);
        memset(&sum, 0, sizeof(sum));
        FUZZ_CHECK(pw_smaps_rollup_add(&sum, &roll, &err) == 0, "adding to zero: %s", err.msg);
        FUZZ_CHECK(memcmp(sum.v, roll.v, sizeof(sum.v)) == 0, "zero + rollup != rollup");
    }

    pw_smaps_t *s = pw_smaps_create(MAX_PATHS);
    FUZZ_CHECK(s != NULL, "out of memory");
    memset(&err, 0, sizeof(err));
    rc = pw_smaps_parse(s, text, size, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_smaps_parse");
        pw_smaps_destroy(s);
        return 0;
    }
    const pw_smaps_result_t *r = pw_smaps_finish(s);
    FUZZ_CHECK(r != NULL, "finish: out of memory");
    check_result(r);
    size_t distinct = r->distinct_paths, n_map = r->n_mappings;
    pw_smaps_rollup_t once = r->total;

    rc = pw_smaps_add(s, text, size, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_smaps_add of the same text");
    } else {
        r = pw_smaps_finish(s);
        FUZZ_CHECK(r != NULL, "finish: out of memory");
        check_result(r);
        FUZZ_CHECK(r->distinct_paths == distinct && r->n_mappings == 2 * n_map,
                   "the same text twice: %zu pathnames (was %zu), %zu mappings (was %zu)",
                   r->distinct_paths, distinct, r->n_mappings, n_map);
        for (int f = 0; f < PW_SMAPS_NFIELDS; f++)
            FUZZ_CHECK(r->total.v[f] == 2 * once.v[f], "%s: %llu twice is %llu",
                       pw_smaps_field_key(f), (unsigned long long)once.v[f],
                       (unsigned long long)r->total.v[f]);
    }
    pw_smaps_destroy(s);
    return 0;
}
