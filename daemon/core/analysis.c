#include "profwatch/analysis.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/buf.h"
#include "profwatch/graph.h"
#include "profwatch/top.h"

const char *pw_pk_suffix(pw_pk_t k)
{
    static const char *s[PW_PK_COUNT] = {"1st-heap", "2nd-heap", "cpu", "block", "mutex"};
    return k < PW_PK_COUNT ? s[k] : "";
}

const char *pw_verdict_name(pw_verdict_t v)
{
    static const char *s[] = {"normal", "memory_leak", "cpu_spike", "contention", "multiple"};
    return v <= PW_VERDICT_MULTIPLE ? s[v] : "normal";
}

const char *pw_verdict_title(pw_verdict_t v)
{
    static const char *s[] = {"Normal", "Memory Leak", "CPU Spike", "Contention",
                              "Multiple Issues"};
    return v <= PW_VERDICT_MULTIPLE ? s[v] : "Normal";
}

static const char *dup(pw_analysis_t *a, const char *s)
{
    const char *c = s ? pw_arena_strdup(a->arena, s) : NULL;
    return c;
}

void pw_analysis_note(pw_analysis_t *a, const char *fmt, ...)
{
    if (a->n_notes == PW_MAX_NOTES)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    const char *c = dup(a, buf);
    if (c != NULL)
        a->notes[a->n_notes++] = c;
}

/* Sample index name to rank by, when the profile has it; NULL: its default. */
static const char *index_if_present(const pw_profile_t *p, const char *name)
{
    for (size_t i = 0; i < p->n_sample_types; i++)
        if (strcmp(p->sample_types[i].type, name) == 0)
            return name;
    return NULL;
}

/* Builds the graph for one section and copies what the report needs. The
 * graph is freed before returning; *nodes_out (if not NULL) receives a copy of
 * every node for the rule, freed by the caller. */
static int fill_section(pw_analysis_t *a, pw_section_t *sec, const pw_graph_input_t *in,
                        size_t n_in, const char *index, pw_node_t **nodes_out, size_t *n_nodes,
                        pw_err_t *err)
{
    pw_graph_opts_t o;
    pw_graph_t *g = NULL;
    pw_buf_t text;
    pw_graph_opts_default(&o);
    o.sample_index = index;
    o.node_count = PW_TOP_ROWS;
    o.attribute = 1;
    int rc = pw_graph_build(in, n_in, &o, &g, err);
    if (rc != 0)
        return rc;
    sec->present = 1;
    sec->sample_type = dup(a, g->sample_type);
    sec->unit = dup(a, g->sample_unit);
    sec->total = g->total;
    for (size_t i = 0; i < g->n_shown && i < PW_TOP_ROWS; i++) {
        const pw_node_t *n = g->shown[i];
        pw_row_t *r = &sec->rows[sec->n_rows++];
        r->name = dup(a, n->name);
        r->flat = n->flat;
        r->cum = n->cum;
        r->attr = n->attr;
        double t = g->total ? (double)g->total : 1;
        r->flat_pct = (n->flat < 0 ? -(double)n->flat : (double)n->flat) / t * 100;
        r->cum_pct = (n->cum < 0 ? -(double)n->cum : (double)n->cum) / t * 100;
    }
    pw_buf_init(&text);
    pw_top_opts_t to = {.node_fraction = o.node_fraction};
    if (pw_top_render_text(in, n_in, g, &to, &text) == 0)
        sec->text = dup(a, text.data);
    pw_buf_free(&text);
    if (nodes_out != NULL) {
        *nodes_out = malloc((g->n_all + 1) * sizeof(pw_node_t));
        if (*nodes_out == NULL) {
            pw_graph_destroy(g);
            return pw_err_set(err, PW_ENOMEM, "out of memory");
        }
        memcpy(*nodes_out, g->all, g->n_all * sizeof(pw_node_t));
        /* Names point into the profiles, which outlive this call. */
        *n_nodes = g->n_all;
    }
    pw_graph_destroy(g);
    return 0;
}

static void keep_rule(pw_analysis_t *a, pw_section_t *sec, const pw_rule_result_t *r)
{
    sec->rule = *r;
    sec->top_name = r->top != NULL ? dup(a, r->top->name) : NULL;
    sec->rule.top = NULL; /* it pointed into a table that is about to go */
}

