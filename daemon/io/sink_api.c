/* The Datadog API sink. Each cycle's items become gzip payloads (series,
 * check runs, one per event) split under the intake's limits; payloads go
 * out one at a time, the spool's (older) first, then the memory queue's.
 * Results are sorted as the agent's forwarder and fluent-bit do: 2xx done;
 * 400, 401, 403 and other 4xx dropped with the reason logged; 413 split in
 * two and resent; 408, 429, 5xx and transport failures kept and retried after
 * a capped full-jitter backoff. The memory queue is bounded and spills its
 * oldest payloads to the spool, which is bounded too; whatever a bound
 * pushes out is counted as dropped and logged. The API key is only ever put
 * in the request's header. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profwatch/buf.h"
#include "profwatch/ddfmt.h"
#include "profwatch/gzip.h"
#include "profwatch/http.h"
#include "profwatch/log.h"
#include "profwatch/sink.h"
#include "profwatch/spool.h"

#define MAX_SPOOLED_FILE (16u * 1024 * 1024) /* a spool file past this is not ours */
#define STOP_CONCURRENCY 16                  /* requests at once for the last attempt */

typedef struct api api_t;

typedef struct batch {
    struct batch *next;
    api_t *a;
    pw_dd_kind_t kind;
    uint8_t *z;
    size_t z_len, raw_len, n_items;
    int from_spool; /* ent is its file, removed once it is done with */
    pw_spool_entry_t ent;
} batch_t;

typedef struct {
    pw_buf_t buf;
    size_t *ends;
    size_t n, cap;
} items_t;

struct api {
    pw_sink_t base;
    uv_loop_t *loop;
    uint64_t sent_at;                    /* loop time of the latest send */
    char busy[sizeof(pw_spool_entry_t)]; /* the spool file being sent, kept from the bound */
    pw_http_t *http;
    uv_timer_t *timer; /* closed apart: it outlives the sink until its close callback */
    char *url, *proxy, *key_header, *key, *key_from;
    pw_api_conf_t conf;
    pw_spool_t *spool; /* NULL: memory only */
    items_t items[PW_DD_KINDS];
    batch_t *head, *tail;
    uint64_t q_bytes;
    size_t in_flight;
    int waiting;     /* the retry timer is armed */
    unsigned fails;  /* failed attempts in a row */
    long last_cause; /* of the latest failure: an HTTP status, -1 timeout, -2 transport */
    int stopping, finished, destroying;
    uint64_t rng;
};

static void pump(api_t *a);

/* ---- small helpers ------------------------------------------------------ */

static uint64_t next_rand(api_t *a)
{
    /* xorshift64*: jitter only, nothing secret. */
    a->rng ^= a->rng >> 12;
    a->rng ^= a->rng << 25;
    a->rng ^= a->rng >> 27;
    return a->rng * 2685821657736338717ull;
}

static void batch_free(batch_t *b)
{
    if (b == NULL)
        return;
    free(b->z);
    free(b);
}

static void push_tail(api_t *a, batch_t *b)
{
    b->next = NULL;
    if (a->tail)
        a->tail->next = b;
    else
        a->head = b;
    a->tail = b;
    a->q_bytes += b->z_len;
}

static void push_front(api_t *a, batch_t *b)
{
    b->next = a->head;
    a->head = b;
    if (a->tail == NULL)
        a->tail = b;
    a->q_bytes += b->z_len;
}

static batch_t *pop_head(api_t *a)
{
    batch_t *b = a->head;
    if (b == NULL)
        return NULL;
    a->head = b->next;
    if (a->head == NULL)
        a->tail = NULL;
    b->next = NULL;
    a->q_bytes -= b->z_len;
    return b;
}

static const char *what(const batch_t *b)
{
    return b->kind == PW_DD_SERIES   ? "points"
           : b->kind == PW_DD_CHECKS ? "service checks"
                                     : "events";
}

/* Why a payload is dropped. Each has its own log line, so that the rate
 * limit on one (a key refused every cycle) never hides another. */
