/* The markdown report, section by section in the seed's order: Agent Context,
 * Memory Stats (and a daemon capture's Memory Trend), the core agent's Heap Diff, CPU, Block and
 * Mutex profiles, the same for the trace-agent and every other process, Trace Files, Goroutine
 * Dump, Running Checks, Verdict, Recommendations, Customer Message and the
 * Escalation Summary. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "profwatch/gzip.h"
#include "profwatch/report.h"
#include "profwatch/units.h"

const char pw_report_request_profiling[] =
    "To investigate the resource usage issue, we need to collect Go profiling data from the "
    "agent. Please do the following:\n"
    "\n"
    "1. Wait until the issue (high memory/CPU) is actively occurring\n"
    "2. Run the following command:\n"
    "\n"
    "   sudo datadog-agent flare --profile 30\n"
    "\n"
    "3. Send us the resulting flare number\n"
    "\n"
    "This will capture a 30-second snapshot of where the agent is spending CPU and memory, "
    "which we will analyze to identify the source of the issue.\n"
    "\n"
    "If the issue is intermittent and hard to catch, you can enable continuous profiling "
    "instead:\n"
    "- Add `internal_profiling: enabled: true` under the root of your `datadog.yaml`\n"
    "- Restart the agent\n"
    "- When the issue next occurs, send a normal flare — profiles will be included "
    "automatically\n";

static void size_str(char *out, size_t n, int64_t bytes)
{
    char b[32];
    uint64_t mag = bytes < 0 ? (uint64_t)0 - (uint64_t)bytes : (uint64_t)bytes;
    pw_fmt_size(b, sizeof(b), mag);
    snprintf(out, n, "%s%s", bytes < 0 ? "-" : "", b);
}

static void dur_str(char *out, size_t n, int64_t s)
{
    if (s < 0) {
        snprintf(out, n, "unknown");
        return;
    }
    int64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
    if (d > 0)
        snprintf(out, n, "%" PRId64 "d %" PRId64 "h %" PRId64 "m", d, h, m);
    else if (h > 0)
        snprintf(out, n, "%" PRId64 "h %" PRId64 "m %" PRId64 "s", h, m, sec);
    else if (m > 0)
        snprintf(out, n, "%" PRId64 "m %" PRId64 "s", m, sec);
    else
        snprintf(out, n, "%" PRId64 "s", sec);
}

static void utc_str(char *out, size_t n, int64_t unix_ms)
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    if (unix_ms <= 0 || gmtime_r(&t, &tm) == NULL) {
        snprintf(out, n, "unknown");
        return;
    }
    strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* A value in its sample unit, as pprof would label it ("12.50MB", "1.28s"). */
static void val_str(char *out, size_t n, int64_t v, const char *unit)
{
    pw_units_label(out, n, v, unit ? unit : "count", "auto");
}

/* Markdown table cells: pipes and newlines would break the row. */
static void cell(pw_buf_t *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            pw_buf_puts(b, "\\|");
        else if (*s == '\n' || *s == '\r')
            pw_buf_putc(b, ' ');
        else
            pw_buf_putc(b, *s);
    }
}

static const char *or_unknown(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "unknown";
}

