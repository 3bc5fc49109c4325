/* profwatch smaps: PSS of a process tree by pathname, the way the SMP
 * regression detector measures it, judged against a memory budget, with the
 * trend of the history the daemon keeps. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "profwatch/budget.h"
#include "profwatch/discover.h"
#include "profwatch/history.h"
#include "profwatch/json.h"
#include "profwatch/memwatch.h"
#include "profwatch/procfs.h"
#include "profwatch/smaps.h"
#include "profwatch/statefile.h"
#include "profwatch/trend.h"

static const char help[] =
    "Usage: profwatch smaps [--agent] [--pid PID] [--name NAME] [--pidfile FILE]\n"
    "                       [--top N] [--json] [BUDGET] [--history]\n"
    "\n"
    "Measure the memory of a process and its children the way the SMP regression\n"
    "detector does: total PSS (proportional set size: private pages, plus a share\n"
    "of each shared page), split into anonymous, file-backed and shared memory, and\n"
    "the pathnames that hold it, summed over every process in the tree.\n"
    "\n"
    "Which processes (any mix; the default is --agent):\n"
    "  --agent              the Datadog Agent: every process whose executable is\n"
    "                       under --agent-prefix, and every process named by a\n"
    "                       pid file in --run-path.\n"
    "  -p, --pid PID        one process.\n"
    "  --name NAME          every process with that command name (or executable\n"
    "                       file name).\n"
    "  --pidfile FILE       the process whose id FILE holds.\n"
    "  --agent-prefix DIR   where the Agent is installed (default /opt/datadog-agent/).\n"
    "  --run-path DIR       the Agent's pid files (default /opt/datadog-agent/run).\n"
    "  --no-children        count each process alone, not with its descendants.\n"
    "\n"
    "What to show:\n"
    "  --top N              the N pathnames with the most PSS (default 10); the rest\n"
    "                       are summed as [other]. 0 skips the pathnames, and reads\n"
    "                       only smaps_rollup, which is much cheaper.\n"
    "  --json               print everything as one JSON object.\n"
    "\n"
    "BUDGET, to judge the total PSS of all the processes shown (at most one):\n"
    "  --budget SIZE        a size, such as 300MiB or 1.5GiB.\n"
    "  --gate NAME          an SMP quality gate: idle (175 MiB), idle_all_features\n"
    "                       (485 MiB), logs (220 MiB) or metrics_logs (475 MiB);\n"
    "                       quality_gate_idle and so on work too.\n"
    "  --experiment FILE    an SMP experiment.yaml: the upper_bound of its\n"
    "                       memory_usage check on total_pss_bytes.\n"
    "\n"
    "Trend:\n"
    "  --history            classify each process's memory history, kept by\n"
    "                       profwatchd in STATE-DIR/memory/NAME.history, as step,\n"
    "                       gradual, variance, stable or unknown.\n"
    "  --state-dir DIR      default /var/lib/profwatch.\n"
    "\n"
    "Reading /proc:\n"
    "  --proc DIR           read DIR instead of /proc (a host's /proc mounted in a\n"
    "                       container, for example).\n"
    "  --no-rollup          sum smaps even where smaps_rollup exists, as is done on\n"
    "                       kernels before 4.14 (the split into pss_anon, pss_file\n"
    "                       and pss_shmem is then unknown).\n"
    "  -h, --help           show this help.\n"
    "\n"
    "Pathnames: [anon] is anonymous memory (the Go heap, goroutine stacks, mmap);\n"
    "[heap], [stack] and anon_inode:bpf-map are as the kernel names them; a file\n"
    "replaced on disk (an upgrade) keeps its path, marked (deleted).\n"
    "Reading another user's processes needs root (or CAP_SYS_PTRACE).\n"
    "\n"
    "Examples:\n"
    "  sudo profwatch smaps --gate idle_all_features\n"
    "  sudo profwatch smaps --pid 1234 --top 20 --json\n"
    "  sudo profwatch smaps --experiment cases/quality_gate_idle/experiment.yaml\n"
    "\n"
    "Exit status: 0 when everything was read (and is within the budget, if one is\n"
    "set); 1 when the total PSS is over the budget; 2 for a usage error, a process\n"
    "that cannot be found or read, or an unreadable budget or history file.\n";

typedef struct {
    int pid;
    const char *name;
    const char *pidfile;
    int agent;
    const char *agent_prefix;
    const char *run_path;
    int no_children;
    int top;
    int json;
    const char *budget;
    const char *gate;
    const char *experiment;
    int history;
    const char *state_dir;
    const char *proc;
    int no_rollup;
} smaps_args_t;

/* One target's figures. */
typedef struct {
    pw_proc_t target;
    int ok;               /* the root was read */
    pw_err_t error;       /* when not */
    size_t n_tree;        /* processes in the tree */
    pw_procfs_tree_t mem; /* when ok */
    int has_trend;        /* --history: a history was found */
    pw_trend_t trend;
    char trend_file[4096];
    char trend_msg[512]; /* why there is no trend, or the trend's description */
} row_t;

