/* One watched process: its scrape timers, what each scrape feeds (memstats,
 * the heap window, block/mutex deltas, CPU), the rules applied to that rolling
 * state with hysteresis, and the metrics, service check and events that come
 * out of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "profwatch/graph.h"
#include "profwatch/json.h"
#include "profwatch/log.h"
#include "profwatch/metric_names.h"
#include "profwatch/pprof.h"

#define MAX_FNROWS 256  /* rows kept per table: the rest is one [other] row */
#define MAX_NAMES 20000 /* interned names per target before the window restarts */
#define MAX_EXPVAR (1u << 20)

static const char *const kind_names[PW_K_COUNT] = {"expvar", "heap", "block", "mutex", "cpu"};

const char *pw_kind_name(pw_kind_t k)
{
    return k < PW_K_COUNT ? kind_names[k] : "?";
}

/* ---- shared raw profiles ---------------------------------------------- */

/* Raw profile bytes kept for captures; a blob shared by several slots (the
 * latest heap is also an anchor) is counted, not copied. */
typedef struct {
    int refs;
    size_t len;
    uint8_t data[];
} blob_t;

static blob_t *blob_of(const pw_raw_t *r)
{
    return r->data ? (blob_t *)(r->data - offsetof(blob_t, data)) : NULL;
}

static void raw_release(pw_raw_t *r)
{
    blob_t *b = blob_of(r);
    if (b != NULL && --b->refs == 0)
        free(b);
    memset(r, 0, sizeof(*r));
}

static void raw_set(pw_raw_t *dst, const pw_raw_t *src)
{
    if (dst == src)
        return;
    blob_t *b = blob_of(src);
    if (b != NULL)
        b->refs++;
    raw_release(dst);
    *dst = *src;
}

static int raw_new(pw_raw_t *r, const uint8_t *data, size_t len, int64_t t_ms)
{
    blob_t *b = malloc(sizeof(*b) + len + 1);
    if (b == NULL)
        return -1;
    b->refs = 1;
    b->len = len;
    memcpy(b->data, data, len);
    r->data = b->data;
    r->len = len;
    r->t_ms = t_ms;
    return 0;
}

static void lag_release(pw_lag_t *l)
{
    pw_fntab_free(&l->tab);
    raw_release(&l->raw);
    l->valid = 0;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void maybe_free(pw_target_t *t)
{
    for (int k = 0; k < PW_K_COUNT; k++)
        if (t->stat[k].in_flight)
            return;
    if (!t->closing || t->open_handles > 0)
        return;
    for (size_t i = 0; i < t->n_snaps; i++)
        pw_fntab_free(&t->snaps[i].tab);
    pw_fntab_free(&t->block_prev);
    pw_fntab_free(&t->mutex_prev);
    raw_release(&t->anchor_a);
    raw_release(&t->anchor_b);
    lag_release(&t->lag_a);
    lag_release(&t->lag_b);
    raw_release(&t->fast_base);
    raw_release(&t->last_heap);
    raw_release(&t->last_cpu);
    raw_release(&t->prev_block);
    raw_release(&t->last_block);
    raw_release(&t->prev_mutex);
    raw_release(&t->last_mutex);
    pw_names_free(&t->names);
    pw_arena_destroy(t->arena);
    free(t);
}

static void timer_closed(uv_handle_t *h)
{
    pw_target_t *t = h->data;
    t->open_handles--;
    maybe_free(t);
}

static const char *adup(pw_arena_t *a, const char *s)
{
    return s ? pw_arena_strdup(a, s) : NULL;
}

/* Past PW_MAX_SNAPS heap scrapes per window, only every snap_every_ms is kept. */
static void set_thinning(pw_target_t *t)
{
    int64_t window = t->d->cfg.window_ms, heap = t->d->cfg.intervals.heap_ms;
    t->snap_every_ms = window / PW_MAX_SNAPS > heap ? window / PW_MAX_SNAPS : 0;
}

pw_target_t *pw_target_create(pw_daemon_t *d, const pw_target_conf_t *conf, pw_err_t *err)
{
    pw_target_t *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->arena = pw_arena_create(0)) == NULL ||
        pw_names_init(&t->names, MAX_NAMES) != 0) {
        if (t)
            pw_arena_destroy(t->arena);
        free(t);
        pw_err_set(err, PW_ENOMEM, "out of memory");
        return NULL;
    }
    t->d = d;
    t->conf = *conf;
    t->conf.name = adup(t->arena, conf->name);
    t->conf.url = adup(t->arena, conf->url);
    t->conf.unix_socket = adup(t->arena, conf->unix_socket);
    t->conf.ca_file = adup(t->arena, conf->ca_file);
    char tag[160];
    snprintf(tag, sizeof(tag), "process:%s", conf->name);
    t->tags[t->n_tags++] = adup(t->arena, tag);
    for (size_t i = 0; i < conf->n_tags; i++) {
        t->conf.tags[i] = adup(t->arena, conf->tags[i]);
        t->tags[t->n_tags++] = t->conf.tags[i];
    }
    set_thinning(t);
    for (int i = 0; i < 4; i++) {
        uv_timer_init(d->loop, &t->timers[i]);
        t->timers[i].data = t;
        t->open_handles++;
    }
    return t;
}