static void agent_context(const pw_report_t *r, pw_buf_t *b)
{
    const pw_agentctx_t *c = r->agent;
    char up[64], start[48];
    pw_buf_puts(b, "## Agent Context\n\n");
    if (c == NULL || (!c->has_status && !c->has_install)) {
        pw_buf_puts(b, "The flare has neither `status.log` nor `install_info.log`: the agent's "
                       "version, uptime and install method are unknown.\n\n");
        return;
    }
    dur_str(up, sizeof(up), c->uptime_s);
    utc_str(start, sizeof(start), c->start_ms);
    pw_buf_puts(b, "| | |\n|---|---|\n");
    pw_buf_printf(b, "| Version | %s |\n", or_unknown(c->version));
    pw_buf_printf(b, "| Uptime | %s%s%s%s |\n", up, c->start_ms > 0 ? " (started " : "",
                  c->start_ms > 0 ? start : "", c->start_ms > 0 ? ")" : "");
    pw_buf_puts(b, "| Hostname | ");
    cell(b, r->hostname);
    pw_buf_puts(b, " |\n| Install method | ");
    if (c->has_install) {
        cell(b, or_unknown(c->install_tool));
        if (c->install_tool_version[0]) {
            pw_buf_puts(b, " (");
            cell(b, c->install_tool_version);
            pw_buf_puts(b, ")");
        }
    } else {
        pw_buf_puts(b, "unknown (no install_info.log)");
    }
    pw_buf_printf(b, " |\n| Go version | %s |\n", or_unknown(c->go_version));
    if (c->python_version[0])
        pw_buf_printf(b, "| Python version | %s |\n", c->python_version);
    if (c->pid > 0)
        pw_buf_printf(b, "| Pid | %d |\n", c->pid);
    if (!c->has_status)
        pw_buf_puts(b, "\n`status.log` is missing: version and uptime are unknown.\n");
    pw_buf_putc(b, '\n');
}

static void memory_stats(const pw_report_t *r, pw_buf_t *b)
{
    pw_buf_puts(b, "## Memory Stats\n\n");
    if (r->memstats == NULL) {
        pw_buf_printf(b, "No memory statistics: %s.\n\n",
                      r->memstats_problem ? r->memstats_problem
                                          : "the flare has no expvar/memstats");
        return;
    }
    pw_buf_puts(b, "From `expvar/memstats` (the core agent's Go runtime).\n\n"
                   "| Field | Value |\n|---|---|\n");
    static const pw_ms_field_t shown[] = {PW_MS_ALLOC,          PW_MS_SYS,
                                          PW_MS_HEAP_ALLOC,     PW_MS_HEAP_INUSE,
                                          PW_MS_HEAP_IDLE,      PW_MS_HEAP_RELEASED,
                                          PW_MS_HEAP_OBJECTS,   PW_MS_STACK_INUSE,
                                          PW_MS_TOTAL_ALLOC,    PW_MS_MALLOCS,
                                          PW_MS_FREES,          PW_MS_NEXT_GC,
                                          PW_MS_NUM_GC,         PW_MS_PAUSE_TOTAL_NS,
                                          PW_MS_GC_CPU_FRACTION};
    for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
        pw_ms_field_t f = shown[i];
        if (!r->memstats->present[f])
            continue;
        double v = r->memstats->value[f];
        char s[48];
        if (pw_memstats_is_bytes(f))
            size_str(s, sizeof(s), (int64_t)v);
        else if (f == PW_MS_PAUSE_TOTAL_NS)
            val_str(s, sizeof(s), (int64_t)v, "nanoseconds");
        else if (f == PW_MS_GC_CPU_FRACTION)
            snprintf(s, sizeof(s), "%.4f%%", v * 100);
        else
            snprintf(s, sizeof(s), "%.0f", v);
        pw_buf_printf(b, "| %s | %s |\n", pw_memstats_go_name(f), s);
    }
    pw_buf_putc(b, '\n');
}

static void series_row(pw_buf_t *b, const char *label, const pw_window_point_t *p, size_t n)
{
    pw_window_sum_t s;
    char first[32], last[32], growth[40], lo[32], hi[32];
    pw_window_summary(p, n, &s);
    if (n == 0) {
        pw_buf_printf(b, "| %s | 0 | - | - | - | - | - | - |\n", label);
        return;
    }
    size_str(first, sizeof(first), s.first);
    size_str(last, sizeof(last), s.last);
    size_str(growth, sizeof(growth), s.growth);
    size_str(lo, sizeof(lo), s.min);
    size_str(hi, sizeof(hi), s.max);
    pw_buf_printf(b, "| %s | %zu | %s | %s | %s%s | %s | %s | %.0f s |\n", label, n, first, last,
                  s.growth > 0 ? "+" : "", growth, lo, hi,
                  ((double)s.t_last - (double)s.t_first) / 1000.0);
}

