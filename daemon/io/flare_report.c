#include "profwatch/flare_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "profwatch/agentctx.h"
#include "profwatch/buf.h"
#include "profwatch/flare.h"
#include "profwatch/fsutil.h"
#include "profwatch/memstats.h"
#include "profwatch/pprof.h"
#include "profwatch/report.h"
#include "profwatch/window.h"

#define MAX_TEXT_BYTES (64u * 1024 * 1024)

/* The agent's processes in the order the report shows them; a flare may also
 * hold profiles of other prefixes, which follow in name order. */
static const char *const known_procs[] = {"core", "trace", "process", "security-agent",
                                          "system-probe"};
#define N_KNOWN (sizeof(known_procs) / sizeof(known_procs[0]))
#define MAX_PROFILE_FILES 256

typedef struct {
    char *names[MAX_PROFILE_FILES];
    uint64_t sizes[MAX_PROFILE_FILES];
    size_t n;
} listing_t;

static void list_cb(const char *name, uint64_t size, void *ud)
{
    listing_t *l = ud;
    if (l->n < MAX_PROFILE_FILES && (l->names[l->n] = strdup(name)) != NULL)
        l->sizes[l->n++] = size;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Every prefix that has at least one "<prefix>-<kind>.pprof" file. */
static size_t find_procs(const listing_t *l, char procs[][64], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < N_KNOWN && n < max; i++)
        snprintf(procs[n++], 64, "%s", known_procs[i]);
    size_t known = n;
    for (size_t i = 0; i < l->n && n < max; i++) {
        for (int k = 0; k < PW_PK_COUNT; k++) {
            char suffix[32];
            snprintf(suffix, sizeof(suffix), "-%s.pprof", pw_pk_suffix((pw_pk_t)k));
            size_t nl = strlen(l->names[i]), sl = strlen(suffix);
            if (nl <= sl || nl - sl >= 64 || strcmp(l->names[i] + nl - sl, suffix) != 0)
                continue;
            char prefix[64];
            snprintf(prefix, sizeof(prefix), "%.*s", (int)(nl - sl), l->names[i]);
            int seen = 0;
            for (size_t j = 0; j < n; j++)
                seen |= strcmp(procs[j], prefix) == 0;
            if (!seen)
                snprintf(procs[n++], 64, "%s", prefix);
        }
    }
    qsort(procs + known, n - known, sizeof(procs[0]), cmp_name);
    return n;
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            *s = '_';
}