int pw_target_same(const pw_target_t *t, const pw_target_conf_t *c)
{
#define SAME(a, b) ((a) == NULL ? (b) == NULL : (b) != NULL && strcmp((a), (b)) == 0)
    return SAME(t->conf.name, c->name) && SAME(t->conf.url, c->url) &&
           SAME(t->conf.unix_socket, c->unix_socket) && SAME(t->conf.ca_file, c->ca_file) &&
           t->conf.tls_verify == c->tls_verify && t->conf.skip_block == c->skip_block;
#undef SAME
}

void pw_target_close(pw_target_t *t)
{
    if (t->closing)
        return;
    t->closing = 1;
    for (int i = 0; i < 4; i++) {
        uv_timer_stop(&t->timers[i]);
        uv_close((uv_handle_t *)&t->timers[i], timer_closed);
    }
}

/* ---- scraping ------------------------------------------------------------ */

typedef struct {
    pw_target_t *t;
    pw_kind_t kind;
} req_ctx_t;

static void on_response(const pw_http_resp_t *resp, void *ud);

static void scrape(pw_target_t *t, pw_kind_t k)
{
    pw_daemon_t *d = t->d;
    pw_scrape_stat_t *st = &t->stat[k];
    if (t->closing || d->stopping)
        return;
    if (st->in_flight)
        return; /* the previous one is still running: never pile up */
    static const char *const paths[PW_K_COUNT] = {"/debug/vars", "/debug/pprof/heap",
                                                  "/debug/pprof/block", "/debug/pprof/mutex",
                                                  "/debug/pprof/profile"};
    char url[1024];
    long timeout = (long)d->cfg.http.timeout_ms;
    if (k == PW_K_CPU) {
        long secs = (long)(d->cfg.intervals.cpu_duration_ms / 1000);
        snprintf(url, sizeof(url), "%s%s?seconds=%ld", t->conf.url, paths[k], secs);
        timeout += (long)d->cfg.intervals.cpu_duration_ms;
    } else {
        snprintf(url, sizeof(url), "%s%s", t->conf.url, paths[k]);
    }
    req_ctx_t *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL)
        return;
    ctx->t = t;
    ctx->kind = k;
    pw_http_req_t req = {
        .url = url,
        .unix_socket = t->conf.unix_socket,
        .ca_file = t->conf.ca_file,
        .insecure = !t->conf.tls_verify,
        .connect_timeout_ms = (long)d->cfg.http.connect_timeout_ms,
        .timeout_ms = timeout,
        .max_body = k == PW_K_EXPVAR ? MAX_EXPVAR : (size_t)d->cfg.http.max_body,
    };
    st->last_try_ms = pw_now_ms();
    if (pw_http_request(d->http, &req, on_response, ctx) != 0) {
        free(ctx);
        st->errors++;
        st->last_ok = 0;
        snprintf(st->last_error, sizeof(st->last_error), "the request could not be started");
        return;
    }
    st->in_flight = 1;
}

static void on_timer(uv_timer_t *timer)
{
    pw_target_t *t = timer->data;
    int i = (int)(timer - t->timers);
    switch (i) {
    case 0:
        scrape(t, PW_K_EXPVAR);
        break;
    case 1:
        scrape(t, PW_K_HEAP);
        break;
    case 2:
        if (!t->conf.skip_block)
            scrape(t, PW_K_BLOCK);
        scrape(t, PW_K_MUTEX);
        break;
    default:
        scrape(t, PW_K_CPU);
        break;
    }
}

void pw_target_reconfigure(pw_target_t *t)
{
    const pw_intervals_t *iv = &t->d->cfg.intervals;
    set_thinning(t);
    const int64_t every[4] = {iv->expvar_ms, iv->heap_ms, iv->contention_ms, iv->cpu_every_ms};
    for (int i = 0; i < 4; i++) {
        if ((uint64_t)every[i] == uv_timer_get_repeat(&t->timers[i]))
            continue;
        uv_timer_stop(&t->timers[i]);
        if (every[i] > 0)
            uv_timer_start(&t->timers[i], on_timer, (uint64_t)every[i], (uint64_t)every[i]);
    }
}

void pw_target_start(pw_target_t *t)
{
    const pw_intervals_t *iv = &t->d->cfg.intervals;
    /* Stagger the first scrapes, and targets among themselves, so that a
     * host's agent processes are not all asked at the same instant. */
    uint64_t skew = (uint64_t)(t->d->n_targets * 97) % 1000;
    uv_timer_start(&t->timers[0], on_timer, 50 + skew, (uint64_t)iv->expvar_ms);
    uv_timer_start(&t->timers[1], on_timer, 100 + skew, (uint64_t)iv->heap_ms);
    uv_timer_start(&t->timers[2], on_timer, 150 + skew, (uint64_t)iv->contention_ms);
    if (iv->cpu_every_ms > 0)
        uv_timer_start(&t->timers[3], on_timer, 1000 + skew, (uint64_t)iv->cpu_every_ms);
}

static void metric(pw_target_t *t, const char *name, double v, const char *extra)
{
    pw_daemon_metric(t->d, t, name, v, extra);
}

static void keep_latest(pw_latest_t *l, const pw_rule_result_t *r)
{
    l->valid = 1;
    l->at_ms = pw_now_ms();
    l->r = *r;
    snprintf(l->top, sizeof(l->top), "%s", r->top ? r->top->name : "");
    l->r.top = NULL;
}