/* A daemon capture's window: the heap and PSS series it judged, the memory
 * trend and the budget margin. Flares have no window: no section. */
static void memory_trend(const pw_report_t *r, pw_buf_t *b)
{
    const pw_window_t *w = r->window;
    if (w == NULL)
        return;
    pw_buf_puts(b, "## Memory Trend\n\nFrom `" PW_WINDOW_PATH "`: what profwatchd saw of ");
    cell(b, w->process[0] ? w->process : "the process");
    if (w->window_ms > 0)
        pw_buf_printf(b, " over its %.0f s window", (double)w->window_ms / 1000.0);
    pw_buf_puts(b, " before it wrote this capture");
    if (w->verdict[0]) {
        pw_buf_puts(b, " (verdict `");
        cell(b, w->verdict);
        pw_buf_puts(b, "`)");
    }
    pw_buf_puts(b, ".\n\n| Series | Readings | Start | End | Growth | Min | Max | Span |\n"
                   "|---|---|---|---|---|---|---|---|\n");
    series_row(b, "PSS (process tree)", w->pss, w->n_pss);
    series_row(b, "Heap in use (inuse_space)", w->heap, w->n_heap);
    pw_buf_putc(b, '\n');
    if (w->trend[0] || w->trend_text[0]) {
        const char *detail = pw_window_trend_detail(w);
        pw_buf_puts(b, "- Trend of the total PSS over the kept history: **");
        cell(b, w->trend[0] ? w->trend : "unknown");
        pw_buf_puts(b, "**");
        if (detail[0]) {
            pw_buf_puts(b, ": ");
            cell(b, detail);
        }
        pw_buf_puts(b, ".\n");
    }
    int64_t margin, pss;
    if (pw_window_margin(w, &margin, &pss) == 0) {
        char bud[32], m[32], now[32];
        size_str(bud, sizeof(bud), w->budget_bytes);
        size_str(m, sizeof(m), margin < 0 ? -margin : margin);
        size_str(now, sizeof(now), pss);
        pw_buf_puts(b, "- Memory budget");
        if (w->gate_name[0]) {
            pw_buf_puts(b, " `");
            cell(b, w->gate_name);
            pw_buf_puts(b, "`");
        }
        pw_buf_printf(b, ": %s; the latest PSS, %s, is **%s %s** it", bud, now, m,
                      margin < 0 ? "over" : "under");
        if (w->gate_status[0]) {
            pw_buf_puts(b, " (gate ");
            cell(b, w->gate_status);
            pw_buf_puts(b, ")");
        }
        pw_buf_puts(b, ".\n");
    } else if (!w->have_gate) {
        pw_buf_puts(b, "- No memory budget is configured.\n");
    }
    if (w->top_pathname[0] && w->top_pathname_pss >= 0) {
        char t[32];
        size_str(t, sizeof(t), w->top_pathname_pss);
        pw_buf_puts(b, "- Largest pathname by PSS: `");
        cell(b, w->top_pathname);
        pw_buf_printf(b, "` (%s).\n", t);
    }
    pw_buf_putc(b, '\n');
}

static void code_block(pw_buf_t *b, const char *text)
{
    pw_buf_puts(b, "```\n");
    pw_buf_puts(b, text ? text : "");
    if (text != NULL && text[0] && text[strlen(text) - 1] != '\n')
        pw_buf_putc(b, '\n');
    pw_buf_puts(b, "```\n\n");
}

static void section_problem(pw_buf_t *b, const pw_section_t *s)
{
    if (s->problem != NULL) {
        pw_buf_puts(b, "Note: ");
        pw_buf_puts(b, s->problem);
        pw_buf_puts(b, "\n\n");
    }
}

