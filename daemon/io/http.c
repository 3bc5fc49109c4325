/* libcurl multi on libuv, after curl's multi-uv example with the fixes the
 * design notes list: check_multi_info after every socket_action (timer path
 * included), never socket_action inside the timer callback, a fresh poll
 * context per fd freed in its close callback, CURL_CSELECT_ERR on poll errors,
 * and shutdown in the order multi cleanup, close handles, run the loop. */
#include "profwatch/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "profwatch/buf.h"
#include "profwatch/gzip.h" /* pw_fmt_size */

typedef struct request {
    struct request *next, *prev;
    pw_http_t *h;
    CURL *easy;
    struct curl_slist *headers;
    char *url, *unix_socket, *ca_file, *proxy, *method;
    size_t max_body;
    pw_buf_t body;
    int too_big;
    char errbuf[CURL_ERROR_SIZE];
    char sock_error[128]; /* what the socket said when poll reported an error */
    pw_http_cb cb;
    void *ud;
    uint64_t start;
} request_t;

typedef struct {
    uv_poll_t poll;
    curl_socket_t fd;
    CURL *easy; /* the transfer that last asked for this socket */
    pw_http_t *h;
} sock_ctx_t;

struct pw_http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    request_t *reqs; /* in flight */
    size_t n_reqs;
    int closing;
};

static void check_multi_info(pw_http_t *h);

static void unlink_req(pw_http_t *h, request_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        h->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->next = r->prev = NULL;
    h->n_reqs--;
}

static void free_req(request_t *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->url);
    free(r->unix_socket);
    free(r->ca_file);
    free(r->proxy);
    free(r->method);
    pw_buf_free(&r->body);
    free(r);
}

/* Runs the request's callback and frees it; the request is already out of
 * the multi handle and the list. */
static void finish(request_t *r, pw_http_resp_t *resp)
{
    resp->body = (const uint8_t *)r->body.data;
    resp->body_len = r->body.len;
    resp->seconds = (double)(uv_hrtime() - r->start) / 1e9;
    resp->too_big = r->too_big;
    r->cb(resp, r->ud);
    free_req(r);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    request_t *r = ud;
    size_t n = size * nmemb;
    if (r->body.len + n > r->max_body) {
        r->too_big = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (pw_buf_append(&r->body, ptr, n) != 0)
        return 0;
    return n;
}

static void poll_close_cb(uv_handle_t *handle)
{
    free(handle->data);
}

static void on_poll(uv_poll_t *poll, int status, int events)
{
    sock_ctx_t *c = poll->data;
    pw_http_t *h = c->h;
    int flags = 0, running;
    if (status < 0) {
        flags = CURL_CSELECT_ERR;
        /* curl will only say "select/poll returned error": keep what the
         * socket itself reports (a reset, a refusal) for the request's message. */
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr == 0)
            soerr = -status;
        for (request_t *r = h->reqs; r != NULL; r = r->next)
            if (r->easy == c->easy)
                snprintf(r->sock_error, sizeof(r->sock_error), "%s", strerror(soerr));
    }
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(h->multi, c->fd, flags, &running);
    check_multi_info(h);
}

static int on_socket(CURL *easy, curl_socket_t s, int action, void *userp, void *socketp)
{
    pw_http_t *h = userp;
    sock_ctx_t *c = socketp;
    if (action == CURL_POLL_REMOVE) {
        if (c != NULL) {
            uv_poll_stop(&c->poll);
            uv_close((uv_handle_t *)&c->poll, poll_close_cb);
            if (!h->closing)
                curl_multi_assign(h->multi, s, NULL);
        }
        return 0;
    }
    if (c == NULL) {
        c = calloc(1, sizeof(*c));
        if (c == NULL)
            return -1;
        c->fd = s;
        c->h = h;
        if (uv_poll_init_socket(h->loop, &c->poll, s) != 0) {
            free(c);
            return -1;
        }
        c->poll.data = c;
        curl_multi_assign(h->multi, s, c);
    }
    c->easy = easy;
    int events = 0;
    if (action == CURL_POLL_IN || action == CURL_POLL_INOUT)
        events |= UV_READABLE;
    if (action == CURL_POLL_OUT || action == CURL_POLL_INOUT)
        events |= UV_WRITABLE;
    uv_poll_start(&c->poll, events, on_poll);
    return 0;
}

static void on_timeout(uv_timer_t *t)
{
    pw_http_t *h = t->data;
    int running;
    if (h->closing)
        return;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_multi_info(h);
}

