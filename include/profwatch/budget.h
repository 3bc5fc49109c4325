/* Memory budgets for total PSS, and the verdict of the memory gate.
 *
 * A budget comes from one of:
 *   - a gate name ("idle_all_features", or the experiment's full name
 *     "quality_gate_idle_all_features") looked up in a table of gates. The
 *     defaults are the four gates of the SMP quality-gate document; budgets
 *     change over time, so a configuration can replace the table;
 *   - a size ("300MiB", "640.0 MiB");
 *   - an SMP experiment.yaml: the check named memory_usage whose bounds have
 *     series total_pss_bytes, and its upper_bound.
 * Errors name the file and line (experiment.yaml), or the value. */
#ifndef PW_BUDGET_H
#define PW_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/err.h"
#include "profwatch/yaml.h"

typedef struct {
    const char *name; /* "idle_all_features" */
    uint64_t bytes;
} pw_gate_t;

/* idle 175 MiB, idle_all_features 485 MiB, logs 220 MiB, metrics_logs 475 MiB. */
const pw_gate_t *pw_budget_default_gates(size_t *n);

/* A "name: size" map (for a `memory_gates:` config section) into a table in
 * arena. Sizes use pw_parse_size ("485MiB"). */
int pw_budget_gates_from_yaml(const pw_ynode_t *map, const char *source, pw_arena_t *arena,
                              pw_gate_t **gates, size_t *n, pw_err_t *err);

typedef struct {
    uint64_t bytes;
    char name[128];   /* the gate or experiment; "" for a plain size */
    char origin[512]; /* "built-in gate", "size", or "FILE:LINE" of the upper_bound */
} pw_budget_t;

int pw_budget_from_gate(const char *name, const pw_gate_t *gates, size_t n, pw_budget_t *out,
                        pw_err_t *err);
int pw_budget_from_size(const char *text, pw_budget_t *out, pw_err_t *err);
/* data: an experiment.yaml's text; source names it in messages and gives the
 * budget its name (the folder of ".../CASE/experiment.yaml", else the file). */
int pw_budget_from_experiment(const char *data, size_t len, const char *source, pw_budget_t *out,
                              pw_err_t *err);
int pw_budget_load_experiment(const char *path, pw_budget_t *out, pw_err_t *err);

/* Service check statuses, as DogStatsD numbers them. */
enum { PW_GATE_OK = 0, PW_GATE_WARNING = 1, PW_GATE_CRITICAL = 2, PW_GATE_UNKNOWN = 3 };

typedef struct {
    int status;        /* PW_GATE_* */
    int64_t margin;    /* budget - total, bytes; negative when over */
    double margin_pct; /* margin / budget, in percent */
} pw_budget_verdict_t;

/* Judges total PSS against b: OK under or at the budget, CRITICAL over it.
 * complete = 0 means the total is a floor (a process could not be read): over
 * the budget is still CRITICAL, but under it is UNKNOWN, never OK. top_name and
 * top_bytes (top_name may be NULL) name the largest pathname in the message,
 * which gives the margin: "total PSS 412.3 MiB is 72.7 MiB (15.0%) under the
 * idle_all_features budget of 485.0 MiB; largest pathname ...". */
void pw_budget_judge(const pw_budget_t *b, uint64_t total, int complete, const char *top_name,
                     uint64_t top_bytes, pw_budget_verdict_t *v, char *msg, size_t msg_cap);

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *pw_budget_status_name(int status);

/* "412.3 MiB": the one format for memory figures in messages and tables. */
void pw_fmt_mib(char *out, size_t n, uint64_t bytes);

#endif
