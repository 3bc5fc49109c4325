/* Tests for what the Datadog sinks send: DogStatsD lines byte for byte
 * (UTF-8 event lengths, escapes, shortening at the size limit), datagrams
 * read back from a real unix socket and a real UDP socket on 127.0.0.1, the
 * API's payload packing under both limits, the item scanner used to split a
 * payload on 413 (with hostile input), and the spool. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "profwatch/ddfmt.h"
#include "profwatch/fsutil.h"
#include "profwatch/gzip.h"
#include "profwatch/json.h"
#include "profwatch/log.h"
#include "profwatch/sink.h"
#include "profwatch/spool.h"
#include "pw_test.h"

static char root[512];

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/pw-dd-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(root) == NULL)
        exit(1);
}

static const char *line_metric(pw_buf_t *b, const pw_metric_t *m)
{
    pw_buf_reset(b);
    return pw_ddfmt_dsd_metric(b, m) == 0 ? b->data : "(error)";
}

static void test_dsd_metric(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    const char *tags[] = {"target:core", "a,b|c"};
    pw_metric_t m = {"profwatch.heap.inuse_bytes", 123456789, 1700000000, tags, 2};
    CHECK_STR(line_metric(&b, &m), "profwatch.heap.inuse_bytes:123456789|g|#target:core,a_b/c");
    m.value = 0.25;
    m.n_tags = 0;
    CHECK_STR(line_metric(&b, &m), "profwatch.heap.inuse_bytes:0.25|g");
    m.value = -1.0 / 3.0;
    line_metric(&b, &m);
    CHECK(strtod(strchr(b.data, ':') + 1, NULL) == -1.0 / 3.0); /* round-trips */
    m.value = 0.0 / 0.0;
    pw_buf_reset(&b);
    CHECK_INT(pw_ddfmt_dsd_metric(&b, &m), PW_EINVAL);
    CHECK_INT(b.len, 0);
    pw_buf_free(&b);
}

static void test_dsd_check(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    const char *tags[] = {"target:core"};
    pw_service_check_t c = {
        "profwatch.verdict", PW_CHECK_CRITICAL, 1700000000, "leak in\nfoo | bar", tags, 1};
    pw_ddfmt_dsd_service_check(&b, &c, "web-1");
    CHECK_STR(b.data, "_sc|profwatch.verdict|2|d:1700000000|h:web-1|#target:core"
                      "|m:leak in\\nfoo / bar");
    pw_buf_reset(&b);
    c.message = NULL;
    c.n_tags = 0;
    c.status = 9;
    pw_ddfmt_dsd_service_check(&b, &c, "web-1");
    CHECK_STR(b.data, "_sc|profwatch.verdict|3|d:1700000000|h:web-1");
    pw_buf_free(&b);
}

/* "Fuite mémoire ✓": 5 + 1 + 8 + 1 + 3 = 18 bytes; "line1\nline2" is sent
 * as 12 bytes. */
static const char utf8_title[] = "Fuite m\xc3\xa9moire \xe2\x9c\x93";

static void test_dsd_event(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    const char *tags[] = {"target:core", "team:x"};
    pw_event_t e = {utf8_title,  "line1\nline2", 1700000000, "error",
                    "leak:core", "normal",       tags,       2};
    CHECK_INT(pw_ddfmt_dsd_event(&b, &e, "web-1", 0), 0);
    CHECK_STR(b.data, "_e{18,12}:Fuite m\xc3\xa9moire \xe2\x9c\x93|line1\\nline2|d:1700000000"
                      "|h:web-1|k:leak:core|p:normal|t:error|#target:core,team:x");
    /* Defaults, no aggregation key, no tags. */
    pw_event_t f = {"t", "", 5, NULL, NULL, NULL, NULL, 0};
    pw_buf_reset(&b);
    pw_ddfmt_dsd_event(&b, &f, "", 0);
    CHECK_STR(b.data, "_e{1,0}:t||d:5|p:normal|t:info");
    pw_buf_free(&b);
}

/* Reads "_e{T,X}:" and checks that the title and text that follow have
 * exactly those lengths and are valid UTF-8. */
static int event_lengths_ok(const char *line, size_t len)
{
    size_t t, x;
    int used = 0;
    if (sscanf(line, "_e{%zu,%zu}:%n", &t, &x, &used) != 2 || used == 0)
        return 0;
    if ((size_t)used + t + 1 + x > len || line[used + t] != '|')
        return 0;
    const char *after = line + used + t + 1 + x;
    if (strncmp(after, "|d:", 3) != 0)
        return 0;
    for (size_t i = (size_t)used; i < (size_t)used + t + 1 + x;) {
        size_t u = pw_json_utf8_len((const unsigned char *)line + i, len - i);
        if (u == 0)
            return 0;
        i += u;
    }
    return 1;
}

