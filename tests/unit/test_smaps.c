/* Unit tests for the smaps_rollup and smaps parsers, on the hand-written
 * samples in tests/data/smaps (README.md there lists what each one holds).
 * Expected figures were added up by hand from the samples' kB values. */
#include <stdint.h>

#include "profwatch/buf.h"
#include "profwatch/smaps.h"
#include "pw_test.h"

#define KB 1024ull

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/smaps/%s", PW_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(1);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static const pw_smaps_path_t *find_path(const pw_smaps_result_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_paths; i++)
        if (strcmp(r->paths[i]->name, name) == 0)
            return r->paths[i];
    return NULL;
}

static void test_rollup_linux6(void)
{
    size_t len;
    char *t = slurp("rollup-linux-6.txt", &len);
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse_rollup(t, len, &r, &err), 0);
    CHECK_INT(r.present, (1u << PW_SMAPS_NFIELDS) - 1); /* every field is in the sample */
    CHECK_INT(r.n_inputs, 1);
    CHECK_INT(r.v[PW_SMAPS_RSS], 245760 * KB);
    CHECK_INT(r.v[PW_SMAPS_PSS], 203417 * KB);
    CHECK_INT(r.v[PW_SMAPS_PSS_DIRTY], 120345 * KB);
    CHECK_INT(r.v[PW_SMAPS_PSS_ANON], 118200 * KB);
    CHECK_INT(r.v[PW_SMAPS_PSS_FILE], 84193 * KB);
    CHECK_INT(r.v[PW_SMAPS_PSS_SHMEM], 1024 * KB);
    CHECK_INT(r.v[PW_SMAPS_LAZYFREE], 16 * KB);
    CHECK_INT(r.v[PW_SMAPS_ANON_HUGE_PAGES], 32768 * KB);
    CHECK_INT(r.v[PW_SMAPS_SWAP], 4096 * KB);
    CHECK_INT(r.v[PW_SMAPS_SWAP_PSS], 3072 * KB);
    CHECK_INT(r.v[PW_SMAPS_LOCKED], 0);
    CHECK_STR(pw_smaps_field_name(PW_SMAPS_PSS_ANON), "pss_anon");
    CHECK_STR(pw_smaps_field_key(PW_SMAPS_PSS_ANON), "Pss_Anon");
    CHECK_STR(pw_smaps_field_name(PW_SMAPS_LAZYFREE), "lazy_free");
    CHECK(pw_smaps_field_name(PW_SMAPS_NFIELDS) == NULL);
    free(t);
}

static void test_rollup_old_kernel(void)
{
    size_t len;
    char *t = slurp("rollup-linux-4.19.txt", &len);
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse_rollup(t, len, &r, &err), 0);
    CHECK_INT(r.v[PW_SMAPS_PSS], 80512 * KB);
    CHECK_INT(r.v[PW_SMAPS_RSS], 96040 * KB);
    CHECK_INT(r.v[PW_SMAPS_ANONYMOUS], 46040 * KB);
    /* Linux 4.19 has no split of PSS: absent, not zero-and-present. */
    CHECK(!PW_SMAPS_HAS(&r, PW_SMAPS_PSS_ANON));
    CHECK(!PW_SMAPS_HAS(&r, PW_SMAPS_PSS_FILE));
    CHECK(!PW_SMAPS_HAS(&r, PW_SMAPS_PSS_SHMEM));
    CHECK(!PW_SMAPS_HAS(&r, PW_SMAPS_PSS_DIRTY));
    CHECK(!PW_SMAPS_HAS(&r, PW_SMAPS_KSM));
    CHECK(!PW_SMAPS_HAS(&r, PW_SMAPS_FILE_PMD_MAPPED));
    CHECK(PW_SMAPS_HAS(&r, PW_SMAPS_SWAP_PSS));
    CHECK(PW_SMAPS_HAS(&r, PW_SMAPS_LOCKED));
    CHECK_INT(r.v[PW_SMAPS_PSS_ANON], 0);
    free(t);
}

