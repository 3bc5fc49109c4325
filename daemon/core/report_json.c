/* The JSON report: a stable contract for scripts (documented in README,
 * "analyze --json contract"). Fields are only ever added, never renamed. */
#include <string.h>

#include "profwatch/json.h"
#include "profwatch/report.h"

static void str_or_null(pw_json_t *j, const char *s)
{
    if (s != NULL && s[0] != '\0')
        pw_json_str(j, s);
    else
        pw_json_null(j);
}

static void rows(pw_json_t *j, const pw_section_t *s)
{
    pw_json_arr_begin(j);
    for (size_t i = 0; i < s->n_rows; i++) {
        const pw_row_t *r = &s->rows[i];
        pw_json_obj_begin(j);
        pw_json_key(j, "name");
        pw_json_str(j, r->name);
        pw_json_key(j, "flat");
        pw_json_int(j, r->flat);
        pw_json_key(j, "flat_pct");
        pw_json_double(j, r->flat_pct);
        pw_json_key(j, "cum");
        pw_json_int(j, r->cum);
        pw_json_key(j, "cum_pct");
        pw_json_double(j, r->cum_pct);
        pw_json_key(j, "attributed");
        pw_json_int(j, r->attr);
        pw_json_obj_end(j);
    }
    pw_json_arr_end(j);
}

static void section(pw_json_t *j, const char *key, const pw_section_t *s)
{
    pw_json_key(j, key);
    if (!s->present && s->problem == NULL && s->files == NULL) {
        pw_json_null(j);
        return;
    }
    pw_json_obj_begin(j);
    pw_json_key(j, "present");
    pw_json_bool(j, s->present);
    pw_json_key(j, "files");
    str_or_null(j, s->files);
    pw_json_key(j, "problem");
    str_or_null(j, s->problem);
    if (s->present) {
        pw_json_key(j, "sample_type");
        pw_json_str(j, s->sample_type);
        pw_json_key(j, "unit");
        pw_json_str(j, s->unit);
        pw_json_key(j, "total");
        pw_json_int(j, s->total);
        pw_json_key(j, "rule");
        pw_json_obj_begin(j);
        pw_json_key(j, "judged");
        pw_json_bool(j, s->rule.judged);
        pw_json_key(j, "fired");
        pw_json_bool(j, s->rule.fired);
        pw_json_key(j, "function");
        str_or_null(j, s->top_name);
        pw_json_key(j, "measure");
        pw_json_double(j, s->rule.measure);
        pw_json_key(j, "why");
        pw_json_str(j, s->rule.why);
        pw_json_obj_end(j);
        pw_json_key(j, "top");
        rows(j, s);
    }
    pw_json_obj_end(j);
}

static void series(pw_json_t *j, const char *key, const pw_window_point_t *p, size_t n)
{
    pw_window_sum_t s;
    pw_json_key(j, key);
    if (n == 0) {
        pw_json_null(j);
        return;
    }
    pw_window_summary(p, n, &s);
    pw_json_obj_begin(j);
    pw_json_key(j, "points");
    pw_json_uint(j, n);
    pw_json_key(j, "start_unix_ms");
    pw_json_int(j, s.t_first);
    pw_json_key(j, "end_unix_ms");
    pw_json_int(j, s.t_last);
    pw_json_key(j, "start_bytes");
    pw_json_int(j, s.first);
    pw_json_key(j, "end_bytes");
    pw_json_int(j, s.last);
    pw_json_key(j, "growth_bytes");
    pw_json_int(j, s.growth);
    pw_json_key(j, "min_bytes");
    pw_json_int(j, s.min);
    pw_json_key(j, "max_bytes");
    pw_json_int(j, s.max);
    pw_json_obj_end(j);
}

static void int_or_null(pw_json_t *j, int64_t v)
{
    if (v >= 0)
        pw_json_int(j, v);
    else
        pw_json_null(j);
}

/* A daemon capture's window (null for a flare). */
static void window(pw_json_t *j, const pw_window_t *w)
{
    pw_json_key(j, "window");
    if (w == NULL) {
        pw_json_null(j);
        return;
    }
    pw_json_obj_begin(j);
    pw_json_key(j, "process");
    str_or_null(j, w->process);
    pw_json_key(j, "verdict");
    str_or_null(j, w->verdict);
    pw_json_key(j, "window_ms");
    int_or_null(j, w->window_ms);
    series(j, "pss", w->pss, w->n_pss);
    series(j, "heap", w->heap, w->n_heap);
    pw_json_key(j, "trend");
    str_or_null(j, w->trend);
    pw_json_key(j, "trend_text");
    str_or_null(j, w->trend_text);
    pw_json_key(j, "top_pathname");
    str_or_null(j, w->top_pathname);
    pw_json_key(j, "top_pathname_pss_bytes");
    int_or_null(j, w->top_pathname[0] ? w->top_pathname_pss : -1);
    pw_json_key(j, "gate");
    if (!w->have_gate) {
        pw_json_null(j);
    } else {
        int64_t margin, pss;
        int have = pw_window_margin(w, &margin, &pss) == 0;
        pw_json_obj_begin(j);
        pw_json_key(j, "name");
        str_or_null(j, w->gate_name);
        pw_json_key(j, "budget_bytes");
        int_or_null(j, w->budget_bytes);
        pw_json_key(j, "origin");
        str_or_null(j, w->gate_origin);
        pw_json_key(j, "status");
        str_or_null(j, w->gate_status);
        pw_json_key(j, "pss_bytes");
        if (have)
            pw_json_int(j, pss);
        else
            pw_json_null(j);
        pw_json_key(j, "margin_bytes");
        if (have)
            pw_json_int(j, margin);
        else
            pw_json_null(j);
        pw_json_obj_end(j);
    }
    pw_json_obj_end(j);
}