static void note_cb(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "profwatch smaps: note: %s\n", msg);
}

static int parse(int argc, char **argv, smaps_args_t *a)
{
    int n_pos = 0;
    const char *pos[1];
    memset(a, 0, sizeof(*a));
    a->top = 10;
    a->state_dir = PW_STATE_DIR;
    a->pid = -1;
    const pw_opt_t opts[] = {
        {"pid", NULL, 'p', PW_ARG_INT, &a->pid},
        {"name", NULL, 0, PW_ARG_STR, &a->name},
        {"pidfile", NULL, 0, PW_ARG_STR, &a->pidfile},
        {"agent", NULL, 0, PW_ARG_FLAG, &a->agent},
        {"agent-prefix", NULL, 0, PW_ARG_STR, &a->agent_prefix},
        {"run-path", NULL, 0, PW_ARG_STR, &a->run_path},
        {"no-children", NULL, 0, PW_ARG_FLAG, &a->no_children},
        {"top", NULL, 0, PW_ARG_INT, &a->top},
        {"json", NULL, 0, PW_ARG_FLAG, &a->json},
        {"budget", NULL, 0, PW_ARG_STR, &a->budget},
        {"gate", NULL, 0, PW_ARG_STR, &a->gate},
        {"experiment", NULL, 0, PW_ARG_STR, &a->experiment},
        {"history", NULL, 0, PW_ARG_FLAG, &a->history},
        {"state-dir", NULL, 0, PW_ARG_STR, &a->state_dir},
        {"proc", NULL, 0, PW_ARG_STR, &a->proc},
        {"no-rollup", NULL, 0, PW_ARG_FLAG, &a->no_rollup},
        {"help", NULL, 'h', PW_ARG_HELP, NULL},
        {NULL, NULL, 0, 0, NULL},
    };
    int rc = pw_args_parse(argc, argv, opts, "smaps", pos, 0, &n_pos);
    if (rc == 1) {
        fputs(help, stdout);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (a->pid == 0 || a->pid > PW_PID_MAX) {
        fprintf(stderr, "profwatch smaps: --pid expects a process id from 1 to %d\n", PW_PID_MAX);
        return 2;
    }
    if ((a->budget != NULL) + (a->gate != NULL) + (a->experiment != NULL) > 1) {
        fprintf(stderr, "profwatch smaps: give one budget: --budget, --gate or --experiment\n");
        return 2;
    }
    if (a->pid < 0 && a->name == NULL && a->pidfile == NULL)
        a->agent = 1;
    return -1;
}

static int resolve_budget(const smaps_args_t *a, pw_budget_t *b, int *have)
{
    pw_err_t err = {0};
    int rc = 0;
    *have = 1;
    if (a->budget != NULL) {
        rc = pw_budget_from_size(a->budget, b, &err);
    } else if (a->gate != NULL) {
        size_t n;
        const pw_gate_t *g = pw_budget_default_gates(&n);
        rc = pw_budget_from_gate(a->gate, g, n, b, &err);
    } else if (a->experiment != NULL) {
        rc = pw_budget_load_experiment(a->experiment, b, &err);
    } else {
        *have = 0;
    }
    if (rc != 0)
        fprintf(stderr, "profwatch smaps: %s\n", err.msg);
    return rc;
}

static int discover(const smaps_args_t *a, pw_procfs_t *fs, pw_proctab_t *tab, pw_proc_list_t *ts)
{
    pw_err_t err = {0};
    pw_memfind_t q = {.agent = a->agent,
                      .agent_prefix = a->agent_prefix,
                      .run_path = a->run_path,
                      .pids = &a->pid,
                      .n_pids = a->pid > 0,
                      .names = &a->name,
                      .n_names = a->name != NULL,
                      .pidfiles = &a->pidfile,
                      .n_pidfiles = a->pidfile != NULL};
    int rc = pw_mem_find(fs, tab, &q, note_cb, NULL, ts, &err);
    if (rc < 0)
        fprintf(stderr, "profwatch smaps: %s\n", err.msg);
    return rc < 0 ? -1 : rc;
}

/* Reads every target's tree; the pathnames of all go into s (may be NULL). */
static int measure(const smaps_args_t *a, pw_procfs_t *fs, const pw_proctab_t *tab,
                   const pw_proc_list_t *ts, row_t *rows, pw_smaps_t *s)
{
    int failed = 0;
    for (size_t i = 0; i < ts->n; i++) {
        row_t *r = &rows[i];
        r->target = ts->v[i];
        if (pw_mem_read(fs, tab, &r->target, !a->no_children, s, &r->mem, &r->n_tree, &r->error) !=
            0) {
            if (r->error.code == PW_ENOMEM) {
                fprintf(stderr, "profwatch smaps: out of memory\n");
                return -1;
            }
            fprintf(stderr, "profwatch smaps: %s (pid %d): %s\n", r->target.name, r->target.pid,
                    r->error.msg);
            failed = 1;
            continue;
        }
        r->ok = 1;
        if (r->mem.n_failed > 0) {
            fprintf(stderr,
                    "profwatch smaps: %s (pid %d): %zu of its %zu processes could not be read, "
                    "so its total is a floor; first: pid %d: %s\n",
                    r->target.name, r->target.pid, r->mem.n_failed, r->n_tree, r->mem.failed_pid,
                    r->mem.failure.msg);
            failed = 1;
        }
    }
    return failed;
}

static int load_trends(const smaps_args_t *a, row_t *rows, size_t n)
{
    int failed = 0;
    pw_history_t *h = pw_history_create(PW_HISTORY_DEFAULT_CAP, PW_HISTORY_DEFAULT_BUCKET, "");
    if (h == NULL) {
        fprintf(stderr, "profwatch smaps: out of memory\n");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        row_t *r = &rows[i];
        pw_err_t err = {0};
        pw_statefile_history_path(a->state_dir, r->target.name, r->trend_file,
                                  sizeof(r->trend_file));
        int rc = pw_statefile_history_load(a->state_dir, r->target.name, h, &err);
        if (rc == PW_ENOENT) {
            snprintf(r->trend_msg, sizeof(r->trend_msg), "no history yet (%s)", r->trend_file);
            continue;
        }
        if (rc != 0) {
            fprintf(stderr, "profwatch smaps: %s\n", err.msg);
            snprintf(r->trend_msg, sizeof(r->trend_msg), "unreadable history: %s", err.msg);
            failed = 1;
            continue;
        }
        if (pw_mem_trend(h, &r->trend, r->trend_msg, sizeof(r->trend_msg), &err) != 0) {
            fprintf(stderr, "profwatch smaps: %s: %s\n", r->trend_file, err.msg);
            snprintf(r->trend_msg, sizeof(r->trend_msg), "unusable history: %s", err.msg);
            failed = 1;
            continue;
        }
        r->has_trend = 1;
    }
    pw_history_destroy(h);
    return failed;
}

/* ---- text ---- */

/* A name for the terminal: the kernel escapes only newlines in pathnames, and
 * a process names itself, so control bytes become '?' rather than reach the
 * terminal as escape sequences. */
static void printable(const char *in, char *out, size_t n)
{
    size_t i = 0;
    for (; in[i] != '\0' && i + 1 < n; i++) {
        unsigned char c = (unsigned char)in[i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[i] = '\0';
}

static void cell_mib(pw_buf_t *b, const pw_smaps_rollup_t *r, int field, int width)
{
    char v[32];
    if (PW_SMAPS_HAS(r, field))
        pw_fmt_mib(v, sizeof(v), r->v[field]);
    else
        snprintf(v, sizeof(v), "n/a");
    pw_buf_puts(b, " ");
    pw_buf_pad_left(b, v, width);
    pw_buf_puts(b, " |");
}

static void dashes(pw_buf_t *b, int n)
{
    pw_buf_putc(b, '|');
    for (int i = 0; i < n + 2; i++)
        pw_buf_putc(b, '-');
}

static void process_table(pw_buf_t *b, const row_t *rows, size_t n, const pw_smaps_rollup_t *all,
                          size_t n_ok)
{
    static const int fields[] = {PW_SMAPS_PSS, PW_SMAPS_PSS_ANON, PW_SMAPS_PSS_FILE,
                                 PW_SMAPS_PSS_SHMEM, PW_SMAPS_RSS};
    static const char *heads[] = {"total PSS", "pss_anon", "pss_file", "pss_shmem", "RSS"};
    int wname = 7;
    char name[sizeof(rows[0].target.name)];
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(rows[i].target.name) > wname)
            wname = (int)strlen(rows[i].target.name);
    pw_buf_printf(b, "| %-*s | %7s | %5s |", wname, "process", "pid", "procs");
    for (int f = 0; f < 5; f++)
        pw_buf_printf(b, " %11s |", heads[f]);
    pw_buf_puts(b, " found by\n");
    dashes(b, wname);
    dashes(b, 7);
    dashes(b, 5);
    for (int f = 0; f < 5; f++)
        dashes(b, 11);
    pw_buf_puts(b, "|----------\n");
    for (size_t i = 0; i < n; i++) {
        const row_t *r = &rows[i];
        printable(r->target.name, name, sizeof(name));
        pw_buf_printf(b, "| %-*s | %7d |", wname, name, r->target.pid);
        if (!r->ok) {
            pw_buf_printf(b, " %5s |", "-");
            for (int f = 0; f < 5; f++)
                pw_buf_printf(b, " %11s |", "unreadable");
        } else {
            pw_buf_printf(b, " %5zu |", r->mem.n_read);
            for (int f = 0; f < 5; f++)
                cell_mib(b, &r->mem.rollup, fields[f], 11);
        }
        pw_buf_printf(b, " %s\n", r->target.how);
    }
    if (n > 1 && n_ok > 0) {
        size_t procs = 0;
        for (size_t i = 0; i < n; i++)
            procs += rows[i].ok ? rows[i].mem.n_read : 0;
        pw_buf_printf(b, "| %-*s | %7s | %5zu |", wname, "total", "", procs);
        for (int f = 0; f < 5; f++)
            cell_mib(b, all, fields[f], 11);
        pw_buf_puts(b, "\n");
    }
}

static void path_row(pw_buf_t *b, const pw_smaps_path_t *p, const char *label, int wname,
                     uint64_t total_pss)
{
    char pss[32], rss[32], anon[32], share[16];
    pw_fmt_mib(pss, sizeof(pss), p->v[PW_SMAPS_P_PSS]);
    pw_fmt_mib(rss, sizeof(rss), p->v[PW_SMAPS_P_RSS]);
    pw_fmt_mib(anon, sizeof(anon), p->v[PW_SMAPS_P_ANONYMOUS]);
    snprintf(share, sizeof(share), "%.1f%%",
             total_pss ? 100.0 * (double)p->v[PW_SMAPS_P_PSS] / (double)total_pss : 0.0);
    pw_buf_printf(b, "| %-*s | %11s | %6s | %11s | %11s | %8" PRIu32 " |\n", wname, label, pss,
                  share, rss, anon, p->n_mappings);
}

static void label_of(const pw_smaps_path_t *p, char *out, size_t n)
{
    printable(p->name, out, n);
    if (p->flags & PW_SMAPS_PATH_DELETED) {
        size_t k = strlen(out);
        snprintf(out + k, n - k, " (deleted)");
    }
}

static void path_table(pw_buf_t *b, const pw_smaps_result_t *res)
{
    uint64_t total = res->total.v[PW_SMAPS_PSS];
    char label[PW_SMAPS_MAX_NAME + 64];
    int wname = 8;
    for (size_t i = 0; i < res->n_paths; i++) {
        label_of(res->paths[i], label, sizeof(label));
        int w = (int)strlen(label);
        if (w > wname)
            wname = w > 72 ? 72 : w;
    }
    pw_buf_printf(b, "\nPathnames by PSS: the top %zu of %zu, in %zu mappings\n", res->n_paths,
                  res->distinct_paths, res->n_mappings);
    pw_buf_printf(b, "| %-*s | %11s | %6s | %11s | %11s | %8s |\n", wname, "pathname", "PSS",
                  "share", "RSS", "anonymous", "mappings");
    dashes(b, wname);
    dashes(b, 11);
    dashes(b, 6);
    dashes(b, 11);
    dashes(b, 11);
    dashes(b, 8);
    pw_buf_puts(b, "|\n");
    for (size_t i = 0; i < res->n_paths; i++) {
        label_of(res->paths[i], label, sizeof(label));
        path_row(b, res->paths[i], label, wname, total);
    }
    if (res->other.n_mappings > 0) {
        snprintf(label, sizeof(label), "[other] (%zu pathnames)", res->other_paths);
        path_row(b, &res->other, label, wname, total);
    }
    if (res->flags & PW_SMAPS_F_OVERFLOW)
        pw_buf_printf(b, "(more than %d distinct pathnames: the later ones are in [other])\n",
                      PW_SMAPS_MAX_TRACKED);
}

static void render_text(pw_buf_t *b, const smaps_args_t *a, const row_t *rows, size_t n,
                        const pw_smaps_rollup_t *all, size_t n_ok, int complete,
                        const pw_smaps_result_t *res, const pw_budget_t *budget,
                        const pw_budget_verdict_t *v, const char *verdict_msg)
{
    process_table(b, rows, n, all, n_ok);
    int from_smaps = 0;
    for (size_t i = 0; i < n; i++)
        from_smaps |= rows[i].ok && rows[i].mem.from_smaps;
    if (from_smaps)
        pw_buf_puts(b, "(summed from smaps: this kernel has no smaps_rollup, or --no-rollup was "
                       "given; smaps does not split PSS into anon, file and shmem)\n");
    if (!complete && n_ok > 0)
        pw_buf_puts(b, "(not every process could be read: the totals above are floors)\n");
    if (res != NULL)
        path_table(b, res);
    if (budget != NULL) {
        char bud[32];
        pw_fmt_mib(bud, sizeof(bud), budget->bytes);
        pw_buf_printf(b, "\nBudget: %s%s%s (%s)\n", budget->name, budget->name[0] ? ", " : "", bud,
                      budget->origin);
        pw_buf_printf(b, "%s: %s\n", pw_budget_status_name(v->status), verdict_msg);
    }
    if (a->history) {
        pw_buf_puts(b, "\nTrend of total PSS:\n");
        for (size_t i = 0; i < n; i++) {
            char name[sizeof(rows[i].target.name)];
            printable(rows[i].target.name, name, sizeof(name));
            pw_buf_printf(b, "  %s: %s\n", name, rows[i].trend_msg);
        }
    }
}

/* ---- JSON ---- */

static void json_rollup(pw_json_t *j, const pw_smaps_rollup_t *r)
{
    pw_json_obj_begin(j);
    for (int f = 0; f < PW_SMAPS_NFIELDS; f++) {
        if (!PW_SMAPS_HAS(r, f))
            continue;
        pw_json_key(j, pw_smaps_field_name(f));
        pw_json_uint(j, r->v[f]);
    }
    pw_json_obj_end(j);
}

static void json_path(pw_json_t *j, const pw_smaps_path_t *p, uint32_t present, size_t folded)
{
    pw_json_obj_begin(j);
    pw_json_key(j, "pathname");
    pw_json_strn(j, p->name, p->name_len);
    for (int f = 0; f < PW_SMAPS_P_NFIELDS; f++) {
        if (!((present >> f) & 1u))
            continue;
        pw_json_key(j, pw_smaps_field_name(pw_smaps_pfield_field(f)));
        pw_json_uint(j, p->v[f]);
    }
    pw_json_key(j, "mappings");
    pw_json_uint(j, p->n_mappings);
    pw_json_key(j, "deleted");
    pw_json_bool(j, (p->flags & PW_SMAPS_PATH_DELETED) != 0);
    if (folded > 0) {
        pw_json_key(j, "pathnames");
        pw_json_uint(j, folded);
    }
    pw_json_obj_end(j);
}

static void json_trend(pw_json_t *j, const row_t *r)
{
    pw_json_obj_begin(j);
    pw_json_key(j, "file");
    pw_json_str(j, r->trend_file);
    if (!r->has_trend) {
        pw_json_key(j, "class");
        pw_json_null(j);
        pw_json_key(j, "message");
        pw_json_str(j, r->trend_msg);
        pw_json_obj_end(j);
        return;
    }
    const pw_trend_t *t = &r->trend;
    pw_json_key(j, "class");
    pw_json_str(j, pw_trend_class_name(t->cls));
    pw_json_key(j, "message");
    pw_json_str(j, r->trend_msg);
    pw_json_key(j, "points");
    pw_json_uint(j, t->n);
    pw_json_key(j, "first_time");
    pw_json_int(j, t->t_first);
    pw_json_key(j, "last_time");
    pw_json_int(j, t->t_last);
    pw_json_key(j, "mean_bytes");
    pw_json_double(j, t->mean);
    pw_json_key(j, "slope_mib_per_hour");
    pw_json_double(j, t->slope_mib_per_hour);
    pw_json_key(j, "slope_ci95_mib_per_hour");
    pw_json_double(j, t->slope_ci95_mib_per_hour);
    pw_json_key(j, "r2");
    pw_json_double(j, t->r2);
    pw_json_key(j, "spread_bytes");
    pw_json_double(j, t->spread);
    if (t->cls == PW_TREND_STEP) {
        pw_json_key(j, "step_time");
        pw_json_int(j, t->step_at);
        pw_json_key(j, "step_bytes");
        pw_json_double(j, t->step_bytes);
    }
    pw_json_obj_end(j);
}

static void render_json(pw_buf_t *b, const smaps_args_t *a, const row_t *rows, size_t n,
                        const pw_smaps_rollup_t *all, size_t n_ok, int complete,
                        const pw_smaps_result_t *res, const pw_budget_t *budget,
                        const pw_budget_verdict_t *v, const char *verdict_msg)
{
    pw_json_t j;
    pw_json_init(&j, b, 1);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "processes");
    pw_json_arr_begin(&j);
    for (size_t i = 0; i < n; i++) {
        const row_t *r = &rows[i];
        pw_json_obj_begin(&j);
        pw_json_key(&j, "name");
        pw_json_str(&j, r->target.name);
        pw_json_key(&j, "pid");
        pw_json_int(&j, r->target.pid);
        pw_json_key(&j, "found_by");
        pw_json_str(&j, r->target.how);
        pw_json_key(&j, "exe");
        if (r->target.exe[0])
            pw_json_str(&j, r->target.exe);
        else
            pw_json_null(&j);
        pw_json_key(&j, "tree_processes");
        pw_json_uint(&j, r->n_tree);
        if (!r->ok) {
            pw_json_key(&j, "error");
            pw_json_str(&j, r->error.msg);
        } else {
            pw_json_key(&j, "processes_read");
            pw_json_uint(&j, r->mem.n_read);
            pw_json_key(&j, "processes_gone");
            pw_json_uint(&j, r->mem.n_gone);
            pw_json_key(&j, "processes_unreadable");
            pw_json_uint(&j, r->mem.n_failed);
            if (r->mem.n_failed > 0) {
                pw_json_key(&j, "error");
                pw_json_str(&j, r->mem.failure.msg);
            }
            pw_json_key(&j, "source");
            pw_json_str(&j, r->mem.from_smaps ? "smaps" : "smaps_rollup");
            pw_json_key(&j, "total_pss_bytes");
            pw_json_uint(&j, r->mem.rollup.v[PW_SMAPS_PSS]);
            pw_json_key(&j, "smaps_rollup");
            json_rollup(&j, &r->mem.rollup);
        }
        if (a->history) {
            pw_json_key(&j, "trend");
            json_trend(&j, r);
        }
        pw_json_obj_end(&j);
    }
    pw_json_arr_end(&j);
    pw_json_key(&j, "total");
    pw_json_obj_begin(&j);
    pw_json_key(&j, "complete");
    pw_json_bool(&j, complete);
    pw_json_key(&j, "total_pss_bytes");
    if (n_ok > 0)
        pw_json_uint(&j, all->v[PW_SMAPS_PSS]);
    else
        pw_json_null(&j);
    pw_json_key(&j, "smaps_rollup");
    json_rollup(&j, all);
    pw_json_obj_end(&j);
    pw_json_key(&j, "pathnames");
    if (res == NULL) {
        pw_json_null(&j);
    } else {
        pw_json_arr_begin(&j);
        for (size_t i = 0; i < res->n_paths; i++)
            json_path(&j, res->paths[i], res->path_present, 0);
        if (res->other.n_mappings > 0)
            json_path(&j, &res->other, res->path_present, res->other_paths);
        pw_json_arr_end(&j);
    }
    pw_json_key(&j, "budget");
    if (budget == NULL) {
        pw_json_null(&j);
    } else {
        pw_json_obj_begin(&j);
        pw_json_key(&j, "name");
        if (budget->name[0])
            pw_json_str(&j, budget->name);
        else
            pw_json_null(&j);
        pw_json_key(&j, "bytes");
        pw_json_uint(&j, budget->bytes);
        pw_json_key(&j, "origin");
        pw_json_str(&j, budget->origin);
        pw_json_key(&j, "status");
        pw_json_str(&j, pw_budget_status_name(v->status));
        pw_json_key(&j, "margin_bytes");
        pw_json_int(&j, v->margin);
        pw_json_key(&j, "margin_pct");
        pw_json_double(&j, v->margin_pct);
        pw_json_key(&j, "message");
        pw_json_str(&j, verdict_msg);
        pw_json_obj_end(&j);
    }
    pw_json_obj_end(&j);
    pw_buf_putc(b, '\n');
}

int pw_cmd_smaps(int argc, char **argv)
{
    smaps_args_t a;
    int rc = parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    pw_budget_t budget;
    int have_budget = 0;
    if (resolve_budget(&a, &budget, &have_budget) != 0)
        return 2;

    int status = 2;
    pw_procfs_opts_t po = {.root = a.proc, .no_rollup = a.no_rollup};
    pw_procfs_t *fs = pw_procfs_create(&po);
    pw_proctab_t tab = {0};
    pw_proc_list_t ts = {0};
    row_t *rows = NULL;
    pw_smaps_t *s = NULL;
    pw_buf_t out;
    pw_buf_init(&out);
    if (fs == NULL)
        goto fail_oom;
    int failed = discover(&a, fs, &tab, &ts);
    if (failed < 0 || ts.n == 0)
        goto done;
    rows = calloc(ts.n, sizeof(*rows));
    if (rows == NULL)
        goto fail_oom;
    if (a.top > 0 && (s = pw_smaps_create((size_t)a.top)) == NULL)
        goto fail_oom;
    int mf = measure(&a, fs, &tab, &ts, rows, s);
    if (mf < 0)
        goto done;
    failed |= mf;
    if (a.history) {
        int tf = load_trends(&a, rows, ts.n);
        if (tf < 0)
            goto done;
        failed |= tf;
    }

    pw_smaps_rollup_t all = {0};
    size_t n_ok = 0;
    int complete = 1;
    for (size_t i = 0; i < ts.n; i++) {
        if (!rows[i].ok) {
            complete = 0;
            continue;
        }
        if (rows[i].mem.n_failed > 0)
            complete = 0;
        pw_err_t err = {0};
        if (pw_smaps_rollup_add(&all, &rows[i].mem.rollup, &err) != 0) {
            fprintf(stderr, "profwatch smaps: %s\n", err.msg);
            goto done;
        }
        n_ok++;
    }
    const pw_smaps_result_t *res = NULL;
    if (s != NULL && n_ok > 0 && (res = pw_smaps_finish(s)) == NULL)
        goto fail_oom;

    pw_budget_verdict_t v = {PW_GATE_UNKNOWN, 0, 0};
    char verdict_msg[1024] = "";
    if (have_budget) {
        if (n_ok == 0) {
            snprintf(verdict_msg, sizeof(verdict_msg), "no process could be read");
        } else {
            const char *top_name = NULL;
            uint64_t top_bytes = 0;
            if (res != NULL && res->n_paths > 0) {
                top_name = res->paths[0]->name;
                top_bytes = res->paths[0]->v[PW_SMAPS_P_PSS];
            }
            pw_budget_judge(&budget, all.v[PW_SMAPS_PSS], complete, top_name, top_bytes, &v,
                            verdict_msg, sizeof(verdict_msg));
        }
    }
    if (a.json)
        render_json(&out, &a, rows, ts.n, &all, n_ok, complete, res, have_budget ? &budget : NULL,
                    &v, verdict_msg);
    else
        render_text(&out, &a, rows, ts.n, &all, n_ok, complete, res, have_budget ? &budget : NULL,
                    &v, verdict_msg);
    if (out.oom)
        goto fail_oom;
    if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        perror("profwatch smaps: writing to standard output");
        goto done;
    }
    /* Over the budget is certain even when the total is a floor. */
    if (have_budget && v.status == PW_GATE_CRITICAL)
        status = 1;
    else if (failed)
        status = 2;
    else
        status = 0;
    goto done;
fail_oom:
    fprintf(stderr, "profwatch smaps: out of memory\n");
    status = 2;
done:
    pw_buf_free(&out);
    pw_smaps_destroy(s);
    free(rows);
    pw_proc_list_free(&ts);
    pw_proctab_free(&tab);
    pw_procfs_destroy(fs);
    return status;
}
