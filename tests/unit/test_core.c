/* Unit tests for the core primitives: pprof value formatting, the JSON
 * writer, the arena, hash maps and buffers. Expected labels are what
 * `go tool pprof` prints for the same values (see the parity tests for the
 * end-to-end comparison). */
#include "profwatch/arena.h"
#include "profwatch/buf.h"
#include "profwatch/gzip.h"
#include "profwatch/hmap.h"
#include "profwatch/json.h"
#include "profwatch/units.h"
#include "pw_test.h"

static const char *label(int64_t v, const char *from, const char *to)
{
    static char out[64];
    pw_units_label(out, sizeof(out), v, from, to);
    return out;
}

static const char *pct(int64_t v, int64_t total)
{
    static char out[32];
    pw_units_percent(out, sizeof(out), v, total);
    return out;
}

static void test_units_labels(void)
{
    /* Values taken from go tool pprof -top output on the shared fixtures. */
    CHECK_STR(label(1280000000, "nanoseconds", "s"), "1.28s");
    CHECK_STR(label(20000000, "nanoseconds", "ms"), "20ms");
    CHECK_STR(label(3950, "nanoseconds", "us"), "3.95us");
    CHECK_STR(label(0, "nanoseconds", "s"), "0");
    CHECK_STR(label(1049360, "bytes", "kB"), "1024.77kB");
    CHECK_STR(label(314117488, "bytes", "MB"), "299.57MB");
    CHECK_STR(label(-4096, "bytes", "kB"), "-4kB");
    CHECK_STR(label(7, "count", "count"), "7");
    CHECK_STR(label(7, "widgets", "widgets"), "7widgets");
    /* Auto-scaling, as pprof's Duration label uses it. */
    CHECK_STR(label(60600000000LL, "nanoseconds", "auto"), "60.60s");
    CHECK_STR(label(2000000000, "nanoseconds", "auto"), "2s");
    CHECK_STR(label(7200000000000LL, "nanoseconds", "auto"), "2hrs");
    CHECK_STR(label(1536, "bytes", "minimum"), "1.50kB");
    CHECK_STR(label(500, "bytes", "minimum"), "500B");
    /* A value that rounds to zero prints as a bare 0, with no unit. */
    CHECK_STR(label(4, "bytes", "MB"), "0");
    CHECK_STR(label(-4, "bytes", "MB"), "0");
}

static void test_units_scale(void)
{
    const char *u;
    double v = pw_units_scale(3000, "microseconds", "minimum", &u);
    CHECK_STR(u, "ms");
    CHECK(v == 3.0);
    pw_units_scale(5, "count", "minimum", &u);
    CHECK_STR(u, "");
    pw_units_scale(5, "bytes", "nanoseconds", &u);
    CHECK_STR(u, "B"); /* wrong family: pprof falls back to the default unit */
    CHECK(pw_units_is_time("nanoseconds"));
    CHECK(pw_units_is_time("ms"));
    CHECK(!pw_units_is_time("bytes"));
    /* INT64_MIN must not recurse forever (negating it overflows). */
    pw_units_scale(INT64_MIN, "bytes", "minimum", &u);
    CHECK_STR(u, "B");
}

static void test_units_percent(void)
{
    CHECK_STR(pct(128, 176), "72.73%");
    CHECK_STR(pct(176, 176), "  100%");
    CHECK_STR(pct(9999, 10000), "  100%"); /* 99.99 rounds into the 100% band */
    CHECK_STR(pct(4, 24029), "0.017%");
    CHECK_STR(pct(0, 100), "    0%");
    CHECK_STR(pct(-50, 100), "50.00%");
    CHECK_STR(pct(5, 0), "    0%");
}

static void test_json_writer(void)
{
    pw_buf_t b;
    pw_json_t j;
    pw_buf_init(&b);
    pw_json_init(&j, &b, 0);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "s");
    pw_json_str(&j, "a\"b\\c\n\x01");
    pw_json_key(&j, "i");
    pw_json_int(&j, INT64_MIN);
    pw_json_key(&j, "a");
    pw_json_arr_begin(&j);
    pw_json_double(&j, 0.1);
    pw_json_double(&j, 1.0 / 0.0);
    pw_json_bool(&j, 1);
    pw_json_null(&j);
    pw_json_arr_end(&j);
    pw_json_key(&j, "e");
    pw_json_obj_begin(&j);
    pw_json_obj_end(&j);
    pw_json_obj_end(&j);
    CHECK_STR(b.data, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"i\":-9223372036854775808,"
                      "\"a\":[0.1,null,true,null],\"e\":{}}");
    pw_buf_free(&b);
}