static void heap_part(const pw_proc_report_t *p, const pw_rules_t *rules, pw_buf_t *b)
{
    const pw_section_t *s = &p->heap;
    if (!s->present) {
        pw_buf_printf(b, "No heap profiles for %s (`%s-1st-heap.pprof`, `%s-2nd-heap.pprof`).\n\n",
                      p->name, p->name, p->name);
        section_problem(b, s);
        return;
    }
    if (p->heap_is_diff) {
        char total[32], outside[32];
        size_str(total, sizeof(total), p->heap_growth);
        size_str(outside, sizeof(outside), s->rule.total);
        pw_buf_printf(b, "`%s-2nd-heap.pprof` against `%s-1st-heap.pprof`: snapshots ", p->name,
                      p->name);
        if (p->heap_gap_s > 0)
            pw_buf_printf(b, "%.1f s apart", p->heap_gap_s);
        else
            pw_buf_puts(b, "taken at unknown times");
        pw_buf_printf(b,
                      ". The heap (%s) changed by **%s** in all, %s of it outside the Go "
                      "runtime.\n\n",
                      s->sample_type, total, outside);
        pw_buf_printf(b, "Leak rule: %s%s.\n\n", s->rule.why,
                      s->rule.fired ? " — **fired**" : " — not fired");
        pw_buf_puts(b, "Top 10 growers (`profwatch diff`, same as `go tool pprof -top "
                       "-diff_base`):\n\n");
    } else {
        pw_buf_printf(b, "One heap snapshot (%s): no growth to measure. Its top 10:\n\n",
                      s->files ? s->files : p->name);
    }
    (void)rules;
    code_block(b, s->text);
    section_problem(b, s);
}

static void kind_part(const pw_proc_report_t *p, const pw_section_t *s, const char *what,
                      const char *suffix, pw_buf_t *b)
{
    if (!s->present) {
        pw_buf_printf(b, "No %s profile for %s (`%s-%s.pprof`).\n\n", what, p->name, p->name,
                      suffix);
        section_problem(b, s);
        return;
    }
    char total[32];
    val_str(total, sizeof(total), s->total, s->unit);
    if (s->total == 0) {
        pw_buf_printf(b, "The %s profile of %s is empty.\n\n", what, p->name);
        section_problem(b, s);
        return;
    }
    pw_buf_printf(b, "%s (%s, %s in total). Rule: %s%s.\n\n", s->files ? s->files : p->name,
                  s->sample_type, total, s->rule.why,
                  !s->rule.judged ? ""
                  : s->rule.fired ? " — **fired**"
                                  : " — not fired");
    if (s->top_name != NULL && s->rule.judged)
        pw_buf_printf(b,
                      "Samples attributed to their first frame in the program's own code "
                      "(outside the Go runtime, sync and the standard library): `%s` leads.\n\n",
                      s->top_name);
    code_block(b, s->text);
    section_problem(b, s);
}

static void process_sections(const pw_proc_report_t *p, const pw_rules_t *rules, pw_buf_t *b,
                             const char *h)
{
    pw_buf_printf(b, "%s Heap Diff\n\n", h);
    heap_part(p, rules, b);
    pw_buf_printf(b, "%s CPU Profile\n\n", h);
    kind_part(p, &p->cpu, "CPU", "cpu", b);
    pw_buf_printf(b, "%s Block Profile\n\n", h);
    kind_part(p, &p->block, "block", "block", b);
    pw_buf_printf(b, "%s Mutex Profile\n\n", h);
    kind_part(p, &p->mutex, "mutex", "mutex", b);
}

static const pw_proc_report_t *find_proc(const pw_analysis_t *a, const char *name)
{
    for (size_t i = 0; i < a->n_procs; i++)
        if (strcmp(a->procs[i].name, name) == 0)
            return &a->procs[i];
    return NULL;
}