static void expect_rollup_error(const char *text, size_t len, const char *needle)
{
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    int rc = pw_smaps_parse_rollup(text, len, &r, &err);
    CHECK_INT(rc, PW_EINVAL);
    CHECK_CONTAINS(err.msg, needle);
    CHECK_INT(r.present, 0);
}

static void test_rollup_errors(void)
{
    size_t len;
    char *t = slurp("rollup-bad-unit.txt", &len);
    expect_rollup_error(t, len, "line 3: Pss: expected a size such as \"1234 kB\"");
    free(t);
    t = slurp("rollup-no-pss.txt", &len);
    expect_rollup_error(t, len, "no Pss line");
    free(t);
    t = slurp("rollup-truncated.txt", &len);
    expect_rollup_error(t, len, "line 3: Pss:");
    free(t);
    t = slurp("smaps-agent.txt", &len);
    expect_rollup_error(t, len, "expected the \"[rollup]\" header");
    free(t);
    expect_rollup_error("", 0, "empty");
    expect_rollup_error("\n\n", 2, "no smaps_rollup block");
    expect_rollup_error("Pss: 4 kB\n", 10, "line 1: expected the");
    const char *two = "00400000-7ffc5a1f1000 ---p 00000000 00:00 0  [rollup]\nRss: 8 kB\nPss: 4 "
                      "kB\n00400000-7ffc5a1f1000 ---p 00000000 00:00 0  [rollup]\n";
    expect_rollup_error(two, strlen(two), "line 4: a second mapping header");
    const char *dup = "1-2 ---p 0 00:00 0 [rollup]\nRss: 8 kB\nPss: 4 kB\nPss: 4 kB\n";
    expect_rollup_error(dup, strlen(dup), "line 4: Pss appears twice");
    const char *big = "1-2 ---p 0 00:00 0 [rollup]\nRss: 8 kB\nPss: 99999999999999999999 kB\n";
    expect_rollup_error(big, strlen(big), "line 3: Pss");
    const char *neg = "1-2 ---p 0 00:00 0 [rollup]\nRss: 8 kB\nPss: -4 kB\n";
    expect_rollup_error(neg, strlen(neg), "line 3: Pss");
    const char *junk = "1-2 ---p 0 00:00 0 [rollup]\nRss: 8 kB\nthis is not a field\n";
    expect_rollup_error(junk, strlen(junk), "line 3: expected a mapping header or");
    const char nul[] = "1-2 ---p 0 00:00 0 [rollup]\nRss: 8 kB\nPss: 4\0 kB\n";
    expect_rollup_error(nul, sizeof(nul) - 1, "line 3: Pss: expected a size");
    /* Unknown fields, tabs and a missing final newline are fine. */
    const char *ok = "1-2 ---p 0 00:00 0 [rollup]\nRss:\t8 kB\nNewThing: 3 pages\nPss: 4 kB";
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse_rollup(ok, strlen(ok), &r, &err), 0);
    CHECK_INT(r.v[PW_SMAPS_PSS], 4 * KB);
    CHECK_INT(r.v[PW_SMAPS_RSS], 8 * KB);
    CHECK_INT(r.present, (1u << PW_SMAPS_PSS) | (1u << PW_SMAPS_RSS));
}

