#include "profwatch/discover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- process table ---- */

static int by_pid(const void *a, const void *b)
{
    int x = ((const pw_procstat_t *)a)->pid, y = ((const pw_procstat_t *)b)->pid;
    return (x > y) - (x < y);
}

int pw_proctab_scan(pw_proctab_t *t, pw_procfs_t *fs, pw_err_t *err)
{
    const char *root = pw_procfs_root(fs);
    DIR *d = opendir(root);
    if (d == NULL)
        return pw_err_set(err, PW_EIO, "cannot list %s: %s", root, strerror(errno));
    t->n = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        const char *s = de->d_name;
        size_t k = 0;
        while (s[k] >= '0' && s[k] <= '9')
            k++;
        if (k == 0 || s[k] != '\0' || k > 7)
            continue;
        char path[512], text[1024];
        size_t len;
        snprintf(path, sizeof(path), "%s/%s/stat", root, s);
        if (pw_procfs_read_small(AT_FDCWD, path, text, sizeof(text), &len) != 0)
            continue; /* exited since readdir */
        pw_procstat_t st;
        if (pw_procstat_parse(text, len, &st, NULL) != 0)
            continue;
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 256;
            pw_procstat_t *v = realloc(t->procs, cap * sizeof(*v));
            if (v == NULL) {
                rc = pw_err_set(err, PW_ENOMEM, "out of memory listing processes");
                break;
            }
            t->procs = v;
            t->cap = cap;
        }
        t->procs[t->n++] = st;
    }
    closedir(d);
    if (rc == 0 && t->n > 1)
        qsort(t->procs, t->n, sizeof(*t->procs), by_pid);
    return rc;
}

void pw_proctab_free(pw_proctab_t *t)
{
    free(t->procs);
    memset(t, 0, sizeof(*t));
}

const pw_procstat_t *pw_proctab_find(const pw_proctab_t *t, int pid)
{
    pw_procstat_t key;
    key.pid = pid;
    if (t->n == 0)
        return NULL;
    return bsearch(&key, t->procs, t->n, sizeof(*t->procs), by_pid);
}

size_t pw_proctab_tree(const pw_proctab_t *t, int pid, int *pids, uint64_t *starts, size_t max)
{
    const pw_procstat_t *root = pw_proctab_find(t, pid);
    if (root == NULL || max == 0)
        return 0;
    size_t n = 0;
    pids[n] = pid;
    if (starts != NULL)
        starts[n] = root->starttime;
    n++;
    /* Breadth first: pids[0..n) is the queue and the result at once. */
    for (size_t head = 0; head < n && n < max; head++) {
        for (size_t i = 0; i < t->n && n < max; i++) {
            const pw_procstat_t *p = &t->procs[i];
            if (p->ppid != pids[head] || p->pid == pid)
                continue;
            int seen = 0; /* a consistent table has no cycles; a fake one might */
            for (size_t k = 0; k < n && !seen; k++)
                seen = pids[k] == p->pid;
            if (seen)
                continue;
            pids[n] = p->pid;
            if (starts != NULL)
                starts[n] = p->starttime;
            n++;
        }
    }
    return n;
}

/* ---- targets ---- */

void pw_proc_list_free(pw_proc_list_t *ts)
{
    free(ts->v);
    memset(ts, 0, sizeof(*ts));
}

static int reserve(pw_proc_list_t *ts, size_t extra, pw_err_t *err)
{
    if (ts->cap - ts->n >= extra)
        return 0;
    size_t cap = ts->cap ? ts->cap : 16;
    while (cap - ts->n < extra)
        cap *= 2;
    pw_proc_t *v = realloc(ts->v, cap * sizeof(*v));
    if (v == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    ts->v = v;
    ts->cap = cap;
    return 0;
}

static int add_target(pw_proc_list_t *ts, const char *name, size_t name_len,
                      const pw_procstat_t *st, const char *how, const char *exe, pw_err_t *err)
{
    if (reserve(ts, 1, err) != 0)
        return PW_ENOMEM;
    pw_proc_t *t = &ts->v[ts->n++];
    memset(t, 0, sizeof(*t));
    if (name_len >= sizeof(t->name))
        name_len = sizeof(t->name) - 1;
    memcpy(t->name, name, name_len);
    t->pid = st->pid;
    t->starttime = st->starttime;
    snprintf(t->how, sizeof(t->how), "%s", how);
    snprintf(t->exe, sizeof(t->exe), "%s", exe != NULL ? exe : "");
    return 0;
}

/* Appends to out the targets of found that are not inside another one's
 * tree, sorted (found is pruned in place). */
static int append_roots(pw_proc_list_t *out, pw_proc_list_t *found, const pw_proctab_t *t,
                        pw_err_t *err)
{
    pw_proc_list_prune(found, t);
    if (reserve(out, found->n, err) != 0)
        return PW_ENOMEM;
    if (found->n > 0)
        memcpy(out->v + out->n, found->v, found->n * sizeof(*found->v));
    out->n += found->n;
    return 0;
}

static pw_proc_t *find_target(pw_proc_list_t *ts, int pid)
{
    for (size_t i = 0; i < ts->n; i++)
        if (ts->v[i].pid == pid)
            return &ts->v[i];
    return NULL;
}

/* The executable of pid, "" when it cannot be read (kernel thread, or
 * another user's process without the right to look). */
static void read_exe(pw_procfs_t *fs, int pid, char *out, size_t cap)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%d/exe", pw_procfs_root(fs), pid);
    ssize_t n = readlink(path, out, cap - 1);
    if (n < 0 || (size_t)n >= cap - 1)
        n = 0; /* unreadable, or too long to be trusted whole */
    out[n] = '\0';
}

