/* profwatchd's internals: the daemon (one libuv loop, the HTTP client, the
 * sinks, the status socket) and its targets, each with its scrape timers and
 * its rolling state. Everything runs on the loop's thread. */
#ifndef PW_WATCH_DAEMON_H
#define PW_WATCH_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "agentconf.h"
#include "profwatch/analysis.h"
#include "profwatch/arena.h"
#include "profwatch/buf.h"
#include "profwatch/config.h"
#include "profwatch/fntab.h"
#include "profwatch/http.h"
#include "profwatch/discover.h"
#include "profwatch/history.h"
#include "profwatch/memstats.h"
#include "profwatch/procfs.h"
#include "profwatch/smaps.h"
#include "profwatch/trend.h"
#include "profwatch/rules.h"
#include "profwatch/sink.h"

typedef struct pw_daemon pw_daemon_t;
typedef struct pw_target pw_target_t;

/* What a target scrapes; block and mutex share the contention timer. */
typedef enum { PW_K_EXPVAR, PW_K_HEAP, PW_K_BLOCK, PW_K_MUTEX, PW_K_CPU, PW_K_COUNT } pw_kind_t;
const char *pw_kind_name(pw_kind_t k);

typedef struct {
    uint64_t ok, errors, busy;
    int last_ok; /* the latest finished scrape worked (a request in flight does not count) */
    int64_t last_ok_ms, last_try_ms;
    double last_seconds;
    char last_error[256];
    int in_flight;
} pw_scrape_stat_t;

typedef struct {
    uint8_t *data;
    size_t len;
    int64_t t_ms;
} pw_raw_t;

typedef struct {
    int64_t t_ms; /* the profile's own time, else the scrape's */
    pw_fntab_t tab;
    int64_t inuse; /* total inuse_space */
} pw_heap_snap_t;

typedef struct {
    int valid;
    int64_t t_ms;
    pw_fntab_t tab;
    pw_raw_t raw;
} pw_lag_t;

/* A rule's latest result, with the function named by value. */
typedef struct {
    int valid;
    int64_t at_ms;
    pw_rule_result_t r;
    char top[256];
} pw_latest_t;

#define PW_MAX_SNAPS 64

struct pw_target {
    pw_daemon_t *d;
    pw_arena_t *arena; /* the target's own copies of its configuration */
    pw_target_conf_t conf;
    const char *tags[PW_MAX_TAGS + 2];
    size_t n_tags;
    uv_timer_t timers[4]; /* expvar, heap, contention, cpu */
    int open_handles;     /* timers not closed yet */
    int closing;
    pw_scrape_stat_t stat[PW_K_COUNT];

    pw_names_t names;
    pw_heap_snap_t snaps[PW_MAX_SNAPS]; /* the window, oldest first */
    size_t n_snaps;
    int64_t snap_every_ms; /* thinning when the window holds more than PW_MAX_SNAPS */
    /* Raw profiles kept for captures: two anchors spanning the window, the
     * previous and the latest heap, and the latest of the others. */
    pw_raw_t anchor_a, anchor_b, last_heap, last_cpu;
    /* The fast leak rule's bases: lag_b is the newest snapshot kept as a base,
     * lag_a the one before; they move every leak_per, so the rule compares
     * spans of leak_per to twice that, whatever the scrape interval. */
    pw_lag_t lag_a, lag_b;
    pw_raw_t fast_base; /* the base of the fast rule's latest result */
    pw_raw_t prev_block, last_block, prev_mutex, last_mutex;
    pw_memstats_t memstats;
    int have_memstats;
    pw_fntab_t block_prev, mutex_prev;
    int have_block_prev, have_mutex_prev;

    pw_latest_t fast, sustained, cpu, block, mutex;
    pw_verdict_t verdict;
    int64_t verdict_since_ms;
    pw_verdict_t pending;
    int pending_cycles;
    uint64_t cycles;
    uint64_t captures, capture_errors;
    char last_capture[1024];
    char last_capture_error[512]; /* why the last capture failed, for status */
};

#define PW_MEM_MAX 32    /* processes the memory gate follows */
#define PW_MEM_RECENT 64 /* readings kept per process for captures */