static void test_rollup_add(void)
{
    size_t len;
    char *t6 = slurp("rollup-linux-6.txt", &len);
    pw_smaps_rollup_t a, b, sum = {0};
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse_rollup(t6, len, &a, &err), 0);
    free(t6);
    char *t4 = slurp("rollup-linux-4.19.txt", &len);
    CHECK_INT(pw_smaps_parse_rollup(t4, len, &b, &err), 0);
    free(t4);
    CHECK_INT(pw_smaps_rollup_add(&sum, &a, &err), 0);
    CHECK_INT(sum.present, a.present);
    CHECK_INT(pw_smaps_rollup_add(&sum, &b, &err), 0);
    CHECK_INT(sum.n_inputs, 2);
    CHECK_INT(sum.v[PW_SMAPS_PSS], (203417 + 80512) * KB);
    /* A field one of them lacks is absent from the sum. */
    CHECK(!PW_SMAPS_HAS(&sum, PW_SMAPS_PSS_ANON));
    CHECK(PW_SMAPS_HAS(&sum, PW_SMAPS_PSS));
    pw_smaps_rollup_t huge = a;
    huge.v[PW_SMAPS_RSS] = UINT64_MAX - 1;
    pw_smaps_rollup_t before = sum;
    CHECK_INT(pw_smaps_rollup_add(&sum, &huge, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "Rss: the sum overflows");
    CHECK(memcmp(&before, &sum, sizeof(sum)) == 0);
}

/* The agent sample, added up by hand (kB):
 *   agent binary       3 mappings: Pss 30000+40000+1500, Private_Clean 70300,
 *                      Private_Dirty 1200, Anonymous 1200
 *   [anon]             3 mappings: Pss 800+40960+64, SwapPss 2048
 *   anon_inode:bpf-map 2 mappings: 1024+512
 *   [heap] 900, /dev/zero (deleted) Pss 512 Rss 1024, libssl (deleted) 400,
 *   "python plugins/libdd check.so" Pss 300 Rss 600, [stack] 132,
 *   /tmp/odd\012name.so 4, [vdso] Pss 2 Rss 8.  */
static void check_agent(const pw_smaps_result_t *r)
{
    CHECK_INT(r->n_mappings, 15);
    CHECK_INT(r->distinct_paths, 10);
    CHECK_INT(r->total.v[PW_SMAPS_PSS], 117110 * KB);
    CHECK_INT(r->total.v[PW_SMAPS_RSS], 117928 * KB);
    CHECK_INT(r->total.v[PW_SMAPS_PSS_DIRTY], 46104 * KB);
    CHECK_INT(r->total.v[PW_SMAPS_SWAP], 2048 * KB);
    /* smaps has no per-mapping split of PSS: absent from the fallback. */
    CHECK(!PW_SMAPS_HAS(&r->total, PW_SMAPS_PSS_ANON));
    CHECK(!PW_SMAPS_HAS(&r->total, PW_SMAPS_PSS_FILE));
    CHECK(PW_SMAPS_HAS(&r->total, PW_SMAPS_KSM));
    CHECK_INT(r->path_present, (1u << PW_SMAPS_P_NFIELDS) - 1);
    CHECK_INT(r->flags, 0);
}

