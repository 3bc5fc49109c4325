/* Unit tests for the YAML tree and the config binding tables: defaults,
 * nested sections, value parsing, bounds, and the messages for unknown keys,
 * bad values and hostile documents. */
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profwatch/conf.h"
#include "profwatch/yaml.h"
#include "pw_test.h"

typedef struct {
    int64_t heap_ms;
    int64_t cpu_every_ms;
} intervals_t;

typedef struct {
    const char *hostname;
    int enabled;
    double share;
    uint64_t budget;
    int64_t retries;
    intervals_t intervals;
    int tags_seen;
} conf_t;

static int tags_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                   const char *path, pw_err_t *err)
{
    (void)arena;
    if (node->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, node, path, "expected a list of tags");
    *(int *)dst = (int)node->n;
    return 0;
}

static const pw_conf_field_t intervals_table[] = {
    {"heap", PW_CT_DURATION, offsetof(intervals_t, heap_ms), "30s", 100, 86400000, NULL, NULL},
    {"cpu_every", PW_CT_DURATION, offsetof(intervals_t, cpu_every_ms), "5m", 0, 0, NULL, NULL},
    PW_CONF_END,
};

static const pw_conf_field_t table[] = {
    {"hostname", PW_CT_STRING, offsetof(conf_t, hostname), "web-1", 0, 0, NULL, NULL},
    {"enabled", PW_CT_BOOL, offsetof(conf_t, enabled), "true", 0, 0, NULL, NULL},
    {"share", PW_CT_DOUBLE, offsetof(conf_t, share), "0.5", 0, 1, NULL, NULL},
    {"budget", PW_CT_SIZE, offsetof(conf_t, budget), "300MiB", 0, 0, NULL, NULL},
    {"retries", PW_CT_INT, offsetof(conf_t, retries), "3", 0, 10, NULL, NULL},
    {"intervals", PW_CT_SECTION, offsetof(conf_t, intervals), NULL, 0, 0, intervals_table, NULL},
    {"tags", PW_CT_CUSTOM, offsetof(conf_t, tags_seen), NULL, 0, 0, NULL, tags_cb},
    PW_CONF_END,
};

/* Parses text and binds it; returns the bind result, err filled. */
static int load(const char *text, conf_t *c, pw_arena_t *a, pw_err_t *err)
{
    memset(c, 0, sizeof(*c));
    CHECK_INT(pw_conf_defaults(table, c, a, err), 0);
    pw_ydoc_t *doc = NULL;
    int rc = pw_yaml_parse(text, strlen(text), "test.yaml", &doc, err);
    if (rc == 0)
        rc = pw_conf_bind(doc->root, table, c, a, "test.yaml", "", err);
    pw_yaml_free(doc);
    return rc;
}

static void test_defaults_and_values(void)
{
    pw_arena_t *a = pw_arena_create(0);
    pw_err_t err = {0};
    conf_t c;
    CHECK_INT(load("", &c, a, &err), 0);
    CHECK_STR(c.hostname, "web-1");
    CHECK_INT(c.enabled, 1);
    CHECK_INT(c.budget, 300u * 1024 * 1024);
    CHECK_INT(c.intervals.heap_ms, 30000);
    CHECK_INT(c.intervals.cpu_every_ms, 300000);

    CHECK_INT(load("hostname: db-2\nenabled: no\nshare: 0.25\nbudget: 10MB\nretries: 7\n"
                   "intervals:\n  heap: 500ms\n  cpu_every: 0\ntags: [a, b, c]\n",
                   &c, a, &err),
              0);
    CHECK_STR(c.hostname, "db-2");
    CHECK_INT(c.enabled, 0);
    CHECK(c.share == 0.25);
    CHECK_INT(c.budget, 10u * 1024 * 1024);
    CHECK_INT(c.retries, 7);
    CHECK_INT(c.intervals.heap_ms, 500);
    CHECK_INT(c.intervals.cpu_every_ms, 0);
    CHECK_INT(c.tags_seen, 3);
    pw_arena_destroy(a);
}