typedef enum { DROP_BOUND, DROP_KEY, DROP_REJECTED, DROP_TOO_LARGE, DROP_SPOOL } drop_why_t;

static void drop(api_t *a, batch_t *b, drop_why_t kind, const char *why)
{
    a->base.stats.dropped += b->n_items;
    const char *n = what(b);
    switch (kind) {
    case DROP_BOUND:
        pw_log(PW_LOG_ERROR, "api", "%zu %s dropped, past a bound: %s", b->n_items, n, why);
        break;
    case DROP_KEY:
        pw_log(PW_LOG_ERROR, "api", "%zu %s dropped, the key was refused: %s", b->n_items, n, why);
        break;
    case DROP_REJECTED:
        pw_log(PW_LOG_ERROR, "api", "%zu %s dropped, rejected: %s", b->n_items, n, why);
        break;
    case DROP_TOO_LARGE:
        pw_log(PW_LOG_ERROR, "api", "%zu %s dropped, too large: %s", b->n_items, n, why);
        break;
    case DROP_SPOOL:
        pw_log(PW_LOG_ERROR, "api", "%zu %s dropped, spool failure: %s", b->n_items, n, why);
        break;
    }
    if (b->from_spool && a->spool)
        pw_spool_remove(a->spool, &b->ent);
    batch_free(b);
}

/* To the spool (or dropped when there is none, or it cannot take it). */
static void spill(api_t *a, batch_t *b)
{
    if (b->from_spool) { /* still on disk */
        batch_free(b);
        return;
    }
    if (a->spool == NULL) {
        drop(a, b, DROP_BOUND, "the memory queue is full (queue_max) and there is no spool");
        return;
    }
    uint64_t lost = 0;
    pw_err_t err = {0};
    int rc = pw_spool_push(a->spool, b->kind, b->z, b->z_len, b->n_items, b->raw_len,
                           a->busy[0] ? a->busy : NULL, &lost, &err);
    if (lost > 0) {
        a->base.stats.dropped += lost;
        pw_log(PW_LOG_ERROR, "api",
               "the spool is full (spool_max): its oldest payloads were removed, %llu items "
               "dropped",
               (unsigned long long)lost);
    }
    if (rc != 0) {
        char why[600];
        snprintf(why, sizeof(why), "cannot spool: %s", err.msg);
        drop(a, b, DROP_SPOOL, why);
        return;
    }
    batch_free(b);
}

static void update_gauges(api_t *a)
{
    a->base.stats.queue_bytes = a->q_bytes;
    a->base.stats.spool_bytes = a->spool ? pw_spool_bytes(a->spool) : 0;
}

/* Past queue_max, the oldest payloads move to the spool. */
static void bound_queue(api_t *a)
{
    while (a->q_bytes > a->conf.queue_max && a->head != NULL)
        spill(a, pop_head(a));
    update_gauges(a);
}

/* The intake's words, for the log: printable ASCII, short, and never the key
 * (should an intake ever echo it). */
static void snippet(const api_t *a, const pw_http_resp_t *r, char *out, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < r->body_len && k + 1 < n && k < 200; i++) {
        char c = (char)r->body[i];
        out[k++] = c >= 0x20 && c < 0x7f ? c : ' ';
    }
    out[k] = '\0';
    size_t kl = strlen(a->key);
    for (char *p = kl ? strstr(out, a->key) : NULL; p != NULL; p = strstr(p + kl, a->key))
        memset(p, '*', kl);
}

/* ---- backoff ------------------------------------------------------------ */

static void on_timer(uv_timer_t *t)
{
    api_t *a = t->data;
    if (a == NULL)
        return;
    a->waiting = 0;
    if (a->stopping) {
        /* The last attempt is over: release the HTTP client outside its
         * own callbacks. */
        pw_http_destroy(a->http);
        a->http = NULL;
        uv_close((uv_handle_t *)a->timer, (uv_close_cb)free);
        a->timer = NULL;
        return;
    }
    pump(a);
}