static void test_dsd_event_shortened(void)
{
    char text[3000];
    size_t k = 0;
    while (k + 3 < sizeof(text) - 1) { /* "é" and "✓" and newlines, repeated */
        const char *piece = (k / 3) % 3 == 0 ? "\xc3\xa9\n" : "\xe2\x9c\x93";
        memcpy(text + k, piece, 3);
        k += 3;
    }
    text[k] = '\0';
    pw_event_t e = {utf8_title, text, 1700000000, "warning", NULL, "low", NULL, 0};
    pw_buf_t b;
    pw_buf_init(&b);
    for (size_t max = 60; max <= 1500; max += 7) {
        pw_buf_reset(&b);
        CHECK_INT(pw_ddfmt_dsd_event(&b, &e, "host-a", max), 0);
        CHECK(b.len <= max);
        /* Cut to fit, not far below: a character or an escape is at most 4
         * bytes, and the header can lose a digit. */
        CHECK(max < 100 || b.len + 8 > max);
        CHECK(event_lengths_ok(b.data, b.len));
        CHECK(strstr(b.data, "...") != NULL);
        CHECK(strstr(b.data, "|d:1700000000|h:host-a|p:low|t:warning") != NULL);
    }
    /* Too little room even for a shortened title. */
    pw_buf_reset(&b);
    CHECK_INT(pw_ddfmt_dsd_event(&b, &e, "host-a", 40), PW_ETOOBIG);
    pw_buf_free(&b);
}

/* ---- the DogStatsD sink on real sockets ---------------------------------- */

static int recv_all(int fd, char dgrams[][9000], size_t *lens, size_t max)
{
    size_t n = 0;
    struct pollfd p = {fd, POLLIN, 0};
    while (n < max && poll(&p, 1, 200) > 0) {
        ssize_t r = recv(fd, dgrams[n], sizeof(dgrams[n]) - 1, 0);
        if (r < 0)
            break;
        dgrams[n][r] = '\0';
        lens[n++] = (size_t)r;
    }
    return (int)n;
}

static char dgrams[64][9000];
static size_t dlens[64];

/* Emits 40 metrics and one long UTF-8 event through the sink; the datagrams
 * read back must hold exactly the expected lines, in order, whole, with each
 * datagram within max_datagram. */
static void exchange(int listen_fd, const pw_dsd_conf_t *c, const char *label)
{
    pw_err_t err = {0};
    pw_sink_t *s = pw_sink_dogstatsd_create(c, "host-a", &err);
    CHECK(s != NULL);
    if (s == NULL) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        return;
    }
    pw_buf_t want, one;
    pw_buf_init(&want);
    pw_buf_init(&one);
    const char *tags[] = {"target:core"};
    for (int i = 0; i < 40; i++) {
        char name[64];
        snprintf(name, sizeof(name), "profwatch.test.metric_%02d", i);
        pw_metric_t m = {name, i * 1.5, 1700000000, tags, 1};
        s->ops->metric(s, &m);
        pw_buf_reset(&one);
        pw_ddfmt_dsd_metric(&one, &m);
        pw_buf_printf(&want, "%s\n", one.data);
    }
    char text[2000];
    for (size_t k = 0; k + 2 < sizeof(text); k += 2)
        memcpy(text + k, "\xc3\xa9", 2);
    text[sizeof(text) - 2] = '\0';
    pw_event_t e = {utf8_title, text, 1700000000, "error", "k1", "normal", tags, 1};
    s->ops->event(s, &e);
    pw_buf_reset(&one);
    pw_ddfmt_dsd_event(&one, &e, "host-a", c->max_datagram);
    pw_buf_printf(&want, "%s\n", one.data);
    s->ops->flush(s);
    int n = recv_all(listen_fd, dgrams, dlens, 64);
    pw_buf_t got;
    pw_buf_init(&got);
    int big = 0;
    for (int i = 0; i < n; i++) {
        big |= dlens[i] > c->max_datagram;
        CHECK(dlens[i] > 0 && dgrams[i][dlens[i] - 1] != '\n');
        pw_buf_append(&got, dgrams[i], dlens[i]);
        pw_buf_putc(&got, '\n');
    }
    CHECK(!big);
    CHECK(n >= 3); /* 40 lines of about 50 bytes do not fit 512 bytes */
    CHECK_STR(got.data, want.data);
    CHECK_INT(s->stats.sent, 41);
    CHECK_INT(s->stats.dropped, 0);
    /* The event's line, shortened to the limit, is valid. */
    CHECK(event_lengths_ok(dgrams[n - 1], dlens[n - 1]));
    s->ops->destroy(s);
    pw_buf_free(&want);
    pw_buf_free(&one);
    pw_buf_free(&got);
}

