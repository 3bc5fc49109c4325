#include "profwatch/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profwatch/procstat.h"

struct pw_procfs {
    const char *root;
    size_t max;
    int no_rollup;
    char *buf; /* reused by every read */
    size_t cap;
    pw_smaps_t *sum; /* the fallback's scratch, created on first need */
};

#define INITIAL_CAP (64 * 1024)

pw_procfs_t *pw_procfs_create(const pw_procfs_opts_t *opts)
{
    pw_procfs_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        goto fail_alloc;
    p->root = opts != NULL && opts->root != NULL ? opts->root : "/proc";
    p->max = opts != NULL && opts->max_bytes != 0 ? opts->max_bytes : PW_PROCFS_DEFAULT_MAX;
    p->no_rollup = opts != NULL && opts->no_rollup;
    p->cap = INITIAL_CAP < p->max ? INITIAL_CAP : p->max;
    p->buf = malloc(p->cap + 1);
    if (p->buf == NULL)
        goto fail_buf;
    return p;
fail_buf:
    free(p);
fail_alloc:
    return NULL;
}

void pw_procfs_destroy(pw_procfs_t *p)
{
    if (p == NULL)
        return;
    pw_smaps_destroy(p->sum);
    free(p->buf);
    free(p);
}

const char *pw_procfs_root(const pw_procfs_t *p)
{
    return p->root;
}

/* The message for an errno met while opening or reading PATH of process pid. */
static int sys_error(pw_err_t *err, int eno, int pid, const char *path)
{
    switch (eno) {
    case ENOENT:
        return pw_err_set(err, PW_ENOENT, "process %d is not running (no %s)", pid, path);
    case ESRCH:
        return pw_err_set(err, PW_ENOENT,
                          "process %d has no memory map any more: it exited, is a zombie, or is "
                          "a kernel thread (%s)",
                          pid, path);
    case EACCES:
    case EPERM:
        return pw_err_set(err, PW_EIO,
                          "cannot read %s: permission denied (another user's process needs "
                          "root or CAP_SYS_PTRACE)",
                          path);
    default:
        return pw_err_set(err, PW_EIO, "cannot read %s: %s", path, strerror(eno));
    }
}

static int open_pid_dir(pw_procfs_t *p, int pid, int *dirfd, pw_err_t *err)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%d", p->root, pid);
    *dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*dirfd < 0)
        return sys_error(err, errno, pid, path);
    return 0;
}

