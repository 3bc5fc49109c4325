/* profwatch's configuration file (YAML). One schema serves both programs:
 * `profwatch analyze --config FILE` reads the rules and ownership sections,
 * and the daemon reads everything. Unknown keys and bad values are errors that
 * name the file and the line; conf.d/profwatch.yaml documents every key. */
#ifndef PW_CONFIG_H
#define PW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/arena.h"
#include "profwatch/budget.h"
#include "profwatch/err.h"
#include "profwatch/owners.h"
#include "profwatch/rules.h"

#define PW_MAX_OUTPUTS 8
#define PW_MAX_TARGETS 32
#define PW_MAX_TAGS 16

typedef struct {
    const char *type; /* "jsonl", "stdout", "dogstatsd" or "api" */
    const char *path; /* jsonl */
    int line;         /* where it was configured, for messages */
    /* dogstatsd: socket NULL means the agent's (datadog.yaml, else the
     * default path), "" no unix socket; port 0 the agent's (else 8125). */
    const char *socket, *host;
    int64_t port;
    uint64_t max_datagram;
    /* api: url NULL means the agent's intake (dd_url, else api.<site>). */
    const char *url;
    int64_t timeout_ms, connect_timeout_ms, backoff_base_ms, backoff_max_ms;
    uint64_t queue_max, spool_max;
} pw_output_conf_t;

typedef struct {
    const char *name;
    const char *url;         /* scheme://host:port; /debug/pprof/... is appended */
    const char *unix_socket; /* HTTP over a unix socket (system-probe) */
    const char *ca_file;     /* HTTPS: verify against this CA */
    int tls_verify;          /* 0 only when set explicitly */
    const char *tags[PW_MAX_TAGS];
    size_t n_tags;
    int skip_block; /* never fetch its block profile (the trace-agent) */
    int line;
} pw_target_conf_t;

typedef struct {
    int64_t expvar_ms, heap_ms, contention_ms, cpu_every_ms, cpu_duration_ms;
} pw_intervals_t;

typedef struct {
    int64_t connect_timeout_ms, timeout_ms;
    uint64_t max_body;
} pw_http_conf_t;

typedef struct {
    int64_t raise_after; /* cycles a non-normal verdict must hold before it is raised */
    int64_t clear_after; /* cycles of normal before it clears */
} pw_hysteresis_t;

typedef struct {
    int64_t keep;       /* captures kept, oldest removed first */
    uint64_t max_bytes; /* and their total size */
} pw_captures_conf_t;

#define PW_MAX_MEMPROCS 16

/* What profwatchd reads from /proc, and how often. */
typedef struct {
    int enabled;
    const char *proc_root;
    int agent; /* the Agent's processes, by executable and pid files */
    const char *agent_prefix;
    const char *run_path;
    int children; /* a process's descendants count in its total */
    int64_t interval_ms;
    int64_t smaps_every; /* full smaps (pathnames) every Nth reading */
    int64_t top_pathnames;
    int64_t history_bucket_ms;
    int64_t history_points;
    /* more processes: by name, pid or pid file, each reported as `as` when set */
    struct {
        const char *name;
        int pid;
        const char *pidfile;
        const char *as;
    } procs[PW_MAX_MEMPROCS];
    size_t n_procs;
} pw_memory_conf_t;

typedef struct {
    pw_arena_t *arena; /* strings of the config */
    const char *path;  /* the file it came from, or NULL for defaults */
    pw_rules_t rules;
    pw_owners_t *owners;
    /* the daemon */
    const char *hostname;       /* "" : the machine's */
    const char *datadog_config; /* "" turns discovery off */
    const char *system_probe_config;
    const char *reports_dir;
    const char *state_dir;
    const char *status_socket;
    const char *log_level;
    pw_output_conf_t outputs[PW_MAX_OUTPUTS];
    size_t n_outputs;
    int outputs_set; /* the file listed outputs (else the default jsonl) */
    pw_intervals_t intervals;
    int64_t window_ms;
    pw_target_conf_t targets[PW_MAX_TARGETS];
    size_t n_targets;
    pw_http_conf_t http;
    pw_hysteresis_t verdict;
    pw_sustained_t sustained;
    pw_captures_conf_t captures;
    int64_t top_functions; /* growing functions reported per target and cycle */
    pw_memory_conf_t memory;
    /* The memory gate: at most one of the three names a budget for the total
     * PSS of the watched processes. */
    const char *memory_gate;
    const char *memory_budget;
    const char *memory_experiment;
    pw_gate_t *gates; /* memory_gates, else the built-in table */
    size_t n_gates;
    int have_budget;
    pw_budget_t budget; /* resolved at load */
} pw_config_t;

/* Defaults: the seed's thresholds and the built-in ownership table. */
int pw_config_init(pw_config_t *c, pw_err_t *err);
/* Defaults, then the file at path on top; also checks values that depend on
 * each other (a CPU profile shorter than its period, ...). */
int pw_config_load(pw_config_t *c, const char *path, pw_err_t *err);
/* The same from bytes in memory (borrowed); source names them in messages. */
int pw_config_parse(pw_config_t *c, const char *data, size_t len, const char *source,
                    pw_err_t *err);
void pw_config_free(pw_config_t *c);

#endif
