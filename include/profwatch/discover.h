/* Finding the processes to watch, and their process trees.
 *
 * A process table holds, from one pass over every /proc/PID/stat, the pid,
 * parent, state, flags, start time and command name of each process. The
 * tree of a process (the process and all its descendants, through the parent
 * links) is what the regression detector sums into total_pss_bytes, and so
 * does profwatch.
 *
 * Targets are found:
 *   - for the Datadog Agent, by executable path under a prefix
 *     (/opt/datadog-agent/) and by the pid files in its run path (the *.pid
 *     files in /opt/datadog-agent/run: agent.pid, trace-agent.pid, ...);
 *   - for any process, by pid, by name (the command name in stat, or the
 *     executable's file name for names longer than the kernel's 15
 *     characters), or by pid file.
 * A target that descends from another target is dropped: its memory is
 * already in the ancestor's tree, and counting it twice would inflate the sum.
 *
 * A target's name is the key of its history (see history.h): the executable's
 * file name ("agent", "trace-agent"), the pid file's name without ".pid", the
 * name asked for, or the command name for a pid. */
#ifndef PW_DISCOVER_H
#define PW_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"
#include "profwatch/procfs.h"
#include "profwatch/procstat.h"

#define PW_AGENT_PREFIX "/opt/datadog-agent/"
#define PW_AGENT_RUN_PATH "/opt/datadog-agent/run"
#define PW_TREE_MAX 4096 /* processes in one tree */

typedef struct {
    pw_procstat_t *procs; /* sorted by pid */
    size_t n, cap;
} pw_proctab_t;

/* Fills t from the reader's proc root (t starts zeroed; call again to
 * refresh). Processes that exit during the scan are skipped. */
int pw_proctab_scan(pw_proctab_t *t, pw_procfs_t *fs, pw_err_t *err);
void pw_proctab_free(pw_proctab_t *t);
const pw_procstat_t *pw_proctab_find(const pw_proctab_t *t, int pid);

/* The tree of pid: pid first, then its descendants, breadth first, at most
 * max entries. starts (may be NULL) gets each process's start time. Returns
 * the count, 0 when pid is not in the table. */
size_t pw_proctab_tree(const pw_proctab_t *t, int pid, int *pids, uint64_t *starts, size_t max);

typedef struct {
    char name[64]; /* label and history key */
    int pid;
    uint64_t starttime;
    char how[32];  /* "exe", "pidfile", "exe+pidfile", "name", "pid" */
    char exe[512]; /* the executable, "" when it cannot be read */
} pw_proc_t;

typedef struct {
    pw_proc_t *v;
    size_t n, cap;
} pw_proc_list_t;

void pw_proc_list_free(pw_proc_list_t *ts);

typedef void (*pw_discover_note_cb)(void *ud, const char *msg);

typedef struct {
    const char *agent_prefix; /* NULL: PW_AGENT_PREFIX */
    const char *run_path;     /* NULL: PW_AGENT_RUN_PATH */
    pw_discover_note_cb note; /* told about stale or unreadable pid files; may be NULL */
    void *note_ud;
} pw_discover_opts_t;

/* Each function appends to out and drops nested targets. Finding nothing is
 * not an error for pw_discover_agent (out->n tells); for the others it is
 * PW_ENOENT with a message saying what was looked for. */
int pw_discover_agent(pw_procfs_t *fs, const pw_proctab_t *t, const pw_discover_opts_t *o,
                      pw_proc_list_t *out, pw_err_t *err);
int pw_discover_pid(pw_procfs_t *fs, const pw_proctab_t *t, int pid, pw_proc_list_t *out,
                    pw_err_t *err);
int pw_discover_name(pw_procfs_t *fs, const pw_proctab_t *t, const char *name, pw_proc_list_t *out,
                     pw_err_t *err);
int pw_discover_pidfile(pw_procfs_t *fs, const pw_proctab_t *t, const char *path,
                        pw_proc_list_t *out, pw_err_t *err);

/* After several discoveries into one list: drops repeated pids and targets
 * nested in another target's tree, and sorts by name then pid. */
void pw_proc_list_prune(pw_proc_list_t *ts, const pw_proctab_t *t);

#endif
