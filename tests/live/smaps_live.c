/* Live test of the /proc reader on real processes: pw_memhog maps known
 * amounts of memory (ANON_MIB anonymous, FILE_MIB of a file, SHARED_MIB of
 * shared anonymous memory, and a child with CHILD_MIB of its own), and the
 * figures profwatch reads must match.
 *
 * Tolerance, stated once: the mapped amounts are exact, and pw_memhog's own
 * start-up memory (libc, stack, loader) adds to anonymous and file-backed
 * memory at most BASELINE_MIB. Shared memory has no such baseline: it must be
 * within 1%, as must the file's own pathname row. */
#include <math.h>
#include <signal.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profwatch/discover.h"
#include "profwatch/procfs.h"
#include "pw_test.h"

#define MIB (1024.0 * 1024.0)
#define ANON_MIB 32
#define FILE_MIB 16
#define SHARED_MIB 8
#define CHILD_MIB 24
#define BASELINE_MIB 3.0
#define TMPFS_MAGIC_ 0x01021994

static char dir[512], file[600];
static const char *memhog;
static pid_t hog = -1, child = -1;
static int hog_stdin = -1;

static int within(double got_bytes, double want_mib, double below, double above)
{
    double mib = got_bytes / MIB;
    int ok = mib >= want_mib - below && mib <= want_mib + above;
    if (!ok)
        fprintf(stderr, "  measured %.3f MiB, expected %g MiB (-%g/+%g)\n", mib, want_mib, below,
                above);
    return ok;
}

static int near(double got_bytes, double want_mib)
{
    return within(got_bytes, want_mib, want_mib * 0.01, want_mib * 0.01);
}