static void test_errors_name_line_and_key(void)
{
    pw_arena_t *a = pw_arena_create(0);
    pw_err_t err = {0};
    conf_t c;
    CHECK(load("hostname: x\nintervals:\n  heap: 30s\n  hepa: 1s\n", &c, a, &err) != 0);
    CHECK_STR(err.msg, "test.yaml:4: unknown key \"hepa\" in intervals (expected one of: heap, "
                       "cpu_every)");
    CHECK(load("intervals:\n  heap: soon\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "test.yaml:2: intervals.heap: expected a duration such as 500ms");
    CHECK(load("intervals:\n  heap: 10ms\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "outside the allowed range");
    CHECK(load("retries: 11\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "test.yaml:1: retries: 11 is outside [0, 10]");
    CHECK(load("enabled: maybe\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "expected true or false");
    CHECK(load("budget: lots\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "expected a size");
    CHECK(load("hostname: [a, b]\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "expected a single value, not a list");
    CHECK(load("tags: x\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "test.yaml:1: tags: expected a list of tags");
    CHECK(load("share: 1\nshare: 0\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "test.yaml:2: share is set twice (first on line 1)");
    CHECK(load("- a\n- b\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "expected a map of settings");
    CHECK(load("hostname: \"unterminated\n", &c, a, &err) != 0);
    CHECK_CONTAINS(err.msg, "test.yaml:");
    pw_arena_destroy(a);
}

static void test_hostile_yaml(void)
{
    pw_err_t err = {0};
    pw_ydoc_t *doc = NULL;
    const char *bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n";
    CHECK(pw_yaml_parse(bomb, strlen(bomb), "bomb.yaml", &doc, &err) != 0);
    CHECK_CONTAINS(err.msg, "bomb.yaml:2:");
    CHECK_CONTAINS(err.msg, "aliases");
    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    CHECK(pw_yaml_parse(deep, sizeof(deep), "deep.yaml", &doc, &err) != 0);
    CHECK_CONTAINS(err.msg, "nesting is deeper");
    CHECK(pw_yaml_parse("\x01\x02\xff", 3, "bin.yaml", &doc, &err) != 0);
    CHECK(doc == NULL);
}

/* A config naming a FIFO or a device (memory_experiment: /some/fifo, on a
 * SIGHUP) is refused at once; opening a FIFO with no writer used to block
 * the daemon's only thread. */
static void test_yaml_load_not_regular(void)
{
    char dir[] = "/tmp/pwtest-conf-XXXXXX", fifo[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(fifo, sizeof(fifo), "%s/fifo.yaml", dir);
    CHECK_INT(mkfifo(fifo, 0600), 0);
    pw_err_t err = {0};
    pw_ydoc_t *doc = NULL;
    CHECK(pw_yaml_load_file(fifo, 1024, &doc, &err) != 0);
    CHECK_CONTAINS(err.msg, "not a regular file");
    CHECK(pw_yaml_load_file("/dev/zero", 1024, &doc, &err) != 0);
    CHECK_CONTAINS(err.msg, "not a regular file");
    CHECK(doc == NULL);
    unlink(fifo);
    rmdir(dir);
}

static void test_go_float_notation(void)
{
    /* The flare's expvar files are JSON decoded into float64 and re-encoded
     * as YAML by Go, so counts look like 6.0791104e+07. */
    const char *text = "Alloc: 6.0791104e+07\nNumGC: 42\nPauseNs:\n- 1.2e+06\n- 0\n"
                       "BySize:\n- Size: 8\n  Mallocs: 1e+03\n";
    pw_err_t err = {0};
    pw_ydoc_t *doc = NULL;
    CHECK_INT(pw_yaml_parse(text, strlen(text), "memstats", &doc, &err), 0);
    if (doc == NULL)
        return;
    double v = 0;
    CHECK_INT(pw_yscalar_double(pw_ymap_get(doc->root, "Alloc"), &v), 0);
    CHECK(v == 60791104.0);
    CHECK_INT(pw_yscalar_double(pw_ymap_get(doc->root, "NumGC"), &v), 0);
    CHECK(v == 42.0);
    const pw_ynode_t *p = pw_ymap_get(doc->root, "PauseNs");
    CHECK(p != NULL && p->kind == PW_Y_SEQ && p->n == 2);
    const pw_ynode_t *bs = pw_ymap_get(doc->root, "BySize");
    CHECK(bs != NULL && bs->kind == PW_Y_SEQ && bs->n == 1 && bs->items[0]->kind == PW_Y_MAP);
    CHECK(pw_yscalar_double(pw_ymap_get(doc->root, "Missing"), &v) != 0);
    CHECK_INT(pw_ymap_get(doc->root, "NumGC")->line, 2);
    pw_yaml_free(doc);
}

static void test_value_parsers(void)
{
    int64_t ms;
    uint64_t b;
    CHECK(pw_parse_duration_ms("1.5s", &ms) == 0 && ms == 1500);
    CHECK(pw_parse_duration_ms("2h", &ms) == 0 && ms == 7200000);
    CHECK(pw_parse_duration_ms("30", &ms) != 0); /* unit required, except for 0 */
    CHECK(pw_parse_duration_ms("-1s", &ms) != 0);
    CHECK(pw_parse_size("15 MiB", &b) == 0 && b == 15u * 1024 * 1024);
    CHECK(pw_parse_size("512000", &b) == 0 && b == 512000);
    CHECK(pw_parse_size("1.5GiB", &b) == 0 && b == 1610612736u);
    CHECK(pw_parse_size("12 parsecs", &b) != 0);
}

PW_TESTS(T(test_defaults_and_values), T(test_errors_name_line_and_key), T(test_hostile_yaml),
         T(test_yaml_load_not_regular), T(test_go_float_notation), T(test_value_parsers))