int pw_flare_report(const char *flare_path, const pw_config_t *cfg, const char *outdir,
                    const pw_flare_report_opts_t *opts, pw_flare_report_result_t *res,
                    pw_err_t *err)
{
    pw_flare_t *f = NULL;
    pw_agentctx_t *ctx = NULL;
    pw_memstats_t ms;
    int have_ms = 0;
    char ms_problem[600] = "";
    listing_t listing = {0};
    pw_proc_input_t procs[PW_MAX_PROCS];
    pw_profile_t *profs[PW_MAX_PROCS][PW_PK_COUNT];
    char files[PW_MAX_PROCS][PW_PK_COUNT][96];
    char errors[PW_MAX_PROCS][PW_PK_COUNT][600];
    pw_analysis_t *an = NULL;
    pw_window_t *win = NULL;
    char win_problem[600] = "";
    pw_report_t rep;
    pw_buf_t md, js, html;
    int rc;

    memset(res, 0, sizeof(*res));
    memset(profs, 0, sizeof(profs));
    memset(&rep, 0, sizeof(rep));
    pw_buf_init(&md);
    pw_buf_init(&js);
    pw_buf_init(&html);
    if ((rc = pw_flare_open(flare_path, &f, err)) != 0)
        return rc;
    ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory");
        goto fail_flare;
    }
    pw_agentctx_init(ctx);

    /* The agent's context: every file is optional. */
    uint8_t *text = NULL;
    size_t len;
    pw_err_t e2;
    if (pw_flare_read(f, "status.log", MAX_TEXT_BYTES, &text, &len, &e2) == 0) {
        pw_agentctx_parse_status(ctx, (const char *)text, len);
        free(text);
    }
    if (pw_flare_read(f, "install_info.log", MAX_TEXT_BYTES, &text, &len, &e2) == 0) {
        pw_agentctx_parse_install(ctx, (const char *)text, len);
        free(text);
    }
    rep.goroutines = -1;
    if (pw_flare_read(f, "go-routine-dump.log", MAX_TEXT_BYTES, &text, &len, &e2) == 0) {
        rep.goroutines = (int64_t)pw_agentctx_count_goroutines((const char *)text, len);
        free(text);
    }
    if (pw_flare_read(f, "expvar/memstats", MAX_TEXT_BYTES, &text, &len, &e2) == 0) {
        have_ms = pw_memstats_from_yaml((const char *)text, len, "expvar/memstats", &ms, &e2) == 0;
        if (!have_ms)
            snprintf(ms_problem, sizeof(ms_problem), "%s", e2.msg);
        free(text);
    } else if (e2.code != PW_ENOENT) {
        snprintf(ms_problem, sizeof(ms_problem), "%s", e2.msg);
    }
    /* A daemon capture's window: what it saw before the capture. */
    if (pw_flare_read(f, PW_WINDOW_PATH, PW_WINDOW_MAX_BYTES, &text, &len, &e2) == 0) {
        if ((win = malloc(sizeof(*win))) == NULL ||
            pw_window_parse((const char *)text, len, win, &e2) != 0) {
            snprintf(win_problem, sizeof(win_problem), "%s: %s", PW_WINDOW_PATH,
                     win ? e2.msg : "out of memory");
            free(win);
            win = NULL;
        }
        free(text);
    } else if (e2.code != PW_ENOENT) {
        snprintf(win_problem, sizeof(win_problem), "%s", e2.msg);
    }

    /* Every profile of every process. */
    pw_flare_list(f, "profiles", list_cb, &listing);
    qsort(listing.names, listing.n, sizeof(char *), cmp_str);
    char names[PW_MAX_PROCS][64];
    size_t n_names = find_procs(&listing, names, PW_MAX_PROCS);
    size_t n_procs = 0, profiler_waits = 0;
    pw_pprof_opts_t popts = {.max_size = opts ? opts->max_profile_bytes : 0};
    size_t max_file = popts.max_size ? popts.max_size : PW_PPROF_DEFAULT_MAX_SIZE;
    for (size_t i = 0; i < n_names; i++) {
        pw_proc_input_t *p = &procs[n_procs];
        int any = 0;
        memset(p, 0, sizeof(*p));
        p->name = names[i];
        p->trace_bytes = -1;
        for (int k = 0; k < PW_PK_COUNT; k++) {
            char rel[160];
            snprintf(files[n_procs][k], sizeof(files[0][0]), "%s-%s.pprof", names[i],
                     pw_pk_suffix((pw_pk_t)k));
            snprintf(rel, sizeof(rel), "profiles/%s", files[n_procs][k]);
            uint64_t size;
            if (pw_flare_stat(f, rel, &size) != 0)
                continue;
            any = 1;
            p->file[k] = files[n_procs][k];
            uint8_t *raw = NULL;
            size_t raw_len;
            pw_err_t pe;
            if (pw_flare_read(f, rel, max_file, &raw, &raw_len, &pe) == 0)
                pw_pprof_decode(raw, raw_len, &popts, &profs[n_procs][k], &pe);
            free(raw);
            if (profs[n_procs][k] == NULL) {
                snprintf(errors[n_procs][k], sizeof(errors[0][0]), "%s", pe.msg);
                p->error[k] = errors[n_procs][k];
            } else {
                /* pprof applies drop_frames; so does every report here. */
                pw_profile_prune(profs[n_procs][k], profs[n_procs][k]->drop_frames,
                                 profs[n_procs][k]->keep_frames, &pe);
                if (k == PW_PK_BLOCK || k == PW_PK_MUTEX)
                    profiler_waits += pw_profile_drop_profiler_waits(profs[n_procs][k]);
            }
            p->prof[k] = profs[n_procs][k];
        }
        char rel[160];
        uint64_t tsize;
        snprintf(rel, sizeof(rel), "profiles/%s.trace", names[i]);
        if (pw_flare_stat(f, rel, &tsize) == 0) {
            p->trace_bytes = (int64_t)tsize;
            if (rep.n_trace_files < PW_MAX_TRACE_FILES) {
                rep.trace_files[rep.n_trace_files].path = strdup(rel);
                rep.trace_files[rep.n_trace_files++].bytes = tsize;
            }
            any = 1;
        }
        if (any)
            n_procs++;
    }

    an = pw_analyze(procs, n_procs, &cfg->rules, cfg->owners, err);
    if (an == NULL) {
        rc = err->code ? err->code : PW_ENOMEM;
        goto fail_profiles;
    }
    if (win_problem[0])
        pw_analysis_note(an,
                         "the capture's window could not be read, so the report has no "
                         "memory trend: %s",
                         win_problem);
    if (listing.n == 0)
        pw_analysis_note(an, "the flare has no profiles/ folder (or it is empty)");
    if (profiler_waits > 0)
        pw_analysis_note(an,
                         "%zu block/mutex samples inside net/http/pprof were left out: they are "
                         "the profiler's own handlers waiting (a CPU profile being taken), not "
                         "contention in the agent",
                         profiler_waits);

    /* The report's name: status.log's host, else the flare's host folder (the
     * two agree in an agent's flare; a daemon capture's folder also carries
     * a timestamp). */
    const char *host = ctx->hostname[0] ? ctx->hostname : pw_flare_hostname(f);
    if (host[0] == '\0')
        host = "unknown-host";
    snprintf(res->hostname, sizeof(res->hostname), "%s", host);
    rep.hostname = res->hostname;
    rep.source = opts && opts->source ? opts->source : flare_path;
    rep.generated_unix_s = (int64_t)time(NULL);
    rep.agent = ctx;
    rep.memstats = have_ms ? &ms : NULL;
    rep.memstats_problem = ms_problem[0] ? ms_problem : NULL;
    rep.analysis = an;
    rep.rules = &cfg->rules;
    rep.window = win;
    rep.inputs = procs;
    rep.n_inputs = n_procs;
    if (pw_report_markdown(&rep, &md) != 0 || pw_report_json(&rep, &js) != 0 ||
        pw_report_html(&rep, &html) != 0) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory while writing the report");
        goto fail_analysis;
    }
    char safe_host[256];
    snprintf(safe_host, sizeof(safe_host), "%s", res->hostname);
    sanitize(safe_host);
    if ((rc = pw_fs_mkdir_p(outdir, 0750, err)) != 0)
        goto fail_analysis;
    snprintf(res->md_path, sizeof(res->md_path), "%s/flare-profiling-%s.md", outdir, safe_host);
    snprintf(res->json_path, sizeof(res->json_path), "%s/flare-profiling-%s.json", outdir,
             safe_host);
    snprintf(res->html_path, sizeof(res->html_path), "%s/flare-profiling-%s.html", outdir,
             safe_host);
    if ((rc = pw_fs_write_atomic(res->md_path, md.data, md.len, 0640, err)) != 0 ||
        (rc = pw_fs_write_atomic(res->json_path, js.data, js.len, 0640, err)) != 0 ||
        (rc = pw_fs_write_atomic(res->html_path, html.data, html.len, 0640, err)) != 0)
        goto fail_analysis;

    res->verdict = an->verdict;
    res->profiles_found = an->profiles_found;
    if (!an->profiles_found)
        snprintf(res->summary, sizeof(res->summary),
                 "normal (no profiles in this flare: nothing to judge; the report asks the "
                 "customer for a profiling flare)");
    else if (an->n_findings == 0)
        snprintf(res->summary, sizeof(res->summary), "normal (no rule fired)");
    else
        snprintf(res->summary, sizeof(res->summary), "%s (%s: %s; owner %s%s)",
                 pw_verdict_name(an->verdict), an->findings[0].process, an->findings[0].function,
                 an->findings[0].owner, an->n_findings > 1 ? "; more in the report" : "");
    rc = 0;
fail_analysis:
    pw_analysis_destroy(an);
fail_profiles:
    for (size_t i = 0; i < PW_MAX_PROCS; i++)
        for (int k = 0; k < PW_PK_COUNT; k++)
            pw_profile_destroy(profs[i][k]);
    for (size_t i = 0; i < listing.n; i++)
        free(listing.names[i]);
    for (size_t i = 0; i < rep.n_trace_files; i++)
        free((char *)rep.trace_files[i].path);
    free(ctx);
fail_flare:
    free(win);
    pw_flare_close(f);
    pw_buf_free(&md);
    pw_buf_free(&js);
    pw_buf_free(&html);
    return rc;
}