/* Starts pw_memhog; returns 0 once it said ready. */
static int spawn(int with_child)
{
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    hog = fork();
    if (hog < 0)
        return -1;
    if (hog == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        char a[16], f[16], s[16], c[16];
        snprintf(a, sizeof(a), "%d", ANON_MIB);
        snprintf(f, sizeof(f), "%d", FILE_MIB);
        snprintf(s, sizeof(s), "%d", SHARED_MIB);
        snprintf(c, sizeof(c), "%d", CHILD_MIB);
        if (with_child)
            execl(memhog, memhog, a, file, f, s, c, (char *)NULL);
        else
            execl(memhog, memhog, a, file, f, s, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    hog_stdin = in[1];
    char line[128] = {0};
    size_t n = 0;
    while (n < sizeof(line) - 1) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    close(out[0]);
    int p = 0, c = 0;
    if (sscanf(line, "ready %d %d", &p, &c) != 2 || p != hog) {
        fprintf(stderr, "pw_memhog did not start: \"%s\"\n", line);
        return -1;
    }
    child = c;
    return 0;
}

static void stop(void)
{
    if (hog_stdin >= 0)
        close(hog_stdin);
    hog_stdin = -1;
    if (hog > 0)
        waitpid(hog, NULL, 0);
    hog = -1;
}

static void test_breakdown(void)
{
    CHECK_INT(spawn(1), 0);
    if (hog <= 0)
        return;
    pw_procfs_t *fs = pw_procfs_create(NULL);
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    int src = -1;
    CHECK_INT(pw_procfs_read_rollup(fs, hog, 0, &r, &src, &err), 0);
    CHECK_INT(src, PW_PROCFS_FROM_ROLLUP);
    fprintf(stderr, "  pss %.2f MiB: anon %.2f, file %.2f, shmem %.2f\n", r.v[PW_SMAPS_PSS] / MIB,
            r.v[PW_SMAPS_PSS_ANON] / MIB, r.v[PW_SMAPS_PSS_FILE] / MIB,
            r.v[PW_SMAPS_PSS_SHMEM] / MIB);
    if (PW_SMAPS_HAS(&r, PW_SMAPS_PSS_ANON)) {
        CHECK(within((double)r.v[PW_SMAPS_PSS_ANON], ANON_MIB, 0, BASELINE_MIB));
        CHECK(within((double)r.v[PW_SMAPS_PSS_FILE], FILE_MIB, 0, BASELINE_MIB));
        CHECK(near((double)r.v[PW_SMAPS_PSS_SHMEM], SHARED_MIB));
    } else {
        fprintf(stderr, "  (this kernel's smaps_rollup has no Pss_Anon: split not checked)\n");
    }
    CHECK(within((double)r.v[PW_SMAPS_PSS], ANON_MIB + FILE_MIB + SHARED_MIB, 0, 2 * BASELINE_MIB));

    /* smaps by pathname. */
    pw_smaps_t *s = pw_smaps_create(0);
    CHECK_INT(pw_procfs_read_smaps(fs, hog, 0, s, &err), 0);
    const pw_smaps_result_t *res = pw_smaps_finish(s);
    const pw_smaps_path_t *anon = NULL, *mapped = NULL, *zero = NULL;
    for (size_t i = 0; i < res->n_paths; i++) {
        const pw_smaps_path_t *p = res->paths[i];
        if (strcmp(p->name, "[anon]") == 0)
            anon = p;
        else if (strcmp(p->name, file) == 0)
            mapped = p;
        else if (strcmp(p->name, "/dev/zero") == 0)
            zero = p;
    }
    CHECK(anon != NULL && within((double)anon->v[PW_SMAPS_P_PSS], ANON_MIB, 0, BASELINE_MIB));
    CHECK(mapped != NULL && near((double)mapped->v[PW_SMAPS_P_PSS], FILE_MIB));
    CHECK(zero != NULL && near((double)zero->v[PW_SMAPS_P_PSS], SHARED_MIB));
    CHECK(zero != NULL && (zero->flags & PW_SMAPS_PATH_DELETED));
    CHECK_STR(res->paths[0]->name, "[anon]");
    /* smaps and smaps_rollup of an idle process agree (shared libraries may
     * shift the PSS a little as other processes come and go). */
    CHECK(fabs((double)res->total.v[PW_SMAPS_PSS] - (double)r.v[PW_SMAPS_PSS]) < 0.5 * MIB);

    /* The fallback reads the same total. */
    pw_procfs_opts_t o = {.no_rollup = 1};
    pw_procfs_t *fb = pw_procfs_create(&o);
    pw_smaps_rollup_t r2;
    CHECK_INT(pw_procfs_read_rollup(fb, hog, 0, &r2, &src, &err), 0);
    CHECK_INT(src, PW_PROCFS_FROM_SMAPS);
    CHECK(fabs((double)r2.v[PW_SMAPS_PSS] - (double)r.v[PW_SMAPS_PSS]) < 0.5 * MIB);
    CHECK(!PW_SMAPS_HAS(&r2, PW_SMAPS_PSS_ANON));
    pw_procfs_destroy(fb);

    /* The tree: the child's memory counts in the parent's total. */
    pw_proctab_t tab = {0};
    CHECK_INT(pw_proctab_scan(&tab, fs, &err), 0);
    int pids[8];
    uint64_t starts[8];
    size_t n = pw_proctab_tree(&tab, hog, pids, starts, 8);
    CHECK_INT(n, 2);
    CHECK_INT(pids[1], child);
    pw_procfs_tree_t t;
    pw_smaps_reset(s);
    CHECK_INT(pw_procfs_read_tree(fs, pids, starts, n, s, &t, &err), 0);
    CHECK_INT(t.n_read, 2);
    CHECK(within((double)t.rollup.v[PW_SMAPS_PSS], ANON_MIB + FILE_MIB + SHARED_MIB + CHILD_MIB, 0,
                 3 * BASELINE_MIB));
    CHECK(within((double)t.rollup.v[PW_SMAPS_PSS_ANON], ANON_MIB + CHILD_MIB, 0, 2 * BASELINE_MIB));
    res = pw_smaps_finish(s);
    CHECK(within((double)res->paths[0]->v[PW_SMAPS_P_PSS], ANON_MIB + CHILD_MIB, 0,
                 2 * BASELINE_MIB));
    pw_proctab_free(&tab);
    pw_smaps_destroy(s);

    /* Once the process has exited, it is an error for it alone. */
    int gone = hog;
    stop();
    CHECK_INT(pw_procfs_read_rollup(fs, gone, 0, &r, NULL, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "is not running");
    pw_procfs_destroy(fs);
}

static void test_zombie(void)
{
    CHECK_INT(spawn(0), 0);
    if (hog <= 0)
        return;
    /* Kill it but do not reap it: a zombie has no memory map left. */
    kill(hog, SIGKILL);
    char path[64], text[512];
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)hog);
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
        if (f)
            fclose(f);
        text[n] = '\0';
        char *rp = strrchr(text, ')');
        if (rp != NULL && rp[1] == ' ' && rp[2] == 'Z')
            break;
        usleep(10000);
    }
    pw_procfs_t *fs = pw_procfs_create(NULL);
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    CHECK_INT(pw_procfs_read_rollup(fs, hog, 0, &r, NULL, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "has no memory map any more");
    pw_smaps_t *s = pw_smaps_create(0);
    CHECK_INT(pw_procfs_read_smaps(fs, hog, 0, s, &err), PW_ENOENT);
    pw_smaps_destroy(s);
    pw_procfs_destroy(fs);
    stop();
}

/* Skips (exit 77) when the test cannot run here; ctest reports that. */
static void setup(void)
{
    memhog = getenv("PW_MEMHOG");
    if (memhog == NULL || access(memhog, X_OK) != 0) {
        fprintf(stderr, "skip: PW_MEMHOG does not name the pw_memhog program\n");
        exit(PW_SKIP_CODE);
    }
    if (access("/proc/self/smaps_rollup", R_OK) != 0) {
        fprintf(stderr, "skip: this kernel has no /proc/PID/smaps_rollup (before 4.14)\n");
        exit(PW_SKIP_CODE);
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/pw-live-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(file, sizeof(file), "%s/mapped file.bin", dir); /* a space, on purpose */
    struct statfs sf;
    if (statfs(dir, &sf) == 0 && sf.f_type == TMPFS_MAGIC_) {
        fprintf(stderr,
                "skip: %s is tmpfs, where a file's pages are shmem, not file-backed; set TMPDIR "
                "to a folder on disk\n",
                dir);
        rmdir(dir);
        exit(PW_SKIP_CODE);
    }
    signal(SIGPIPE, SIG_IGN);
}

static void cleanup(void)
{
    stop();
    unlink(file);
    CHECK_INT(rmdir(dir), 0);
}

PW_TESTS(T(setup), T(test_breakdown), T(test_zombie), T(cleanup))