/* A good transfer whose body could not be used: the reason, logged. */
static int unusable(pw_target_t *t, pw_kind_t k, const char *why)
{
    pw_scrape_stat_t *st = &t->stat[k];
    snprintf(st->last_error, sizeof(st->last_error), "%s", why);
    pw_log(PW_LOG_WARN, "scrape", "%s %s: %s", t->conf.name, kind_names[k], why);
    return -1;
}

/* Decodes a profile body and builds its attributed graph; NULL on error
 * (recorded in the stat). The caller destroys both. */
static pw_graph_t *graph_of(pw_target_t *t, pw_kind_t k, const pw_http_resp_t *resp,
                            const char *index, pw_profile_t **prof)
{
    pw_err_t err = {0};
    pw_pprof_opts_t po = {.max_size = (size_t)t->d->cfg.http.max_body};
    *prof = NULL;
    if (pw_pprof_decode(resp->body, resp->body_len, &po, prof, &err) != 0)
        goto fail;
    pw_profile_prune(*prof, (*prof)->drop_frames, (*prof)->keep_frames, &err);
    if (k == PW_K_BLOCK || k == PW_K_MUTEX)
        pw_profile_drop_profiler_waits(*prof);
    pw_graph_opts_t go;
    pw_graph_opts_default(&go);
    go.attribute = 1;
    go.node_count = 1; /* only the full table is used */
    go.sample_index = index;
    pw_graph_t *g = NULL;
    if (pw_graph_build(&(pw_graph_input_t){*prof, 0}, 1, &go, &g, &err) != 0)
        goto fail;
    return g;
fail:
    unusable(t, k, err.msg);
    pw_profile_destroy(*prof);
    *prof = NULL;
    return NULL;
}

static const char *index_if(const pw_profile_t *p, const char *name)
{
    for (size_t i = 0; p && i < p->n_sample_types; i++)
        if (strcmp(p->sample_types[i].type, name) == 0)
            return name;
    return NULL;
}

/* ---- heap window ----------------------------------------------------------- */

static void push_snapshot(pw_target_t *t, pw_heap_snap_t *s)
{
    int64_t horizon = s->t_ms - t->d->cfg.window_ms;
    size_t drop = 0;
    while (drop < t->n_snaps && t->snaps[drop].t_ms < horizon)
        drop++;
    if (t->n_snaps - drop == PW_MAX_SNAPS)
        drop++;
    for (size_t i = 0; i < drop; i++)
        pw_fntab_free(&t->snaps[i].tab);
    memmove(t->snaps, t->snaps + drop, (t->n_snaps - drop) * sizeof(t->snaps[0]));
    t->n_snaps -= drop;
    t->snaps[t->n_snaps++] = *s;
}

/* The anchors span the window: a is the oldest kept, b about half a window
 * newer; when a falls out of the window, b takes its place. */
static void move_anchors(pw_target_t *t, const pw_raw_t *now)
{
    int64_t window = t->d->cfg.window_ms;
    if (t->anchor_a.data == NULL) {
        raw_set(&t->anchor_a, now);
    } else if (now->t_ms - t->anchor_a.t_ms > window) {
        if (t->anchor_b.data != NULL) {
            raw_set(&t->anchor_a, &t->anchor_b);
            raw_release(&t->anchor_b);
        } else {
            raw_set(&t->anchor_a, now);
        }
    } else if (t->anchor_b.data == NULL && now->t_ms - t->anchor_a.t_ms >= window / 2) {
        raw_set(&t->anchor_b, now);
    }
}

