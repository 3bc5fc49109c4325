/* fuzz_conf: config binding (pw_conf_bind) on YAML, with a table shaped like
 * the daemon's: top-level settings, nested sections two deep, every value type
 * with and without bounds, and custom handlers for a list and a map.
 *
 * Checked: defaults always apply; a bound document leaves every bounded value
 * inside its bounds and every flag 0 or 1; a refused one gets a message that
 * starts with the file name. The value parsers shared with command-line flags
 * (durations, sizes, booleans) also get the raw input. */
#include <math.h>

#include "fuzz.h"
#include "profwatch/conf.h"
#include "profwatch/yaml.h"

#define SOURCE "fuzz.conf"
#define MAX_TAGS 8

typedef struct {
    const char *url;
    int enabled;
    int64_t heap_ms;
    int64_t cpu_ms;
    uint64_t max_size;
    double leak_share;
} target_t;

typedef struct {
    size_t n;
    const char *v[MAX_TAGS];
} tags_t;

typedef struct {
    target_t core;
    target_t trace;
    int64_t timeout_ms;
} targets_t;

typedef struct {
    const char *hostname;
    int enabled;
    int64_t retries;
    int64_t port;
    double sample_rate;
    uint64_t budget;
    int64_t interval_ms;
    targets_t targets;
    tags_t tags;
    uint64_t budget_total;
} conf_t;

/* tags: a list of at most MAX_TAGS plain values. */
static int tags_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                   const char *path, pw_err_t *err)
{
    tags_t *tags = dst;
    if (node->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, node, path, "expected a list of tags");
    if (node->n > MAX_TAGS)
        return pw_conf_error(err, source, node, path, "at most %d tags, got %zu", MAX_TAGS,
                             node->n);
    for (size_t i = 0; i < node->n; i++) {
        const pw_ynode_t *t = node->items[i];
        if (t->kind != PW_Y_SCALAR || t->value[0] == '\0')
            return pw_conf_error(err, source, t, path, "tag %zu is not a plain value", i);
        tags->v[i] = pw_arena_strdup(arena, t->value);
        if (tags->v[i] == NULL)
            return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    tags->n = node->n;
    return 0;
}

/* budgets: a map of name -> size, summed. */
static int budgets_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                      const char *path, pw_err_t *err)
{
    (void)arena;
    uint64_t total = 0;
    if (node->kind != PW_Y_MAP)
        return pw_conf_error(err, source, node, path, "expected a map of name: size");
    for (size_t i = 0; i < node->n; i++) {
        uint64_t b;
        const pw_ynode_t *v = node->items[i];
        if (v->kind != PW_Y_SCALAR || pw_parse_size(v->value, &b) != 0)
            return pw_conf_error(err, source, v, path, "%s: expected a size", node->keys[i]);
        if (b > UINT64_MAX - total)
            return pw_conf_error(err, source, v, path, "the budgets add up past 16 EiB");
        total += b;
    }
    *(uint64_t *)dst = total;
    return 0;
}

static const pw_conf_field_t target_table[] = {
    {"url", PW_CT_STRING, offsetof(target_t, url), "http://127.0.0.1:5000", 0, 0, NULL, NULL},
    {"enabled", PW_CT_BOOL, offsetof(target_t, enabled), "true", 0, 0, NULL, NULL},
    {"heap_every", PW_CT_DURATION, offsetof(target_t, heap_ms), "30s", 1000, 86400000, NULL, NULL},
    {"cpu_every", PW_CT_DURATION, offsetof(target_t, cpu_ms), "5m", 0, 0, NULL, NULL},
    {"max_size", PW_CT_SIZE, offsetof(target_t, max_size), "256MiB", 1024, 1073741824.0, NULL,
     NULL},
    {"leak_share", PW_CT_DOUBLE, offsetof(target_t, leak_share), "0.1", 0, 1, NULL, NULL},
    PW_CONF_END,
};

static const pw_conf_field_t targets_table[] = {
    {"core", PW_CT_SECTION, offsetof(targets_t, core), NULL, 0, 0, target_table, NULL},
    {"trace", PW_CT_SECTION, offsetof(targets_t, trace), NULL, 0, 0, target_table, NULL},
    {"timeout", PW_CT_DURATION, offsetof(targets_t, timeout_ms), "10s", 1, 600000, NULL, NULL},
    PW_CONF_END,
};