static void test_smaps_agent(void)
{
    size_t len;
    char *t = slurp("smaps-agent.txt", &len);
    pw_smaps_t *s = pw_smaps_create(0);
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse(s, t, len, &err), 0);
    const pw_smaps_result_t *r = pw_smaps_finish(s);
    check_agent(r);
    CHECK_INT(r->n_paths, 10);
    CHECK_INT(r->other.n_mappings, 0);
    static const char *order[] = {"/opt/datadog-agent/bin/agent/agent",
                                  "[anon]",
                                  "anon_inode:bpf-map",
                                  "[heap]",
                                  "/dev/zero",
                                  "/opt/datadog-agent/embedded/lib/libssl.so.3",
                                  "/opt/datadog-agent/embedded/lib/python plugins/libdd check.so",
                                  "[stack]",
                                  "/tmp/odd\\012name.so",
                                  "[vdso]"};
    for (size_t i = 0; i < 10; i++)
        CHECK_STR(r->paths[i]->name, order[i]);

    const pw_smaps_path_t *p = find_path(r, "/opt/datadog-agent/bin/agent/agent");
    CHECK(p != NULL);
    if (p != NULL) {
        CHECK_INT(p->n_mappings, 3);
        CHECK_INT(p->v[PW_SMAPS_P_PSS], 71500 * KB);
        CHECK_INT(p->v[PW_SMAPS_P_RSS], 71500 * KB);
        CHECK_INT(p->v[PW_SMAPS_P_PRIVATE_CLEAN], 70300 * KB);
        CHECK_INT(p->v[PW_SMAPS_P_PRIVATE_DIRTY], 1200 * KB);
        CHECK_INT(p->v[PW_SMAPS_P_ANONYMOUS], 1200 * KB);
        CHECK_INT(p->flags, 0);
    }
    p = find_path(r, "[anon]");
    CHECK(p != NULL);
    if (p != NULL) {
        CHECK_INT(p->n_mappings, 3);
        CHECK_INT(p->v[PW_SMAPS_P_PSS], 41824 * KB);
        CHECK_INT(p->v[PW_SMAPS_P_SWAP_PSS], 2048 * KB);
        CHECK_INT(p->v[PW_SMAPS_P_ANONYMOUS], 41824 * KB);
    }
    p = find_path(r, "anon_inode:bpf-map");
    CHECK(p != NULL && p->v[PW_SMAPS_P_PSS] == 1536 * KB && p->n_mappings == 2);
    p = find_path(r, "/dev/zero");
    CHECK(p != NULL && (p->flags & PW_SMAPS_PATH_DELETED));
    if (p != NULL) {
        CHECK_INT(p->v[PW_SMAPS_P_PSS], 512 * KB);
        CHECK_INT(p->v[PW_SMAPS_P_SHARED_DIRTY], 1024 * KB);
    }
    p = find_path(r, "/opt/datadog-agent/embedded/lib/python plugins/libdd check.so");
    CHECK(p != NULL && p->v[PW_SMAPS_P_PSS] == 300 * KB &&
          p->v[PW_SMAPS_P_SHARED_CLEAN] == 600 * KB);
    p = find_path(r, "/opt/datadog-agent/embedded/lib/libssl.so.3");
    CHECK(p != NULL && p->flags == PW_SMAPS_PATH_DELETED);
    p = find_path(r, "[vdso]");
    CHECK(p != NULL && p->v[PW_SMAPS_P_PSS] == 2 * KB && p->v[PW_SMAPS_P_RSS] == 8 * KB);
    pw_smaps_destroy(s);
    free(t);
}

static void test_smaps_bound(void)
{
    size_t len;
    char *t = slurp("smaps-agent.txt", &len);
    pw_smaps_t *s = pw_smaps_create(3);
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse(s, t, len, &err), 0);
    const pw_smaps_result_t *r = pw_smaps_finish(s);
    CHECK_INT(r->n_paths, 3);
    CHECK_STR(r->paths[2]->name, "anon_inode:bpf-map");
    CHECK_STR(r->other.name, "[other]");
    CHECK_INT(r->other_paths, 7);
    CHECK_INT(r->other.n_mappings, 7);
    /* 900 + 512 + 400 + 300 + 132 + 4 + 2 */
    CHECK_INT(r->other.v[PW_SMAPS_P_PSS], 2250 * KB);
    CHECK(r->other.flags & PW_SMAPS_PATH_DELETED);
    check_agent(r);
    pw_smaps_destroy(s);
    free(t);
}

