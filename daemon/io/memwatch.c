#include "profwatch/memwatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void tell(pw_discover_note_cb note, void *ud, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void tell(pw_discover_note_cb note, void *ud, const char *fmt, ...)
{
    if (note == NULL)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    note(ud, msg);
}

int pw_mem_find(pw_procfs_t *fs, pw_proctab_t *tab, const pw_memfind_t *q, pw_discover_note_cb note,
                void *note_ud, pw_proc_list_t *out, pw_err_t *err)
{
    int missing = 0, rc;
    pw_err_t e = {0};
    if ((rc = pw_proctab_scan(tab, fs, err)) != 0)
        return rc;
    for (size_t i = 0; i < q->n_pids; i++)
        if (pw_discover_pid(fs, tab, q->pids[i], out, &e) != 0) {
            tell(note, note_ud, "%s", e.msg);
            missing = 1;
        }
    for (size_t i = 0; i < q->n_names; i++)
        if (pw_discover_name(fs, tab, q->names[i], out, &e) != 0) {
            tell(note, note_ud, "%s", e.msg);
            missing = 1;
        }
    for (size_t i = 0; i < q->n_pidfiles; i++)
        if (pw_discover_pidfile(fs, tab, q->pidfiles[i], out, &e) != 0) {
            tell(note, note_ud, "%s", e.msg);
            missing = 1;
        }
    if (q->agent) {
        pw_discover_opts_t o = {q->agent_prefix, q->run_path, note, note_ud};
        size_t before = out->n;
        if (pw_discover_agent(fs, tab, &o, out, &e) != 0) {
            tell(note, note_ud, "%s", e.msg);
            missing = 1;
        } else if (out->n == before) {
            tell(note, note_ud,
                 "no Datadog Agent process found: none runs an executable under %s, and no pid "
                 "file in %s names a running process",
                 q->agent_prefix ? q->agent_prefix : PW_AGENT_PREFIX,
                 q->run_path ? q->run_path : PW_AGENT_RUN_PATH);
            missing = 1;
        }
    }
    pw_proc_list_prune(out, tab);
    return missing;
}

int pw_mem_read(pw_procfs_t *fs, const pw_proctab_t *tab, const pw_proc_t *p, int children,
                pw_smaps_t *s, pw_procfs_tree_t *out, size_t *n_tree, pw_err_t *err)
{
    int *pids = malloc(PW_TREE_MAX * sizeof(*pids));
    uint64_t *starts = malloc(PW_TREE_MAX * sizeof(*starts));
    if (pids == NULL || starts == NULL) {
        free(pids);
        free(starts);
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    size_t n = pw_proctab_tree(tab, p->pid, pids, starts, children ? PW_TREE_MAX : 1);
    if (n == 0) {
        pids[0] = p->pid;
        starts[0] = p->starttime;
        n = 1;
    }
    /* Inside the tree it measures (a daemon started by the Agent, a shell's
     * $$), the reader's own memory is not what was asked about. */
    for (size_t k = 1; k < n; k++) {
        if (pids[k] == getpid()) {
            pids[k] = pids[n - 1];
            starts[k] = starts[n - 1];
            n--;
            break;
        }
    }
    *n_tree = n;
    int rc = pw_procfs_read_tree(fs, pids, starts, n, s, out, err);
    free(pids);
    free(starts);
    return rc;
}

int pw_mem_trend(const pw_history_t *h, pw_trend_t *out, char *desc, size_t n, pw_err_t *err)
{
    pw_trend_point_t *series = malloc((h->n + 1) * sizeof(*series));
    if (series == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    size_t k = pw_history_series(h, series, h->n);
    pw_trend_opts_t o;
    pw_trend_opts_default(&o);
    int rc = pw_trend_classify(series, k, &o, out, err);
    free(series);
    if (rc == 0 && desc != NULL)
        pw_trend_describe(out, &o, desc, n);
    return rc;
}