/* Reads all of fd into p->buf; *eno gets the errno of a failure. */
static int read_fd(pw_procfs_t *p, int fd, size_t *len, int *eno)
{
    size_t n = 0;
    for (;;) {
        if (n == p->cap) {
            if (p->cap >= p->max)
                return PW_ETOOBIG;
            size_t cap = p->cap * 2 < p->max ? p->cap * 2 : p->max;
            char *b = realloc(p->buf, cap + 1);
            if (b == NULL)
                return PW_ENOMEM;
            p->buf = b;
            p->cap = cap;
        }
        ssize_t r = read(fd, p->buf + n, p->cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            *eno = errno;
            return PW_EIO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    p->buf[n] = '\0';
    *len = n;
    return 0;
}

/* Reads an opened file of process pid into p->buf and closes it. */
static int read_opened(pw_procfs_t *p, int fd, int pid, const char *name, size_t *len,
                       pw_err_t *err)
{
    int eno = 0;
    int rc = read_fd(p, fd, len, &eno);
    close(fd);
    if (rc == 0)
        return 0;
    char path[512];
    snprintf(path, sizeof(path), "%s/%d/%s", p->root, pid, name);
    if (rc == PW_ETOOBIG)
        return pw_err_set(err, rc, "%s is larger than %zu MiB; not read", path, p->max >> 20);
    if (rc == PW_ENOMEM)
        return pw_err_set(err, rc, "out of memory reading %s", path);
    return sys_error(err, eno, pid, path);
}

/* Small files (stat, statm) go through the caller's buffer, leaving p->buf
 * alone. */
int pw_procfs_read_small(int dirfd, const char *name, char *out, size_t cap, size_t *len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t n = 0;
    while (n < cap - 1) {
        ssize_t r = read(fd, out + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int eno = errno;
            close(fd);
            errno = eno;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    out[n] = '\0';
    *len = n;
    return 0;
}

static int check_identity(pw_procfs_t *p, int dirfd, int pid, uint64_t start_time, pw_err_t *err)
{
    if (start_time == 0)
        return 0;
    char text[1024], path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/%d/stat", p->root, pid);
    if (pw_procfs_read_small(dirfd, "stat", text, sizeof(text), &len) != 0)
        return sys_error(err, errno, pid, path);
    pw_procstat_t st;
    if (pw_procstat_parse(text, len, &st, err) != 0) {
        pw_err_prefix(err, "%s", path);
        return PW_EINVAL;
    }
    if (st.starttime != start_time)
        return pw_err_set(err, PW_ENOENT,
                          "process %d is not the one seen before: it started at tick %llu, not "
                          "%llu (the pid was reused)",
                          pid, (unsigned long long)st.starttime, (unsigned long long)start_time);
    return 0;
}

/* Reads smaps through dirfd and adds it to s. The file ends early when the
 * process exits during the read, so the process must still have its memory
 * map once the read is over; otherwise nothing is added. */
static int smaps_at(pw_procfs_t *p, int dirfd, int pid, pw_smaps_t *s, pw_err_t *err)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/%d/smaps", p->root, pid);
    int fd = openat(dirfd, "smaps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sys_error(err, errno, pid, path);
    int rc = read_opened(p, fd, pid, "smaps", &len, err);
    if (rc != 0)
        return rc;
    if (len == 0)
        return sys_error(err, ESRCH, pid, path);
    char statm[256], spath[512];
    size_t slen;
    uint64_t pages = 0;
    snprintf(spath, sizeof(spath), "%s/%d/statm", p->root, pid);
    if (pw_procfs_read_small(dirfd, "statm", statm, sizeof(statm), &slen) != 0) {
        if (errno != ENOENT && errno != ESRCH)
            return sys_error(err, errno, pid, spath);
        pages = 0;
    } else if (pw_procstat_parse_statm(statm, slen, &pages, err) != 0) {
        pw_err_prefix(err, "%s", spath);
        return PW_EINVAL;
    }
    if (pages == 0)
        return pw_err_set(err, PW_ENOENT,
                          "process %d exited while %s was being read; its figures are dropped", pid,
                          path);
    rc = pw_smaps_add(s, p->buf, len, err);
    if (rc != 0)
        pw_err_prefix(err, "%s", path);
    return rc;
}

int pw_procfs_read_smaps(pw_procfs_t *p, int pid, uint64_t start_time, pw_smaps_t *s, pw_err_t *err)
{
    int dirfd;
    int rc = open_pid_dir(p, pid, &dirfd, err);
    if (rc != 0)
        return rc;
    rc = check_identity(p, dirfd, pid, start_time, err);
    if (rc == 0)
        rc = smaps_at(p, dirfd, pid, s, err);
    close(dirfd);
    return rc;
}

int pw_procfs_read_rollup(pw_procfs_t *p, int pid, uint64_t start_time, pw_smaps_rollup_t *out,
                          int *source, pw_err_t *err)
{
    int dirfd;
    size_t len;
    char path[512];
    memset(out, 0, sizeof(*out));
    int rc = open_pid_dir(p, pid, &dirfd, err);
    if (rc != 0)
        return rc;
    rc = check_identity(p, dirfd, pid, start_time, err);
    if (rc != 0)
        goto done;
    if (!p->no_rollup) {
        snprintf(path, sizeof(path), "%s/%d/smaps_rollup", p->root, pid);
        int fd = openat(dirfd, "smaps_rollup", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            rc = read_opened(p, fd, pid, "smaps_rollup", &len, err);
            if (rc != 0)
                goto done;
            if (len == 0) {
                rc = sys_error(err, ESRCH, pid, path);
                goto done;
            }
            rc = pw_smaps_parse_rollup(p->buf, len, out, err);
            if (rc != 0)
                pw_err_prefix(err, "%s", path);
            if (source != NULL)
                *source = PW_PROCFS_FROM_ROLLUP;
            goto done;
        }
        /* Only a missing file means an old kernel (through the directory of a
         * process that is gone, openat fails with ESRCH instead); anything
         * else is this process's problem, and falling back would hide it. */
        if (errno != ENOENT) {
            rc = sys_error(err, errno, pid, path);
            goto done;
        }
    }
    if (p->sum == NULL && (p->sum = pw_smaps_create(1)) == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto done;
    }
    pw_smaps_reset(p->sum);
    rc = smaps_at(p, dirfd, pid, p->sum, err);
    if (rc != 0)
        goto done;
    const pw_smaps_result_t *r = pw_smaps_finish(p->sum);
    if (r == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto done;
    }
    *out = r->total;
    if (source != NULL)
        *source = PW_PROCFS_FROM_SMAPS;
done:
    close(dirfd);
    return rc;
}

int pw_procfs_read_tree(pw_procfs_t *p, const int *pids, const uint64_t *start_times, size_t n,
                        pw_smaps_t *s, pw_procfs_tree_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    if (n == 0)
        return pw_err_set(err, PW_EINVAL, "no process to read");
    for (size_t i = 0; i < n; i++) {
        pw_smaps_rollup_t r;
        pw_err_t e = {0};
        int src = PW_PROCFS_FROM_ROLLUP;
        uint64_t st = start_times != NULL ? start_times[i] : 0;
        pw_smaps_rollup_t sum = out->rollup;
        int rc = pw_procfs_read_rollup(p, pids[i], st, &r, &src, &e);
        if (rc == 0)
            rc = pw_smaps_rollup_add(&sum, &r, &e);
        /* The rollup counts only once the smaps is in too, so that the total
         * and the pathnames cover the same processes. */
        if (rc == 0 && s != NULL)
            rc = pw_procfs_read_smaps(p, pids[i], st, s, &e);
        if (rc != 0) {
            if (i == 0) {
                if (err != NULL)
                    *err = e;
                return rc;
            }
            if (rc == PW_ENOENT) {
                out->n_gone++;
            } else {
                if (out->n_failed++ == 0) {
                    out->failed_pid = pids[i];
                    out->failure = e;
                }
            }
            continue;
        }
        out->rollup = sum;
        out->n_read++;
        if (src == PW_PROCFS_FROM_SMAPS)
            out->from_smaps = 1;
    }
    return 0;
}
