#include "profwatch/top.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "profwatch/json.h"
#include "profwatch/units.h"

static inline int64_t wadd(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t wmul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static inline int64_t wabs(int64_t a)
{
    return a < 0 ? (int64_t)(0 - (uint64_t)a) : a;
}

static int64_t f2i(double v)
{
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)v;
}

/* The header pprof gets after merging a profile with its base: the earliest
 * time (pprof's merge keeps a zero time if one comes second), the summed
 * duration, the first profile's first mapping, and comments without repeats. */
typedef struct {
    const pw_mapping_t *main;
    int64_t time_nanos;
    int64_t duration_nanos;
} header_t;

static void merge_header(const pw_graph_input_t *in, size_t n, header_t *h)
{
    memset(h, 0, sizeof(*h));
    for (size_t i = 0; i < n; i++) {
        const pw_profile_t *p = in[i].profile;
        if (h->time_nanos == 0 || p->time_nanos < h->time_nanos)
            h->time_nanos = p->time_nanos;
        h->duration_nanos = wadd(h->duration_nanos, p->duration_nanos);
        if (h->main == NULL && p->n_mappings > 0)
            h->main = &p->mappings[0];
    }
}

static int comment_seen(const pw_graph_input_t *in, size_t upto_input, size_t upto_comment,
                        const char *c)
{
    for (size_t i = 0; i <= upto_input; i++) {
        const pw_profile_t *p = in[i].profile;
        size_t lim = i == upto_input ? upto_comment : p->n_comments;
        for (size_t k = 0; k < lim; k++)
            if (strcmp(p->comments[k], c) == 0)
                return 1;
    }
    return 0;
}

static const char *path_base(const char *path, char *out, size_t n)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t s = len;
    while (s > 0 && path[s - 1] != '/')
        s--;
    if (len == 1 && path[0] == '/')
        s = 0;
    size_t k = len - s < n - 1 ? len - s : n - 1;
    memcpy(out, path + s, k);
    out[k] = '\0';
    return out;
}

void pw_top_format_time(int64_t unix_nanos, char *out, size_t n)
{
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t sec = unix_nanos / 1000000000;
    if (unix_nanos % 1000000000 < 0)
        sec--;
    time_t t = (time_t)sec;
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL) {
        snprintf(out, n, "?");
        return;
    }
    int h12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    snprintf(out, n, "%s %d, %d at %d:%02d%s (%s)", months[tm.tm_mon], tm.tm_mday,
             tm.tm_year + 1900, h12, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm",
             tm.tm_zone ? tm.tm_zone : "UTC");
}

/* pprof's selectOutputUnit: the unit of the smallest non-zero row, bumped to
 * the total's unit when that lets the smallest still print as >= 0.01. */
static const char *output_unit(const pw_graph_t *g)
{
    if (g->n_shown == 0)
        return "minimum";
    int64_t min = 0;
    for (size_t i = 0; i < g->n_shown; i++) {
        int64_t v = wabs(g->shown[i]->flat);
        if (v == 0)
            v = wabs(g->shown[i]->cum);
        if (v > 0 && (min == 0 || v < min))
            min = v;
    }
    int64_t max = g->total;
    if (min == 0)
        min = max;
    const char *min_unit, *max_unit, *unit;
    pw_units_scale(min, g->sample_unit, "minimum", &min_unit);
    pw_units_scale(max, g->sample_unit, "minimum", &max_unit);
    unit = min_unit;
    if (strcmp(min_unit, max_unit) != 0 && wmul(min, 100) < max)
        pw_units_scale(wmul(100, min), g->sample_unit, "minimum", &unit);
    return unit[0] != '\0' ? unit : g->sample_unit;
}

typedef struct {
    const char *unit;
    int64_t flat_sum;
    int64_t cutoff;
} summary_t;

static void summarize(const pw_graph_t *g, const pw_top_opts_t *o, summary_t *s)
{
    s->unit = output_unit(g);
    s->flat_sum = 0;
    for (size_t i = 0; i < g->n_shown; i++)
        s->flat_sum = wadd(s->flat_sum, g->shown[i]->flat);
    double frac = o && o->node_fraction > 0 ? o->node_fraction : 0.005;
    s->cutoff = wabs(f2i((double)g->total * frac));
}