static void add_finding(pw_analysis_t *a, pw_verdict_t kind, const char *profile, const char *proc,
                        const pw_section_t *sec, int64_t value, const char *unit,
                        const pw_owners_t *owners)
{
    if (a->n_findings == PW_MAX_FINDINGS)
        return;
    pw_finding_t *f = &a->findings[a->n_findings++];
    const char *fn = sec->top_name ? sec->top_name : "(no single function)";
    const pw_owner_rule_t *o = pw_owners_match(owners, fn);
    f->kind = kind;
    f->profile = profile;
    f->process = dup(a, proc);
    f->function = dup(a, fn);
    f->value = value;
    f->unit = unit;
    f->detail = dup(a, sec->rule.why);
    f->owner = dup(a, o->owner);
    f->meaning = dup(a, o->meaning);
    f->escalate = dup(a, o->escalate);
}

static const char *files_of(pw_analysis_t *a, const pw_proc_input_t *p, pw_pk_t k1, pw_pk_t k2)
{
    char buf[512];
    if (p->file[k1] != NULL && (k2 == PW_PK_COUNT || p->file[k2] == NULL))
        return dup(a, p->file[k1]);
    if (p->file[k1] != NULL)
        snprintf(buf, sizeof(buf), "%s, %s", p->file[k1], p->file[k2]);
    else if (k2 != PW_PK_COUNT && p->file[k2] != NULL)
        snprintf(buf, sizeof(buf), "%s", p->file[k2]);
    else
        return NULL;
    return dup(a, buf);
}

/* The value of a rule's top function in the full table (the shown rows may
 * not include it). */
static int64_t attr_of(const pw_node_t *nodes, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(nodes[i].name, name) == 0)
            return nodes[i].attr;
    return 0;
}

static int analyze_heap(pw_analysis_t *a, pw_proc_report_t *pr, const pw_proc_input_t *p,
                        const pw_rules_t *rules, const pw_owners_t *owners, pw_err_t *err)
{
    const pw_profile_t *h1 = p->prof[PW_PK_HEAP1], *h2 = p->prof[PW_PK_HEAP2];
    pw_section_t *sec = &pr->heap;
    sec->files = files_of(a, p, PW_PK_HEAP1, PW_PK_HEAP2);
    for (int k = PW_PK_HEAP1; k <= PW_PK_HEAP2; k++)
        if (p->error[k] != NULL)
            sec->problem = dup(a, p->error[k]);
    if (h1 == NULL && h2 == NULL)
        return 0;
    const pw_profile_t *one = h2 ? h2 : h1;
    if (h1 == NULL || h2 == NULL) {
        pw_graph_input_t in = {one, 0};
        pw_analysis_note(a, "%s: only one heap snapshot was readable, so growth cannot be measured",
                         p->name);
        return fill_section(a, sec, &in, 1, index_if_present(one, "inuse_space"), NULL, NULL, err);
    }
    pw_graph_input_t in[2] = {{h2, 0}, {h1, 1}};
    pw_node_t *nodes = NULL;
    size_t n = 0;
    int rc = fill_section(a, sec, in, 2, index_if_present(h2, "inuse_space"), &nodes, &n, err);
    if (rc != 0) {
        /* Two snapshots that cannot be compared: say why, keep going. */
        sec->problem = dup(a, err->msg);
        sec->present = 0;
        return 0;
    }
    pr->heap_is_diff = 1;
    if (h1->time_nanos > 0 && h2->time_nanos > h1->time_nanos)
        pr->heap_gap_s = (double)(h2->time_nanos - h1->time_nanos) / 1e9;
    int64_t growth = 0;
    for (size_t i = 0; i < n; i++)
        growth = (int64_t)((uint64_t)growth + (uint64_t)nodes[i].flat);
    pr->heap_growth = growth;
    pw_rule_result_t r;
    pw_rule_leak(nodes, n, pr->heap_gap_s, rules, &r);
    keep_rule(a, sec, &r);
    if (r.fired)
        add_finding(a, PW_VERDICT_LEAK, "heap", p->name, sec, attr_of(nodes, n, sec->top_name),
                    "bytes", owners);
    free(nodes);
    return 0;
}

