/* pw_bench_run N CMD_A... [-- CMD_B...]: runs each command N times, output
 * discarded, alternating A and B run by run so that both see the same
 * machine load, and prints one line per command: "median_seconds
 * median_peak_rss_kib" (peak RSS from wait4's rusage, which covers the
 * command's own children too). Exits non-zero if any run fails, so that a
 * benchmark never reports a broken command's time. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One run; returns 0 and fills wall seconds and peak RSS in KiB. */
static int run_once(char **argv, double *wall, double *rss)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
        perror("pw_bench_run");
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "pw_bench_run: %s failed (status %d)\n", argv[0], status);
        return -1;
    }
    *wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    *rss = (double)ru.ru_maxrss;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pw_bench_run N CMD_A... [-- CMD_B...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 1)
        n = 1;
    char **cmds[2] = {argv + 2, NULL};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            argv[i] = NULL;
            cmds[1] = argv + i + 1;
            break;
        }
    }
    int ncmd = cmds[1] != NULL && cmds[1][0] != NULL ? 2 : 1;
    double *wall = calloc(2 * (size_t)n, sizeof(double));
    double *rss = calloc(2 * (size_t)n, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int c = 0; c < ncmd; c++)
            if (run_once(cmds[c], &wall[c * n + i], &rss[c * n + i]) != 0)
                return 1;
    for (int c = 0; c < ncmd; c++) {
        qsort(wall + c * n, (size_t)n, sizeof(double), cmp);
        qsort(rss + c * n, (size_t)n, sizeof(double), cmp);
        printf("%.6f %.0f\n", wall[c * n + n / 2], rss[c * n + n / 2]);
    }
    free(wall);
    free(rss);
    return 0;
}
