/* Unit tests for the bounded, downsampled history: buckets, thinning when
 * full (bounded size, nothing lost from the sums, time order kept), the text
 * form and its errors. */
#include <math.h>

#include "profwatch/history.h"
#include "pw_test.h"

#define T0 1714557600

/* Invariants every history keeps. */
static void check_shape(const pw_history_t *h)
{
    CHECK(h->n <= h->cap);
    for (size_t i = 0; i < h->n; i++) {
        const pw_hpoint_t *p = &h->pts[i];
        CHECK(p->span >= 1 && p->count >= 1);
        CHECK((double)p->min <= p->mean + 1e-6 && p->mean <= (double)p->max + 1e-6);
        if (i > 0)
            CHECK(p->t >= h->pts[i - 1].t + h->pts[i - 1].span);
    }
}

static void test_buckets(void)
{
    pw_history_t *h = pw_history_create(16, 300, "agent");
    CHECK_STR(h->key, "agent");
    /* Three samples in the first five minutes, one in the next bucket. */
    CHECK_INT(pw_history_add(h, T0 + 10, 100), 0);
    CHECK_INT(pw_history_add(h, T0 + 100, 200), 0);
    CHECK_INT(pw_history_add(h, T0 + 299, 600), 0);
    CHECK_INT(pw_history_add(h, T0 + 300, 50), 0);
    CHECK_INT(h->n, 2);
    CHECK_INT(h->pts[0].t, T0);
    CHECK_INT(h->pts[0].span, 300);
    CHECK_INT(h->pts[0].count, 3);
    CHECK(h->pts[0].mean == 300.0);
    CHECK_INT(h->pts[0].min, 100);
    CHECK_INT(h->pts[0].max, 600);
    CHECK_INT(h->pts[1].t, T0 + 300);
    /* A gap leaves no empty points; going back in time is refused. */
    CHECK_INT(pw_history_add(h, T0 + 3000, 70), 0);
    CHECK_INT(h->n, 3);
    CHECK_INT(h->pts[2].t, T0 + 3000);
    CHECK_INT(pw_history_add(h, T0 + 20, 1), 1);
    CHECK_INT(h->dropped, 1);
    CHECK_INT(h->n, 3);
    pw_trend_point_t s[16];
    CHECK_INT(pw_history_series(h, s, 16), 3);
    CHECK_INT(s[0].t, T0 + 150);
    CHECK(s[0].bytes == 300.0);
    CHECK_INT(s[2].t, T0 + 3150);
    /* A short output keeps the newest points. */
    CHECK_INT(pw_history_series(h, s, 1), 1);
    CHECK_INT(s[0].t, T0 + 3150);
    check_shape(h);
    pw_history_destroy(h);
}

static void test_thinning(void)
{
    pw_history_t *h = pw_history_create(64, 60, "trace-agent");
    double total = 0;
    uint64_t samples = 0;
    /* Ten days of one sample per minute: far more than 64 points. */
    for (int64_t i = 0; i < 10 * 24 * 60; i++) {
        uint64_t v = 100000000 + (uint64_t)(i % 97) * 1000;
        CHECK_INT(pw_history_add(h, T0 + i * 60, v), 0);
        total += (double)v;
        samples++;
    }
    CHECK(h->n <= 64 && h->n >= 32);
    check_shape(h);
    uint64_t count = 0;
    double sum = 0;
    for (size_t i = 0; i < h->n; i++) {
        count += h->pts[i].count;
        sum += h->pts[i].mean * (double)h->pts[i].count;
    }
    CHECK_INT(count, samples);
    CHECK(sum / total > 1 - 1e-9 && sum / total < 1 + 1e-9);
    /* Old points are coarse, the newest keep the bucket size. */
    CHECK(h->pts[0].span > 60 * 1000);
    CHECK_INT(h->pts[h->n - 1].span, 60);
    CHECK_INT(h->pts[0].t, T0);
    pw_trend_point_t s[64];
    size_t k = pw_history_series(h, s, 64);
    for (size_t i = 1; i < k; i++)
        CHECK(s[i].t > s[i - 1].t);
    pw_history_destroy(h);
}