static void profiles(const pw_report_t *r, pw_buf_t *b)
{
    const pw_analysis_t *a = r->analysis;
    const pw_proc_report_t *core = find_proc(a, "core");
    pw_buf_puts(b, "## Heap Diff Analysis\n\n");
    if (core)
        heap_part(core, r->rules, b);
    else
        pw_buf_puts(b, "No core agent profiles in this flare.\n\n");
    pw_buf_puts(b, "## CPU Profile\n\n");
    if (core)
        kind_part(core, &core->cpu, "CPU", "cpu", b);
    pw_buf_puts(b, "## Block Profile\n\n");
    if (core)
        kind_part(core, &core->block, "block", "block", b);
    pw_buf_puts(b, "## Mutex Profile\n\n");
    if (core)
        kind_part(core, &core->mutex, "mutex", "mutex", b);
    pw_buf_puts(b, "## Trace-Agent and Other Process Profiles\n\n");
    int others = 0;
    for (size_t i = 0; i < a->n_procs; i++) {
        const pw_proc_report_t *p = &a->procs[i];
        if (strcmp(p->name, "core") == 0)
            continue;
        others++;
        pw_buf_printf(b, "### %s\n\n",
                      strcmp(p->name, "trace") == 0 ? "trace-agent (trace)" : p->name);
        process_sections(p, r->rules, b, "####");
    }
    if (!others)
        pw_buf_puts(b, "The flare has no profiles for the trace-agent, process-agent, "
                       "security-agent or system-probe.\n\n");
}

static void trace_files(const pw_report_t *r, pw_buf_t *b)
{
    pw_buf_puts(b, "## Trace Files\n\n");
    if (r->n_trace_files == 0) {
        pw_buf_puts(b, "No execution traces (`profiles/<process>.trace`).\n\n");
        return;
    }
    pw_buf_puts(b, "Execution traces are noted, not analysed: open them with `go tool trace`.\n\n"
                   "| File | Size |\n|---|---|\n");
    for (size_t i = 0; i < r->n_trace_files; i++) {
        char s[32];
        size_str(s, sizeof(s), (int64_t)r->trace_files[i].bytes);
        pw_buf_puts(b, "| ");
        cell(b, r->trace_files[i].path);
        pw_buf_printf(b, " | %s |\n", s);
    }
    pw_buf_putc(b, '\n');
}

static void goroutines(const pw_report_t *r, pw_buf_t *b)
{
    pw_buf_puts(b, "## Goroutine Dump\n\n");
    if (r->goroutines < 0)
        pw_buf_puts(b, "No `go-routine-dump.log` in this flare.\n\n");
    else
        pw_buf_printf(b,
                      "`go-routine-dump.log` holds %" PRId64 " goroutines (noted, not "
                      "analysed).\n\n",
                      r->goroutines);
}

static void running_checks(const pw_report_t *r, pw_buf_t *b)
{
    const pw_agentctx_t *c = r->agent;
    pw_buf_puts(b, "## Running Checks\n\n");
    if (c == NULL || !c->has_status) {
        pw_buf_puts(b, "Unknown: the flare has no `status.log`.\n\n");
        return;
    }
    if (c->n_checks == 0) {
        pw_buf_puts(b, "`status.log` lists no running checks.\n\n");
        return;
    }
    pw_buf_puts(b, "| Check | Version | Instances | Errors | Warnings |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < c->n_checks; i++) {
        const pw_check_t *k = &c->checks[i];
        pw_buf_puts(b, "| ");
        cell(b, k->name);
        pw_buf_puts(b, " | ");
        cell(b, k->version[0] ? k->version : "-");
        pw_buf_printf(b, " | %d | %d | %d |\n", k->instances, k->errors, k->warnings);
    }
    if (c->checks_dropped)
        pw_buf_printf(b, "\n(and %zu more checks)\n", c->checks_dropped);
    pw_buf_putc(b, '\n');
}

static void finding_value(char *out, size_t n, const pw_finding_t *f)
{
    if (strcmp(f->unit, "bytes") == 0)
        size_str(out, n, f->value);
    else
        val_str(out, n, f->value, f->unit);
}