static void test_smaps_old_kernel(void)
{
    size_t len;
    char *t = slurp("smaps-linux-4.2.txt", &len);
    pw_smaps_t *s = pw_smaps_create(0);
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse(s, t, len, &err), 0);
    const pw_smaps_result_t *r = pw_smaps_finish(s);
    CHECK_INT(r->n_mappings, 3);
    CHECK_INT(r->total.v[PW_SMAPS_PSS], (140 + 120 + 36) * KB);
    CHECK_INT(r->total.v[PW_SMAPS_SWAP], 12 * KB);
    /* Missing on this kernel: SwapPss (4.3), Pss_Dirty, LazyFree, ... */
    CHECK(!((r->path_present >> PW_SMAPS_P_SWAP_PSS) & 1));
    CHECK((r->path_present >> PW_SMAPS_P_PSS) & 1);
    CHECK(!PW_SMAPS_HAS(&r->total, PW_SMAPS_SWAP_PSS));
    CHECK(!PW_SMAPS_HAS(&r->total, PW_SMAPS_PSS_DIRTY));
    CHECK(!PW_SMAPS_HAS(&r->total, PW_SMAPS_LAZYFREE));
    CHECK(PW_SMAPS_HAS(&r->total, PW_SMAPS_LOCKED));
    CHECK_STR(r->paths[0]->name, "/usr/bin/dbus-daemon");
    CHECK_STR(r->paths[1]->name, "[heap]");
    CHECK_STR(r->paths[2]->name, "[anon]");
    pw_smaps_destroy(s);
    free(t);
}

static void test_smaps_errors_leave_nothing(void)
{
    size_t len, bad_len;
    char *good = slurp("smaps-agent.txt", &len);
    char *bad = slurp("smaps-missing-pss.txt", &bad_len);
    pw_smaps_t *s = pw_smaps_create(0);
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_add(s, good, len, &err), 0);
    /* The second mapping of the bad sample has no Pss: an error that names
     * its header line, and nothing of the first mapping is kept either. */
    CHECK_INT(pw_smaps_add(s, bad, bad_len, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "line 6: the mapping that starts here has no Pss line");
    const pw_smaps_result_t *r = pw_smaps_finish(s);
    check_agent(r);
    CHECK(find_path(r, "/usr/bin/dbus-daemon") == NULL);
    CHECK_INT(r->total.n_inputs, 1);
    /* Adding the good one again doubles everything. */
    CHECK_INT(pw_smaps_add(s, good, len, &err), 0);
    r = pw_smaps_finish(s);
    CHECK_INT(r->total.v[PW_SMAPS_PSS], 2 * 117110 * KB);
    CHECK_INT(r->total.n_inputs, 2);
    CHECK_INT(r->paths[0]->n_mappings, 6);
    /* reset forgets all. */
    pw_smaps_reset(s);
    r = pw_smaps_finish(s);
    CHECK_INT(r->n_paths, 0);
    CHECK_INT(r->total.v[PW_SMAPS_PSS], 0);
    pw_smaps_destroy(s);
    free(good);
    free(bad);
}

static void expect_smaps_error(const char *text, const char *needle)
{
    pw_smaps_t *s = pw_smaps_create(0);
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse(s, text, strlen(text), &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, needle);
    CHECK_INT(pw_smaps_finish(s)->n_mappings, 0);
    pw_smaps_destroy(s);
}

static void test_smaps_errors(void)
{
    expect_smaps_error("", "no mappings");
    expect_smaps_error("Rss: 4 kB\n", "line 1: expected a mapping header");
    expect_smaps_error("00400000-00452000 r-xp 00000000\nRss: 4 kB\nPss: 4 kB\n",
                       "line 1: expected a mapping header");
    expect_smaps_error("1-2 rw-p 0 00:00 0\nRss: 4 kB\nPss: four kB\n", "line 3: Pss: expected");
    expect_smaps_error("1-2 rw-p 0 00:00 0\nRss: 4 kB\nPss: 4 kB\nRss: 4 kB\n",
                       "line 4: Rss appears twice");
    const char nul[] = "1-2 r--p 0 08:01 7 /lib/a\0b.so\nRss: 4 kB\nPss: 4 kB\n";
    pw_smaps_t *s = pw_smaps_create(0);
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse(s, nul, sizeof(nul) - 1, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "line 1: NUL byte in the pathname");
    pw_smaps_destroy(s);
    /* Two mappings of 16 EiB each: the sum would wrap. */
    expect_smaps_error("1-2 rw-p 0 00:00 0\nRss: 4 kB\nPss: 10000000000000000 kB\n"
                       "3-4 rw-p 0 00:00 0\nRss: 4 kB\nPss: 10000000000000000 kB\n",
                       "overflows 64 bits");
    char *longname = malloc(PW_SMAPS_MAX_NAME + 64);
    int n = snprintf(longname, 64, "1-2 r--p 0 08:01 7 /");
    memset(longname + n, 'a', PW_SMAPS_MAX_NAME);
    strcpy(longname + n + PW_SMAPS_MAX_NAME, "\nRss: 4 kB\nPss: 4 kB\n");
    expect_smaps_error(longname, "line 1: pathname of 8193 bytes");
    free(longname);
}