static void arm_backoff(api_t *a)
{
    uint64_t cap = (uint64_t)a->conf.backoff_base_ms;
    for (unsigned i = 1; i < a->fails && cap < (uint64_t)a->conf.backoff_max_ms; i++)
        cap *= 2;
    if (cap > (uint64_t)a->conf.backoff_max_ms)
        cap = (uint64_t)a->conf.backoff_max_ms;
    uint64_t delay = next_rand(a) % (cap + 1);
    if (delay < 10)
        delay = 10;
    a->waiting = 1;
    uv_timer_start(a->timer, on_timer, delay, 0);
    pw_log(PW_LOG_DEBUG, "api", "next attempt in %llu ms", (unsigned long long)delay);
}

/* ---- sending ------------------------------------------------------------ */

static void on_resp(const pw_http_resp_t *r, void *ud);

static int send_batch(api_t *a, batch_t *b)
{
    char url[2048];
    snprintf(url, sizeof(url), "%s%s", a->url, pw_ddfmt_kind_path(b->kind));
    const char *headers[] = {a->key_header, "Content-Type: application/json",
                             "Content-Encoding: gzip", "Expect:", NULL};
    pw_http_req_t req = {
        .method = "POST",
        .url = url,
        .proxy = a->proxy,
        .connect_timeout_ms = a->conf.connect_timeout_ms,
        .timeout_ms = a->conf.timeout_ms,
        .max_body = 64 * 1024,
        .headers = headers,
        .body = b->z,
        .body_len = b->z_len,
    };
    b->a = a;
    if (a->http == NULL || pw_http_request(a->http, &req, on_resp, b) != 0)
        return -1;
    a->in_flight++;
    a->sent_at = uv_now(a->loop);
    if (b->from_spool)
        snprintf(a->busy, sizeof(a->busy), "%s", b->ent.name);
    return 0;
}

/* The next payload: the spool's oldest, else the memory queue's. */
static batch_t *next_batch(api_t *a)
{
    pw_spool_entry_t e;
    /* Bounded: a bad file that cannot even be removed must not hold the
     * loop; the memory queue goes on. */
    for (int tries = 0; tries < 8 && a->spool != NULL && pw_spool_oldest(a->spool, &e) == 0;
         tries++) {
        batch_t *b = calloc(1, sizeof(*b));
        pw_err_t err = {0};
        if (b == NULL)
            return NULL;
        b->from_spool = 1;
        b->ent = e;
        b->kind = e.kind < PW_DD_KINDS ? (pw_dd_kind_t)e.kind : PW_DD_SERIES;
        b->n_items = (size_t)e.n_items;
        b->raw_len = (size_t)e.raw_len;
        if (e.kind >= PW_DD_KINDS ||
            pw_spool_read(a->spool, &e, MAX_SPOOLED_FILE, &b->z, &b->z_len, &err) != 0) {
            char why[600];
            snprintf(why, sizeof(why), "spool file %s cannot be sent: %s", e.name,
                     err.msg[0] ? err.msg : "unknown kind");
            drop(a, b, DROP_SPOOL, why);
            continue;
        }
        return b;
    }
    return pop_head(a);
}

static void pump(api_t *a)
{
    if (a->stopping || a->destroying || a->waiting || a->in_flight > 0 || a->http == NULL)
        return;
    batch_t *b = next_batch(a);
    update_gauges(a);
    if (b == NULL)
        return;
    if (send_batch(a, b) != 0) {
        a->fails++;
        a->base.stats.errors++;
        if (b->from_spool)
            batch_free(b);
        else
            push_front(a, b);
        arm_backoff(a);
    }
}

/* Payloads collected in order, as batches. */
typedef struct {
    batch_t *first, **link;
    pw_dd_kind_t kind;
    size_t n;
} collect_t;

static int collect_cb(void *ud, pw_ddpayload_t *p)
{
    collect_t *c = ud;
    batch_t *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        free(p->z);
        return PW_ENOMEM;
    }
    b->kind = c->kind;
    b->z = p->z;
    b->z_len = p->z_len;
    b->raw_len = p->raw_len;
    b->n_items = p->n_items;
    *c->link = b;
    c->link = &b->next;
    c->n++;
    return 0;
}