static const pw_conf_field_t table[] = {
    {"hostname", PW_CT_STRING, offsetof(conf_t, hostname), NULL, 0, 0, NULL, NULL},
    {"enabled", PW_CT_BOOL, offsetof(conf_t, enabled), "yes", 0, 0, NULL, NULL},
    {"retries", PW_CT_INT, offsetof(conf_t, retries), "3", 0, 10, NULL, NULL},
    {"port", PW_CT_INT, offsetof(conf_t, port), "8125", 1, 65535, NULL, NULL},
    {"sample_rate", PW_CT_DOUBLE, offsetof(conf_t, sample_rate), "1", 0, 0, NULL, NULL},
    {"budget", PW_CT_SIZE, offsetof(conf_t, budget), "175MiB", 0, 0, NULL, NULL},
    {"interval", PW_CT_DURATION, offsetof(conf_t, interval_ms), "15s", 0, 0, NULL, NULL},
    {"targets", PW_CT_SECTION, offsetof(conf_t, targets), NULL, 0, 0, targets_table, NULL},
    {"tags", PW_CT_CUSTOM, offsetof(conf_t, tags), NULL, 0, 0, NULL, tags_cb},
    {"budgets", PW_CT_CUSTOM, offsetof(conf_t, budget_total), NULL, 0, 0, NULL, budgets_cb},
    PW_CONF_END,
};

/* Every bounded value inside its bounds, every flag 0 or 1, every string with
 * a default set: what a bound config promises whatever the table. */
static void check_bound(const pw_conf_field_t *t, const void *dst, const char *path)
{
    for (const pw_conf_field_t *f = t; f->key != NULL; f++) {
        const void *slot = (const char *)dst + f->offset;
        int bounded = f->min != f->max;
        double v = 0;
        switch (f->type) {
        case PW_CT_BOOL:
            FUZZ_CHECK(*(const int *)slot == 0 || *(const int *)slot == 1, "%s.%s = %d", path,
                       f->key, *(const int *)slot);
            continue;
        case PW_CT_INT:
            v = (double)*(const int64_t *)slot;
            break;
        case PW_CT_DURATION:
            v = (double)*(const int64_t *)slot;
            FUZZ_CHECK(v >= 0, "%s.%s is a negative duration", path, f->key);
            break;
        case PW_CT_DOUBLE:
            v = *(const double *)slot;
            FUZZ_CHECK(isfinite(v), "%s.%s is not finite", path, f->key);
            break;
        case PW_CT_SIZE:
            v = (double)*(const uint64_t *)slot;
            break;
        case PW_CT_STRING:
            FUZZ_CHECK(f->def == NULL || *(const char *const *)slot != NULL, "%s.%s lost its value",
                       path, f->key);
            continue;
        case PW_CT_SECTION:
            check_bound(f->sub, slot, f->key);
            continue;
        default:
            continue;
        }
        FUZZ_CHECK(!bounded || (v >= f->min && v <= f->max), "%s.%s = %g, outside [%g, %g]", path,
                   f->key, v, f->min, f->max);
    }
}

/* The flag parsers on the raw bytes, as a command line would pass them. */
static void parse_values(const uint8_t *data, size_t size)
{
    char s[64];
    if (size >= sizeof(s) || memchr(data, '\0', size) != NULL)
        return;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t ms = -1;
    uint64_t bytes;
    int flag = -1;
    if (pw_parse_duration_ms(s, &ms) == 0)
        FUZZ_CHECK(ms >= 0, "duration \"%s\" parsed as %lld ms", s, (long long)ms);
    (void)pw_parse_size(s, &bytes);
    if (pw_parse_bool(s, &flag) == 0)
        FUZZ_CHECK(flag == 0 || flag == 1, "\"%s\" parsed as the flag %d", s, flag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_arena_t *arena = pw_arena_create(0);
    FUZZ_CHECK(arena != NULL, "out of memory");
    conf_t c;
    pw_err_t err = {0};
    memset(&c, 0, sizeof(c));
    FUZZ_CHECK(pw_conf_defaults(table, &c, arena, &err) == 0, "defaults: %s", err.msg);
    check_bound(table, &c, "(defaults)");

    pw_ydoc_t *doc = NULL;
    int rc = pw_yaml_parse((const char *)data, size, SOURCE, &doc, &err);
    if (rc == 0)
        rc = pw_conf_bind(doc->root, table, &c, arena, SOURCE, "", &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "parse and bind");
        FUZZ_CHECK(rc != PW_EINVAL || strncmp(err.msg, SOURCE ":", sizeof(SOURCE)) == 0,
                   "message does not name the file: %s", err.msg);
    } else {
        check_bound(table, &c, "");
        FUZZ_CHECK(c.tags.n <= MAX_TAGS, "%zu tags", c.tags.n);
        for (size_t i = 0; i < c.tags.n; i++)
            FUZZ_CHECK(c.tags.v[i] != NULL && c.tags.v[i][0] != '\0', "tag %zu is empty", i);
    }
    pw_yaml_free(doc);
    pw_arena_destroy(arena);
    parse_values(data, size);
    return 0;
}
