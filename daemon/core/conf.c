#include "profwatch/conf.h"
#include "profwatch/gzip.h" /* pw_fmt_size */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int pw_conf_error(pw_err_t *err, const char *source, const pw_ynode_t *node, const char *path,
                  const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (node != NULL)
        return pw_err_set(err, PW_EINVAL, "%s:%d: %s: %s", source, node->line, path, msg);
    return pw_err_set(err, PW_EINVAL, "%s: %s: %s", source, path, msg);
}

int pw_parse_bool(const char *s, int *v)
{
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *v = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *v = 0;
            return 0;
        }
    }
    return -1;
}

int pw_parse_duration_ms(const char *s, int64_t *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !(v >= 0))
        return -1;
    double mult;
    if (*end == '\0')
        mult = v == 0 ? 1 : -1; /* a bare number is ambiguous unless it is 0 */
    else if (strcmp(end, "ms") == 0)
        mult = 1;
    else if (strcmp(end, "s") == 0)
        mult = 1000;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        mult = 60000;
    else if (strcmp(end, "h") == 0)
        mult = 3600000;
    else
        return -1;
    if (mult < 0 || v * mult > 9.2e18)
        return -1;
    *ms = (int64_t)llround(v * mult);
    return 0;
}

int pw_parse_size(const char *s, uint64_t *bytes)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !(v >= 0))
        return -1;
    while (*end == ' ')
        end++;
    static const struct {
        const char *suffix;
        double mult;
    } units[] = {{"", 1},
                 {"b", 1},
                 {"k", 1024.0},
                 {"kb", 1024.0},
                 {"kib", 1024.0},
                 {"m", 1048576.0},
                 {"mb", 1048576.0},
                 {"mib", 1048576.0},
                 {"g", 1073741824.0},
                 {"gb", 1073741824.0},
                 {"gib", 1073741824.0}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(end, units[i].suffix) == 0) {
            double b = v * units[i].mult;
            if (b >= 18446744073709551615.0)
                return -1;
            *bytes = (uint64_t)llround(b);
            return 0;
        }
    }
    return -1;
}

static int in_bounds(const pw_conf_field_t *f, double v)
{
    return f->min == f->max || (v >= f->min && v <= f->max);
}

static void join(char *out, size_t n, const char *path, const char *key)
{
    if (path == NULL || path[0] == '\0')
        snprintf(out, n, "%s", key);
    else
        snprintf(out, n, "%s.%s", path, key);
}