static void collect_free(collect_t *c)
{
    while (c->first != NULL) {
        batch_t *b = c->first;
        c->first = b->next;
        batch_free(b);
    }
}

/* 413: the payload in two halves, each packed again, put in its place. */
static void split(api_t *a, batch_t *b)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0, n = 0, *ends = NULL, left = 0;
    pw_err_t err = {0};
    pw_buf_t items;
    pw_buf_init(&items);
    collect_t c = {NULL, NULL, b->kind, 0};
    c.link = &c.first;
    if (b->kind == PW_DD_EVENT || b->n_items < 2 ||
        pw_gzip_inflate(b->z, b->z_len, a->conf.max_payload_raw * 2, &raw, &raw_len, &err) != 0 ||
        pw_ddfmt_items(b->kind, (const char *)raw, raw_len, &items, &ends, &n) != 0 || n < 2)
        goto fail;
    for (int h = 0; h < 2; h++) {
        size_t from = h ? n / 2 : 0, to = h ? n : n / 2, l = 0;
        size_t base = from ? ends[from - 1] : 0;
        size_t *sub = malloc((to - from) * sizeof(*sub));
        if (sub == NULL)
            goto fail;
        for (size_t i = from; i < to; i++)
            sub[i - from] = ends[i] - base;
        int rc = pw_ddfmt_pack(b->kind, items.data + base, sub, to - from, a->conf.max_payload_raw,
                               a->conf.max_payload_z, collect_cb, &c, &l);
        free(sub);
        if (rc != 0)
            goto fail;
        left += l;
    }
    pw_log(PW_LOG_WARN, "api",
           "the intake found a payload of %zu %s too large (HTTP 413): "
           "sent again as %zu smaller ones",
           b->n_items, what(b), c.n);
    if (left > 0) {
        a->base.stats.dropped += left;
        pw_log(PW_LOG_ERROR, "api", "%zu items are too large to send alone: dropped", left);
    }
    /* In front, in order: the halves keep the place of what they replace. */
    batch_t *rev = NULL;
    while (c.first != NULL) {
        batch_t *x = c.first;
        c.first = x->next;
        x->next = rev;
        rev = x;
    }
    while (rev != NULL) {
        batch_t *x = rev;
        rev = x->next;
        push_front(a, x);
    }
    if (b->from_spool && a->spool)
        pw_spool_remove(a->spool, &b->ent);
    batch_free(b);
    free(raw);
    pw_buf_free(&items);
    free(ends);
    return;
fail:
    collect_free(&c);
    free(raw);
    pw_buf_free(&items);
    free(ends);
    drop(a, b, DROP_TOO_LARGE,
         "the intake found the payload too large (HTTP 413) and it cannot be split");
}

static int retryable(const pw_http_resp_t *r)
{
    if (!r->transport_ok)
        return 1;
    return r->status == 408 || r->status == 429 || r->status >= 500 || r->status == 0;
}

/* The last attempt at stop is over when nothing is in flight. */
static void maybe_finish(api_t *a)
{
    if (!a->stopping || a->in_flight > 0 || a->finished || a->destroying)
        return;
    a->finished = 1;
    /* Left over by the last attempt: kept for the next start. */
    while (a->head != NULL)
        spill(a, pop_head(a));
    update_gauges(a);
    if (a->timer != NULL)
        uv_timer_start(a->timer, on_timer, 0, 0);
}