int pw_report_json(const pw_report_t *r, pw_buf_t *out)
{
    const pw_analysis_t *a = r->analysis;
    const pw_agentctx_t *c = r->agent;
    pw_json_t j;
    pw_json_init(&j, out, 1);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "hostname");
    pw_json_str(&j, r->hostname);
    pw_json_key(&j, "source");
    pw_json_str(&j, r->source);
    pw_json_key(&j, "generated_by");
    pw_json_str(&j, "profwatch " PW_VERSION);
    pw_json_key(&j, "generated_at");
    pw_json_int(&j, r->generated_unix_s);

    pw_json_key(&j, "agent");
    pw_json_obj_begin(&j);
    pw_json_key(&j, "version");
    str_or_null(&j, c ? c->version : NULL);
    pw_json_key(&j, "uptime_seconds");
    if (c != NULL && c->uptime_s >= 0)
        pw_json_int(&j, c->uptime_s);
    else
        pw_json_null(&j);
    pw_json_key(&j, "go_version");
    str_or_null(&j, c ? c->go_version : NULL);
    pw_json_key(&j, "install_method");
    str_or_null(&j, c && c->has_install ? c->install_tool : NULL);
    pw_json_key(&j, "pid");
    if (c != NULL && c->pid > 0)
        pw_json_int(&j, c->pid);
    else
        pw_json_null(&j);
    pw_json_obj_end(&j);

    pw_json_key(&j, "memstats");
    if (r->memstats != NULL) {
        pw_json_obj_begin(&j);
        for (int f = 0; f < PW_MS_COUNT; f++) {
            if (!r->memstats->present[f])
                continue;
            pw_json_key(&j, pw_memstats_go_name((pw_ms_field_t)f));
            pw_json_double(&j, r->memstats->value[f]);
        }
        pw_json_obj_end(&j);
    } else {
        pw_json_null(&j);
    }

    window(&j, r->window);

    pw_json_key(&j, "verdict");
    pw_json_str(&j, pw_verdict_name(a->verdict));
    pw_json_key(&j, "profiles_found");
    pw_json_bool(&j, a->profiles_found);

    pw_json_key(&j, "findings");
    pw_json_arr_begin(&j);
    for (size_t i = 0; i < a->n_findings; i++) {
        const pw_finding_t *f = &a->findings[i];
        pw_json_obj_begin(&j);
        pw_json_key(&j, "kind");
        pw_json_str(&j, pw_verdict_name(f->kind));
        pw_json_key(&j, "process");
        pw_json_str(&j, f->process);
        pw_json_key(&j, "profile");
        pw_json_str(&j, f->profile);
        pw_json_key(&j, "function");
        pw_json_str(&j, f->function);
        pw_json_key(&j, "value");
        pw_json_int(&j, f->value);
        pw_json_key(&j, "unit");
        pw_json_str(&j, f->unit);
        pw_json_key(&j, "owner");
        pw_json_str(&j, f->owner);
        pw_json_key(&j, "escalate_to");
        pw_json_str(&j, f->escalate);
        pw_json_key(&j, "detail");
        pw_json_str(&j, f->detail);
        pw_json_obj_end(&j);
    }
    pw_json_arr_end(&j);

    pw_json_key(&j, "processes");
    pw_json_obj_begin(&j);
    for (size_t i = 0; i < a->n_procs; i++) {
        const pw_proc_report_t *p = &a->procs[i];
        pw_json_key(&j, p->name);
        pw_json_obj_begin(&j);
        pw_json_key(&j, "heap_diff_seconds");
        if (p->heap_is_diff && p->heap_gap_s > 0)
            pw_json_double(&j, p->heap_gap_s);
        else
            pw_json_null(&j);
        pw_json_key(&j, "heap_growth_bytes");
        if (p->heap_is_diff)
            pw_json_int(&j, p->heap_growth);
        else
            pw_json_null(&j);
        section(&j, "heap", &p->heap);
        section(&j, "cpu", &p->cpu);
        section(&j, "block", &p->block);
        section(&j, "mutex", &p->mutex);
        pw_json_key(&j, "trace_bytes");
        if (p->trace_bytes >= 0)
            pw_json_int(&j, p->trace_bytes);
        else
            pw_json_null(&j);
        pw_json_obj_end(&j);
    }
    pw_json_obj_end(&j);

    pw_json_key(&j, "goroutines");
    if (r->goroutines >= 0)
        pw_json_int(&j, r->goroutines);
    else
        pw_json_null(&j);
    pw_json_key(&j, "running_checks");
    pw_json_arr_begin(&j);
    for (size_t i = 0; c != NULL && i < c->n_checks; i++) {
        pw_json_obj_begin(&j);
        pw_json_key(&j, "name");
        pw_json_str(&j, c->checks[i].name);
        pw_json_key(&j, "version");
        str_or_null(&j, c->checks[i].version);
        pw_json_key(&j, "instances");
        pw_json_int(&j, c->checks[i].instances);
        pw_json_key(&j, "errors");
        pw_json_int(&j, c->checks[i].errors);
        pw_json_key(&j, "warnings");
        pw_json_int(&j, c->checks[i].warnings);
        pw_json_obj_end(&j);
    }
    pw_json_arr_end(&j);
    pw_json_key(&j, "notes");
    pw_json_arr_begin(&j);
    for (size_t i = 0; i < a->n_notes; i++)
        pw_json_str(&j, a->notes[i]);
    pw_json_arr_end(&j);
    pw_json_obj_end(&j);
    pw_buf_putc(out, '\n');
    return out->oom ? PW_ENOMEM : 0;
}
