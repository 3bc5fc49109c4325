/* The local sinks: JSON lines appended to a file, or printed on stdout.
 * Items of a cycle are buffered and written in one go at flush; when a write
 * fails (disk full, file removed), the buffer is kept for the next flush, up
 * to a cap past which the oldest lines are dropped and counted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profwatch/buf.h"
#include "profwatch/json.h"
#include "profwatch/log.h"
#include "profwatch/sink.h"

#define MAX_PENDING (4u * 1024 * 1024)

typedef struct {
    pw_sink_t base;
    char *path; /* NULL: stdout */
    int fd;
    pw_buf_t pending;
    size_t pending_items;
} local_t;

static void tags(pw_json_t *j, const char *const *t, size_t n)
{
    pw_json_key(j, "tags");
    pw_json_arr_begin(j);
    for (size_t i = 0; i < n; i++)
        pw_json_str(j, t[i]);
    pw_json_arr_end(j);
}

static void begin(local_t *l, pw_json_t *j, const char *type)
{
    pw_json_init(j, &l->pending, 0);
    pw_json_obj_begin(j);
    pw_json_key(j, "type");
    pw_json_str(j, type);
}

static int end(local_t *l, pw_json_t *j, int64_t ts)
{
    pw_json_key(j, "timestamp");
    pw_json_int(j, ts);
    pw_json_key(j, "host");
    pw_json_str(j, l->base.hostname);
    pw_json_obj_end(j);
    pw_buf_putc(&l->pending, '\n');
    l->pending_items++;
    return l->pending.oom ? PW_ENOMEM : 0;
}

static int l_metric(pw_sink_t *s, const pw_metric_t *m)
{
    local_t *l = (local_t *)s;
    pw_json_t j;
    begin(l, &j, "metric");
    pw_json_key(&j, "name");
    pw_json_str(&j, m->name);
    pw_json_key(&j, "value");
    pw_json_double(&j, m->value);
    tags(&j, m->tags, m->n_tags);
    return end(l, &j, m->timestamp);
}

static int l_check(pw_sink_t *s, const pw_service_check_t *c)
{
    local_t *l = (local_t *)s;
    pw_json_t j;
    begin(l, &j, "service_check");
    pw_json_key(&j, "name");
    pw_json_str(&j, c->name);
    pw_json_key(&j, "status");
    pw_json_int(&j, c->status);
    pw_json_key(&j, "message");
    pw_json_str(&j, c->message ? c->message : "");
    tags(&j, c->tags, c->n_tags);
    return end(l, &j, c->timestamp);
}

static int l_event(pw_sink_t *s, const pw_event_t *e)
{
    local_t *l = (local_t *)s;
    pw_json_t j;
    begin(l, &j, "event");
    pw_json_key(&j, "title");
    pw_json_str(&j, e->title);
    pw_json_key(&j, "text");
    pw_json_str(&j, e->text);
    pw_json_key(&j, "alert_type");
    pw_json_str(&j, e->alert_type ? e->alert_type : "info");
    pw_json_key(&j, "aggregation_key");
    pw_json_str(&j, e->aggregation_key);
    pw_json_key(&j, "priority");
    pw_json_str(&j, e->priority ? e->priority : "normal");
    tags(&j, e->tags, e->n_tags);
    return end(l, &j, e->timestamp);
}

static int open_file(local_t *l)
{
    if (l->path == NULL) {
        l->fd = STDOUT_FILENO;
        return 0;
    }
    l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    return l->fd < 0 ? -1 : 0;
}