static void verdict(const pw_report_t *r, pw_buf_t *b)
{
    const pw_analysis_t *a = r->analysis;
    pw_buf_puts(b, "## Verdict\n\n");
    if (!a->profiles_found) {
        pw_buf_puts(b, "**No verdict**: the flare has no profiles to judge (reported as "
                       "`normal` in the JSON, with `profiles_found: false`).\n\n");
        return;
    }
    pw_buf_printf(b, "**%s**\n\n", pw_verdict_title(a->verdict));
    if (a->n_findings == 0) {
        pw_buf_puts(b, "No rule fired: no heap growth over the leak limit outside the Go "
                       "runtime, no single function over the CPU share, no contention over the "
                       "limit.\n\n");
        return;
    }
    pw_buf_puts(b, "| Finding | Process | Profile | Function | Value | Owner | Escalate to |\n"
                   "|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < a->n_findings; i++) {
        const pw_finding_t *f = &a->findings[i];
        char v[32];
        finding_value(v, sizeof(v), f);
        pw_buf_printf(b, "| %s | %s | %s | `", pw_verdict_title(f->kind), f->process, f->profile);
        cell(b, f->function);
        pw_buf_printf(b, "` | %s | ", v);
        cell(b, f->owner);
        pw_buf_puts(b, " | ");
        cell(b, f->escalate);
        pw_buf_puts(b, " |\n");
    }
    pw_buf_putc(b, '\n');
    for (size_t i = 0; i < a->n_findings; i++)
        pw_buf_printf(b, "- %s in %s: %s.\n", pw_verdict_title(a->findings[i].kind),
                      a->findings[i].process, a->findings[i].detail);
    pw_buf_putc(b, '\n');
}

static void recommendations(const pw_report_t *r, pw_buf_t *b)
{
    const pw_analysis_t *a = r->analysis;
    int n = 0;
    pw_buf_puts(b, "## Recommendations\n\n");
    if (!a->profiles_found) {
        pw_buf_printf(b, "%d. Ask the customer for a flare with profiles (message below).\n", ++n);
        pw_buf_putc(b, '\n');
        return;
    }
    for (size_t i = 0; i < a->n_findings; i++) {
        const pw_finding_t *f = &a->findings[i];
        pw_buf_printf(b, "%d. **%s in %s**: `%s` — %s (%s). Escalate to %s.\n", ++n,
                      pw_verdict_title(f->kind), f->process, f->function, f->owner, f->meaning,
                      f->escalate);
        if (f->kind == PW_VERDICT_LEAK)
            pw_buf_printf(b,
                          "%d. Confirm the growth is steady: take a second flare with "
                          "`datadog-agent flare --profile 60` a few minutes later and compare "
                          "the heap diffs.\n",
                          ++n);
        if (f->owner != NULL && strstr(f->owner, "Integration") != NULL)
            pw_buf_printf(b,
                          "%d. Correlate with Running Checks: the checks with the most "
                          "instances or errors are the first suspects.\n",
                          ++n);
    }
    for (size_t i = 0; i < a->n_procs; i++) {
        const pw_proc_report_t *p = &a->procs[i];
        if (p->block.present && p->block.total == 0 && p->mutex.present && p->mutex.total == 0) {
            pw_buf_printf(b,
                          "%d. Block and mutex profiles of %s are empty; if contention is "
                          "suspected, capture them with `datadog-agent flare --profile 30 -B "
                          "1 -M 1`.\n",
                          ++n, p->name);
            break;
        }
    }
    if (a->n_findings == 0)
        pw_buf_printf(b,
                      "%d. Nothing in these profiles explains high resource usage. If the "
                      "customer still sees it, capture a flare while the issue is happening "
                      "(`datadog-agent flare --profile 30`).\n",
                      ++n);
    if (a->n_notes > 0)
        pw_buf_printf(b,
                      "%d. Some flare files could not be read (see Notes); ask for a new flare "
                      "if they matter.\n",
                      ++n);
    pw_buf_putc(b, '\n');
}