/* A process the memory gate reads, found again every reading. */
typedef struct {
    char name[64]; /* as found ("agent"): its history's key */
    char tag[64];  /* its process tag ("core"), shared with its target */
    int pid;
    int seen; /* found in the latest reading */
    int ok;   /* and read */
    int complete;
    char error[512];
    size_t n_tree;
    pw_smaps_rollup_t rollup;
    char top_path[256];
    uint64_t top_path_pss;
    pw_history_t *history;
    int64_t saved_ms;
    int have_trend;
    pw_trend_t trend;
    char trend_desc[256];
    struct {
        int64_t t_ms;
        uint64_t pss;
    } recent[PW_MEM_RECENT];
    size_t n_recent, recent_head;
} pw_memproc_t;

typedef struct {
    int open; /* reading */
    int timer_open;
    char proc_root[512];
    pw_procfs_t *fs;
    pw_proctab_t tab;
    pw_smaps_t *smaps;
    uv_timer_t timer;
    uint64_t readings;
    pw_memproc_t procs[PW_MEM_MAX];
    size_t n;
    char note[512]; /* the first lookup that found nothing, this reading */
    char logged_note[512];
    uint64_t total;
    int complete;
    int gate_status, logged_status;
    char gate_msg[1024];
} pw_memory_t;

struct pw_daemon {
    uv_loop_t *loop;
    pw_config_t cfg;
    char hostname[256];
    pw_http_t *http;
    pw_emitter_t emitter;
    pw_target_t *targets[PW_MAX_TARGETS + 8];
    size_t n_targets;
    pw_discovery_t discovery;
    char discovery_error[512];
    uv_signal_t sig_term, sig_int, sig_hup;
    uv_pipe_t status_server;
    int status_open;
    uv_timer_t self_timer; /* the daemon's own metrics */
    pw_memory_t mem;
    int64_t started_ms;
    uint64_t reloads, reload_errors;
    char reload_error[512];
    int running, stopping;
};

int64_t pw_now_ms(void);

/* daemon.c */
/* --check-config: prints each output, where the api ones send and whence
 * their key; an api output without a key is an error (as at start). */
int pw_daemon_check_outputs(const pw_config_t *cfg, FILE *out, pw_err_t *err);
/* Takes cfg over (it is zeroed) and starts watching; on error nothing is left
 * running and cfg is freed. */
int pw_daemon_start(pw_daemon_t *d, uv_loop_t *loop, pw_config_t *cfg, pw_err_t *err);
/* SIGHUP: the file again; a bad one keeps the running config (and says why). */
void pw_daemon_reload(pw_daemon_t *d, const char *path);
/* Stops timers, cancels requests and flushes the sinks; run the loop to the
 * end afterwards, then pw_daemon_free. */
void pw_daemon_stop(pw_daemon_t *d);
void pw_daemon_free(pw_daemon_t *d);
/* The common tags plus extra ones, for a target's metric. */
void pw_daemon_metric(pw_daemon_t *d, pw_target_t *t, const char *name, double value,
                      const char *extra_tag);

/* "key:value" with the value cut to what Datadog keeps in a tag: letters,
 * digits and _-:./, anything else '_', at most 200 bytes. */
void pw_daemon_tag(char *out, size_t n, const char *key, const char *value);

/* target.c */
pw_target_t *pw_target_create(pw_daemon_t *d, const pw_target_conf_t *conf, pw_err_t *err);
void pw_target_start(pw_target_t *t);
/* After a reload: the timers follow the new intervals; the state is kept. */
void pw_target_reconfigure(pw_target_t *t);
/* Stops the timers; the target frees itself once nothing refers to it. */
void pw_target_close(pw_target_t *t);
int pw_target_same(const pw_target_t *t, const pw_target_conf_t *c);
void pw_target_status_json(const pw_target_t *t, void *json);

/* capture.c: writes <reports_dir>/<UTC>-<host>[-n]/ in the flare's layout,
 * with the analyze report inside; returns 0 and the folder's path. */
int pw_capture_write(pw_target_t *t, const char *reason, int from_window, char *path, size_t n,
                     pw_err_t *err);

/* memory.c */
int pw_memory_start(pw_daemon_t *d, pw_err_t *err);
/* Saves the histories and closes the timer. */
void pw_memory_stop(pw_daemon_t *d);
void pw_memory_reconfigure(pw_daemon_t *d, pw_err_t *err);
void pw_memory_status_json(const pw_daemon_t *d, void *json);
/* "pss", "memory" and "gate" keys for a capture of the process tagged tag. */
void pw_memory_capture_json(const pw_daemon_t *d, const char *tag, void *json);

/* status.c */
int pw_status_open(pw_daemon_t *d, pw_err_t *err);
void pw_status_close(pw_daemon_t *d);

#endif