static void on_resp(const pw_http_resp_t *r, void *ud)
{
    batch_t *b = ud;
    api_t *a = b->a;
    a->in_flight--;
    if (b->from_spool)
        a->busy[0] = '\0';
    if (r->cancelled) {
        /* The sink is going away (reload, shutdown): keep the payload. */
        if (b->from_spool)
            batch_free(b);
        else
            push_front(a, b);
        return;
    }
    if (r->transport_ok && r->status >= 200 && r->status < 300) {
        a->base.stats.sent += b->n_items;
        if (a->fails > 0)
            pw_log(PW_LOG_INFO, "api", "the intake accepts again after %u failed attempts",
                   a->fails);
        a->fails = 0;
        if (b->from_spool && a->spool)
            pw_spool_remove(a->spool, &b->ent);
        batch_free(b);
    } else if (retryable(r)) {
        a->base.stats.errors++;
        a->fails++;
        /* An outage is logged when it starts and when its cause changes
         * (and it ends, below), not at every attempt. */
        long cause = !r->transport_ok ? (r->timed_out ? -1 : -2) : r->status;
        int news = a->fails == 1 || cause != a->last_cause;
        a->last_cause = cause;
        char why[320];
        if (!r->transport_ok)
            snprintf(why, sizeof(why), "%s", r->timed_out ? "timed out" : r->error);
        else
            snprintf(why, sizeof(why), "HTTP %ld", r->status);
        if (a->stopping) {
            pw_log(PW_LOG_WARN, "api", "%s: %s; %zu %s kept for the next start", a->url, why,
                   b->n_items, what(b));
            spill(a, b);
        } else {
            a->base.stats.retries++;
            if (news)
                pw_log(PW_LOG_WARN, "api",
                       "%s: %s; %zu %s kept, retried with backoff (%llu bytes queued in memory)",
                       a->url, why, b->n_items, what(b),
                       (unsigned long long)(a->q_bytes + b->z_len));
            else
                pw_log(PW_LOG_DEBUG, "api", "%s: %s, attempt %u", a->url, why, a->fails);
            if (b->from_spool)
                batch_free(b);
            else
                push_front(a, b);
            arm_backoff(a);
        }
    } else if (r->status == 413) {
        a->base.stats.errors++;
        split(a, b);
        /* At stop, the halves get their one attempt too. */
        while (a->stopping && a->head != NULL && a->in_flight < STOP_CONCURRENCY) {
            batch_t *h = pop_head(a);
            if (send_batch(a, h) != 0)
                spill(a, h);
        }
    } else {
        a->base.stats.errors++;
        char body[256], why[512];
        snippet(a, r, body, sizeof(body));
        if (r->status == 401 || r->status == 403)
            snprintf(why, sizeof(why),
                     "the intake refused the API key (HTTP %ld): check the key from %s", r->status,
                     a->key_from);
        else
            snprintf(why, sizeof(why), "the intake rejected the payload (HTTP %ld%s%s)", r->status,
                     body[0] ? ": " : "", body);
        drop(a, b, r->status == 401 || r->status == 403 ? DROP_KEY : DROP_REJECTED, why);
    }
    bound_queue(a);
    if (a->stopping)
        maybe_finish(a);
    else
        pump(a);
}

/* ---- the sink ----------------------------------------------------------- */

static int add_item(api_t *a, pw_dd_kind_t k)
{
    items_t *it = &a->items[k];
    if (it->buf.oom)
        return PW_ENOMEM;
    if (it->n == it->cap) {
        size_t nc = it->cap ? it->cap * 2 : 256;
        size_t *ne = realloc(it->ends, nc * sizeof(*ne));
        if (ne == NULL)
            return PW_ENOMEM;
        it->ends = ne;
        it->cap = nc;
    }
    it->ends[it->n++] = it->buf.len;
    return 0;
}

static int a_metric(pw_sink_t *s, const pw_metric_t *m)
{
    api_t *a = (api_t *)s;
    size_t mark = a->items[PW_DD_SERIES].buf.len;
    if (pw_ddfmt_series_item(&a->items[PW_DD_SERIES].buf, m, a->base.hostname) == PW_EINVAL) {
        a->items[PW_DD_SERIES].buf.len = mark;
        a->base.stats.dropped++; /* not finite: JSON cannot carry it */
        return 0;
    }
    return add_item(a, PW_DD_SERIES);
}

static int a_check(pw_sink_t *s, const pw_service_check_t *c)
{
    api_t *a = (api_t *)s;
    pw_ddfmt_check_item(&a->items[PW_DD_CHECKS].buf, c, a->base.hostname);
    return add_item(a, PW_DD_CHECKS);
}

