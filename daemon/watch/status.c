/* The status socket: a unix socket that answers every connection with the
 * daemon's state as one JSON document and closes it. `profwatch status`
 * reads it; so can `socat - UNIX:...`. The client sends nothing, so a slow or
 * silent client costs one write and nothing else. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "profwatch/json.h"
#include "profwatch/log.h"

#define MAX_CLIENTS 16

typedef struct {
    uv_pipe_t pipe;
    uv_write_t wr;
    pw_buf_t body;
    pw_daemon_t *d;
} client_t;

static int n_clients;

static void client_closed(uv_handle_t *h)
{
    client_t *c = h->data;
    pw_buf_free(&c->body);
    free(c);
    n_clients--;
}

static void written(uv_write_t *wr, int status)
{
    (void)status;
    client_t *c = wr->data;
    uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void count_handle(uv_handle_t *h, void *arg)
{
    (void)h;
    (*(uint64_t *)arg)++;
}

static void daemon_json(pw_daemon_t *d, pw_buf_t *out)
{
    uint64_t handles = 0;
    uv_walk(d->loop, count_handle, &handles);
    pw_json_t j;
    pw_json_init(&j, out, 1);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "version");
    pw_json_str(&j, PW_VERSION);
    pw_json_key(&j, "pid");
    pw_json_int(&j, (int64_t)getpid());
    pw_json_key(&j, "hostname");
    pw_json_str(&j, d->hostname);
    pw_json_key(&j, "config");
    pw_json_str(&j, d->cfg.path);
    pw_json_key(&j, "started");
    pw_json_int(&j, d->started_ms / 1000);
    pw_json_key(&j, "now");
    pw_json_int(&j, pw_now_ms() / 1000);
    /* For soak tests: bytes the allocator hands out (in_use) against what it
     * holds from the kernel tell a leak from fragmentation. */
    struct mallinfo2 mi = mallinfo2();
    pw_json_key(&j, "malloc_in_use");
    pw_json_uint(&j, mi.uordblks + mi.hblkhd);
    pw_json_key(&j, "malloc_held");
    pw_json_uint(&j, mi.arena + mi.hblkhd);
    /* For soak tests: a count that grows means a handle leaks. */
    pw_json_key(&j, "uv_handles");
    pw_json_uint(&j, handles);
    pw_json_key(&j, "reloads");
    pw_json_uint(&j, d->reloads);
    pw_json_key(&j, "reload_errors");
    pw_json_uint(&j, d->reload_errors);
    pw_json_key(&j, "last_reload_error");
    pw_json_str(&j, d->reload_error[0] ? d->reload_error : NULL);
    pw_json_key(&j, "reports_dir");
    pw_json_str(&j, d->cfg.reports_dir);
    pw_json_key(&j, "outputs");
    pw_json_arr_begin(&j);
    for (size_t i = 0; i < d->emitter.n; i++) {
        const pw_sink_t *s = d->emitter.sinks[i];
        pw_json_obj_begin(&j);
        pw_json_key(&j, "type");
        pw_json_str(&j, s->ops->type);
        pw_json_key(&j, "sent");
        pw_json_uint(&j, s->stats.sent);
        pw_json_key(&j, "errors");
        pw_json_uint(&j, s->stats.errors);
        pw_json_key(&j, "dropped");
        pw_json_uint(&j, s->stats.dropped);
        if (s->stats.queues) {
            pw_json_key(&j, "queue_bytes");
            pw_json_uint(&j, s->stats.queue_bytes);
            pw_json_key(&j, "spool_bytes");
            pw_json_uint(&j, s->stats.spool_bytes);
            pw_json_key(&j, "retries");
            pw_json_uint(&j, s->stats.retries);
        }
        pw_json_obj_end(&j);
    }
    pw_json_arr_end(&j);
    pw_json_key(&j, "discovery");
    pw_json_obj_begin(&j);
    pw_json_key(&j, "config");
    pw_json_str(&j, d->cfg.datadog_config[0] ? d->cfg.datadog_config : NULL);
    pw_json_key(&j, "error");
    pw_json_str(&j, d->discovery_error[0] ? d->discovery_error : NULL);
    pw_json_key(&j, "skipped");
    pw_json_arr_begin(&j);
    for (size_t i = 0; i < d->discovery.n_skipped; i++) {
        pw_json_obj_begin(&j);
        pw_json_key(&j, "name");
        pw_json_str(&j, d->discovery.skipped[i].name);
        pw_json_key(&j, "reason");
        pw_json_str(&j, d->discovery.skipped[i].reason);
        pw_json_obj_end(&j);
    }
    pw_json_arr_end(&j);
    pw_json_obj_end(&j);
    pw_json_key(&j, "memory");
    pw_memory_status_json(d, &j);
    pw_json_key(&j, "targets");
    pw_json_arr_begin(&j);
    for (size_t i = 0; i < d->n_targets; i++)
        pw_target_status_json(d->targets[i], &j);
    pw_json_arr_end(&j);
    pw_json_obj_end(&j);
    pw_buf_putc(out, '\n');
}

static void on_connection(uv_stream_t *server, int status)
{
    pw_daemon_t *d = server->data;
    if (status < 0)
        return;
    client_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    uv_pipe_init(d->loop, &c->pipe, 0);
    c->pipe.data = c;
    c->d = d;
    pw_buf_init(&c->body);
    n_clients++;
    if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0 || n_clients > MAX_CLIENTS) {
        uv_close((uv_handle_t *)&c->pipe, client_closed);
        return;
    }
    daemon_json(d, &c->body);
    uv_buf_t b = uv_buf_init(c->body.data, (unsigned)c->body.len);
    c->wr.data = c;
    if (uv_write(&c->wr, (uv_stream_t *)&c->pipe, &b, 1, written) != 0)
        uv_close((uv_handle_t *)&c->pipe, client_closed);
}

/* 1 when something accepts connections on the socket at path. */
static int socket_alive(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return 0;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int alive = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return alive;
}

int pw_status_open(pw_daemon_t *d, pw_err_t *err)
{
    const char *path = d->cfg.status_socket;
    struct stat st;
    if (path == NULL || path[0] == '\0')
        return 0;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return pw_err_set(err, PW_EIO, "status socket %s: the path exists and is not a socket",
                              path);
        if (socket_alive(path))
            return pw_err_set(err, PW_EIO,
                              "status socket %s: another profwatchd answers on it (stop it, or "
                              "set status_socket to another path)",
                              path);
        unlink(path); /* left behind by a daemon that died */
    }
    uv_pipe_init(d->loop, &d->status_server, 0);
    d->status_server.data = d;
    d->status_open = 1;
    /* The socket is created 0660 whatever the umask: never wider, not even
     * between bind and chmod. */
    mode_t old_mask = umask(0117);
    int rc = uv_pipe_bind(&d->status_server, path);
    umask(old_mask);
    if (rc == 0) {
        chmod(path, 0660);
        rc = uv_listen((uv_stream_t *)&d->status_server, 8, on_connection);
    }
    if (rc != 0) {
        d->status_open = 0;
        uv_close((uv_handle_t *)&d->status_server, NULL);
        return pw_err_set(err, PW_EIO,
                          "status socket %s: %s (set status_socket to another path, or to \"\" "
                          "to turn it off)",
                          path, uv_strerror(rc));
    }
    return 0;
}

void pw_status_close(pw_daemon_t *d)
{
    if (!d->status_open)
        return;
    d->status_open = 0;
    uv_close((uv_handle_t *)&d->status_server, NULL);
    if (d->cfg.status_socket && d->cfg.status_socket[0])
        unlink(d->cfg.status_socket);
}
