/* The DogStatsD sink: lines packed into datagrams for the agent's DogStatsD,
 * over its unix socket when that exists and otherwise over UDP. Sends never
 * block: a datagram that the socket will not take at once (no listener, a
 * full buffer) is dropped, and its lines are counted as dropped. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "profwatch/buf.h"
#include "profwatch/ddfmt.h"
#include "profwatch/log.h"
#include "profwatch/sink.h"

typedef struct {
    pw_sink_t base;
    char *socket_path, *host;
    int port;
    size_t max;
    int fd;
    int is_unix;
    pw_buf_t dgram; /* lines waiting, '\n' between them */
    size_t dgram_items;
    pw_buf_t line;
} dsd_t;

static int socket_exists(const char *path)
{
    struct stat st;
    return path != NULL && path[0] != '\0' && stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void close_fd(dsd_t *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    d->is_unix = 0;
}

static int open_unix(dsd_t *d)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(d->socket_path) >= sizeof(sa.sun_path))
        return -1;
    memcpy(sa.sun_path, d->socket_path, strlen(d->socket_path));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    d->fd = fd;
    d->is_unix = 1;
    return 0;
}

static int open_udp(dsd_t *d)
{
    struct addrinfo hints, *ai = NULL;
    char port[16];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    snprintf(port, sizeof(port), "%d", d->port);
    if (getaddrinfo(d->host, port, &hints, &ai) != 0 || ai == NULL)
        return -1;
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return -1;
    d->fd = fd;
    d->is_unix = 0;
    return 0;
}

/* The unix socket whenever it exists (the agent may create it after we
 * start), else UDP; checked before each send. */
static void ensure_socket(dsd_t *d)
{
    int want_unix = socket_exists(d->socket_path);
    if (d->fd >= 0 && d->is_unix == want_unix)
        return;
    close_fd(d);
    if (want_unix && open_unix(d) == 0)
        return;
    if (d->port > 0)
        open_udp(d);
}

static void send_dgram(dsd_t *d)
{
    if (d->dgram.len == 0)
        return;
    ensure_socket(d);
    ssize_t w = -1;
    int e = ENOTCONN;
    if (d->fd >= 0) {
        do
            w = send(d->fd, d->dgram.data, d->dgram.len, MSG_DONTWAIT | MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
        e = errno;
    }
    if (w == (ssize_t)d->dgram.len) {
        d->base.stats.sent += d->dgram_items;
    } else {
        d->base.stats.errors++;
        d->base.stats.dropped += d->dgram_items;
        pw_log(PW_LOG_WARN, "dogstatsd", "%s: a datagram of %zu lines was dropped: %s",
               d->is_unix ? d->socket_path : "udp", d->dgram_items,
               w < 0 ? strerror(e) : "short send");
        /* A unix socket that refuses has lost its listener (the agent
         * restarted): connect afresh next time. */
        if (d->is_unix && w < 0 && e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS)
            close_fd(d);
    }
    pw_buf_reset(&d->dgram);
    d->dgram_items = 0;
}

static int add_line(dsd_t *d)
{
    if (d->line.oom)
        return PW_ENOMEM;
    if (d->line.len > d->max) {
        d->base.stats.dropped++;
        pw_log(PW_LOG_WARN, "dogstatsd", "a line of %zu bytes is over max_datagram (%zu): dropped",
               d->line.len, d->max);
        return 0;
    }
    if (d->dgram.len > 0 && d->dgram.len + 1 + d->line.len > d->max)
        send_dgram(d);
    if (d->dgram.len > 0)
        pw_buf_putc(&d->dgram, '\n');
    pw_buf_append(&d->dgram, d->line.data, d->line.len);
    d->dgram_items++;
    return d->dgram.oom ? PW_ENOMEM : 0;
}

static int d_metric(pw_sink_t *s, const pw_metric_t *m)
{
    dsd_t *d = (dsd_t *)s;
    pw_buf_reset(&d->line);
    if (pw_ddfmt_dsd_metric(&d->line, m) == PW_EINVAL) {
        d->base.stats.dropped++; /* not finite: nothing to say */
        return 0;
    }
    return add_line(d);
}

static int d_check(pw_sink_t *s, const pw_service_check_t *c)
{
    dsd_t *d = (dsd_t *)s;
    pw_buf_reset(&d->line);
    pw_ddfmt_dsd_service_check(&d->line, c, d->base.hostname);
    return add_line(d);
}

static int d_event(pw_sink_t *s, const pw_event_t *e)
{
    dsd_t *d = (dsd_t *)s;
    pw_buf_reset(&d->line);
    if (pw_ddfmt_dsd_event(&d->line, e, d->base.hostname, d->max) == PW_ETOOBIG) {
        d->base.stats.dropped++;
        pw_log(PW_LOG_WARN, "dogstatsd", "an event's tags alone are over max_datagram: dropped");
        return 0;
    }
    return add_line(d);
}

static void d_flush(pw_sink_t *s)
{
    send_dgram((dsd_t *)s);
}

static void d_destroy(pw_sink_t *s)
{
    dsd_t *d = (dsd_t *)s;
    send_dgram(d);
    close_fd(d);
    pw_buf_free(&d->dgram);
    pw_buf_free(&d->line);
    free(d->socket_path);
    free(d->host);
    free(d->base.hostname);
    free(d);
}

static const pw_sink_ops_t dsd_ops = {"dogstatsd", d_metric, d_check,   d_event,
                                      d_flush,     NULL,     d_destroy, NULL};

pw_sink_t *pw_sink_dogstatsd_create(const pw_dsd_conf_t *c, const char *hostname, pw_err_t *err)
{
    dsd_t *d = calloc(1, sizeof(*d));
    if (d == NULL)
        goto fail_oom;
    d->base.ops = &dsd_ops;
    d->fd = -1;
    d->port = c->port;
    d->max = c->max_datagram ? c->max_datagram : 8192;
    pw_buf_init(&d->dgram);
    pw_buf_init(&d->line);
    d->base.hostname = strdup(hostname ? hostname : "");
    d->socket_path = strdup(c->socket ? c->socket : "");
    d->host = strdup(c->host ? c->host : "127.0.0.1");
    if (d->base.hostname == NULL || d->socket_path == NULL || d->host == NULL)
        goto fail_oom;
    if (d->socket_path[0] == '\0' && d->port <= 0) {
        pw_err_set(err, PW_EINVAL, "dogstatsd: neither a socket nor a UDP port");
        d_destroy(&d->base);
        return NULL;
    }
    if (d->port > 0) {
        /* The address is checked now, so a typo is a start-up error. */
        struct addrinfo hints, *ai = NULL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_flags = AI_NUMERICHOST;
        if (getaddrinfo(d->host, NULL, &hints, &ai) != 0) {
            pw_err_set(err, PW_EINVAL, "dogstatsd: host \"%s\" is not an IP address", d->host);
            d_destroy(&d->base);
            return NULL;
        }
        freeaddrinfo(ai);
    }
    ensure_socket(d);
    if (d->is_unix)
        pw_log(PW_LOG_INFO, "dogstatsd", "sending to %s", d->socket_path);
    else
        pw_log(PW_LOG_INFO, "dogstatsd", "sending to udp %s port %d%s%s%s", d->host, d->port,
               d->socket_path[0] ? " (until " : "", d->socket_path,
               d->socket_path[0] ? " exists)" : "");
    return &d->base;
fail_oom:
    if (d)
        d_destroy(&d->base);
    pw_err_set(err, PW_ENOMEM, "out of memory");
    return NULL;
}
