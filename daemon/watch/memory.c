/* The memory gate on the host: every memory.interval the watched processes
 * (the Agent's, and any listed) are found again and read from /proc, as the
 * SMP regression detector reads them: smaps_rollup each time, smaps with
 * its pathnames every smaps_every-th time. Out go PSS metrics per process
 * and pathname, a history per process kept in the state folder across
 * restarts with its trend, and the memory_gate service check for the total
 * against the configured budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "profwatch/json.h"
#include "profwatch/log.h"
#include "profwatch/memwatch.h"
#include "profwatch/metric_names.h"
#include "profwatch/statefile.h"

/* The Agent's executables under the names its flare (and so its targets)
 * give them, so heap and PSS metrics of one process share a process tag. */
static const char *flare_name(const char *exe)
{
    static const char *const map[][2] = {{"agent", "core"},
                                         {"trace-agent", "trace"},
                                         {"process-agent", "process"},
                                         {"security-agent", "security-agent"},
                                         {"system-probe", "system-probe"}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(exe, map[i][0]) == 0)
            return map[i][1];
    return exe;
}

/* Tags of a process's metrics: process:<tag>, the target's own tags when a
 * target has that name, and one extra. */
static void emit(pw_daemon_t *d, const pw_memproc_t *e, const char *name, double value,
                 const char *extra)
{
    const char *tags[PW_MAX_TAGS + 4];
    size_t n = 0;
    char ptag[96];
    pw_daemon_tag(ptag, sizeof(ptag), "process", e->tag);
    tags[n++] = ptag;
    for (size_t i = 0; i < d->n_targets; i++) {
        const pw_target_t *t = d->targets[i];
        if (strcmp(t->conf.name, e->tag) != 0)
            continue;
        for (size_t k = 1; k < t->n_tags; k++) /* tags[0] is its process tag */
            tags[n++] = t->tags[k];
        break;
    }
    if (extra != NULL)
        tags[n++] = extra;
    pw_metric_t m = {
        .name = name, .value = value, .timestamp = pw_now_ms() / 1000, .tags = tags, .n_tags = n};
    pw_emit_metric(&d->emitter, &m);
}

static void note_cb(void *ud, const char *msg)
{
    pw_memory_t *m = ud;
    if (m->note[0] == '\0')
        snprintf(m->note, sizeof(m->note), "%s", msg);
    /* Said once, not every reading: a host without the Agent stays quiet. */
    if (strcmp(msg, m->logged_note) != 0) {
        pw_log(PW_LOG_WARN, "memory", "%s", msg);
        snprintf(m->logged_note, sizeof(m->logged_note), "%s", msg);
    }
}

static void save_history(pw_daemon_t *d, pw_memproc_t *e)
{
    pw_err_t err = {0};
    if (e->history == NULL || e->history->n == 0)
        return;
    if (pw_statefile_history_save(d->cfg.state_dir, e->history, &err) != 0)
        pw_log(PW_LOG_WARN, "memory", "%s", err.msg);
    e->saved_ms = pw_now_ms();
}

static pw_memproc_t *entry_for(pw_daemon_t *d, const pw_proc_t *p)
{
    pw_memory_t *m = &d->mem;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->procs[i].name, p->name) == 0)
            return &m->procs[i];
    if (m->n == PW_MEM_MAX)
        return NULL;
    pw_memproc_t *e = &m->procs[m->n++];
    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", p->name);
    snprintf(e->tag, sizeof(e->tag), "%s", flare_name(p->name));
    /* A process listed with `as` is reported under that name. */
    const pw_memory_conf_t *mc = &d->cfg.memory;
    for (size_t i = 0; i < mc->n_procs; i++) {
        const char *as = mc->procs[i].as;
        const char *pf = mc->procs[i].pidfile, *slash = pf ? strrchr(pf, '/') : NULL;
        char base[64] = "";
        if (pf != NULL)
            snprintf(base, sizeof(base), "%.*s", (int)strcspn(slash ? slash + 1 : pf, "."),
                     slash ? slash + 1 : pf);
        int match = (mc->procs[i].pid == p->pid) ||
                    (mc->procs[i].name && strcmp(mc->procs[i].name, p->name) == 0) ||
                    (pf != NULL && strcmp(base, p->name) == 0);
        if (match && as != NULL) {
            snprintf(e->tag, sizeof(e->tag), "%s", as);
            break;
        }
    }
    char key[64];
    pw_history_key(e->name, key, sizeof(key));
    e->history = pw_history_create((size_t)mc->history_points, mc->history_bucket_ms / 1000, key);
    pw_err_t err = {0};
    int rc = e->history ? pw_statefile_history_load(d->cfg.state_dir, e->name, e->history, &err)
                        : PW_ENOMEM;
    if (rc != 0 && rc != PW_ENOENT)
        pw_log(PW_LOG_WARN, "memory", "%s: starting a new history: %s", e->name, err.msg);
    e->saved_ms = pw_now_ms();
    return e;
}

