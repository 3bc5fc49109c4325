#include "profwatch/budget.h"

#include <stdio.h>
#include <string.h>

#include "profwatch/conf.h"

#define MIB (1024ull * 1024)

/* The quality gates of the SMP document. Data, not logic: a configuration
 * replaces this table when the budgets move. */
static const pw_gate_t default_gates[] = {
    {"idle", 175 * MIB},
    {"idle_all_features", 485 * MIB},
    {"logs", 220 * MIB},
    {"metrics_logs", 475 * MIB},
};

static const char gate_prefix[] = "quality_gate_";

const pw_gate_t *pw_budget_default_gates(size_t *n)
{
    *n = sizeof(default_gates) / sizeof(default_gates[0]);
    return default_gates;
}

void pw_fmt_mib(char *out, size_t n, uint64_t bytes)
{
    snprintf(out, n, "%.1f MiB", (double)bytes / (double)MIB);
}

const char *pw_budget_status_name(int status)
{
    switch (status) {
    case PW_GATE_OK:
        return "OK";
    case PW_GATE_WARNING:
        return "WARNING";
    case PW_GATE_CRITICAL:
        return "CRITICAL";
    default:
        return "UNKNOWN";
    }
}

int pw_budget_gates_from_yaml(const pw_ynode_t *map, const char *source, pw_arena_t *arena,
                              pw_gate_t **gates, size_t *n, pw_err_t *err)
{
    if (map == NULL || map->kind != PW_Y_MAP)
        return pw_conf_error(err, source, map, "memory_gates",
                             "expected a map of gate names to sizes, such as \"idle: 175MiB\"");
    pw_gate_t *g = pw_arena_calloc(arena, map->n ? map->n : 1, sizeof(*g));
    if (g == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    for (size_t i = 0; i < map->n; i++) {
        const pw_ynode_t *v = map->items[i];
        char path[192];
        snprintf(path, sizeof(path), "memory_gates.%s", map->keys[i]);
        uint64_t bytes;
        if (v->kind != PW_Y_SCALAR || pw_parse_size(v->value, &bytes) != 0 || bytes == 0)
            return pw_conf_error(err, source, v, path, "expected a size such as 485MiB, got %s",
                                 v->kind == PW_Y_SCALAR ? v->value : "a list or map");
        g[i].name = pw_arena_strdup(arena, map->keys[i]);
        if (g[i].name == NULL)
            return pw_err_set(err, PW_ENOMEM, "out of memory");
        g[i].bytes = bytes;
    }
    *gates = g;
    *n = map->n;
    return 0;
}

int pw_budget_from_gate(const char *name, const pw_gate_t *gates, size_t n, pw_budget_t *out,
                        pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    const char *bare = name;
    if (strncmp(name, gate_prefix, sizeof(gate_prefix) - 1) == 0)
        bare = name + sizeof(gate_prefix) - 1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(gates[i].name, bare) == 0) {
            out->bytes = gates[i].bytes;
            snprintf(out->name, sizeof(out->name), "%s", gates[i].name);
            snprintf(out->origin, sizeof(out->origin), "%s",
                     gates == default_gates ? "built-in gate" : "configured gate");
            return 0;
        }
    }
    char known[384];
    size_t off = 0;
    known[0] = '\0';
    for (size_t i = 0; i < n && off < sizeof(known); i++)
        off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
                                gates[i].name);
    return pw_err_set(err, PW_ENOENT, "unknown memory gate \"%s\"; the gates are: %s", name,
                      n ? known : "(none configured)");
}

int pw_budget_from_size(const char *text, pw_budget_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    uint64_t bytes;
    if (pw_parse_size(text, &bytes) != 0 || bytes == 0)
        return pw_err_set(err, PW_EINVAL,
                          "expected a budget size such as 300MiB or 1.5GiB, got \"%s\"", text);
    out->bytes = bytes;
    snprintf(out->origin, sizeof(out->origin), "size");
    return 0;
}

/* The case name of ".../CASE/experiment.yaml", else the file's name. */
static void experiment_name(const char *source, char *out, size_t n)
{
    const char *slash = strrchr(source, '/');
    const char *file = slash != NULL ? slash + 1 : source;
    if (strcmp(file, "experiment.yaml") == 0 && slash != NULL) {
        const char *end = slash;
        const char *start = end;
        while (start > source && start[-1] != '/')
            start--;
        if (end > start) {
            snprintf(out, n, "%.*s", (int)(end - start), start);
            return;
        }
    }
    snprintf(out, n, "%s", file);
}