static int on_heap(pw_target_t *t, const pw_http_resp_t *resp)
{
    pw_daemon_t *d = t->d;
    pw_profile_t *prof;
    pw_graph_t *g = graph_of(t, PW_K_HEAP, resp, NULL, &prof);
    if (g == NULL)
        return -1;
    if (strcmp(g->sample_type, "inuse_space") != 0 && index_if(prof, "inuse_space")) {
        pw_graph_destroy(g);
        g = NULL;
        pw_graph_opts_t go;
        pw_err_t err;
        pw_graph_opts_default(&go);
        go.attribute = 1;
        go.node_count = 1;
        go.sample_index = "inuse_space";
        pw_graph_build(&(pw_graph_input_t){prof, 0}, 1, &go, &g, &err);
        if (g == NULL) {
            pw_profile_destroy(prof);
            return unusable(t, PW_K_HEAP, err.msg);
        }
    }
    int64_t now = pw_now_ms();
    pw_heap_snap_t s = {.t_ms = prof->time_nanos > 0 ? prof->time_nanos / 1000000 : now};
    int rc = pw_fntab_from_graph(&s.tab, g, &t->names, MAX_FNROWS);
    if (rc == PW_ETOOBIG) {
        /* Too many distinct names over time: restart the window, not the daemon. */
        for (size_t i = 0; i < t->n_snaps; i++)
            pw_fntab_free(&t->snaps[i].tab);
        t->n_snaps = 0;
        lag_release(&t->lag_a);
        lag_release(&t->lag_b);
        pw_names_free(&t->names);
        pw_names_init(&t->names, MAX_NAMES);
        pw_log(PW_LOG_INFO, "heap", "%s: more than %d function names seen: the window restarts",
               t->conf.name, MAX_NAMES);
        rc = pw_fntab_from_graph(&s.tab, g, &t->names, MAX_FNROWS);
    }
    s.inuse = g->total;
    pw_graph_destroy(g);
    pw_profile_destroy(prof);
    if (rc != 0)
        return unusable(t, PW_K_HEAP, "out of memory for the heap table");

    pw_raw_t raw = {0};
    if (raw_new(&raw, resp->body, resp->body_len, s.t_ms) == 0) {
        raw_set(&t->last_heap, &raw);
        move_anchors(t, &raw);
    }

    metric(t, PW_M_HEAP_INUSE, (double)s.inuse, NULL);
    metric(t, PW_M_HEAP_OUTSIDE_RUNTIME, (double)s.tab.outside_runtime, NULL);

    /* The fast rule: growth since a base about leak_per ago, per leak_per
     * (over a shorter span, in the first leak_per of watching, the rule
     * takes the growth as it is). */
    int64_t per_ms = d->cfg.rules.leak_per_ms;
    const pw_lag_t *base = NULL;
    if (t->lag_b.valid && s.t_ms - t->lag_b.t_ms >= per_ms)
        base = &t->lag_b;
    else if (t->lag_a.valid)
        base = &t->lag_a;
    else if (t->lag_b.valid)
        base = &t->lag_b;
    if (base != NULL && s.t_ms > base->t_ms) {
        double span_s = (double)(s.t_ms - base->t_ms) / 1000.0;
        pw_node_t *nodes = NULL;
        size_t n = 0;
        if (pw_fntab_diff(&s.tab, &base->tab, &t->names, &nodes, &n) == 0) {
            pw_rule_result_t r;
            pw_rule_leak_live(nodes, n, span_s, &d->cfg.rules, &r);
            keep_latest(&t->fast, &r);
            raw_set(&t->fast_base, &base->raw);
            metric(t, PW_M_HEAP_GROWTH_RATE, (double)r.total / span_s, NULL);
            /* The top growers, a bounded number of them (tag cardinality). */
            for (int64_t k = 0; k < d->cfg.top_functions; k++) {
                size_t best = n;
                for (size_t i = 0; i < n; i++)
                    if (nodes[i].attr > 0 && nodes[i].frame_class != PW_FRAME_RUNTIME &&
                        (best == n || nodes[i].attr > nodes[best].attr))
                        best = i;
                if (best == n)
                    break;
                char tag[256];
                pw_daemon_tag(tag, sizeof(tag), "function", nodes[best].name);
                metric(t, PW_M_HEAP_TOP_GROWTH, (double)nodes[best].attr / span_s, tag);
                nodes[best].attr = 0;
            }
        }
        free(nodes);
    }
    /* The bases move once the newest is leak_per old. */
    if (!t->lag_b.valid || s.t_ms - t->lag_b.t_ms >= per_ms) {
        pw_lag_t next = {.valid = 1, .t_ms = s.t_ms};
        if (pw_fntab_copy(&next.tab, &s.tab) == 0) {
            raw_set(&next.raw, &raw);
            lag_release(&t->lag_a);
            t->lag_a = t->lag_b;
            t->lag_b = next;
        }
    }
    raw_release(&raw);

    /* Thin the window when it would hold more snapshots than it may. */
    if (t->n_snaps > 0 && t->snap_every_ms > 0 &&
        s.t_ms - t->snaps[t->n_snaps - 1].t_ms < t->snap_every_ms && t->n_snaps >= 2) {
        /* Replace the newest instead of adding: the window keeps its span. */
        pw_fntab_free(&t->snaps[t->n_snaps - 1].tab);
        t->snaps[t->n_snaps - 1] = s;
    } else {
        push_snapshot(t, &s);
    }

    /* The sustained rule: the whole window. */
    double ts[PW_MAX_SNAPS], ys[PW_MAX_SNAPS];
    for (size_t i = 0; i < t->n_snaps; i++) {
        ts[i] = (double)(t->snaps[i].t_ms - t->snaps[0].t_ms) / 1000.0;
        ys[i] = (double)t->snaps[i].tab.outside_runtime;
    }
    pw_rule_result_t r;
    pw_rule_sustained(ts, ys, t->n_snaps, &d->cfg.sustained, &r);
    r.top = NULL;
    keep_latest(&t->sustained, &r);
    if (r.judged)
        metric(t, PW_M_HEAP_SUSTAINED_RATE, r.measure, NULL);
    /* The function the sustained rule names: the largest grower over the window. */
    if (t->n_snaps >= 2) {
        pw_node_t *nodes = NULL;
        size_t n = 0;
        if (pw_fntab_diff(&t->snaps[t->n_snaps - 1].tab, &t->snaps[0].tab, &t->names, &nodes, &n) ==
            0) {
            const pw_node_t *best = NULL;
            for (size_t i = 0; i < n; i++)
                if (nodes[i].frame_class != PW_FRAME_RUNTIME && nodes[i].attr > 0 &&
                    (best == NULL || nodes[i].attr > best->attr))
                    best = &nodes[i];
            snprintf(t->sustained.top, sizeof(t->sustained.top), "%s", best ? best->name : "");
        }
        free(nodes);
    }
    return 0;
}