/* One plain sentence per finding, without the rules' vocabulary. */
static void customer_finding(const pw_analysis_t *a, const pw_finding_t *f, pw_buf_t *b)
{
    const pw_proc_report_t *p = find_proc(a, f->process);
    char v[32], t[32];
    finding_value(v, sizeof(v), f);
    switch (f->kind) {
    case PW_VERDICT_LEAK:
        size_str(t, sizeof(t), p ? p->heap.rule.total : 0);
        pw_buf_printf(b,
                      "- The memory of the %s process grew by %s in %.0f seconds, most of it "
                      "(%s) held by %s.\n",
                      f->process, t, p ? p->heap_gap_s : 0, v, f->function);
        break;
    case PW_VERDICT_CPU:
        pw_buf_printf(b, "- The %s process spends %.0f%% of its CPU time in %s.\n", f->process,
                      p ? p->cpu.rule.measure * 100 : 0, f->function);
        break;
    default:
        pw_buf_printf(b,
                      "- Goroutines of the %s process wait on locks or channels (%s in all), "
                      "mostly in %s.\n",
                      f->process, f->detail[0] ? v : "", f->function);
        break;
    }
}

static void customer_message(const pw_report_t *r, pw_buf_t *b)
{
    const pw_analysis_t *a = r->analysis;
    pw_buf_puts(b, "## Customer Message\n\n```text\n");
    if (!a->profiles_found) {
        pw_buf_puts(b, pw_report_request_profiling);
        pw_buf_puts(b, "```\n\n");
        return;
    }
    pw_buf_puts(b, "Hello,\n\nThank you for the flare. We analysed the Go profiles it contains");
    if (r->agent != NULL && r->agent->version[0])
        pw_buf_printf(b, " (Agent %s)", r->agent->version);
    pw_buf_puts(b, ".\n\n");
    if (a->n_findings == 0) {
        pw_buf_puts(b, "We found no sign of a memory leak, a CPU hotspot or lock contention "
                       "during the capture.");
        const pw_proc_report_t *core = find_proc(a, "core");
        if (core != NULL && core->heap_is_diff) {
            char g[32];
            size_str(g, sizeof(g), core->heap_growth);
            pw_buf_printf(b, " The core agent's heap changed by %s between the two snapshots.", g);
        }
        pw_buf_puts(b, "\n\nIf the high resource usage is intermittent, please send a new flare "
                       "with `sudo datadog-agent flare --profile 30` while it is happening.\n");
    } else {
        pw_buf_puts(b, "What we found:\n");
        for (size_t i = 0; i < a->n_findings; i++)
            customer_finding(a, &a->findings[i], b);
        pw_buf_puts(b, "\nWe are escalating this to the team that owns the component involved "
                       "and will follow up with next steps. No change is needed on your side "
                       "for now; please keep the agent running as is so that we can compare "
                       "with a later flare if needed.\n");
    }
    pw_buf_puts(b, "```\n\n");
}

static const char *first_rows(const pw_section_t *s, char *out, size_t n)
{
    /* The table's header and its first rows: the raw pprof lines. */
    out[0] = '\0';
    if (s->text == NULL)
        return out;
    const char *start = strstr(s->text, "      flat");
    if (start == NULL)
        start = s->text;
    size_t lines = 0, k = 0;
    for (const char *p = start; *p && k + 1 < n; p++) {
        out[k++] = *p;
        if (*p == '\n' && ++lines == 8)
            break;
    }
    out[k] = '\0';
    return out;
}