static void test_dsd_unix(void)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/dsd.socket", root);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    /* A UDP port is configured too: the unix socket wins while it exists. */
    pw_dsd_conf_t c = {path, "127.0.0.1", 9, 512};
    exchange(fd, &c, "unix");

    /* A full socket: datagrams that cannot go at once are dropped and
     * counted, and the send never waits. */
    int small = 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    pw_dsd_conf_t c2 = {path, "127.0.0.1", 0, 512};
    pw_err_t err = {0};
    pw_sink_t *s = pw_sink_dogstatsd_create(&c2, "h", &err);
    pw_metric_t m = {"profwatch.test.fill", 1, 1, NULL, 0};
    for (int i = 0; i < 20000; i++) {
        s->ops->metric(s, &m);
        if (i % 20 == 0)
            s->ops->flush(s);
    }
    s->ops->flush(s);
    CHECK(s->stats.dropped > 0);
    CHECK_INT(s->stats.sent + s->stats.dropped, 20000);
    s->ops->destroy(s);
    close(fd);
    unlink(path);
}

static void test_dsd_udp(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    char missing[700];
    snprintf(missing, sizeof(missing), "%s/no-such.socket", root);
    /* The unix socket does not exist: UDP. */
    pw_dsd_conf_t c = {missing, "127.0.0.1", ntohs(sa.sin_port), 512};
    exchange(fd, &c, "udp");
    close(fd);

    pw_err_t err = {0};
    pw_dsd_conf_t bad = {NULL, "not-an-ip", 8125, 8192};
    CHECK(pw_sink_dogstatsd_create(&bad, "h", &err) == NULL);
    CHECK_CONTAINS(err.msg, "host \"not-an-ip\" is not an IP address");
}

/* ---- API payloads --------------------------------------------------------- */

typedef struct {
    pw_dd_kind_t kind;
    pw_buf_t all; /* every item received, '\n' after each */
    size_t payloads, max_z_seen, max_raw_seen;
    int bad;
} got_t;

static int take_cb(void *ud, pw_ddpayload_t *p)
{
    got_t *g = ud;
    uint8_t *raw = NULL;
    size_t raw_len = 0, n = 0, *ends = NULL;
    pw_err_t err = {0};
    pw_buf_t items;
    pw_buf_init(&items);
    g->payloads++;
    if (p->z_len > g->max_z_seen)
        g->max_z_seen = p->z_len;
    if (pw_gzip_inflate(p->z, p->z_len, 1 << 26, &raw, &raw_len, &err) != 0 ||
        raw_len != p->raw_len ||
        pw_ddfmt_items(g->kind, (const char *)raw, raw_len, &items, &ends, &n) != 0 ||
        n != p->n_items)
        g->bad++;
    if (raw_len > g->max_raw_seen)
        g->max_raw_seen = raw_len;
    for (size_t i = 0; i < n; i++) {
        size_t a = i ? ends[i - 1] : 0;
        pw_buf_append(&g->all, items.data + a, ends[i] - a);
        pw_buf_putc(&g->all, '\n');
    }
    free(raw);
    free(ends);
    pw_buf_free(&items);
    free(p->z);
    return 0;
}

