/* HTTP client for the daemon: libcurl's multi interface driven by one libuv
 * loop (socket and timer callbacks, no threads). Plain HTTP, HTTPS verified
 * against a CA file (or explicitly not), and HTTP over a unix socket. Every
 * request has a connect timeout, a total timeout and a cap on the body.
 *
 * Ownership: the request's strings are copied at submission. The response
 * passed to the callback (body included) is valid only during the callback. */
#ifndef PW_HTTP_H
#define PW_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct pw_http pw_http_t;

typedef struct {
    const char *method; /* "GET" (default) or "POST" */
    const char *url;
    const char *unix_socket; /* NULL: TCP */
    const char *ca_file;     /* NULL: the system's CAs */
    int insecure;            /* 1: do not verify TLS (must be asked for explicitly) */
    const char *proxy;       /* NULL: no proxy at all; "" : libcurl's environment rules */
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_body;
    const char *const *headers; /* NULL-terminated "Name: value" lines */
    const void *body;           /* POST body (borrowed until the callback) */
    size_t body_len;
} pw_http_req_t;

typedef struct {
    int transport_ok; /* the exchange completed (whatever the status) */
    long status;      /* HTTP status, 0 without a response */
    int timed_out;
    int too_big;     /* the body passed max_body: aborted */
    int cancelled;   /* pw_http_cancel_all or shutdown */
    char error[256]; /* what went wrong, when !transport_ok */
    const uint8_t *body;
    size_t body_len;
    double seconds;
} pw_http_resp_t;

typedef void (*pw_http_cb)(const pw_http_resp_t *resp, void *ud);

pw_http_t *pw_http_create(uv_loop_t *loop);
/* Starts a request; cb runs exactly once, from the loop. 0 or a negative code. */
int pw_http_request(pw_http_t *h, const pw_http_req_t *req, pw_http_cb cb, void *ud);
/* Ends every request in flight; their callbacks run now with cancelled set. */
void pw_http_cancel_all(pw_http_t *h);
size_t pw_http_in_flight(const pw_http_t *h);
/* Cancels what is in flight and releases the client; its libuv handles are
 * closed, so run the loop afterwards until it has nothing left. */
void pw_http_destroy(pw_http_t *h);

#endif