/* ---- block, mutex, cpu, expvar ------------------------------------------- */

static int on_contention(pw_target_t *t, pw_kind_t k, const pw_http_resp_t *resp)
{
    pw_profile_t *prof;
    pw_graph_t *g = graph_of(t, k, resp, NULL, &prof);
    if (g == NULL)
        return -1;
    if (strcmp(g->sample_type, "delay") != 0 && index_if(prof, "delay") != NULL) {
        /* Rank by delay, as analyze does. */
        pw_graph_destroy(g);
        pw_graph_opts_t go;
        pw_err_t err;
        pw_graph_opts_default(&go);
        go.attribute = 1;
        go.node_count = 1;
        go.sample_index = "delay";
        if (pw_graph_build(&(pw_graph_input_t){prof, 0}, 1, &go, &g, &err) != 0) {
            pw_profile_destroy(prof);
            return unusable(t, k, err.msg);
        }
    }
    pw_fntab_t tab;
    int rc = pw_fntab_from_graph(&tab, g, &t->names, MAX_FNROWS);
    pw_graph_destroy(g);
    pw_profile_destroy(prof);
    if (rc != 0)
        return unusable(t, k, "out of memory for the function table");
    pw_fntab_t *prev = k == PW_K_BLOCK ? &t->block_prev : &t->mutex_prev;
    int *have = k == PW_K_BLOCK ? &t->have_block_prev : &t->have_mutex_prev;
    pw_latest_t *latest = k == PW_K_BLOCK ? &t->block : &t->mutex;
    const char *what = kind_names[k];
    /* Block and mutex profiles are cumulative since the process started: the
     * delay of this interval is the difference. A total that went down means
     * the process restarted: take the new one as the baseline. */
    if (*have && tab.total >= prev->total) {
        pw_node_t *nodes = NULL;
        size_t n = 0;
        if (pw_fntab_diff(&tab, prev, &t->names, &nodes, &n) == 0) {
            pw_rule_result_t r;
            pw_rule_contention(nodes, n, tab.total - prev->total, what, &t->d->cfg.rules, &r);
            keep_latest(latest, &r);
            char tag[64];
            snprintf(tag, sizeof(tag), "profile:%s", what);
            metric(t, PW_M_CONTENTION_SECONDS, (double)(tab.total - prev->total) / 1e9, tag);
            if (r.top != NULL) {
                char ftag[256];
                pw_daemon_tag(ftag, sizeof(ftag), "function", latest->top);
                metric(t, PW_M_CONTENTION_TOP_SECONDS, (double)r.top->attr / 1e9, ftag);
            }
        }
        free(nodes);
    } else if (*have) {
        pw_log(PW_LOG_INFO, "contention",
               "%s: the %s profile's total went down: the process "
               "restarted; starting over from this scrape",
               t->conf.name, what);
        latest->valid = 0;
    }
    pw_fntab_free(prev);
    *prev = tab;
    *have = 1;
    /* The raw pair a capture turns into this interval's profile. */
    pw_raw_t *raw_prev = k == PW_K_BLOCK ? &t->prev_block : &t->prev_mutex;
    pw_raw_t *raw_last = k == PW_K_BLOCK ? &t->last_block : &t->last_mutex;
    pw_raw_t raw;
    if (raw_new(&raw, resp->body, resp->body_len, pw_now_ms()) == 0) {
        if (latest->valid)
            raw_set(raw_prev, raw_last);
        else
            raw_release(raw_prev); /* a restart: the old scrape is another process's */
        raw_set(raw_last, &raw);
        raw_release(&raw);
    }
    return 0;
}

static int on_cpu(pw_target_t *t, const pw_http_resp_t *resp)
{
    pw_profile_t *prof;
    pw_graph_t *g = graph_of(t, PW_K_CPU, resp, NULL, &prof);
    if (g == NULL)
        return -1;
    pw_rule_result_t r;
    pw_rule_cpu(g->all, g->n_all, g->total, &t->d->cfg.rules, &r);
    keep_latest(&t->cpu, &r);
    metric(t, PW_M_CPU_SECONDS, (double)g->total / 1e9, NULL);
    if (t->cpu.top[0]) {
        char tag[256];
        pw_daemon_tag(tag, sizeof(tag), "function", t->cpu.top);
        metric(t, PW_M_CPU_TOP_SHARE, r.measure, tag);
    }
    pw_graph_destroy(g);
    pw_profile_destroy(prof);
    pw_raw_t raw;
    if (raw_new(&raw, resp->body, resp->body_len, pw_now_ms()) == 0) {
        raw_set(&t->last_cpu, &raw);
        raw_release(&raw);
    }
    return 0;
}

static int on_expvar(pw_target_t *t, const pw_http_resp_t *resp)
{
    pw_err_t err = {0};
    pw_memstats_t ms;
    if (pw_memstats_from_json((const char *)resp->body, resp->body_len, &ms, &err) != 0)
        return unusable(t, PW_K_EXPVAR, err.msg);
    t->memstats = ms;
    t->have_memstats = 1;
    for (int f = 0; f < PW_MS_COUNT; f++) {
        if (!ms.present[f])
            continue;
        char name[96];
        snprintf(name, sizeof(name), PW_M_MEMSTATS_PREFIX "%s",
                 pw_memstats_metric_name((pw_ms_field_t)f));
        metric(t, name, ms.value[f], NULL);
    }
    return 0;
}

