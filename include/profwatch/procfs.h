/* Reading a process's memory from /proc: smaps_rollup every cycle, smaps when
 * the pathnames are wanted. One reader owns one buffer that every read
 * reuses, so a steady daemon does no allocation per read. The buffer grows to
 * the largest file read (at most max_bytes) and keeps that size.
 *
 * Within one read, every file is reached through one open of /proc/PID, so
 * the files cannot come from two processes that shared a pid; across reads,
 * passing the start time seen in the process table catches a reused pid.
 * Failures are per process and never guessed:
 *   - PW_ENOENT: the process is gone, or has no memory map any more (exited,
 *     zombie, or a kernel thread), including when it exits while its smaps is
 *     being read (the kernel then ends the file early, so the figures would be
 *     short: they are dropped, not reported);
 *   - PW_EIO: the files cannot be read (permission: reading another user's
 *     process needs root or CAP_SYS_PTRACE);
 *   - PW_EINVAL: the text does not parse (the message names the file and line);
 *   - PW_ETOOBIG: a file is over opts.max_bytes.
 * A kernel without smaps_rollup (before Linux 4.14) gets the sum of smaps
 * instead, which lacks Pss_Anon/Pss_File/Pss_Shmem (absent, not estimated). */
#ifndef PW_PROCFS_H
#define PW_PROCFS_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"
#include "profwatch/smaps.h"

#define PW_PROCFS_DEFAULT_MAX (64u * 1024 * 1024)

typedef struct {
    const char *root; /* NULL: "/proc"; "/host/proc" in a container; a fake tree in tests */
    size_t max_bytes; /* cap on one file; 0: PW_PROCFS_DEFAULT_MAX */
    int no_rollup;    /* never read smaps_rollup, always sum smaps (forces the fallback) */
} pw_procfs_opts_t;

typedef struct pw_procfs pw_procfs_t;

/* opts may be NULL. The strings in opts are borrowed for the reader's life. */
pw_procfs_t *pw_procfs_create(const pw_procfs_opts_t *opts);
void pw_procfs_destroy(pw_procfs_t *p);

enum { PW_PROCFS_FROM_ROLLUP = 0, PW_PROCFS_FROM_SMAPS = 1 };

/* Reads the process's smaps_rollup into *out, or sums its smaps (see above);
 * *source (may be NULL) says which. start_time, when not 0, is the starttime
 * the caller saw in /proc/PID/stat: a process with another one is a different
 * process that reused the pid, and PW_ENOENT is returned. */
int pw_procfs_read_rollup(pw_procfs_t *p, int pid, uint64_t start_time, pw_smaps_rollup_t *out,
                          int *source, pw_err_t *err);

/* Reads the process's smaps and adds it to s (pw_smaps_add: on error nothing
 * is added). */
int pw_procfs_read_smaps(pw_procfs_t *p, int pid, uint64_t start_time, pw_smaps_t *s,
                         pw_err_t *err);

/* The memory of a process tree: the root and its descendants, summed as the
 * regression detector sums them. The root must be read; a descendant that
 * exited meanwhile is left out (its memory is freed), and one that cannot be
 * read makes the total incomplete, never silently smaller. */
typedef struct {
    pw_smaps_rollup_t rollup; /* summed over n_read processes */
    size_t n_read;
    size_t n_gone;   /* descendants that exited before or during their read */
    size_t n_failed; /* descendants that could not be read: the total is a floor */
    int from_smaps;  /* at least one process was summed from smaps */
    int failed_pid;  /* the first that failed, and why */
    pw_err_t failure;
} pw_procfs_tree_t;

/* pids[0] is the root; start_times (may be NULL) pairs with pids. When s is
 * not NULL, every process's smaps is added to it as well. Returns 0, or the
 * root's error. */
int pw_procfs_read_tree(pw_procfs_t *p, const int *pids, const uint64_t *start_times, size_t n,
                        pw_smaps_t *s, pw_procfs_tree_t *out, pw_err_t *err);

/* Reads a small file (stat, statm, a pid file) into out, at most cap - 1
 * bytes and a NUL: name relative to dirfd, or a path with AT_FDCWD. Returns
 * 0, or -1 with errno set. */
int pw_procfs_read_small(int dirfd, const char *name, char *out, size_t cap, size_t *len);

/* The root the reader uses ("/proc" by default). */
const char *pw_procfs_root(const pw_procfs_t *p);

#endif