static int a_event(pw_sink_t *s, const pw_event_t *e)
{
    api_t *a = (api_t *)s;
    pw_ddfmt_event(&a->items[PW_DD_EVENT].buf, e, a->base.hostname);
    return add_item(a, PW_DD_EVENT);
}

/* This cycle's items, as payloads at the queue's tail. */
static void pack_cycle(api_t *a)
{
    for (int k = 0; k < PW_DD_KINDS; k++) {
        items_t *it = &a->items[k];
        if (it->n == 0)
            continue;
        collect_t c = {NULL, NULL, (pw_dd_kind_t)k, 0};
        c.link = &c.first;
        size_t left = 0;
        int rc =
            pw_ddfmt_pack((pw_dd_kind_t)k, it->buf.data, it->ends, it->n, a->conf.max_payload_raw,
                          a->conf.max_payload_z, collect_cb, &c, &left);
        size_t packed = 0;
        for (batch_t *b = c.first; b != NULL; b = b->next)
            packed += b->n_items;
        if (rc != 0 || left > 0) {
            size_t lost = it->n - packed;
            a->base.stats.dropped += lost;
            pw_log(PW_LOG_ERROR, "api", "%zu %s items dropped: %s", lost,
                   pw_ddfmt_kind_name((pw_dd_kind_t)k),
                   rc != 0 ? "out of memory while packing" : "too large to send alone");
        }
        while (c.first != NULL) {
            batch_t *b = c.first;
            c.first = b->next;
            push_tail(a, b);
        }
        pw_buf_reset(&it->buf);
        it->n = 0;
    }
}

/* A request that outlives its own timeouts by far is stuck below us (seen
 * with a reused keep-alive connection that the intake had answered): a fresh
 * HTTP client takes over, and the payload comes back to the queue. */
static void unstick(api_t *a)
{
    uint64_t limit = (uint64_t)(a->conf.timeout_ms + a->conf.connect_timeout_ms) + 2000;
    if (a->in_flight == 0 || a->stopping || uv_now(a->loop) - a->sent_at < limit)
        return;
    pw_http_t *fresh = pw_http_create(a->loop);
    if (fresh == NULL)
        return;
    pw_log(PW_LOG_WARN, "api", "%s: a request is stuck %llu ms past its timeouts: sent again",
           a->url, (unsigned long long)(uv_now(a->loop) - a->sent_at - limit + 2000));
    a->destroying = 1; /* the cancelled payload goes back to the queue, unsent */
    pw_http_destroy(a->http);
    a->destroying = 0;
    a->http = fresh;
}

static void a_flush(pw_sink_t *s)
{
    api_t *a = (api_t *)s;
    unstick(a);
    pack_cycle(a);
    bound_queue(a);
    pump(a);
}

static void a_stop(pw_sink_t *s)
{
    api_t *a = (api_t *)s;
    if (a->stopping)
        return;
    pack_cycle(a);
    a->stopping = 1;
    a->waiting = 0;
    if (a->timer != NULL)
        uv_timer_stop(a->timer);
    /* One attempt at each queued payload, a few at a time at most; the rest
     * goes straight to the spool. */
    while (a->head != NULL && a->in_flight < STOP_CONCURRENCY && a->http != NULL) {
        batch_t *b = pop_head(a);
        if (send_batch(a, b) != 0) {
            spill(a, b);
            break;
        }
    }
    maybe_finish(a);
}

static void a_destroy(pw_sink_t *s)
{
    api_t *a = (api_t *)s;
    a->destroying = 1;
    pack_cycle(a);
    if (a->http != NULL) {
        pw_http_destroy(a->http); /* in-flight payloads come back, cancelled */
        a->http = NULL;
    }
    if (a->timer != NULL) {
        uv_timer_stop(a->timer);
        a->timer->data = NULL;
        uv_close((uv_handle_t *)a->timer, (uv_close_cb)free);
        a->timer = NULL;
    }
    while (a->head != NULL)
        spill(a, pop_head(a));
    for (int k = 0; k < PW_DD_KINDS; k++) {
        pw_buf_free(&a->items[k].buf);
        free(a->items[k].ends);
    }
    pw_spool_close(a->spool);
    if (a->key != NULL)
        memset(a->key, 0, strlen(a->key));
    if (a->key_header != NULL)
        memset(a->key_header, 0, strlen(a->key_header));
    free(a->key);
    free(a->key_header);
    free(a->key_from);
    free(a->url);
    free(a->proxy);
    free(a->base.hostname);
    free(a);
}