/* Parses one scalar for field f into its slot. node may be NULL (default). */
static int set_scalar(const pw_conf_field_t *f, const char *text, void *slot, pw_arena_t *arena,
                      const char *source, const pw_ynode_t *node, const char *path, pw_err_t *err)
{
    char *end;
    switch (f->type) {
    case PW_CT_BOOL:
        if (pw_parse_bool(text, (int *)slot) != 0)
            return pw_conf_error(err, source, node, path, "expected true or false, got \"%s\"",
                                 text);
        return 0;
    case PW_CT_INT: {
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (*text == '\0' || *end != '\0' || errno != 0)
            return pw_conf_error(err, source, node, path, "expected a whole number, got \"%s\"",
                                 text);
        if (!in_bounds(f, (double)v))
            return pw_conf_error(err, source, node, path, "%lld is outside [%g, %g]", v, f->min,
                                 f->max);
        *(int64_t *)slot = v;
        return 0;
    }
    case PW_CT_DOUBLE: {
        errno = 0;
        double v = strtod(text, &end);
        if (*text == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
            return pw_conf_error(err, source, node, path, "expected a number, got \"%s\"", text);
        if (!in_bounds(f, v))
            return pw_conf_error(err, source, node, path, "%g is outside [%g, %g]", v, f->min,
                                 f->max);
        *(double *)slot = v;
        return 0;
    }
    case PW_CT_STRING: {
        const char *copy = pw_arena_strdup(arena, text);
        if (copy == NULL)
            return pw_err_set(err, PW_ENOMEM, "out of memory");
        *(const char **)slot = copy;
        return 0;
    }
    case PW_CT_DURATION: {
        int64_t ms;
        if (pw_parse_duration_ms(text, &ms) != 0)
            return pw_conf_error(err, source, node, path,
                                 "expected a duration such as 500ms, 30s, 5m or 1h, got \"%s\"",
                                 text);
        if (!in_bounds(f, (double)ms))
            return pw_conf_error(err, source, node, path,
                                 "\"%s\" is outside the allowed range [%.0fms, %.0fms]", text,
                                 f->min, f->max);
        *(int64_t *)slot = ms;
        return 0;
    }
    case PW_CT_SIZE: {
        uint64_t b;
        if (pw_parse_size(text, &b) != 0)
            return pw_conf_error(err, source, node, path,
                                 "expected a size such as 4096, 64KiB, 10MB or 300MiB, got \"%s\"",
                                 text);
        if (!in_bounds(f, (double)b)) {
            char lo[32], hi[32];
            pw_fmt_size(lo, sizeof(lo), (uint64_t)f->min);
            pw_fmt_size(hi, sizeof(hi), (uint64_t)f->max);
            return pw_conf_error(err, source, node, path,
                                 "\"%s\" is outside the allowed range [%s, %s]", text, lo, hi);
        }
        *(uint64_t *)slot = b;
        return 0;
    }
    default:
        return pw_err_set(err, PW_EINVAL, "%s: internal: bad field type", path);
    }
}

int pw_conf_defaults(const pw_conf_field_t *table, void *dst, pw_arena_t *arena, pw_err_t *err)
{
    for (const pw_conf_field_t *f = table; f->key != NULL; f++) {
        void *slot = (char *)dst + f->offset;
        if (f->type == PW_CT_SECTION) {
            int rc = pw_conf_defaults(f->sub, slot, arena, err);
            if (rc != 0)
                return rc;
            continue;
        }
        if (f->type == PW_CT_CUSTOM || f->def == NULL)
            continue;
        int rc = set_scalar(f, f->def, slot, arena, "defaults", NULL, f->key, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void key_list(const pw_conf_field_t *table, char *out, size_t n)
{
    size_t off = 0;
    out[0] = '\0';
    for (const pw_conf_field_t *f = table; f->key != NULL && off < n; f++) {
        int w = snprintf(out + off, n - off, "%s%s", off ? ", " : "", f->key);
        if (w < 0)
            break;
        off += (size_t)w;
    }
}

int pw_conf_bind(const pw_ynode_t *map, const pw_conf_field_t *table, void *dst, pw_arena_t *arena,
                 const char *source, const char *path, pw_err_t *err)
{
    char sub[256], keys[512];
    if (map == NULL || pw_yscalar_is_null(map))
        return 0; /* an empty section keeps its defaults */
    if (map->kind != PW_Y_MAP)
        return pw_conf_error(err, source, map, path[0] ? path : "(top level)",
                             "expected a map of settings");
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i];
        const pw_ynode_t *val = map->items[i];
        const pw_conf_field_t *f = NULL;
        for (const pw_conf_field_t *t = table; t->key != NULL; t++)
            if (strcmp(t->key, key) == 0)
                f = t;
        join(sub, sizeof(sub), path, key);
        for (size_t k = 0; k < i; k++)
            if (strcmp(map->keys[k], key) == 0)
                return pw_err_set(err, PW_EINVAL, "%s:%d: %s is set twice (first on line %d)",
                                  source, map->key_lines[i], sub, map->key_lines[k]);
        if (f == NULL) {
            key_list(table, keys, sizeof(keys));
            return pw_err_set(err, PW_EINVAL, "%s:%d: unknown key \"%s\"%s%s (expected one of: %s)",
                              source, map->key_lines[i], key, path[0] ? " in " : "", path, keys);
        }
        void *slot = (char *)dst + f->offset;
        int rc;
        if (f->type == PW_CT_SECTION)
            rc = pw_conf_bind(val, f->sub, slot, arena, source, sub, err);
        else if (f->type == PW_CT_CUSTOM)
            rc = f->custom(val, slot, arena, source, sub, err);
        else if (val->kind != PW_Y_SCALAR)
            rc = pw_conf_error(err, source, val, sub, "expected a single value, not a %s",
                               val->kind == PW_Y_MAP ? "map" : "list");
        else
            rc = set_scalar(f, val->value, slot, arena, source, val, sub, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}