/* Every prefix of a real-looking smaps either parses or fails with a
 * message; when it parses it never reports more than the whole file. */
static void test_smaps_truncations(void)
{
    size_t len;
    char *t = slurp("smaps-agent.txt", &len);
    pw_smaps_t *s = pw_smaps_create(4);
    size_t ok = 0, failed = 0;
    for (size_t cut = 0; cut <= len; cut++) {
        char *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any overread */
        memcpy(copy, t, cut);
        pw_err_t err = {0};
        if (pw_smaps_parse(s, copy, cut, &err) == 0) {
            const pw_smaps_result_t *r = pw_smaps_finish(s);
            CHECK(r->total.v[PW_SMAPS_PSS] <= 117110 * KB);
            ok++;
        } else {
            CHECK(err.msg[0] != '\0');
            failed++;
        }
        pw_smaps_rollup_t roll;
        pw_smaps_parse_rollup(copy, cut, &roll, &err);
        free(copy);
    }
    CHECK(ok > 0 && failed > 0);
    pw_smaps_destroy(s);
    free(t);
}

static void test_smaps_tracking_cap(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    size_t n = PW_SMAPS_MAX_TRACKED + 5;
    for (size_t i = 0; i < n; i++)
        pw_buf_printf(&b, "%zx-%zx r--p 0 08:01 %zu /lib/l%zu.so\nRss: 4 kB\nPss: %d kB\n",
                      i * 2 + 1, i * 2 + 2, i, i, i == n - 1 ? 400 : 4);
    pw_smaps_t *s = pw_smaps_create(2);
    pw_err_t err = {0};
    CHECK_INT(pw_smaps_parse(s, b.data, b.len, &err), 0);
    const pw_smaps_result_t *r = pw_smaps_finish(s);
    CHECK(r->flags & PW_SMAPS_F_OVERFLOW);
    CHECK_INT(r->n_mappings, n);
    CHECK_INT(r->distinct_paths, PW_SMAPS_MAX_TRACKED);
    CHECK_INT(r->n_paths, 2);
    /* The big one came after the cap: it is in [other], and the sums hold. */
    CHECK_INT(r->other.n_mappings, n - 2);
    CHECK_INT(r->total.v[PW_SMAPS_PSS], ((n - 1) * 4 + 400) * KB);
    CHECK_INT(r->paths[0]->v[PW_SMAPS_P_PSS] + r->paths[1]->v[PW_SMAPS_P_PSS] +
                  r->other.v[PW_SMAPS_P_PSS],
              r->total.v[PW_SMAPS_PSS]);
    pw_smaps_destroy(s);
    pw_buf_free(&b);
}

PW_TESTS(T(test_rollup_linux6), T(test_rollup_old_kernel), T(test_rollup_errors),
         T(test_rollup_add), T(test_smaps_agent), T(test_smaps_bound), T(test_smaps_old_kernel),
         T(test_smaps_errors_leave_nothing), T(test_smaps_errors), T(test_smaps_truncations),
         T(test_smaps_tracking_cap))