static void escalation(const pw_report_t *r, pw_buf_t *b)
{
    const pw_analysis_t *a = r->analysis;
    const pw_agentctx_t *c = r->agent;
    char buf[4096], up[64];
    pw_buf_puts(b, "## Escalation Summary\n\n```text\n");
    pw_buf_printf(b, "Symptom: %s",
                  a->profiles_found ? pw_verdict_title(a->verdict) : "no profiles in the flare");
    for (size_t i = 0; i < a->n_findings; i++)
        pw_buf_printf(b, "%s %s in %s (%s)", i ? ";" : " —", pw_verdict_title(a->findings[i].kind),
                      a->findings[i].process, a->findings[i].function);
    pw_buf_puts(b, "\n\n");
    for (size_t i = 0; i < a->n_procs; i++) {
        const pw_proc_report_t *p = &a->procs[i];
        if (p->heap.present && p->heap_is_diff) {
            char g[32];
            size_str(g, sizeof(g), p->heap_growth);
            pw_buf_printf(b, "Heap diff (%s, %.1f s): %s in all\n", p->name, p->heap_gap_s, g);
            if (p->heap.n_rows > 0)
                pw_buf_printf(b, "%s\n", first_rows(&p->heap, buf, sizeof(buf)));
        }
        if (p->cpu.present && p->cpu.total > 0 && p->cpu.n_rows > 0)
            pw_buf_printf(b, "Top CPU consumers (%s):\n%s\n", p->name,
                          first_rows(&p->cpu, buf, sizeof(buf)));
    }
    dur_str(up, sizeof(up), c ? c->uptime_s : -1);
    pw_buf_printf(b, "Agent: %s, uptime %s, host %s, install %s, %s\n",
                  c ? or_unknown(c->version) : "unknown", up, r->hostname,
                  c && c->has_install ? or_unknown(c->install_tool) : "unknown",
                  c ? or_unknown(c->go_version) : "Go version unknown");
    if (c != NULL && c->n_checks > 0) {
        pw_buf_puts(b, "Running checks:");
        for (size_t i = 0; i < c->n_checks && i < 40; i++)
            pw_buf_printf(b, "%s %s (%d)", i ? "," : "", c->checks[i].name, c->checks[i].instances);
        pw_buf_putc(b, '\n');
    }
    if (r->memstats != NULL) {
        static const pw_ms_field_t ms[] = {PW_MS_ALLOC, PW_MS_SYS, PW_MS_HEAP_INUSE,
                                           PW_MS_HEAP_OBJECTS, PW_MS_NUM_GC};
        pw_buf_puts(b, "memstats:");
        for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
            if (r->memstats->present[ms[i]])
                pw_buf_printf(b, " %s=%.0f", pw_memstats_go_name(ms[i]), r->memstats->value[ms[i]]);
        pw_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < a->n_findings; i++) {
        const pw_finding_t *f = &a->findings[i];
        pw_buf_printf(b, "Owner (%s, %s): %s -> escalate to %s\n", f->process, f->function,
                      f->owner, f->escalate);
        if (strstr(f->owner, "Integration") != NULL)
            pw_buf_puts(b, "Correlation: the growth maps to an integration; check Running Checks "
                           "for the one to blame.\n");
    }
    pw_buf_printf(b, "Flare: %s (attach the flare or the ticket link)\n", r->source);
    pw_buf_puts(b, "```\n");
}

static void header(const pw_report_t *r, pw_buf_t *b)
{
    const pw_analysis_t *a = r->analysis;
    char when[48];
    utc_str(when, sizeof(when), r->generated_unix_s * 1000);
    pw_buf_puts(b, "# Flare Profiling Analysis: ");
    pw_buf_puts(b, r->hostname);
    pw_buf_printf(b, "\n\nGenerated by profwatch %s on %s from `%s`.\n\n", PW_VERSION, when,
                  r->source);
    if (!a->profiles_found)
        pw_buf_puts(b, "**No profiles in this flare**: there is no `profiles/` folder, or it "
                       "holds no readable profile. The customer message below asks for a "
                       "profiling flare.\n\n");
    else
        pw_buf_printf(b, "**Verdict: %s**%s\n\n", pw_verdict_title(a->verdict),
                      a->n_findings ? " (details under Verdict)" : "");
    if (a->n_notes > 0) {
        pw_buf_puts(b, "Notes:\n");
        for (size_t i = 0; i < a->n_notes; i++) {
            pw_buf_puts(b, "- ");
            pw_buf_puts(b, a->notes[i]);
            pw_buf_putc(b, '\n');
        }
        pw_buf_putc(b, '\n');
    }
}

int pw_report_markdown(const pw_report_t *r, pw_buf_t *out)
{
    header(r, out);
    agent_context(r, out);
    memory_stats(r, out);
    memory_trend(r, out);
    profiles(r, out);
    trace_files(r, out);
    goroutines(r, out);
    running_checks(r, out);
    verdict(r, out);
    recommendations(r, out);
    customer_message(r, out);
    escalation(r, out);
    return out->oom ? PW_ENOMEM : 0;
}