static int analyze_kind(pw_analysis_t *a, pw_proc_report_t *pr, pw_section_t *sec,
                        const pw_proc_input_t *p, pw_pk_t k, const pw_rules_t *rules,
                        const pw_owners_t *owners, pw_err_t *err)
{
    const pw_profile_t *prof = p->prof[k];
    sec->files = files_of(a, p, k, PW_PK_COUNT);
    if (p->error[k] != NULL)
        sec->problem = dup(a, p->error[k]);
    if (prof == NULL)
        return 0;
    pw_graph_input_t in = {prof, 0};
    pw_node_t *nodes = NULL;
    size_t n = 0;
    const char *index = k == PW_PK_CPU ? NULL : index_if_present(prof, "delay");
    int rc = fill_section(a, sec, &in, 1, index, &nodes, &n, err);
    if (rc != 0) {
        sec->problem = dup(a, err->msg);
        sec->present = 0;
        return 0;
    }
    pw_rule_result_t r;
    if (k == PW_PK_CPU) {
        pw_rule_cpu(nodes, n, sec->total, rules, &r);
        keep_rule(a, sec, &r);
        if (r.fired)
            add_finding(a, PW_VERDICT_CPU, "cpu", p->name, sec, attr_of(nodes, n, sec->top_name),
                        "nanoseconds", owners);
    } else {
        const char *what = k == PW_PK_BLOCK ? "block" : "mutex";
        if (prof->n_samples == 0 && sec->problem == NULL)
            sec->problem = dup(a, k == PW_PK_BLOCK
                                      ? "empty: block profiling is off in the agent "
                                        "(internal_profiling.block_profile_rate, or flare -B)"
                                      : "empty: mutex profiling is off in the agent "
                                        "(internal_profiling.mutex_profile_fraction, or flare -M)");
        pw_rule_contention(nodes, n, sec->total, what, rules, &r);
        keep_rule(a, sec, &r);
        if (r.fired)
            add_finding(a, PW_VERDICT_CONTENTION, what, p->name, sec,
                        attr_of(nodes, n, sec->top_name), "nanoseconds", owners);
    }
    (void)pr;
    free(nodes);
    return 0;
}

pw_analysis_t *pw_analyze(const pw_proc_input_t *procs, size_t n_procs, const pw_rules_t *rules,
                          const pw_owners_t *owners, pw_err_t *err)
{
    pw_rules_t defaults;
    if (rules == NULL) {
        pw_rules_defaults(&defaults);
        rules = &defaults;
    }
    pw_analysis_t *a = calloc(1, sizeof(*a));
    if (a == NULL || (a->arena = pw_arena_create(0)) == NULL) {
        free(a);
        pw_err_set(err, PW_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n_procs && a->n_procs < PW_MAX_PROCS; i++) {
        const pw_proc_input_t *p = &procs[i];
        pw_proc_report_t *pr = &a->procs[a->n_procs++];
        pr->name = dup(a, p->name);
        pr->trace_bytes = p->trace_bytes;
        for (int k = 0; k < PW_PK_COUNT; k++) {
            if (p->prof[k] != NULL)
                a->profiles_found = 1;
            if (p->error[k] != NULL)
                pw_analysis_note(a, "%s could not be read: %s",
                                 p->file[k] ? p->file[k] : pw_pk_suffix(k), p->error[k]);
        }
        if (analyze_heap(a, pr, p, rules, owners, err) != 0 ||
            analyze_kind(a, pr, &pr->cpu, p, PW_PK_CPU, rules, owners, err) != 0 ||
            analyze_kind(a, pr, &pr->block, p, PW_PK_BLOCK, rules, owners, err) != 0 ||
            analyze_kind(a, pr, &pr->mutex, p, PW_PK_MUTEX, rules, owners, err) != 0) {
            pw_analysis_destroy(a);
            return NULL;
        }
    }
    unsigned kinds = 0;
    for (size_t i = 0; i < a->n_findings; i++)
        kinds |= 1u << a->findings[i].kind;
    if (kinds == 0)
        a->verdict = PW_VERDICT_NORMAL;
    else if ((kinds & (kinds - 1)) != 0)
        a->verdict = PW_VERDICT_MULTIPLE;
    else
        a->verdict = a->findings[0].kind;
    return a;
}

void pw_analysis_destroy(pw_analysis_t *a)
{
    if (a == NULL)
        return;
    pw_arena_destroy(a->arena);
    free(a);
}
