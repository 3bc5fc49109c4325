/* The memory of watched processes, as `profwatch smaps` and profwatchd both
 * take it: find the processes asked for (the Agent's, and any by pid, name
 * or pid file), read each one's tree, and classify a history's trend. The
 * CLI and the daemon call these so that they count the same processes the
 * same way. */
#ifndef PW_MEMWATCH_H
#define PW_MEMWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/discover.h"
#include "profwatch/err.h"
#include "profwatch/history.h"
#include "profwatch/procfs.h"
#include "profwatch/smaps.h"
#include "profwatch/trend.h"

typedef struct {
    int agent;                /* the Agent's processes (executable and pid files) */
    const char *agent_prefix; /* NULL: PW_AGENT_PREFIX */
    const char *run_path;     /* NULL: PW_AGENT_RUN_PATH */
    const int *pids;
    size_t n_pids;
    const char *const *names;
    size_t n_names;
    const char *const *pidfiles;
    size_t n_pidfiles;
} pw_memfind_t;

/* One scan of the process table, then every lookup of q into out (pruned:
 * no repeats, nothing nested in another's tree). A lookup that finds nothing
 * is told to note and makes the result 1; the Agent found nowhere is such a
 * lookup too. Returns 0, 1, or a negative code when /proc cannot be scanned
 * (err set). borrowed: q; out is appended to. */
int pw_mem_find(pw_procfs_t *fs, pw_proctab_t *tab, const pw_memfind_t *q, pw_discover_note_cb note,
                void *note_ud, pw_proc_list_t *out, pw_err_t *err);

/* Reads p with its descendants (only p when !children), never counting the
 * reading process itself; its smaps is added to s when s is not NULL.
 * *n_tree gets the number of processes in the tree. Returns 0 or p's error. */
int pw_mem_read(pw_procfs_t *fs, const pw_proctab_t *tab, const pw_proc_t *p, int children,
                pw_smaps_t *s, pw_procfs_tree_t *out, size_t *n_tree, pw_err_t *err);

/* The trend of a history with the default thresholds, and its description
 * for people. Returns 0, or PW_ENOMEM / PW_EINVAL (a corrupt history). */
int pw_mem_trend(const pw_history_t *h, pw_trend_t *out, char *desc, size_t n, pw_err_t *err);

#endif