static void test_json_utf8(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    /* Valid multi-byte text passes through; invalid bytes become U+FFFD. */
    static const char in[] = "\xc3\xa9t\xc3\xa9 \xff \xed\xa0\x80 \xf0\x9f\x94\xa5";
    pw_json_escape(&b, in, sizeof(in) - 1);
    CHECK_STR(b.data, "\"\xc3\xa9t\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                      "\xf0\x9f\x94\xa5\"");
    pw_buf_free(&b);
}

static void test_arena_budget(void)
{
    pw_arena_t *a = pw_arena_create(100 * 1024);
    CHECK(a != NULL);
    void *p = pw_arena_alloc(a, 50 * 1024);
    CHECK(p != NULL);
    CHECK(((uintptr_t)p & 15) == 0);
    CHECK(pw_arena_alloc(a, 80 * 1024) == NULL); /* over the budget */
    CHECK(pw_arena_exhausted(a));
    pw_arena_reset(a);
    CHECK(!pw_arena_exhausted(a));
    CHECK_INT(pw_arena_used(a), 0);
    CHECK(pw_arena_alloc(a, 20 * 1024) != NULL);
    CHECK_STR(pw_arena_strdup(a, "hello"), "hello");
    CHECK(pw_arena_calloc(a, SIZE_MAX / 2, 4) == NULL); /* overflow refused */
    pw_arena_destroy(a);
}

static void test_hmaps(void)
{
    pw_hmap64_t m;
    CHECK(pw_hmap64_init(&m, 4) == 0);
    for (uint32_t i = 0; i < 10000; i++)
        CHECK_INT(pw_hmap64_put(&m, (uint64_t)i * 7919 + 1, i), i);
    CHECK_INT(pw_hmap64_put(&m, 1, 99), 0); /* present: the old value stays */
    CHECK_INT(pw_hmap64_get(&m, 7919 * 5000 + 1), 5000);
    CHECK_INT(pw_hmap64_get(&m, 2), PW_HMAP_NONE);
    pw_hmap64_free(&m);

    pw_hmapstr_t s;
    char keys[1000][16];
    CHECK(pw_hmapstr_init(&s, 2) == 0);
    for (uint32_t i = 0; i < 1000; i++) {
        snprintf(keys[i], sizeof(keys[i]), "fn.%u", i);
        size_t n = strlen(keys[i]);
        CHECK_INT(pw_hmapstr_put(&s, keys[i], n, pw_hash_bytes(keys[i], n), i), i);
    }
    CHECK_INT(pw_hmapstr_get(&s, "fn.777", 6, pw_hash_bytes("fn.777", 6)), 777);
    CHECK_INT(pw_hmapstr_get(&s, "fn.7777", 7, pw_hash_bytes("fn.7777", 7)), PW_HMAP_NONE);
    pw_hmapstr_free(&s);
}

static void test_buf(void)
{
    pw_buf_t b;
    pw_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        pw_buf_printf(&b, "%04d", i);
    CHECK_INT(b.len, 4000);
    CHECK(memcmp(b.data + 3996, "0999", 4) == 0);
    pw_buf_reset(&b);
    pw_buf_pad_left(&b, "ab", 5);
    CHECK_STR(b.data, "   ab");
    char *s = pw_buf_steal(&b);
    CHECK_STR(s, "   ab");
    free(s);
    pw_buf_free(&b);
}

static void test_fmt_size(void)
{
    char out[32];
    pw_fmt_size(out, sizeof(out), 256u * 1024 * 1024);
    CHECK_STR(out, "256 MiB");
    pw_fmt_size(out, sizeof(out), 102400);
    CHECK_STR(out, "100 KiB");
    pw_fmt_size(out, sizeof(out), 300);
    CHECK_STR(out, "300 bytes");
}

PW_TESTS(T(test_units_labels), T(test_units_scale), T(test_units_percent), T(test_json_writer),
         T(test_json_utf8), T(test_arena_budget), T(test_hmaps), T(test_buf), T(test_fmt_size))
