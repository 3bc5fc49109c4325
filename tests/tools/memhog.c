/* pw_memhog ANON_MIB FILE FILE_MIB SHARED_MIB [CHILD_ANON_MIB]: a process
 * whose memory is known, for the live tests of the /proc reader.
 *
 * It maps and touches ANON_MIB of private anonymous memory, FILE_MIB of FILE
 * (written first, then mapped read-only and read page by page), and
 * SHARED_MIB of shared anonymous memory (shmem, which the kernel names
 * "/dev/zero (deleted)"). With CHILD_ANON_MIB it first forks a child that
 * touches that much anonymous memory of its own, before the parent maps
 * anything, so that no page is shared between the two.
 *
 * It prints "ready PID CHILD_PID\n" once everything is resident, then waits
 * for standard input to close, and exits (the child dies with it). Built
 * without sanitizers: their shadow memory would blur the figures. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024L * 1024L)

static void *touch_anon(long mib, int flags)
{
    size_t n = (size_t)(mib * MIB);
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("pw_memhog: mmap");
        exit(1);
    }
    /* Distinct bytes per page: zero pages could be shared or never faulted. */
    for (size_t i = 0; i < n; i += 4096)
        memset(p + i, (int)(i / 4096) | 1, 4096);
    return p;
}

static void map_file(const char *path, long mib)
{
    size_t n = (size_t)(mib * MIB);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror("pw_memhog: open");
        exit(1);
    }
    char page[4096];
    for (size_t i = 0; i < n; i += sizeof(page)) {
        memset(page, (int)(i / sizeof(page)) | 1, sizeof(page));
        if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page)) {
            perror("pw_memhog: write");
            exit(1);
        }
    }
    const volatile char *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        perror("pw_memhog: mmap file");
        exit(1);
    }
    unsigned sum = 0;
    for (size_t i = 0; i < n; i += 4096)
        sum += (unsigned char)p[i];
    if (sum == 0)
        fprintf(stderr, "pw_memhog: unexpected zero file\n");
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: pw_memhog ANON_MIB FILE FILE_MIB SHARED_MIB [CHILD_ANON_MIB]\n");
        return 2;
    }
    long anon = atol(argv[1]), file = atol(argv[3]), shared = atol(argv[4]);
    long child_mib = argc == 6 ? atol(argv[5]) : 0;
    pid_t child = 0;
    if (child_mib > 0) {
        int ready[2];
        if (pipe(ready) != 0)
            return 1;
        pid_t parent = getpid();
        child = fork();
        if (child < 0)
            return 1;
        if (child == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(0);
            close(ready[0]);
            touch_anon(child_mib, MAP_PRIVATE);
            if (write(ready[1], "r", 1) != 1)
                _exit(1);
            for (;;)
                pause();
        }
        close(ready[1]);
        char c;
        if (read(ready[0], &c, 1) != 1)
            return 1;
        close(ready[0]);
    }
    if (anon > 0)
        touch_anon(anon, MAP_PRIVATE);
    if (file > 0)
        map_file(argv[2], file);
    if (shared > 0)
        touch_anon(shared, MAP_SHARED);
    printf("ready %d %d\n", (int)getpid(), (int)child);
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof(buf)) > 0)
        ;
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    return 0;
}