static void read_one(pw_daemon_t *d, pw_memproc_t *e, const pw_proc_t *p, int with_smaps)
{
    pw_memory_t *m = &d->mem;
    pw_procfs_tree_t tree;
    pw_err_t err = {0};
    e->pid = p->pid;
    e->seen = 1;
    if (with_smaps)
        pw_smaps_reset(m->smaps);
    if (pw_mem_read(m->fs, &m->tab, p, d->cfg.memory.children, with_smaps ? m->smaps : NULL, &tree,
                    &e->n_tree, &err) != 0) {
        e->ok = 0;
        snprintf(e->error, sizeof(e->error), "%s", err.msg);
        pw_log(PW_LOG_WARN, "memory", "%s (pid %d): %s", e->name, p->pid, err.msg);
        return;
    }
    e->ok = 1;
    e->error[0] = '\0';
    e->rollup = tree.rollup;
    e->complete = tree.n_failed == 0;
    if (!e->complete)
        snprintf(e->error, sizeof(e->error),
                 "%zu of its %zu processes could not be read (the total is a floor): %s",
                 tree.n_failed, e->n_tree, tree.failure.msg);
    const pw_smaps_rollup_t *r = &e->rollup;
    emit(d, e, PW_M_MEM_TOTAL_PSS, (double)r->v[PW_SMAPS_PSS], NULL);
    static const struct {
        int field;
        const char *name;
    } fields[] = {{PW_SMAPS_PSS, PW_M_MEM_ROLLUP_PSS},
                  {PW_SMAPS_PSS_ANON, PW_M_MEM_ROLLUP_PSS_ANON},
                  {PW_SMAPS_PSS_FILE, PW_M_MEM_ROLLUP_PSS_FILE},
                  {PW_SMAPS_PSS_SHMEM, PW_M_MEM_ROLLUP_PSS_SHMEM},
                  {PW_SMAPS_RSS, PW_M_MEM_ROLLUP_RSS}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (PW_SMAPS_HAS(r, fields[i].field))
            emit(d, e, fields[i].name, (double)r->v[fields[i].field], NULL);

    if (with_smaps) {
        const pw_smaps_result_t *res = pw_smaps_finish(m->smaps);
        if (res != NULL) {
            char tag[256];
            for (size_t i = 0; i < res->n_paths; i++) {
                pw_daemon_tag(tag, sizeof(tag), "pathname", res->paths[i]->name);
                emit(d, e, PW_M_MEM_PSS_BY_PATHNAME, (double)res->paths[i]->v[PW_SMAPS_P_PSS], tag);
            }
            if (res->other_paths > 0)
                emit(d, e, PW_M_MEM_PSS_BY_PATHNAME, (double)res->other.v[PW_SMAPS_P_PSS],
                     "pathname:[other]");
            if (res->n_paths > 0) {
                snprintf(e->top_path, sizeof(e->top_path), "%s", res->paths[0]->name);
                e->top_path_pss = res->paths[0]->v[PW_SMAPS_P_PSS];
            }
        }
    }

    int64_t now = pw_now_ms();
    if (e->history != NULL) {
        pw_history_add(e->history, now / 1000, r->v[PW_SMAPS_PSS]);
        if (now - e->saved_ms >= d->cfg.memory.history_bucket_ms)
            save_history(d, e);
        /* The classification is over hours of points: once per smaps cycle
         * is often enough. */
        if (with_smaps || !e->have_trend) {
            pw_err_t terr = {0};
            e->have_trend = pw_mem_trend(e->history, &e->trend, e->trend_desc,
                                         sizeof(e->trend_desc), &terr) == 0;
            if (!e->have_trend)
                snprintf(e->trend_desc, sizeof(e->trend_desc), "%s", terr.msg);
        }
        if (e->have_trend) {
            char tag[64];
            snprintf(tag, sizeof(tag), "trend:%s", pw_trend_class_name(e->trend.cls));
            emit(d, e, PW_M_MEM_TREND, 1, tag);
        }
    }
    e->recent[e->recent_head].t_ms = now;
    e->recent[e->recent_head].pss = r->v[PW_SMAPS_PSS];
    e->recent_head = (e->recent_head + 1) % PW_MEM_RECENT;
    if (e->n_recent < PW_MEM_RECENT)
        e->n_recent++;
}

static void judge(pw_daemon_t *d)
{
    pw_memory_t *m = &d->mem;
    uint64_t total = 0;
    int complete = 1, n_ok = 0;
    const pw_memproc_t *top = NULL;
    for (size_t i = 0; i < m->n; i++) {
        const pw_memproc_t *e = &m->procs[i];
        if (!e->seen)
            continue;
        if (!e->ok) {
            complete = 0;
            continue;
        }
        n_ok++;
        total += e->rollup.v[PW_SMAPS_PSS];
        complete &= e->complete;
        if (e->top_path[0] && (top == NULL || e->top_path_pss > top->top_path_pss))
            top = e;
    }
    if (m->note[0] != '\0')
        complete = 0; /* a process asked for was not found */
    m->total = total;
    m->complete = complete;
    if (!d->cfg.have_budget)
        return;
    pw_budget_verdict_t v = {PW_GATE_UNKNOWN, 0, 0};
    if (n_ok == 0)
        snprintf(m->gate_msg, sizeof(m->gate_msg), "no watched process could be read%s%s",
                 m->note[0] ? ": " : "", m->note);
    else
        pw_budget_judge(&d->cfg.budget, total, complete, top ? top->top_path : NULL,
                        top ? top->top_path_pss : 0, &v, m->gate_msg, sizeof(m->gate_msg));
    m->gate_status = v.status;
    char gtag[160];
    pw_daemon_tag(gtag, sizeof(gtag), "gate",
                  d->cfg.budget.name[0] ? d->cfg.budget.name : "budget");
    const char *tags[] = {gtag};
    pw_service_check_t sc = {.name = PW_SC_MEMORY_GATE,
                             .status = v.status,
                             .timestamp = pw_now_ms() / 1000,
                             .message = m->gate_msg,
                             .tags = tags,
                             .n_tags = 1};
    pw_emit_service_check(&d->emitter, &sc);
    pw_metric_t mt = {.timestamp = pw_now_ms() / 1000, .tags = tags, .n_tags = 1};
    mt.name = PW_M_MEM_BUDGET;
    mt.value = (double)d->cfg.budget.bytes;
    pw_emit_metric(&d->emitter, &mt);
    mt.name = PW_M_MEM_GATE_TOTAL;
    mt.value = (double)total;
    pw_emit_metric(&d->emitter, &mt);
    if (v.status != m->logged_status) {
        pw_log(v.status == PW_GATE_CRITICAL ? PW_LOG_WARN : PW_LOG_INFO, "memory", "gate %s: %s",
               pw_budget_status_name(v.status), m->gate_msg);
        m->logged_status = v.status;
    }
}

static void on_tick(uv_timer_t *timer)
{
    pw_daemon_t *d = timer->data;
    pw_memory_t *m = &d->mem;
    const pw_memory_conf_t *mc = &d->cfg.memory;
    const char *names[PW_MAX_MEMPROCS], *pidfiles[PW_MAX_MEMPROCS];
    int pids[PW_MAX_MEMPROCS];
    pw_memfind_t q = {.agent = mc->agent,
                      .agent_prefix = mc->agent_prefix,
                      .run_path = mc->run_path,
                      .pids = pids,
                      .names = names,
                      .pidfiles = pidfiles};
    for (size_t i = 0; i < mc->n_procs; i++) {
        if (mc->procs[i].name)
            names[q.n_names++] = mc->procs[i].name;
        else if (mc->procs[i].pidfile)
            pidfiles[q.n_pidfiles++] = mc->procs[i].pidfile;
        else
            pids[q.n_pids++] = mc->procs[i].pid;
    }
    int with_smaps = m->readings % (uint64_t)mc->smaps_every == 0;
    m->readings++;
    m->note[0] = '\0';
    pw_proc_list_t found = {0};
    pw_err_t err = {0};
    int rc = pw_mem_find(m->fs, &m->tab, &q, note_cb, m, &found, &err);
    if (rc < 0) {
        snprintf(m->note, sizeof(m->note), "%s", err.msg);
        pw_log(PW_LOG_WARN, "memory", "%s", err.msg);
    }
    for (size_t i = 0; i < m->n; i++)
        m->procs[i].seen = 0;
    for (size_t i = 0; i < found.n; i++) {
        pw_memproc_t *e = entry_for(d, &found.v[i]);
        if (e != NULL)
            read_one(d, e, &found.v[i], with_smaps);
    }
    for (size_t i = 0; i < m->n; i++) {
        pw_memproc_t *e = &m->procs[i];
        if (!e->seen && e->ok) {
            e->ok = 0;
            snprintf(e->error, sizeof(e->error), "not running");
            save_history(d, e);
        }
    }
    pw_proc_list_free(&found);
    judge(d);
    pw_emit_flush(&d->emitter);
}

/* Opens the reader and starts reading, when memory is on. The timer
 * handle is initialised once (pw_memory_init) and lives until the daemon
 * stops, so a reload restarts it instead of closing it. */
static int open_reader(pw_daemon_t *d, pw_err_t *err)
{
    pw_memory_t *m = &d->mem;
    const pw_memory_conf_t *mc = &d->cfg.memory;
    if (!mc->enabled)
        return 0;
    /* The reader borrows the root: keep our own copy across reloads. */
    snprintf(m->proc_root, sizeof(m->proc_root), "%s", mc->proc_root);
    pw_procfs_opts_t po = {.root = m->proc_root};
    m->fs = pw_procfs_create(&po);
    m->smaps = pw_smaps_create((size_t)mc->top_pathnames);
    if (m->fs == NULL || m->smaps == NULL) {
        pw_procfs_destroy(m->fs);
        pw_smaps_destroy(m->smaps);
        m->fs = NULL;
        m->smaps = NULL;
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    m->logged_status = -1;
    m->logged_note[0] = '\0';
    m->open = 1;
    uv_timer_start(&m->timer, on_tick, 200, (uint64_t)mc->interval_ms);
    return 0;
}

/* Saves the histories and lets go of every process and the reader. */
static void close_reader(pw_daemon_t *d)
{
    pw_memory_t *m = &d->mem;
    if (!m->open)
        return;
    m->open = 0;
    uv_timer_stop(&m->timer);
    for (size_t i = 0; i < m->n; i++) {
        save_history(d, &m->procs[i]);
        pw_history_destroy(m->procs[i].history);
    }
    m->n = 0;
    m->readings = 0;
    m->note[0] = '\0';
    pw_proctab_free(&m->tab);
    pw_smaps_destroy(m->smaps);
    pw_procfs_destroy(m->fs);
    m->smaps = NULL;
    m->fs = NULL;
}

int pw_memory_start(pw_daemon_t *d, pw_err_t *err)
{
    uv_timer_init(d->loop, &d->mem.timer);
    d->mem.timer.data = d;
    d->mem.timer_open = 1;
    return open_reader(d, err);
}

void pw_memory_stop(pw_daemon_t *d)
{
    close_reader(d);
    if (d->mem.timer_open) {
        d->mem.timer_open = 0;
        uv_close((uv_handle_t *)&d->mem.timer, NULL);
    }
}

void pw_memory_reconfigure(pw_daemon_t *d, pw_err_t *err)
{
    /* What is read, and how, may all have changed: start over; the
     * histories are saved and read back. */
    close_reader(d);
    if (open_reader(d, err) != 0)
        pw_log(PW_LOG_ERROR, "memory", "%s", err->msg);
}

static const pw_memproc_t *by_tag(const pw_daemon_t *d, const char *tag)
{
    for (size_t i = 0; i < d->mem.n; i++)
        if (strcmp(d->mem.procs[i].tag, tag) == 0)
            return &d->mem.procs[i];
    return NULL;
}

static void proc_json(const pw_memproc_t *e, pw_json_t *j)
{
    pw_json_obj_begin(j);
    pw_json_key(j, "name");
    pw_json_str(j, e->name);
    pw_json_key(j, "process");
    pw_json_str(j, e->tag);
    pw_json_key(j, "pid");
    pw_json_int(j, e->pid);
    pw_json_key(j, "running");
    pw_json_bool(j, e->seen);
    pw_json_key(j, "read");
    pw_json_bool(j, e->ok);
    pw_json_key(j, "error");
    pw_json_str(j, e->error[0] ? e->error : NULL);
    pw_json_key(j, "processes_in_tree");
    pw_json_uint(j, e->n_tree);
    static const struct {
        int field;
        const char *key;
    } fields[] = {{PW_SMAPS_PSS, "total_pss_bytes"},
                  {PW_SMAPS_PSS_ANON, "pss_anon"},
                  {PW_SMAPS_PSS_FILE, "pss_file"},
                  {PW_SMAPS_PSS_SHMEM, "pss_shmem"},
                  {PW_SMAPS_RSS, "rss"}};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        pw_json_key(j, fields[i].key);
        if (e->ok && PW_SMAPS_HAS(&e->rollup, fields[i].field))
            pw_json_uint(j, e->rollup.v[fields[i].field]);
        else
            pw_json_null(j);
    }
    pw_json_key(j, "top_pathname");
    pw_json_str(j, e->top_path[0] ? e->top_path : NULL);
    pw_json_key(j, "top_pathname_pss");
    pw_json_uint(j, e->top_path_pss);
    pw_json_key(j, "trend");
    pw_json_str(j, e->have_trend ? pw_trend_class_name(e->trend.cls) : NULL);
    pw_json_key(j, "trend_text");
    pw_json_str(j, e->trend_desc[0] ? e->trend_desc : NULL);
    pw_json_key(j, "history_points");
    pw_json_uint(j, e->history ? e->history->n : 0);
    pw_json_obj_end(j);
}

static void gate_json(const pw_daemon_t *d, pw_json_t *j)
{
    pw_json_key(j, "gate");
    if (!d->cfg.have_budget) {
        pw_json_null(j);
        return;
    }
    pw_json_obj_begin(j);
    pw_json_key(j, "name");
    pw_json_str(j, d->cfg.budget.name[0] ? d->cfg.budget.name : NULL);
    pw_json_key(j, "budget_bytes");
    pw_json_uint(j, d->cfg.budget.bytes);
    pw_json_key(j, "origin");
    pw_json_str(j, d->cfg.budget.origin);
    pw_json_key(j, "status");
    pw_json_str(j, d->mem.readings ? pw_budget_status_name(d->mem.gate_status) : NULL);
    pw_json_key(j, "message");
    pw_json_str(j, d->mem.gate_msg[0] ? d->mem.gate_msg : NULL);
    pw_json_obj_end(j);
}

void pw_memory_status_json(const pw_daemon_t *d, void *json)
{
    pw_json_t *j = json;
    const pw_memory_t *m = &d->mem;
    pw_json_obj_begin(j);
    pw_json_key(j, "enabled");
    pw_json_bool(j, m->open);
    pw_json_key(j, "readings");
    pw_json_uint(j, m->readings);
    pw_json_key(j, "note");
    pw_json_str(j, m->note[0] ? m->note : NULL);
    pw_json_key(j, "total_pss_bytes");
    pw_json_uint(j, m->total);
    pw_json_key(j, "complete");
    pw_json_bool(j, m->complete);
    gate_json(d, j);
    pw_json_key(j, "processes");
    pw_json_arr_begin(j);
    for (size_t i = 0; i < m->n; i++)
        proc_json(&m->procs[i], j);
    pw_json_arr_end(j);
    pw_json_obj_end(j);
}

void pw_memory_capture_json(const pw_daemon_t *d, const char *tag, void *json)
{
    pw_json_t *j = json;
    const pw_memproc_t *e = by_tag(d, tag);
    pw_json_key(j, "pss");
    pw_json_arr_begin(j);
    for (size_t k = 0; e != NULL && k < e->n_recent; k++) {
        size_t at = (e->recent_head + PW_MEM_RECENT - e->n_recent + k) % PW_MEM_RECENT;
        pw_json_obj_begin(j);
        pw_json_key(j, "t");
        pw_json_int(j, e->recent[at].t_ms);
        pw_json_key(j, "total_pss");
        pw_json_uint(j, e->recent[at].pss);
        pw_json_obj_end(j);
    }
    pw_json_arr_end(j);
    pw_json_key(j, "memory");
    if (e == NULL)
        pw_json_null(j);
    else
        proc_json(e, j);
    gate_json(d, j);
}