static void l_flush(pw_sink_t *s)
{
    local_t *l = (local_t *)s;
    if (l->pending.len == 0)
        return;
    if (l->fd < 0 && open_file(l) != 0) {
        pw_log(PW_LOG_WARN, "sink", "cannot open %s: %s; %zu lines kept for the next cycle",
               l->path, strerror(errno), l->pending_items);
        goto keep;
    }
    size_t off = 0;
    while (off < l->pending.len) {
        ssize_t w = write(l->fd, l->pending.data + off, l->pending.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            pw_log(PW_LOG_WARN, "sink", "cannot write %s: %s; %zu lines kept for the next cycle",
                   l->path ? l->path : "stdout", w < 0 ? strerror(errno) : "short write",
                   l->pending_items);
            /* Keep what was not written: drop the written head only. */
            memmove(l->pending.data, l->pending.data + off, l->pending.len - off);
            l->pending.len -= off;
            l->pending.data[l->pending.len] = '\0';
            goto keep;
        }
        off += (size_t)w;
    }
    l->base.stats.sent += l->pending_items;
    pw_buf_reset(&l->pending);
    l->pending_items = 0;
    return;
keep:
    l->base.stats.errors++;
    if (l->pending.len > MAX_PENDING) {
        /* Drop the oldest whole lines past the cap, and count them. */
        size_t excess = l->pending.len - MAX_PENDING, dropped = 0;
        char *nl = memchr(l->pending.data + excess, '\n', l->pending.len - excess);
        size_t cut = nl ? (size_t)(nl - l->pending.data) + 1 : l->pending.len;
        for (size_t i = 0; i < cut; i++)
            dropped += l->pending.data[i] == '\n';
        memmove(l->pending.data, l->pending.data + cut, l->pending.len - cut);
        l->pending.len -= cut;
        l->pending.data[l->pending.len] = '\0';
        l->pending_items -= dropped < l->pending_items ? dropped : l->pending_items;
        l->base.stats.dropped += dropped;
        pw_log(PW_LOG_ERROR, "sink", "%s: dropped the %zu oldest lines (buffer over %u bytes)",
               l->path ? l->path : "stdout", dropped, MAX_PENDING);
    }
}

static void l_reopen(pw_sink_t *s)
{
    local_t *l = (local_t *)s;
    if (l->path == NULL)
        return;
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    if (open_file(l) != 0)
        pw_log(PW_LOG_WARN, "sink", "cannot reopen %s: %s", l->path, strerror(errno));
}

static void l_destroy(pw_sink_t *s)
{
    local_t *l = (local_t *)s;
    l_flush(s);
    if (l->path != NULL && l->fd >= 0)
        close(l->fd);
    pw_buf_free(&l->pending);
    free(l->path);
    free(l->base.hostname);
    free(l);
}

static const pw_sink_ops_t jsonl_ops = {"jsonl", l_metric, l_check,   l_event,
                                        l_flush, l_reopen, l_destroy, NULL};
static const pw_sink_ops_t stdout_ops = {"stdout", l_metric, l_check,   l_event,
                                         l_flush,  l_reopen, l_destroy, NULL};

static local_t *local_new(const pw_sink_ops_t *ops, const char *hostname)
{
    local_t *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->base.ops = ops;
    l->base.hostname = strdup(hostname ? hostname : "");
    l->fd = -1;
    pw_buf_init(&l->pending);
    if (l->base.hostname == NULL) {
        free(l);
        return NULL;
    }
    return l;
}

pw_sink_t *pw_sink_jsonl_create(const char *path, const char *hostname, pw_err_t *err)
{
    local_t *l = local_new(&jsonl_ops, hostname);
    if (l == NULL || (l->path = strdup(path)) == NULL) {
        if (l)
            l_destroy(&l->base);
        pw_err_set(err, PW_ENOMEM, "out of memory");
        return NULL;
    }
    if (open_file(l) != 0) {
        pw_err_set(err, PW_EIO, "outputs: jsonl: cannot open %s: %s", path, strerror(errno));
        l_destroy(&l->base);
        return NULL;
    }
    return &l->base;
}

pw_sink_t *pw_sink_stdout_create(const char *hostname)
{
    local_t *l = local_new(&stdout_ops, hostname);
    if (l != NULL)
        l->fd = STDOUT_FILENO;
    return l ? &l->base : NULL;
}
