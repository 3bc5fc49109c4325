/* pw_bench_smaps PID [RUNS]: the cost of reading one process's memory, as
 * the daemon will pay it every cycle. For smaps_rollup and for smaps, it
 * times RUNS reads of the bare file (open, read, close: the kernel's share),
 * RUNS reads through profwatch's reader (the same plus parsing), and the
 * parser alone on a copy in memory, and prints the medians. It also prints
 * the heap in use before and after the timed reads: the reader reuses its
 * buffers, so the two should match. */
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profwatch/discover.h"
#include "profwatch/procfs.h"
#include "profwatch/smaps.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    return v[n / 2];
}

static size_t bare_read(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd, buf + n, cap - n)) > 0)
        n += (size_t)r;
    close(fd);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pw_bench_smaps PID [RUNS]\n");
        return 2;
    }
    int pid = atoi(argv[1]);
    int runs = argc > 2 ? atoi(argv[2]) : 101;
    if (runs < 1)
        runs = 1;
    double *t = malloc((size_t)runs * sizeof(double));
    size_t cap = 64 << 20;
    char *buf = malloc(cap);
    pw_procfs_t *fs = pw_procfs_create(NULL);
    pw_smaps_t *s = pw_smaps_create(20);
    pw_err_t err = {0};
    pw_smaps_rollup_t r;
    char path[64];
    if (t == NULL || buf == NULL || fs == NULL || s == NULL)
        return 1;

    /* Warm up, and check that the process can be read at all. */
    if (pw_procfs_read_rollup(fs, pid, 0, &r, NULL, &err) != 0 ||
        pw_procfs_read_smaps(fs, pid, 0, s, &err) != 0) {
        fprintf(stderr, "pw_bench_smaps: %s\n", err.msg);
        return 1;
    }
    const pw_smaps_result_t *res = pw_smaps_finish(s);
    size_t mappings = res->n_mappings, paths = res->distinct_paths;
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
    size_t rollup_bytes = bare_read(path, buf, cap);
    snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
    size_t smaps_bytes = bare_read(path, buf, cap), lines = 0;
    for (size_t i = 0; i < smaps_bytes; i++)
        lines += buf[i] == '\n';
    struct mallinfo2 before = mallinfo2();

    /* Bare and profwatch reads alternate, so that both see the same load. */
    double *t2 = malloc((size_t)runs * sizeof(double));
    if (t2 == NULL)
        return 1;
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
    for (int i = 0; i < runs; i++) {
        double t0 = now_us();
        bare_read(path, buf, cap);
        double t1 = now_us();
        if (pw_procfs_read_rollup(fs, pid, 0, &r, NULL, &err) != 0)
            return 1;
        t[i] = t1 - t0;
        t2[i] = now_us() - t1;
    }
    double rollup_bare = median(t, runs), rollup_pw = median(t2, runs);
    snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
    for (int i = 0; i < runs; i++) {
        double t0 = now_us();
        bare_read(path, buf, cap);
        double t1 = now_us();
        pw_smaps_reset(s);
        if (pw_procfs_read_smaps(fs, pid, 0, s, &err) != 0 || pw_smaps_finish(s) == NULL)
            return 1;
        t[i] = t1 - t0;
        t2[i] = now_us() - t1;
    }
    double smaps_bare = median(t, runs), smaps_pw = median(t2, runs);
    free(t2);
    struct mallinfo2 after = mallinfo2();

    /* The parsers alone, on copies in memory: no kernel time in these. */
    char *rollup_text = malloc(rollup_bytes + 1), *smaps_text = malloc(smaps_bytes + 1);
    if (rollup_text == NULL || smaps_text == NULL)
        return 1;
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
    rollup_bytes = bare_read(path, rollup_text, rollup_bytes + 1);
    snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
    smaps_bytes = bare_read(path, smaps_text, smaps_bytes + 1);
    for (int i = 0; i < runs; i++) {
        double t0 = now_us();
        for (int k = 0; k < 100; k++)
            if (pw_smaps_parse_rollup(rollup_text, rollup_bytes, &r, &err) != 0)
                return 1;
        t[i] = (now_us() - t0) / 100;
    }
    double rollup_parse = median(t, runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now_us();
        if (pw_smaps_parse(s, smaps_text, smaps_bytes, &err) != 0 || pw_smaps_finish(s) == NULL)
            return 1;
        t[i] = now_us() - t0;
    }
    double smaps_parse = median(t, runs);

    pw_proctab_t tab = {0};
    for (int i = 0; i < runs; i++) {
        double t0 = now_us();
        if (pw_proctab_scan(&tab, fs, &err) != 0)
            return 1;
        t[i] = now_us() - t0;
    }
    double scan = median(t, runs);

    printf("pid %d: %zu mappings, %zu pathnames; smaps_rollup %zu bytes, smaps %zu bytes\n", pid,
           mappings, paths, rollup_bytes, smaps_bytes);
    printf("median of %d runs, microseconds:\n", runs);
    printf("  smaps_rollup  bare read %8.1f   profwatch read+parse %8.1f   parse alone %6.2f\n",
           rollup_bare, rollup_pw, rollup_parse);
    printf("  smaps         bare read %8.1f   profwatch read+parse %8.1f   parse alone %6.2f "
           "(%zu lines, %.1f ns per line)\n",
           smaps_bare, smaps_pw, smaps_parse, lines,
           1000 * smaps_parse / (double)(lines ? lines : 1));
    printf("  process table (%zu processes) scan %8.1f\n", tab.n, scan);
    printf("heap in use: %zu bytes before the timed reads, %zu after\n", before.uordblks,
           after.uordblks);
    pw_proctab_free(&tab);
    free(rollup_text);
    free(smaps_text);
    pw_smaps_destroy(s);
    pw_procfs_destroy(fs);
    free(buf);
    free(t);
    return 0;
}