static void test_pack(void)
{
    pw_buf_t items, want;
    pw_buf_init(&items);
    pw_buf_init(&want);
    size_t ends[300];
    uint64_t x = 12345;
    for (int i = 0; i < 300; i++) {
        /* Random tags: little to compress, so max_z is the bound that bites. */
        char tag[80], name[64];
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        snprintf(tag, sizeof(tag), "r:%016llx%016llx", (unsigned long long)x,
                 (unsigned long long)(x * 31));
        snprintf(name, sizeof(name), "profwatch.test.m%d", i);
        const char *tags[] = {tag};
        pw_metric_t m = {name, i, 1700000000 + i, tags, 1};
        size_t before = items.len;
        CHECK_INT(pw_ddfmt_series_item(&items, &m, "host-a"), 0);
        ends[i] = items.len;
        pw_buf_append(&want, items.data + before, items.len - before);
        pw_buf_putc(&want, '\n');
    }
    size_t left = 9;
    got_t g = {PW_DD_SERIES};
    pw_buf_init(&g.all);
    /* Raw bound first: 4000 bytes of JSON per payload. */
    CHECK_INT(pw_ddfmt_pack(PW_DD_SERIES, items.data, ends, 300, 4000, 1 << 20, take_cb, &g, &left),
              0);
    CHECK_INT(left, 0);
    CHECK_INT(g.bad, 0);
    CHECK(g.payloads > 300 * 150 / 4000);
    CHECK(g.max_raw_seen <= 4000);
    CHECK_STR(g.all.data, want.data); /* every item once, in order */
    /* Compressed bound: halved until each fits. */
    pw_buf_reset(&g.all);
    g.payloads = g.max_z_seen = g.max_raw_seen = 0;
    CHECK_INT(pw_ddfmt_pack(PW_DD_SERIES, items.data, ends, 300, 5242880, 3000, take_cb, &g, &left),
              0);
    CHECK_INT(left, 0);
    CHECK(g.max_z_seen <= 3000);
    CHECK(g.payloads >= 2);
    CHECK_STR(g.all.data, want.data);
    /* An item that cannot fit alone is left out and counted; the rest go. */
    pw_buf_reset(&g.all);
    CHECK_INT(pw_ddfmt_pack(PW_DD_SERIES, items.data, ends, 300, 100, 1 << 20, take_cb, &g, &left),
              0);
    CHECK_INT(left, 300);
    CHECK_INT(g.all.len, 0);
    pw_buf_free(&g.all);
    pw_buf_free(&items);
    pw_buf_free(&want);
}