static void label(const pw_graph_t *g, const summary_t *s, int64_t v, char *out, size_t n)
{
    pw_units_label(out, n, v, g->sample_unit, s->unit);
}

static void trim(char *s)
{
    size_t i = 0;
    while (s[i] == ' ')
        i++;
    memmove(s, s + i, strlen(s + i) + 1);
}

int pw_top_render_text(const pw_graph_input_t *inputs, size_t n_inputs, const pw_graph_t *g,
                       const pw_top_opts_t *opts, pw_buf_t *out)
{
    header_t h;
    summary_t s;
    char a[64], b[64], c[64], d[64], e[64], name[512];
    merge_header(inputs, n_inputs, &h);
    summarize(g, opts, &s);

    if (h.main != NULL && h.main->file[0] != '\0')
        pw_buf_printf(out, "File: %s\n", path_base(h.main->file, name, sizeof(name)));
    if (h.main != NULL && h.main->build_id[0] != '\0')
        pw_buf_printf(out, "Build ID: %s\n", h.main->build_id);
    for (size_t i = 0; i < n_inputs; i++) {
        const pw_profile_t *p = inputs[i].profile;
        for (size_t k = 0; k < p->n_comments; k++)
            if (p->comments[k][0] != '#' && !comment_seen(inputs, i, k, p->comments[k]))
                pw_buf_printf(out, "%s\n", p->comments[k]);
    }
    if (g->sample_type[0] != '\0')
        pw_buf_printf(out, "Type: %s\n", g->sample_type);
    if (h.time_nanos != 0) {
        pw_top_format_time(h.time_nanos, a, sizeof(a));
        pw_buf_printf(out, "Time: %s\n", a);
    }
    if (h.duration_nanos != 0) {
        const char *tu;
        double tn = pw_units_scale(g->total, g->sample_unit, "nanoseconds", &tu);
        pw_units_label(a, sizeof(a), h.duration_nanos, "nanoseconds", "auto");
        label(g, &s, g->total, b, sizeof(b));
        c[0] = '\0';
        if (strcmp(tu, "ns") == 0 && tn != 0) {
            pw_units_percent(d, sizeof(d), f2i(tn), h.duration_nanos);
            snprintf(c, sizeof(c), "(%s)", d);
        }
        pw_buf_printf(out, "Duration: %s, Total samples = %s %s\n", a, b, c);
    }
    label(g, &s, s.flat_sum, a, sizeof(a));
    pw_units_percent(b, sizeof(b), s.flat_sum, g->total);
    trim(b);
    label(g, &s, g->total, c, sizeof(c));
    pw_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n", a, b, c);
    if (g->total != 0) {
        if (g->dropped_nodes > 0) {
            label(g, &s, s.cutoff, a, sizeof(a));
            pw_buf_printf(out, "Dropped %zu node%s (cum <= %s)\n", g->dropped_nodes,
                          g->dropped_nodes > 1 ? "s" : "", a);
        }
        if (g->n_shown > 0 && g->n_shown < g->orig_count)
            pw_buf_printf(out, "Showing top %zu nodes out of %zu\n", g->n_shown, g->orig_count);
    }
    pw_buf_printf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
    int64_t sum = 0;
    for (size_t i = 0; i < g->n_shown; i++) {
        const pw_node_t *n = g->shown[i];
        sum = wadd(sum, n->flat);
        label(g, &s, n->flat, a, sizeof(a));
        pw_units_percent(b, sizeof(b), n->flat, g->total);
        pw_units_percent(c, sizeof(c), sum, g->total);
        label(g, &s, n->cum, d, sizeof(d));
        pw_units_percent(e, sizeof(e), n->cum, g->total);
        const char *inl = n->inline_kind == PW_INLINE_FULL      ? " (inline)"
                          : n->inline_kind == PW_INLINE_PARTIAL ? " (partial-inline)"
                                                                : "";
        pw_buf_printf(out, "%10s %s %s %10s %s  ", a, b, c, d, e);
        pw_buf_puts(out, n->name);
        pw_buf_puts(out, inl);
        pw_buf_putc(out, '\n');
    }
    return out->oom ? -1 : 0;
}