static void test_round_trip(void)
{
    pw_history_t *h = pw_history_create(32, 300, "system-probe");
    for (int i = 0; i < 100; i++)
        pw_history_add(h, T0 + i * 200, 300000000 + (uint64_t)i * 4096);
    pw_buf_t b;
    pw_buf_init(&b);
    CHECK_INT(pw_history_encode(h, &b), 0);
    CHECK(strncmp(b.data, "profwatch-history 1\nkey system-probe\nbucket 300\n", 48) == 0);
    pw_history_t *g = pw_history_create(32, 300, "");
    pw_err_t err = {0};
    CHECK_INT(pw_history_decode(g, b.data, b.len, "mem.history", &err), 0);
    CHECK_STR(g->key, "system-probe");
    CHECK_INT(g->n, h->n);
    for (size_t i = 0; i < h->n && i < g->n; i++) {
        CHECK_INT(g->pts[i].t, h->pts[i].t);
        CHECK_INT(g->pts[i].span, h->pts[i].span);
        CHECK_INT(g->pts[i].count, h->pts[i].count);
        CHECK(fabs(g->pts[i].mean - h->pts[i].mean) < 0.001);
        CHECK_INT(g->pts[i].max, h->pts[i].max);
    }
    /* A smaller history thins what it loads. */
    pw_history_t *small = pw_history_create(8, 300, "");
    CHECK_INT(pw_history_decode(small, b.data, b.len, "mem.history", &err), 0);
    CHECK(small->n <= 8);
    check_shape(small);
    /* New samples continue after the loaded ones. */
    CHECK_INT(pw_history_add(g, T0 + 100 * 200 + 5, 1), 0);
    check_shape(g);
    pw_history_destroy(small);
    pw_history_destroy(g);
    pw_history_destroy(h);
    pw_buf_free(&b);
}

static void expect_decode_error(const char *text, const char *needle)
{
    pw_history_t *h = pw_history_create(8, 300, "x");
    pw_err_t err = {0};
    CHECK_INT(pw_history_decode(h, text, strlen(text), "s.history", &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, needle);
    CHECK_INT(h->n, 0);
    pw_history_destroy(h);
}

static void test_decode_errors(void)
{
    expect_decode_error("", "s.history: empty");
    expect_decode_error("profwatch-history 2\n", "s.history:1: expected \"profwatch-history 1\"");
    expect_decode_error("# comment\nhello\n", "s.history:2: expected \"profwatch-history 1\"");
    expect_decode_error("profwatch-history 1\nkey a\n100 300 1 5 5\n",
                        "s.history:3: expected a point \"start span count mean min max\"");
    expect_decode_error("profwatch-history 1\n100 300 1 9 5 5\n", "s.history:2: inconsistent");
    expect_decode_error("profwatch-history 1\n100 0 1 5 5 5\n", "s.history:2: inconsistent");
    expect_decode_error("profwatch-history 1\n100 300 0 5 5 5\n", "s.history:2: inconsistent");
    expect_decode_error("profwatch-history 1\n100 300 1 nan 5 5\n", "s.history:2: inconsistent");
    expect_decode_error("profwatch-history 1\n-5 300 1 5 5 5\n", "s.history:2: inconsistent");
    expect_decode_error("profwatch-history 1\n100 300 99999999999999999 5 5 5\n",
                        "s.history:2: inconsistent");
    expect_decode_error("profwatch-history 1\n9223372036854775000 300 1 5 5 5\n",
                        "s.history:2: inconsistent");
    expect_decode_error("profwatch-history 1\n100 300 1 5 5 5\n200 300 1 5 5 5\n",
                        "s.history:3: this point starts before the previous one ends");
    expect_decode_error("profwatch-history 1\nbucket 0\n", "s.history:2: bucket");
    expect_decode_error("profwatch-history 1\nkey my agent\n",
                        "s.history:2: key: expected one word");
    expect_decode_error("profwatch-history 1\n100 300 -1 5 5 5\n", "s.history:2: expected a point");
    char line[700];
    memset(line, '1', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    expect_decode_error(line, "s.history:1: line longer than");
    /* Comments, blank lines and a missing final newline are fine. */
    pw_history_t *h = pw_history_create(8, 300, "");
    pw_err_t err = {0};
    const char *ok = "\n# hi\nprofwatch-history 1\n\nkey agent\n100 300 2 5.5 5 6";
    CHECK_INT(pw_history_decode(h, ok, strlen(ok), "ok", &err), 0);
    CHECK_INT(h->n, 1);
    CHECK_STR(h->key, "agent");
    pw_history_destroy(h);
}

static void test_keys(void)
{
    char k[64];
    CHECK_INT(pw_history_key("trace-agent", k, sizeof(k)), 11);
    CHECK_STR(k, "trace-agent");
    pw_history_key("../../etc/passwd", k, sizeof(k));
    CHECK_STR(k, "_._.._etc_passwd"); /* no '/' and no leading '.': one plain file name */
    pw_history_key("my agent", k, sizeof(k));
    CHECK_STR(k, "my_agent");
    CHECK_INT(pw_history_key("", k, sizeof(k)), 0);
    pw_history_t *h = pw_history_create(3, 0, "a/b");
    CHECK_STR(h->key, "a_b");
    CHECK_INT(h->cap, 4);
    CHECK_INT(h->bucket_s, 1);
    pw_history_destroy(h);
}

PW_TESTS(T(test_buckets), T(test_thinning), T(test_round_trip), T(test_decode_errors), T(test_keys))