/* ---- verdict ------------------------------------------------------------- */

static int fresh(const pw_latest_t *l, int64_t max_age_ms)
{
    return l->valid && pw_now_ms() - l->at_ms <= max_age_ms;
}

/* The findings in force now, as a verdict and one sentence per finding. */
static pw_verdict_t current_verdict(pw_target_t *t, char *why, size_t n)
{
    const pw_intervals_t *iv = &t->d->cfg.intervals;
    unsigned kinds = 0;
    size_t off = 0;
    why[0] = '\0';
#define ADD(kind, latest, label)                                                                   \
    do {                                                                                           \
        kinds |= 1u << (kind);                                                                     \
        off +=                                                                                     \
            (size_t)snprintf(why + off, off < n ? n - off : 0, "%s%s: %s%s%s%s", off ? "; " : "",  \
                             label, (latest)->r.why, (latest)->top[0] ? " (top: " : "",            \
                             (latest)->top, (latest)->top[0] ? ")" : "");                          \
    } while (0)
    if (fresh(&t->fast, 3 * iv->heap_ms) && t->fast.r.fired)
        ADD(PW_VERDICT_LEAK, &t->fast, "memory_leak");
    else if (fresh(&t->sustained, 3 * iv->heap_ms) && t->sustained.r.fired)
        ADD(PW_VERDICT_LEAK, &t->sustained, "memory_leak (steady)");
    if (iv->cpu_every_ms > 0 && fresh(&t->cpu, 2 * iv->cpu_every_ms) && t->cpu.r.fired)
        ADD(PW_VERDICT_CPU, &t->cpu, "cpu_spike");
    if (fresh(&t->block, 3 * iv->contention_ms) && t->block.r.fired)
        ADD(PW_VERDICT_CONTENTION, &t->block, "contention (block)");
    if (fresh(&t->mutex, 3 * iv->contention_ms) && t->mutex.r.fired)
        ADD(PW_VERDICT_CONTENTION, &t->mutex, "contention (mutex)");
#undef ADD
    if (kinds == 0)
        return PW_VERDICT_NORMAL;
    if (kinds & (kinds - 1))
        return PW_VERDICT_MULTIPLE;
    for (int k = PW_VERDICT_LEAK; k <= PW_VERDICT_CONTENTION; k++)
        if (kinds == 1u << k)
            return (pw_verdict_t)k;
    return PW_VERDICT_MULTIPLE;
}

static void event(pw_target_t *t, const char *alert, const char *title, const char *text)
{
    char vtag[64];
    snprintf(vtag, sizeof(vtag), "verdict:%s", pw_verdict_name(t->verdict));
    const char *tags[PW_MAX_TAGS + 3];
    size_t n = 0;
    for (size_t i = 0; i < t->n_tags; i++)
        tags[n++] = t->tags[i];
    tags[n++] = vtag;
    char key[192];
    snprintf(key, sizeof(key), "profwatch:%s:%s", t->d->hostname, t->conf.name);
    pw_event_t e = {.title = title,
                    .text = text,
                    .timestamp = pw_now_ms() / 1000,
                    .alert_type = alert,
                    .aggregation_key = key,
                    .priority = "normal",
                    .tags = tags,
                    .n_tags = n};
    pw_emit_event(&t->d->emitter, &e);
}

