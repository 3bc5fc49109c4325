/* Where the daemon's findings go. Every output in the config is a sink; an
 * emitter fans each metric, service check and event out to all of them. Here:
 * `jsonl` (one JSON object per line, appended to a file) and `stdout`. The
 * Datadog sinks (DogStatsD, API) implement the same interface.
 *
 * Ownership: emit functions borrow their arguments; a sink copies what it
 * keeps. */
#ifndef PW_SINK_H
#define PW_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

typedef struct {
    const char *name; /* "profwatch.heap.inuse_bytes" */
    double value;
    int64_t timestamp;       /* unix seconds */
    const char *const *tags; /* "key:value" */
    size_t n_tags;
} pw_metric_t;

/* Datadog service check statuses. */
enum { PW_CHECK_OK = 0, PW_CHECK_WARNING = 1, PW_CHECK_CRITICAL = 2, PW_CHECK_UNKNOWN = 3 };

typedef struct {
    const char *name; /* "profwatch.verdict" */
    int status;
    int64_t timestamp;
    const char *message;
    const char *const *tags;
    size_t n_tags;
} pw_service_check_t;

typedef struct {
    const char *title;
    const char *text;
    int64_t timestamp;
    const char *alert_type;      /* "error", "warning", "info", "success" */
    const char *aggregation_key; /* may be NULL */
    const char *priority;        /* "normal" or "low" */
    const char *const *tags;
    size_t n_tags;
} pw_event_t;

/* Counters for the daemon's own metrics. */
typedef struct {
    uint64_t sent, errors, dropped;
} pw_sink_stats_t;

typedef struct pw_sink pw_sink_t;

typedef struct {
    const char *type;
    int (*metric)(pw_sink_t *s, const pw_metric_t *m);
    int (*service_check)(pw_sink_t *s, const pw_service_check_t *c);
    int (*event)(pw_sink_t *s, const pw_event_t *e);
    void (*flush)(pw_sink_t *s);  /* end of a cycle */
    void (*reopen)(pw_sink_t *s); /* SIGHUP: files are reopened (log rotation) */
    void (*destroy)(pw_sink_t *s);
} pw_sink_ops_t;

struct pw_sink {
    const pw_sink_ops_t *ops;
    char *hostname; /* sent with every item */
    pw_sink_stats_t stats;
};

/* Local sinks. path: the file to append to (created 0640). */
pw_sink_t *pw_sink_jsonl_create(const char *path, const char *hostname, pw_err_t *err);
pw_sink_t *pw_sink_stdout_create(const char *hostname);

/* An emitter: the set of sinks. */
typedef struct {
    pw_sink_t **sinks;
    size_t n;
} pw_emitter_t;

void pw_emit_metric(pw_emitter_t *e, const pw_metric_t *m);
void pw_emit_service_check(pw_emitter_t *e, const pw_service_check_t *c);
void pw_emit_event(pw_emitter_t *e, const pw_event_t *ev);
void pw_emit_flush(pw_emitter_t *e);
void pw_emit_reopen(pw_emitter_t *e);
void pw_emitter_destroy(pw_emitter_t *e);

#endif
