/* Where the daemon's findings go. Every output in the config is a sink; an
 * emitter fans each metric, service check and event out to all of them. Here:
 * `jsonl` (one JSON object per line, appended to a file), `stdout`, and the
 * two Datadog sinks: `dogstatsd` (datagrams to the agent's DogStatsD) and
 * `api` (HTTPS to the Datadog intake, with retries and an on-disk spool).
 *
 * Ownership: emit functions borrow their arguments; a sink copies what it
 * keeps. */
#ifndef PW_SINK_H
#define PW_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

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

/* Counters for the daemon's own metrics. sent and dropped count items
 * (points, checks, events); errors counts failed writes or sends. */
typedef struct {
    uint64_t sent, errors, dropped;
    int queues;                        /* the sink has a retry queue (api): the next three apply */
    uint64_t queue_bytes, spool_bytes; /* waiting in memory, and on disk */
    uint64_t retries;                  /* sends retried after a retryable failure */
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
    /* The daemon stops (may be NULL): a last attempt at what is queued, on
     * the loop that keeps running until the sink's requests end; what is
     * left is kept for the next start. destroy follows once the loop ends. */
    void (*stop)(pw_sink_t *s);
} pw_sink_ops_t;

struct pw_sink {
    const pw_sink_ops_t *ops;
    char *hostname; /* sent with every item */
    pw_sink_stats_t stats;
};

/* Local sinks. path: the file to append to (created 0640). */
pw_sink_t *pw_sink_jsonl_create(const char *path, const char *hostname, pw_err_t *err);
pw_sink_t *pw_sink_stdout_create(const char *hostname);

/* DogStatsD: a unix datagram socket when socket names one that exists (else
 * UDP to host:port). Datagrams carry whole lines, at most max_datagram bytes;
 * one that cannot be sent at once (no listener, buffer full) is dropped and
 * counted, so the loop never waits on the agent. */
typedef struct {
    const char *socket; /* NULL or "": UDP only */
    const char *host;   /* UDP: an IPv4 or IPv6 address */
    int port;
    size_t max_datagram;
} pw_dsd_conf_t;

pw_sink_t *pw_sink_dogstatsd_create(const pw_dsd_conf_t *c, const char *hostname, pw_err_t *err);

/* The Datadog API: series, check runs and events POSTed gzip-compressed to
 * the intake. Failed sends are retried with capped full-jitter backoff from a
 * bounded memory queue that spills to a bounded spool folder; what a bound
 * forces out is the oldest, and it is counted and logged. */
typedef struct {
    const char *url;               /* the intake's base, "https://api.datadoghq.com" */
    const char *api_key;           /* copied; never logged */
    const char *key_from;          /* where the key came from, for messages: "DD_API_KEY", ... */
    const char *proxy;             /* NULL: no proxy; "": libcurl's environment rules */
    const char *spool_dir;         /* created 0750 */
    uint64_t queue_max, spool_max; /* bytes (compressed); spool_max 0: no spool */
    int64_t backoff_base_ms, backoff_max_ms;
    int64_t connect_timeout_ms, timeout_ms;
    size_t max_payload_z, max_payload_raw; /* split bounds (the intake's limits) */
} pw_api_conf_t;

pw_sink_t *pw_sink_api_create(uv_loop_t *loop, const pw_api_conf_t *c, const char *hostname,
                              pw_err_t *err);

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
void pw_emit_stop(pw_emitter_t *e);
void pw_emitter_destroy(pw_emitter_t *e);

#endif