static void evaluate(pw_target_t *t)
{
    pw_daemon_t *d = t->d;
    char why[1536];
    pw_verdict_t cand = current_verdict(t, why, sizeof(why));
    t->cycles++;
    if (cand == t->verdict) {
        t->pending = cand;
        t->pending_cycles = 0;
    } else {
        if (cand == t->pending)
            t->pending_cycles++;
        else {
            t->pending = cand;
            t->pending_cycles = 1;
        }
        int64_t need =
            cand == PW_VERDICT_NORMAL ? d->cfg.verdict.clear_after : d->cfg.verdict.raise_after;
        if (t->pending_cycles >= need) {
            pw_verdict_t old = t->verdict;
            t->verdict = cand;
            t->verdict_since_ms = pw_now_ms();
            t->pending_cycles = 0;
            char title[256], text[3072];
            if (cand != PW_VERDICT_NORMAL) {
                char path[1024] = "";
                if (old == PW_VERDICT_NORMAL) {
                    pw_err_t err = {0};
                    /* A leak seen only over the whole window is captured over
                     * the window; otherwise over the last two scrapes. */
                    int from_window =
                        !(fresh(&t->fast, 3 * d->cfg.intervals.heap_ms) && t->fast.r.fired);
                    if (pw_capture_write(t, why, from_window, path, sizeof(path), &err) == 0) {
                        t->captures++;
                        snprintf(t->last_capture, sizeof(t->last_capture), "%s", path);
                    } else {
                        t->capture_errors++;
                        snprintf(t->last_capture_error, sizeof(t->last_capture_error), "%s",
                                 err.msg);
                        pw_log(PW_LOG_ERROR, "capture", "%s: %s", t->conf.name, err.msg);
                    }
                }
                snprintf(title, sizeof(title), "profwatch: %s on %s: %s", t->conf.name, d->hostname,
                         pw_verdict_title(cand));
                snprintf(text, sizeof(text), "%s\n%s%s", why, path[0] ? "Capture: " : "", path);
                pw_log(PW_LOG_WARN, "verdict", "%s: %s (%s)%s%s", t->conf.name,
                       pw_verdict_name(cand), why, path[0] ? "; capture " : "", path);
                event(t, "error", title, text);
            } else {
                snprintf(title, sizeof(title), "profwatch: %s on %s is back to normal",
                         t->conf.name, d->hostname);
                snprintf(text, sizeof(text), "No rule has fired for %lld cycles (it was %s).",
                         (long long)d->cfg.verdict.clear_after, pw_verdict_name(old));
                pw_log(PW_LOG_INFO, "verdict", "%s: back to normal (was %s)", t->conf.name,
                       pw_verdict_name(old));
                event(t, "success", title, text);
            }
        }
    }
    /* Every cycle: the service check and the verdict as a metric. */
    char vtag[64], msg[1600];
    snprintf(vtag, sizeof(vtag), "verdict:%s", pw_verdict_name(t->verdict));
    const char *tags[PW_MAX_TAGS + 3];
    size_t n = 0;
    for (size_t i = 0; i < t->n_tags; i++)
        tags[n++] = t->tags[i];
    tags[n++] = vtag;
    /* why already starts with each finding's label. */
    if (t->verdict == PW_VERDICT_NORMAL && why[0])
        snprintf(msg, sizeof(msg), "normal (pending: %s)", why);
    else if (t->verdict == PW_VERDICT_NORMAL)
        snprintf(msg, sizeof(msg), "normal");
    else if (why[0])
        snprintf(msg, sizeof(msg), "%s", why);
    else
        snprintf(msg, sizeof(msg), "%s (clearing: no rule fires now)", pw_verdict_name(t->verdict));
    pw_service_check_t sc = {.name = PW_SC_VERDICT,
                             .status =
                                 t->verdict == PW_VERDICT_NORMAL ? PW_CHECK_OK : PW_CHECK_CRITICAL,
                             .timestamp = pw_now_ms() / 1000,
                             .message = msg,
                             .tags = tags,
                             .n_tags = n};
    pw_emit_service_check(&d->emitter, &sc);
    metric(t, PW_M_VERDICT_ACTIVE, t->verdict != PW_VERDICT_NORMAL, vtag);
    metric(t, PW_M_CAPTURES, (double)t->captures, NULL);
    metric(t, PW_M_CAPTURE_ERRORS, (double)t->capture_errors, NULL);
}

/* ---- responses ------------------------------------------------------------- */

static void on_response(const pw_http_resp_t *resp, void *ud)
{
    req_ctx_t *ctx = ud;
    pw_target_t *t = ctx->t;
    pw_kind_t k = ctx->kind;
    free(ctx);
    pw_scrape_stat_t *st = &t->stat[k];
    st->in_flight = 0;
    if (t->closing || resp->cancelled) {
        maybe_free(t);
        return;
    }
    char ptag[32];
    snprintf(ptag, sizeof(ptag), "profile:%s", kind_names[k]);
    st->last_seconds = resp->seconds;
    metric(t, PW_M_SCRAPE_DURATION, resp->seconds, ptag);
    if (!resp->transport_ok || resp->status != 200) {
        if (k == PW_K_CPU && resp->transport_ok && resp->status == 500 && resp->body_len > 0 &&
            memmem(resp->body, resp->body_len, "already in use", 14) != NULL) {
            /* Someone else (a flare, a person) is profiling: not an error. */
            st->busy++;
            metric(t, PW_M_SCRAPE_BUSY, (double)st->busy, NULL);
            pw_log(PW_LOG_DEBUG, "scrape", "%s cpu: profiling already in use; skipped",
                   t->conf.name);
        } else {
            st->errors++;
            st->last_ok = 0;
            if (!resp->transport_ok) {
                snprintf(st->last_error, sizeof(st->last_error), "%s%s", resp->error,
                         resp->too_big ? " (http.max_body)" : "");
            } else {
                /* The first line of the body says why, in Go's handlers. */
                size_t n = resp->body_len < 120 ? resp->body_len : 120;
                const char *nl = memchr(resp->body, '\n', n);
                if (nl)
                    n = (size_t)(nl - (const char *)resp->body);
                snprintf(st->last_error, sizeof(st->last_error), "HTTP %ld: %.*s", resp->status,
                         (int)n, (const char *)resp->body);
                for (char *c = st->last_error; *c; c++)
                    if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                        *c = '?';
            }
            pw_log(PW_LOG_WARN, "scrape", "%s %s: %s", t->conf.name, kind_names[k], st->last_error);
        }
        metric(t, PW_M_SCRAPE_ERRORS, (double)st->errors, ptag);
    } else {
        int used;
        switch (k) {
        case PW_K_EXPVAR:
            used = on_expvar(t, resp);
            break;
        case PW_K_HEAP:
            used = on_heap(t, resp);
            break;
        case PW_K_BLOCK:
        case PW_K_MUTEX:
            used = on_contention(t, k, resp);
            break;
        default:
            used = on_cpu(t, resp);
            break;
        }
        st->last_ok = used == 0;
        if (used == 0) {
            st->ok++;
            st->last_ok_ms = pw_now_ms();
        } else {
            st->errors++;
            metric(t, PW_M_SCRAPE_ERRORS, (double)st->errors, ptag);
        }
    }
    if (k == PW_K_HEAP) {
        int up = t->stat[PW_K_HEAP].last_ok;
        metric(t, PW_M_TARGET_UP, up, NULL);
        evaluate(t);
    }
    pw_emit_flush(&t->d->emitter);
}