/* The budget of a parsed experiment.yaml. */
static int from_doc(const pw_ydoc_t *doc, const char *source, pw_budget_t *out, pw_err_t *err)
{
    const pw_ynode_t *root = doc->root;
    const pw_ynode_t *checks = pw_ymap_get(root, "checks");
    const pw_ynode_t *found = NULL;
    char names[256];
    size_t off = 0;
    names[0] = '\0';
    if (root == NULL || root->kind != PW_Y_MAP)
        return pw_conf_error(err, source, root, "(top)",
                             "expected an SMP experiment: a map with a checks list");
    if (checks == NULL)
        return pw_err_set(err, PW_EINVAL,
                          "%s: no checks list, so no memory_usage check to take the budget from",
                          source);
    if (checks->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, checks, "checks", "expected a list of checks");
    for (size_t i = 0; i < checks->n; i++) {
        const pw_ynode_t *c = checks->items[i];
        char path[64];
        snprintf(path, sizeof(path), "checks[%zu]", i);
        if (c->kind != PW_Y_MAP)
            return pw_conf_error(err, source, c, path,
                                 "expected a check (a map with name and bounds)");
        const pw_ynode_t *name = pw_ymap_get(c, "name");
        if (name == NULL || name->kind != PW_Y_SCALAR)
            return pw_conf_error(err, source, c, path, "the check has no name");
        if (strcmp(name->value, "memory_usage") != 0) {
            if (off < sizeof(names))
                off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s", off ? ", " : "",
                                        name->value);
            continue;
        }
        if (found != NULL) {
            return pw_conf_error(err, source, c, path,
                                 "a second memory_usage check (the first is at line %d); keep one",
                                 found->line);
        }
        found = c;
    }
    if (found == NULL)
        return pw_err_set(err, PW_EINVAL, "%s: no check named memory_usage (checks: %s)", source,
                          off ? names : "none");
    const pw_ynode_t *bounds = pw_ymap_get(found, "bounds");
    if (bounds == NULL || bounds->kind != PW_Y_MAP)
        return pw_conf_error(err, source, bounds != NULL ? bounds : found, "memory_usage.bounds",
                             "expected a map with series: total_pss_bytes and upper_bound");
    const pw_ynode_t *series = pw_ymap_get(bounds, "series");
    if (series == NULL || series->kind != PW_Y_SCALAR ||
        strcmp(series->value, "total_pss_bytes") != 0)
        return pw_conf_error(err, source, series != NULL ? series : bounds,
                             "memory_usage.bounds.series",
                             "expected total_pss_bytes (the series profwatch measures), got %s",
                             series == NULL                ? "nothing"
                             : series->kind == PW_Y_SCALAR ? series->value
                                                           : "a list or map");
    const pw_ynode_t *upper = pw_ymap_get(bounds, "upper_bound");
    uint64_t bytes;
    if (upper == NULL || upper->kind != PW_Y_SCALAR || pw_parse_size(upper->value, &bytes) != 0)
        return pw_conf_error(err, source, upper != NULL ? upper : bounds,
                             "memory_usage.bounds.upper_bound",
                             "expected a size such as \"485.0 MiB\", got %s",
                             upper == NULL                ? "nothing"
                             : upper->kind == PW_Y_SCALAR ? upper->value
                                                          : "a list or map");
    /* A bare number is bytes to pw_parse_size; as a memory gate it is almost
     * certainly a forgotten unit. */
    if (bytes < MIB) {
        return pw_conf_error(err, source, upper, "memory_usage.bounds.upper_bound",
                             "\"%s\" is under 1 MiB; write the unit, such as \"%s MiB\"",
                             upper->value, upper->value);
    }
    out->bytes = bytes;
    experiment_name(source, out->name, sizeof(out->name));
    snprintf(out->origin, sizeof(out->origin), "%s:%d", source, upper->line);
    return 0;
}

int pw_budget_from_experiment(const char *data, size_t len, const char *source, pw_budget_t *out,
                              pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    pw_ydoc_t *doc = NULL;
    int rc = pw_yaml_parse(data, len, source, &doc, err);
    if (rc == 0)
        rc = from_doc(doc, source, out, err);
    pw_yaml_free(doc);
    return rc;
}

int pw_budget_load_experiment(const char *path, pw_budget_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    pw_ydoc_t *doc = NULL;
    int rc = pw_yaml_load_file(path, 1024 * 1024, &doc, err);
    if (rc == 0)
        rc = from_doc(doc, path, out, err);
    pw_yaml_free(doc);
    return rc;
}

void pw_budget_judge(const pw_budget_t *b, uint64_t total, int complete, const char *top_name,
                     uint64_t top_bytes, pw_budget_verdict_t *v, char *msg, size_t msg_cap)
{
    int over = total > b->bytes;
    uint64_t diff = over ? total - b->bytes : b->bytes - total;
    v->margin = over ? -(int64_t)diff : (int64_t)diff;
    v->margin_pct = b->bytes ? 100.0 * (double)v->margin / (double)b->bytes : 0;
    v->status = over ? PW_GATE_CRITICAL : complete ? PW_GATE_OK : PW_GATE_UNKNOWN;
    char t[32], d[32], bud[32], top[32], label[160];
    pw_fmt_mib(t, sizeof(t), total);
    pw_fmt_mib(d, sizeof(d), diff);
    pw_fmt_mib(bud, sizeof(bud), b->bytes);
    if (b->name[0] != '\0')
        snprintf(label, sizeof(label), "the %s budget", b->name);
    else
        snprintf(label, sizeof(label), "the budget");
    double pct = over ? -v->margin_pct : v->margin_pct;
    int n = complete ? snprintf(msg, msg_cap, "total PSS %s is %s (%.1f%%) %s %s of %s", t, d, pct,
                                over ? "over" : "under", label, bud)
                     : snprintf(msg, msg_cap,
                                "total PSS is at least %s (not every process could be read), "
                                "%s (%.1f%%) %s %s of %s",
                                t, d, pct, over ? "over" : "under", label, bud);
    if (n >= 0 && (size_t)n < msg_cap && top_name != NULL) {
        pw_fmt_mib(top, sizeof(top), top_bytes);
        snprintf(msg + n, msg_cap - (size_t)n, "; largest pathname: %s (%s)", top_name, top);
    }
}