/* libcurl asks for a timer; socket_action must not be called from here. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    pw_http_t *h = userp;
    if (timeout_ms < 0) {
        uv_timer_stop(&h->timer);
        return 0;
    }
    uv_timer_start(&h->timer, on_timeout, timeout_ms == 0 ? 1 : (uint64_t)timeout_ms, 0);
    return 0;
}

static void check_multi_info(pw_http_t *h)
{
    CURLMsg *msg;
    int pending;
    while ((msg = curl_multi_info_read(h->multi, &pending)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        request_t *r = NULL;
        CURL *easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
        pw_http_resp_t resp;
        memset(&resp, 0, sizeof(resp));
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp.status);
        curl_multi_remove_handle(h->multi, easy);
        unlink_req(h, r);
        if (code == CURLE_OK) {
            resp.transport_ok = 1;
        } else {
            resp.timed_out = code == CURLE_OPERATION_TIMEDOUT;
            if (r->too_big || code == CURLE_FILESIZE_EXCEEDED) {
                r->too_big = 1;
                char cap[32];
                pw_fmt_size(cap, sizeof(cap), r->max_body);
                snprintf(resp.error, sizeof(resp.error), "the response is larger than the %s cap",
                         cap);
            } else if (r->sock_error[0]) {
                snprintf(resp.error, sizeof(resp.error), "connection error: %s", r->sock_error);
            } else {
                snprintf(resp.error, sizeof(resp.error), "%s",
                         r->errbuf[0] ? r->errbuf : curl_easy_strerror(code));
            }
        }
        finish(r, &resp);
    }
}

pw_http_t *pw_http_create(uv_loop_t *loop)
{
    static int global_done;
    if (!global_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        global_done = 1;
    }
    pw_http_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->loop = loop;
    h->multi = curl_multi_init();
    if (h->multi == NULL || uv_timer_init(loop, &h->timer) != 0) {
        if (h->multi)
            curl_multi_cleanup(h->multi);
        free(h);
        return NULL;
    }
    h->timer.data = h;
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    return h;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int pw_http_request(pw_http_t *h, const pw_http_req_t *req, pw_http_cb cb, void *ud)
{
    if (h->closing)
        return -1;
    request_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return -1;
    pw_buf_init(&r->body);
    r->h = h;
    r->cb = cb;
    r->ud = ud;
    r->max_body = req->max_body ? req->max_body : 64u * 1024 * 1024;
    r->url = dup_or_null(req->url);
    r->unix_socket = dup_or_null(req->unix_socket);
    r->ca_file = dup_or_null(req->ca_file);
    r->proxy = dup_or_null(req->proxy);
    r->method = dup_or_null(req->method ? req->method : "GET");
    r->easy = curl_easy_init();
    if (r->easy == NULL || r->url == NULL || r->method == NULL) {
        free_req(r);
        return -1;
    }
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "profwatch/" PW_VERSION);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 5000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 30000L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_body);
    if (r->unix_socket)
        curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, r->unix_socket);
    if (r->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, r->ca_file);
    if (req->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    /* Scrapes go to loopback and must never detour through a proxy that the
     * environment happens to set; the Datadog intake asks for one explicitly. */
    if (r->proxy == NULL)
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    else if (r->proxy[0] != '\0')
        curl_easy_setopt(e, CURLOPT_PROXY, r->proxy);
    for (const char *const *hd = req->headers; hd && *hd; hd++)
        r->headers = curl_slist_append(r->headers, *hd);
    if (r->headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    if (strcmp(r->method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    r->start = uv_hrtime();
    r->next = h->reqs;
    if (h->reqs)
        h->reqs->prev = r;
    h->reqs = r;
    h->n_reqs++;
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        unlink_req(h, r);
        free_req(r);
        return -1;
    }
    return 0;
}

void pw_http_cancel_all(pw_http_t *h)
{
    /* Detach the whole list first: a callback may start new requests. */
    request_t *list = h->reqs;
    h->reqs = NULL;
    h->n_reqs = 0;
    while (list != NULL) {
        request_t *r = list;
        list = r->next;
        r->next = r->prev = NULL;
        curl_multi_remove_handle(h->multi, r->easy);
        pw_http_resp_t resp;
        memset(&resp, 0, sizeof(resp));
        resp.cancelled = 1;
        snprintf(resp.error, sizeof(resp.error), "cancelled");
        finish(r, &resp);
    }
}

size_t pw_http_in_flight(const pw_http_t *h)
{
    return h->n_reqs;
}

static void timer_close_cb(uv_handle_t *handle)
{
    free(handle->data);
}

void pw_http_destroy(pw_http_t *h)
{
    if (h == NULL)
        return;
    while (h->reqs != NULL)
        pw_http_cancel_all(h);
    h->closing = 1;
    curl_multi_cleanup(h->multi); /* closes sockets: their polls get REMOVE, then close */
    h->multi = NULL;
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, timer_close_cb);
}