static double pct(int64_t v, int64_t total)
{
    if (total == 0)
        return 0;
    double r = (double)v / (double)total * 100;
    return r < 0 ? -r : r;
}

int pw_top_render_json(const pw_graph_input_t *inputs, size_t n_inputs, const pw_graph_t *g,
                       const pw_top_opts_t *opts, pw_buf_t *out)
{
    header_t h;
    summary_t s;
    pw_json_t j;
    char a[64], name[512];
    merge_header(inputs, n_inputs, &h);
    summarize(g, opts, &s);

    pw_json_init(&j, out, 1);
    pw_json_obj_begin(&j);
    if (opts != NULL && opts->source != NULL) {
        pw_json_key(&j, "source");
        pw_json_str(&j, opts->source);
    }
    pw_json_key(&j, "file");
    if (h.main != NULL && h.main->file[0] != '\0')
        pw_json_str(&j, path_base(h.main->file, name, sizeof(name)));
    else
        pw_json_null(&j);
    pw_json_key(&j, "build_id");
    if (h.main != NULL && h.main->build_id[0] != '\0')
        pw_json_str(&j, h.main->build_id);
    else
        pw_json_null(&j);
    pw_json_key(&j, "diff");
    pw_json_bool(&j, n_inputs > 1);
    pw_json_key(&j, "sample_type");
    pw_json_str(&j, g->sample_type);
    pw_json_key(&j, "sample_unit");
    pw_json_str(&j, g->sample_unit);
    pw_json_key(&j, "output_unit");
    pw_json_str(&j, s.unit);
    pw_json_key(&j, "time_nanos");
    pw_json_int(&j, h.time_nanos);
    pw_json_key(&j, "duration_nanos");
    pw_json_int(&j, h.duration_nanos);
    pw_json_key(&j, "total");
    pw_json_int(&j, g->total);
    label(g, &s, g->total, a, sizeof(a));
    pw_json_key(&j, "total_label");
    pw_json_str(&j, a);
    pw_json_key(&j, "shown_flat");
    pw_json_int(&j, s.flat_sum);
    pw_json_key(&j, "dropped_nodes");
    pw_json_uint(&j, g->dropped_nodes);
    pw_json_key(&j, "dropped_cutoff");
    pw_json_int(&j, s.cutoff);
    pw_json_key(&j, "nodes_before_limit");
    pw_json_uint(&j, g->orig_count);
    pw_json_key(&j, "rows");
    pw_json_arr_begin(&j);
    int64_t sum = 0;
    for (size_t i = 0; i < g->n_shown; i++) {
        const pw_node_t *n = g->shown[i];
        sum = wadd(sum, n->flat);
        pw_json_obj_begin(&j);
        pw_json_key(&j, "name");
        pw_json_str(&j, n->name);
        pw_json_key(&j, "flat");
        pw_json_int(&j, n->flat);
        label(g, &s, n->flat, a, sizeof(a));
        pw_json_key(&j, "flat_label");
        pw_json_str(&j, a);
        pw_json_key(&j, "flat_pct");
        pw_json_double(&j, pct(n->flat, g->total));
        pw_json_key(&j, "sum_pct");
        pw_json_double(&j, pct(sum, g->total));
        pw_json_key(&j, "cum");
        pw_json_int(&j, n->cum);
        label(g, &s, n->cum, a, sizeof(a));
        pw_json_key(&j, "cum_label");
        pw_json_str(&j, a);
        pw_json_key(&j, "cum_pct");
        pw_json_double(&j, pct(n->cum, g->total));
        pw_json_key(&j, "inline");
        if (n->inline_kind == PW_INLINE_FULL)
            pw_json_str(&j, "inline");
        else if (n->inline_kind == PW_INLINE_PARTIAL)
            pw_json_str(&j, "partial-inline");
        else
            pw_json_null(&j);
        pw_json_obj_end(&j);
    }
    pw_json_arr_end(&j);
    pw_json_obj_end(&j);
    pw_buf_putc(out, '\n');
    return out->oom ? -1 : 0;
}
