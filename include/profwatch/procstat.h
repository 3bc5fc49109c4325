/* Small /proc texts, parsed from a byte buffer: /proc/PID/stat (the process
 * tree and the identity of a process), /proc/PID/statm, and pid files.
 * Nothing here touches the file system. */
#ifndef PW_PROCSTAT_H
#define PW_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

/* The largest pid Linux hands out (PID_MAX_LIMIT on 64-bit). */
#define PW_PID_MAX 4194304
/* The kernel's PF_KTHREAD in the flags field: a kernel thread, which has no
 * memory of its own. (Not "a child of pid 2": in a container's pid namespace
 * pid 2 can be any process.) */
#define PW_PF_KTHREAD 0x00200000u

typedef struct {
    int pid;
    int ppid;
    char state;         /* R, S, D, Z, ... */
    uint32_t flags;     /* PF_* (field 9) */
    uint64_t starttime; /* clock ticks after boot: with pid, names one process */
    char comm[64];      /* between the parentheses; may hold spaces and ')' */
} pw_procstat_t;

/* "pid (comm) state ppid ... starttime ..." (proc(5)). The comm is taken up to
 * the last ')', since a process can name itself "a) b". */
int pw_procstat_parse(const char *buf, size_t len, pw_procstat_t *out, pw_err_t *err);

/* The first field of /proc/PID/statm: the address space size in pages. It is
 * 0 once the process has let go of its memory (exiting, zombie). */
int pw_procstat_parse_statm(const char *buf, size_t len, uint64_t *size_pages, pw_err_t *err);

/* A pid file: a decimal pid in 1..PW_PID_MAX, optionally surrounded by
 * whitespace, and nothing else. */
int pw_pidfile_parse(const char *buf, size_t len, int *pid, pw_err_t *err);

#endif