static const pw_sink_ops_t api_ops = {"api",   a_metric, a_check,   a_event,
                                      a_flush, NULL,     a_destroy, a_stop};

pw_sink_t *pw_sink_api_create(uv_loop_t *loop, const pw_api_conf_t *c, const char *hostname,
                              pw_err_t *err)
{
    if (c->api_key == NULL || c->api_key[0] == '\0')
        return pw_err_set(err, PW_EINVAL, "api: no API key"), NULL;
    for (const char *p = c->api_key; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return pw_err_set(err, PW_EINVAL,
                              "api: the API key from %s has characters that cannot go in an "
                              "HTTP header",
                              c->key_from ? c->key_from : "the configuration"),
                   NULL;
    api_t *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory"), NULL;
    a->base.ops = &api_ops;
    a->base.stats.queues = 1;
    a->loop = loop;
    a->conf = *c;
    if (a->conf.max_payload_z == 0)
        a->conf.max_payload_z = 512000;
    if (a->conf.max_payload_raw == 0)
        a->conf.max_payload_raw = 5242880;
    if (a->conf.backoff_base_ms <= 0)
        a->conf.backoff_base_ms = 2000;
    if (a->conf.backoff_max_ms < a->conf.backoff_base_ms)
        a->conf.backoff_max_ms = a->conf.backoff_base_ms;
    for (int k = 0; k < PW_DD_KINDS; k++)
        pw_buf_init(&a->items[k].buf);
    size_t ul = strlen(c->url ? c->url : "");
    while (ul > 0 && c->url[ul - 1] == '/')
        ul--;
    a->url = strndup(c->url ? c->url : "", ul);
    a->key = strdup(c->api_key);
    a->key_from = strdup(c->key_from ? c->key_from : "the configuration");
    a->base.hostname = strdup(hostname ? hostname : "");
    a->proxy = c->proxy ? strdup(c->proxy) : NULL;
    size_t hl = strlen(c->api_key) + 16;
    a->key_header = malloc(hl);
    if (a->url == NULL || a->key == NULL || a->key_from == NULL || a->base.hostname == NULL ||
        (c->proxy && a->proxy == NULL) || a->key_header == NULL) {
        pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    snprintf(a->key_header, hl, "DD-API-KEY: %s", c->api_key);
    a->conf.api_key = NULL; /* only the copies above hold it */
    a->conf.url = a->conf.proxy = a->conf.key_from = a->conf.spool_dir = NULL;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    a->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)a;
    if (a->rng == 0)
        a->rng = 88172645463325252ull;
    if (c->spool_dir != NULL && c->spool_max > 0 &&
        (a->spool = pw_spool_open(c->spool_dir, c->spool_max, err)) == NULL)
        goto fail;
    if ((a->http = pw_http_create(loop)) == NULL) {
        pw_err_set(err, PW_ENOMEM, "api: cannot start its HTTP client");
        goto fail;
    }
    a->timer = malloc(sizeof(*a->timer));
    if (a->timer == NULL || uv_timer_init(loop, a->timer) != 0) {
        free(a->timer);
        a->timer = NULL;
        pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail;
    }
    a->timer->data = a;
    update_gauges(a);
    if (a->spool != NULL && pw_spool_files(a->spool) > 0)
        pw_log(PW_LOG_INFO, "api", "%zu payloads (%llu bytes) wait in the spool: sent first",
               pw_spool_files(a->spool), (unsigned long long)pw_spool_bytes(a->spool));
    pw_log(PW_LOG_INFO, "api", "sending to %s (API key from %s)", a->url, a->key_from);
    return &a->base;
fail:
    a_destroy(&a->base);
    return NULL;
}
