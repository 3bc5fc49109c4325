/* The bytes the Datadog sinks send, kept apart from the sockets so that they
 * are tested on their own: DogStatsD lines, and the JSON of the API's series,
 * check runs and events, packed into payloads under the intake's limits.
 *
 * DogStatsD (one line each, no newline):
 *   metric         name:value|g|#tag,tag
 *   event          _e{title_bytes,text_bytes}:title|text|d:ts|h:host|k:key|p:prio|t:type|#tags
 *   service check  _sc|name|status|d:ts|h:host|#tags|m:message
 * Newlines in titles, texts and messages are written as the two bytes "\n",
 * and the lengths count the bytes as sent. '|' cannot be escaped in the
 * protocol: outside the length-prefixed title and text it is written as '/';
 * a ',' or a newline inside a tag is written as '_'. */
#ifndef PW_DDFMT_H
#define PW_DDFMT_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/buf.h"
#include "profwatch/sink.h"

/* Appends a metric line; PW_EINVAL (nothing appended) for a value that is
 * not finite, which DogStatsD cannot carry. */
int pw_ddfmt_dsd_metric(pw_buf_t *out, const pw_metric_t *m);
int pw_ddfmt_dsd_service_check(pw_buf_t *out, const pw_service_check_t *c, const char *host);
/* max_len > 0: a line longer than that is shortened, its text first and then
 * its title, at whole characters, ending in "..." (the lengths stay right). */
int pw_ddfmt_dsd_event(pw_buf_t *out, const pw_event_t *e, const char *host, size_t max_len);

/* JSON for the API. A series item is one element of /api/v2/series'
 * "series" list (a gauge with the host resource), a check item one element
 * of /api/v1/check_run's list, an event the whole body of /api/v1/events
 * (its text cut to the intake's 4000 characters). PW_EINVAL for a metric that
 * is not finite. */
int pw_ddfmt_series_item(pw_buf_t *out, const pw_metric_t *m, const char *host);
void pw_ddfmt_check_item(pw_buf_t *out, const pw_service_check_t *c, const char *host);
void pw_ddfmt_event(pw_buf_t *out, const pw_event_t *e, const char *host);

/* The API's endpoints, and how their bodies wrap a list of items. */
typedef enum { PW_DD_SERIES = 0, PW_DD_CHECKS = 1, PW_DD_EVENT = 2, PW_DD_KINDS } pw_dd_kind_t;
const char *pw_ddfmt_kind_name(pw_dd_kind_t k); /* "series", "checks", "event" */
const char *pw_ddfmt_kind_path(pw_dd_kind_t k); /* "/api/v2/series", ... */

/* A payload ready to send: the gzip body (owned) and what it holds. */
typedef struct {
    uint8_t *z;
    size_t z_len, raw_len, n_items;
} pw_ddpayload_t;

/* Called for each payload; takes p->z. Nonzero stops the packing. */
typedef int (*pw_ddfmt_pack_cb)(void *ud, pw_ddpayload_t *p);

/* Packs items (item i is items[ends[i-1]..ends[i]), ends[-1] = 0) into as few
 * payloads of kind as fit max_raw bytes of JSON and max_z compressed; a set
 * that compresses past max_z is halved until it fits. An item that alone
 * cannot fit is left out and counted in *left_out. Events go one per payload.
 * 0, or the callback's code, or PW_ENOMEM. */
int pw_ddfmt_pack(pw_dd_kind_t kind, const char *items, const size_t *ends, size_t n,
                  size_t max_raw, size_t max_z, pw_ddfmt_pack_cb cb, void *ud, size_t *left_out);

/* The items of a body this module wrote (or one like it: the JSON list,
 * top-level for checks, under "series" for series): their bounds, into
 * *ends (malloc'd, caller frees) over a copy of the items in *items. For
 * splitting a payload the intake found too large. PW_EINVAL when the body is
 * not such a list. */
int pw_ddfmt_items(pw_dd_kind_t kind, const char *body, size_t len, pw_buf_t *items, size_t **ends,
                   size_t *n);

#endif