/* The file name of a path, without the " (deleted)" the kernel adds once an
 * upgrade has replaced the binary. */
static const char *exe_base(const char *exe, size_t *len)
{
    const char *slash = strrchr(exe, '/');
    const char *b = slash != NULL ? slash + 1 : exe;
    size_t n = strlen(b);
    static const char del[] = " (deleted)";
    if (n > sizeof(del) - 1 && strcmp(b + n - (sizeof(del) - 1), del) == 0)
        n -= sizeof(del) - 1;
    *len = n;
    return b;
}

/* Kernel threads have no memory of their own; zombies have none left. */
static int is_live(const pw_procstat_t *st)
{
    return !(st->flags & PW_PF_KTHREAD) && st->state != 'Z' && st->state != 'X';
}

static int is_ancestor(const pw_proctab_t *t, int ancestor, int pid)
{
    const pw_procstat_t *st = pw_proctab_find(t, pid);
    for (int depth = 0; st != NULL && depth < PW_TREE_MAX; depth++) {
        if (st->ppid == ancestor)
            return 1;
        if (st->ppid <= 0 || st->ppid == st->pid)
            return 0;
        st = pw_proctab_find(t, st->ppid);
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const pw_proc_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

void pw_proc_list_prune(pw_proc_list_t *ts, const pw_proctab_t *t)
{
    size_t keep = 0;
    for (size_t i = 0; i < ts->n; i++) {
        int drop = 0;
        for (size_t j = 0; j < ts->n && !drop; j++)
            drop = j != i && (is_ancestor(t, ts->v[j].pid, ts->v[i].pid) ||
                              (j < i && ts->v[j].pid == ts->v[i].pid));
        if (!drop)
            ts->v[keep++] = ts->v[i];
    }
    ts->n = keep;
    if (ts->n > 1)
        qsort(ts->v, ts->n, sizeof(*ts->v), by_name);
}

static void note(const pw_discover_opts_t *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(const pw_discover_opts_t *o, const char *fmt, ...)
{
    if (o == NULL || o->note == NULL)
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    o->note(o->note_ud, msg);
}

/* Reads and checks a pid file; the message names the file. */
static int read_pidfile(const char *path, int *pid, pw_err_t *err)
{
    char text[64];
    size_t len;
    if (pw_procfs_read_small(AT_FDCWD, path, text, sizeof(text), &len) != 0)
        return pw_err_set(err, errno == ENOENT ? PW_ENOENT : PW_EIO, "cannot read %s: %s", path,
                          strerror(errno));
    if (len == sizeof(text) - 1)
        return pw_err_set(err, PW_EINVAL, "%s: expected a process id, the file is longer", path);
    if (pw_pidfile_parse(text, len, pid, err) != 0) {
        pw_err_prefix(err, "%s", path);
        return PW_EINVAL;
    }
    return 0;
}

int pw_discover_agent(pw_procfs_t *fs, const pw_proctab_t *t, const pw_discover_opts_t *o,
                      pw_proc_list_t *out, pw_err_t *err)
{
    const char *prefix = o != NULL && o->agent_prefix != NULL ? o->agent_prefix : PW_AGENT_PREFIX;
    const char *run = o != NULL && o->run_path != NULL ? o->run_path : PW_AGENT_RUN_PATH;
    size_t plen = strlen(prefix);
    pw_proc_list_t found = {0};
    char exe[4096];
    int rc = 0;
    for (size_t i = 0; i < t->n; i++) {
        const pw_procstat_t *st = &t->procs[i];
        if (!is_live(st) || st->pid == getpid())
            continue;
        read_exe(fs, st->pid, exe, sizeof(exe));
        if (plen == 0 || strncmp(exe, prefix, plen) != 0)
            continue;
        size_t blen;
        const char *base = exe_base(exe, &blen);
        rc = add_target(&found, base, blen, st, "exe", exe, err);
        if (rc != 0)
            goto done;
    }
    DIR *d = opendir(run);
    if (d == NULL) {
        if (errno != ENOENT)
            note(o, "cannot list %s: %s; agent processes are found by executable only", run,
                 strerror(errno));
    } else {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t n = strlen(de->d_name);
            if (n <= 4 || strcmp(de->d_name + n - 4, ".pid") != 0)
                continue;
            char path[1024];
            snprintf(path, sizeof(path), "%s/%s", run, de->d_name);
            int pid;
            pw_err_t e = {0};
            if (read_pidfile(path, &pid, &e) != 0) {
                note(o, "%s", e.msg);
                continue;
            }
            const pw_procstat_t *st = pw_proctab_find(t, pid);
            if (st == NULL || !is_live(st)) {
                note(o, "%s names process %d, which is not running (a stale pid file)", path, pid);
                continue;
            }
            pw_proc_t *have = find_target(&found, pid);
            if (have != NULL) {
                snprintf(have->how, sizeof(have->how), "exe+pidfile");
                continue;
            }
            read_exe(fs, pid, exe, sizeof(exe));
            rc = add_target(&found, de->d_name, n - 4, st, "pidfile", exe, err);
            if (rc != 0)
                break;
        }
        closedir(d);
        if (rc != 0)
            goto done;
    }
    rc = append_roots(out, &found, t, err);
done:
    pw_proc_list_free(&found);
    return rc;
}

int pw_discover_pid(pw_procfs_t *fs, const pw_proctab_t *t, int pid, pw_proc_list_t *out,
                    pw_err_t *err)
{
    const pw_procstat_t *st = pw_proctab_find(t, pid);
    if (st == NULL)
        return pw_err_set(err, PW_ENOENT, "no process %d (nothing in %s/%d)", pid,
                          pw_procfs_root(fs), pid);
    if (!is_live(st))
        return pw_err_set(err, PW_ENOENT, "process %d (%s) has no memory to read: it is %s", pid,
                          st->comm, (st->flags & PW_PF_KTHREAD) ? "a kernel thread" : "a zombie");
    char exe[4096];
    read_exe(fs, pid, exe, sizeof(exe));
    return add_target(out, st->comm, strlen(st->comm), st, "pid", exe, err);
}

int pw_discover_name(pw_procfs_t *fs, const pw_proctab_t *t, const char *name, pw_proc_list_t *out,
                     pw_err_t *err)
{
    pw_proc_list_t found = {0};
    char exe[4096];
    size_t want = strlen(name);
    int rc = 0;
    for (size_t i = 0; i < t->n; i++) {
        const pw_procstat_t *st = &t->procs[i];
        if (!is_live(st) || st->pid == getpid())
            continue;
        int match = strcmp(st->comm, name) == 0;
        /* The kernel keeps 15 bytes of a command name: longer names are
         * matched on the executable's file name. */
        if (!match && want >= 15 && strncmp(st->comm, name, 15) == 0) {
            size_t blen;
            read_exe(fs, st->pid, exe, sizeof(exe));
            const char *base = exe_base(exe, &blen);
            match = blen == want && memcmp(base, name, want) == 0;
        }
        if (!match)
            continue;
        read_exe(fs, st->pid, exe, sizeof(exe));
        rc = add_target(&found, name, want, st, "name", exe, err);
        if (rc != 0)
            goto done;
    }
    if (found.n == 0) {
        rc = pw_err_set(err, PW_ENOENT, "no running process is named \"%s\"", name);
        goto done;
    }
    rc = append_roots(out, &found, t, err);
done:
    pw_proc_list_free(&found);
    return rc;
}

int pw_discover_pidfile(pw_procfs_t *fs, const pw_proctab_t *t, const char *path,
                        pw_proc_list_t *out, pw_err_t *err)
{
    int pid;
    int rc = read_pidfile(path, &pid, err);
    if (rc != 0)
        return rc;
    const pw_procstat_t *st = pw_proctab_find(t, pid);
    if (st == NULL || !is_live(st))
        return pw_err_set(err, PW_ENOENT, "%s names process %d, which is not running", path, pid);
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".pid") == 0)
        n -= 4;
    char exe[4096];
    read_exe(fs, pid, exe, sizeof(exe));
    return add_target(out, base, n, st, "pidfile", exe, err);
}