/* ---- status ---------------------------------------------------------------- */

void pw_target_status_json(const pw_target_t *t, void *json)
{
    pw_json_t *j = json;
    pw_json_obj_begin(j);
    pw_json_key(j, "name");
    pw_json_str(j, t->conf.name);
    pw_json_key(j, "url");
    pw_json_str(j, t->conf.url);
    pw_json_key(j, "unix_socket");
    pw_json_str(j, t->conf.unix_socket);
    pw_json_key(j, "tags");
    pw_json_arr_begin(j);
    for (size_t i = 0; i < t->n_tags; i++)
        pw_json_str(j, t->tags[i]);
    pw_json_arr_end(j);
    const pw_scrape_stat_t *h = &t->stat[PW_K_HEAP];
    pw_json_key(j, "state");
    pw_json_str(j, h->ok + h->errors == 0 ? "starting" : h->last_ok ? "up" : "down");
    pw_json_key(j, "verdict");
    pw_json_str(j, pw_verdict_name(t->verdict));
    pw_json_key(j, "verdict_since");
    pw_json_int(j, t->verdict_since_ms / 1000);
    pw_json_key(j, "pending");
    pw_json_str(j, t->pending_cycles ? pw_verdict_name(t->pending) : NULL);
    pw_json_key(j, "pending_cycles");
    pw_json_int(j, t->pending_cycles);
    pw_json_key(j, "cycles");
    pw_json_uint(j, t->cycles);
    pw_json_key(j, "window_snapshots");
    pw_json_uint(j, t->n_snaps);
    pw_json_key(j, "interned_names"); /* bounded; a soak test watches it level off */
    pw_json_uint(j, t->names.n);
    pw_json_key(j, "captures");
    pw_json_uint(j, t->captures);
    pw_json_key(j, "last_capture");
    pw_json_str(j, t->last_capture[0] ? t->last_capture : NULL);
    pw_json_key(j, "capture_errors");
    pw_json_uint(j, t->capture_errors);
    pw_json_key(j, "last_capture_error");
    pw_json_str(j, t->last_capture_error[0] ? t->last_capture_error : NULL);
    pw_json_key(j, "scrapes");
    pw_json_obj_begin(j);
    for (int k = 0; k < PW_K_COUNT; k++) {
        const pw_scrape_stat_t *s = &t->stat[k];
        if (k == PW_K_BLOCK && t->conf.skip_block)
            continue;
        pw_json_key(j, kind_names[k]);
        pw_json_obj_begin(j);
        pw_json_key(j, "ok");
        pw_json_uint(j, s->ok);
        pw_json_key(j, "errors");
        pw_json_uint(j, s->errors);
        if (k == PW_K_CPU) {
            pw_json_key(j, "busy");
            pw_json_uint(j, s->busy);
        }
        pw_json_key(j, "last_ok");
        pw_json_int(j, s->last_ok_ms / 1000);
        pw_json_key(j, "last_try");
        pw_json_int(j, s->last_try_ms / 1000);
        pw_json_key(j, "last_seconds");
        pw_json_double(j, s->last_seconds);
        pw_json_key(j, "last_error");
        pw_json_str(j, s->last_error[0] ? s->last_error : NULL);
        pw_json_key(j, "in_flight");
        pw_json_bool(j, s->in_flight);
        int timer = k == PW_K_EXPVAR ? 0 : k == PW_K_HEAP ? 1 : k == PW_K_CPU ? 3 : 2;
        pw_json_key(j, "next_in_ms");
        if (uv_is_active((const uv_handle_t *)&t->timers[timer]))
            pw_json_uint(j, uv_timer_get_due_in(&t->timers[timer]));
        else
            pw_json_null(j);
        pw_json_obj_end(j);
    }
    pw_json_obj_end(j);
    pw_json_key(j, "rules");
    pw_json_obj_begin(j);
    const struct {
        const char *name;
        const pw_latest_t *l;
    } rules[] = {{"leak", &t->fast},
                 {"sustained", &t->sustained},
                 {"cpu", &t->cpu},
                 {"block", &t->block},
                 {"mutex", &t->mutex}};
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        pw_json_key(j, rules[i].name);
        if (!rules[i].l->valid) {
            pw_json_null(j);
            continue;
        }
        pw_json_obj_begin(j);
        pw_json_key(j, "fired");
        pw_json_bool(j, rules[i].l->r.fired);
        pw_json_key(j, "at");
        pw_json_int(j, rules[i].l->at_ms / 1000);
        pw_json_key(j, "why");
        pw_json_str(j, rules[i].l->r.why);
        pw_json_key(j, "function");
        pw_json_str(j, rules[i].l->top[0] ? rules[i].l->top : NULL);
        pw_json_obj_end(j);
    }
    pw_json_obj_end(j);
    pw_json_obj_end(j);
}