static void test_items_hostile(void)
{
    static const char *const bad[] = {
        "",
        "[",
        "[{\"a\":1}",
        "[{\"a\":\"]\"}",
        "{\"series\":[{\"a\":1},",
        "{\"seriez\":[]}",
        "{\"series\":{}}",
        "[{\"a\":1} {\"b\":2}]",
        "[{\"a\":1}]]]]",
        "[{\"a\":1},]",
        "{\"series\":[]",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]"
        "]]"
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "[\"unterminated\\\"]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pw_buf_t items;
        pw_buf_init(&items);
        size_t *ends = NULL, n = 0;
        pw_dd_kind_t k = bad[i][0] == '{' ? PW_DD_SERIES : PW_DD_CHECKS;
        int rc = pw_ddfmt_items(k, bad[i], strlen(bad[i]), &items, &ends, &n);
        if (rc != PW_EINVAL)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK_INT(rc, PW_EINVAL);
        CHECK(ends == NULL);
        pw_buf_free(&items);
    }
    const char *ok = " [ {\"check\":\"a,]\\\"b\",\"tags\":[\"x\",\"y\"]} , {\"check\":\"c\"} ] ";
    pw_buf_t items;
    pw_buf_init(&items);
    size_t *ends = NULL, n = 0;
    CHECK_INT(pw_ddfmt_items(PW_DD_CHECKS, ok, strlen(ok), &items, &ends, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(items.data, "{\"check\":\"a,]\\\"b\",\"tags\":[\"x\",\"y\"]}{\"check\":\"c\"}");
    free(ends);
    pw_buf_free(&items);
    /* Every prefix of a good body is refused, never read past its end. */
    const char *good = "{\"series\":[{\"metric\":\"m\",\"points\":[{\"value\":1}]},{\"m\":2}]}";
    for (size_t cut = 0; cut < strlen(good) - 1; cut++) {
        pw_buf_init(&items);
        char *copy = malloc(cut + 1);
        memcpy(copy, good, cut);
        int rc = pw_ddfmt_items(PW_DD_SERIES, copy, cut, &items, &ends, &n);
        CHECK_INT(rc, PW_EINVAL);
        free(copy);
        pw_buf_free(&items);
    }
}

static void test_event_json(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    char text[5000];
    memset(text, 'a', sizeof(text));
    memcpy(text + 3995, "\xe2\x9c\x93", 3); /* a character across the cut */
    text[sizeof(text) - 1] = '\0';
    pw_event_t e = {utf8_title, text, 1700000000, "error", "k", "normal", NULL, 0};
    pw_ddfmt_event(&b, &e, "host-a");
    CHECK_CONTAINS(b.data, "\"date_happened\":1700000000,\"host\":\"host-a\",\"alert_type\":"
                           "\"error\",\"priority\":\"normal\",\"aggregation_key\":\"k\"");
    const char *t = strstr(b.data, "\"text\":\"");
    const char *end = t ? strstr(t + 8, "...\"") : NULL;
    CHECK(end != NULL && (size_t)(end - (t + 8)) <= 3997);
    CHECK(end != NULL && end[-1] == 'a'); /* the cut did not split the character */
    pw_buf_free(&b);
}

/* ---- the spool ----------------------------------------------------------- */

static void test_spool(void)
{
    char dir[700], path[800];
    pw_err_t err = {0};
    snprintf(dir, sizeof(dir), "%s/state/spool/api", root);
    pw_spool_t *s = pw_spool_open(dir, 1000, &err);
    CHECK(s != NULL);
    if (s == NULL)
        return;
    struct stat st;
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0750);
    char data[300];
    uint64_t lost = 0;
    for (int i = 0; i < 3; i++) {
        memset(data, 'a' + i, sizeof(data));
        CHECK_INT(pw_spool_push(s, i, data, sizeof(data), 10 + (uint64_t)i, 999, NULL, &lost, &err),
                  0);
    }
    CHECK_INT(lost, 0);
    CHECK_INT(pw_spool_bytes(s), 900);
    /* Stray files are not payloads. */
    snprintf(path, sizeof(path), "%s/0000000000000000-0-1-1.gz.extra", dir);
    close(open(path, O_CREAT | O_WRONLY, 0600));
    snprintf(path, sizeof(path), "%s/ 000000000000001-0-1-1.gz", dir);
    close(open(path, O_CREAT | O_WRONLY, 0600));
    /* Over the bound: the oldest goes (unless it is being sent), and its
     * items are counted. */
    pw_spool_entry_t e;
    CHECK_INT(pw_spool_oldest(s, &e), 0);
    memset(data, 'd', sizeof(data));
    CHECK_INT(pw_spool_push(s, 1, data, sizeof(data), 13, 999, e.name, &lost, &err), 0);
    CHECK_INT(lost, 11);
    CHECK_INT(pw_spool_oldest(s, &e), 0);
    CHECK_INT(e.n_items, 10);
    pw_spool_remove(s, &e);
    lost = 0;
    memset(data, 'b', sizeof(data));
    CHECK_INT(pw_spool_push(s, 1, data, sizeof(data), 11, 999, NULL, &lost, &err), 0);
    CHECK_INT(lost, 0);
    memset(data, 'd', sizeof(data));
    CHECK_INT(pw_spool_push(s, 1, data, sizeof(data), 13, 999, NULL, &lost, &err), 0);
    CHECK_INT(lost, 12);
    CHECK_INT(pw_spool_oldest(s, &e), 0);
    CHECK_INT(e.n_items, 13);
    pw_spool_remove(s, &e);
    CHECK_INT(pw_spool_oldest(s, &e), 0);
    CHECK_INT(e.kind, 1);
    CHECK_INT(e.n_items, 11);
    CHECK_INT(e.raw_len, 999);
    snprintf(path, sizeof(path), "%s/%s", dir, e.name);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    uint8_t *got;
    size_t len;
    CHECK_INT(pw_spool_read(s, &e, 100, &got, &len, &err), PW_ETOOBIG);
    CHECK_INT(pw_spool_read(s, &e, 1000, &got, &len, &err), 0);
    CHECK(len == 300 && got[0] == 'b' && got[299] == 'b');
    free(got);
    pw_spool_remove(s, &e);
    CHECK_INT(pw_spool_push(s, 0, data, 2000, 1, 1, NULL, &lost, &err), PW_ETOOBIG);
    pw_spool_close(s);
    /* Reopened (a restart): the rest is still there, oldest first, and a
     * temporary file a crash left is removed. */
    snprintf(path, sizeof(path), "%s/.0000000000000001-0-1-1.gz.tmp.123", dir);
    close(open(path, O_CREAT | O_WRONLY, 0600));
    s = pw_spool_open(dir, 1000, &err);
    CHECK(access(path, F_OK) != 0);
    CHECK_INT(pw_spool_files(s), 1);
    CHECK_INT(pw_spool_oldest(s, &e), 0);
    CHECK_INT(e.n_items, 13);
    pw_spool_remove(s, &e);
    CHECK_INT(pw_spool_oldest(s, &e), PW_ENOENT);
    pw_spool_close(s);
}

static void teardown(void)
{
    pw_err_t err = {0};
    CHECK_INT(pw_fs_remove_tree(root, &err), 0);
}

PW_TESTS(T(setup), T(test_dsd_metric), T(test_dsd_check), T(test_dsd_event),
         T(test_dsd_event_shortened), T(test_dsd_unix), T(test_dsd_udp), T(test_pack),
         T(test_items_hostile), T(test_event_json), T(test_spool), T(teardown))
