/* Captures: when a target's verdict turns non-normal, what the daemon knows is
 * written as a flare would hold it (profiles/<svc>-1st-heap.pprof, ...,
 * expvar/memstats, status.log), with the report `profwatch analyze` writes for
 * that folder inside it. The folder is built under a temporary name and
 * renamed into place, so a crash never leaves half a capture; old captures go
 * first when the count or the size passes its bound. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "profwatch/buf.h"
#include "profwatch/flare_report.h"
#include "profwatch/fsutil.h"
#include "profwatch/json.h"
#include "profwatch/log.h"
#include "profwatch/pprof.h"

#define FILE_MODE 0640
#define DIR_MODE 0750

/* compact: 20261122T031200Z (folder names); else 2026-11-22 03:12:00 UTC. */
static void utc(char *out, size_t n, int64_t ms, int compact)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    if (compact)
        strftime(out, n, "%Y%m%dT%H%M%SZ", &tm);
    else
        strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* A capture folder's name: 20261122T031200Z-<host>, with -2, -3 ... on a clash. */
static int is_capture_name(const char *name)
{
    static const char shape[] = "DDDDDDDDTDDDDDDZ-";
    for (size_t i = 0; i < sizeof(shape) - 1; i++) {
        char c = name[i];
        if (shape[i] == 'D' ? c < '0' || c > '9' : c != shape[i])
            return 0;
    }
    return 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Go's yaml encoding of the JSON-decoded memstats, as the flare has it:
 * keys sorted, numbers as floats. */
static int cmp_go_name(const void *a, const void *b)
{
    return strcmp(pw_memstats_go_name(*(const pw_ms_field_t *)a),
                  pw_memstats_go_name(*(const pw_ms_field_t *)b));
}

static void memstats_yaml(const pw_memstats_t *ms, pw_buf_t *out)
{
    pw_ms_field_t order[PW_MS_COUNT];
    for (int f = 0; f < PW_MS_COUNT; f++)
        order[f] = (pw_ms_field_t)f;
    qsort(order, PW_MS_COUNT, sizeof(order[0]), cmp_go_name);
    for (int i = 0; i < PW_MS_COUNT; i++)
        if (ms->present[order[i]])
            pw_buf_printf(out, "%s: %.17g\n", pw_memstats_go_name(order[i]), ms->value[order[i]]);
}

static void status_log(const pw_target_t *t, const char *reason, const pw_raw_t *first,
                       const pw_raw_t *second, pw_buf_t *out)
{
    char now[64], a[64], b[64];
    int64_t ms = pw_now_ms();
    utc(now, sizeof(now), ms, 0);
    static const char rule[] = "==================================";
    /* No "(vX)" in the title: the report would read it as the agent's version. */
    pw_buf_printf(out, "%s\nprofwatch capture\n%s\n\n", rule, rule);
    pw_buf_printf(out, "  Status date: %s (%lld)\n", now, (long long)ms);
    pw_buf_printf(out, "  Captured by: profwatchd %s, pid %ld\n", PW_VERSION, (long)getpid());
    pw_buf_printf(out, "  Process: %s\n", t->conf.name);
    pw_buf_printf(out, "  Endpoint: %s%s%s\n", t->conf.url, t->conf.unix_socket ? " over " : "",
                  t->conf.unix_socket ? t->conf.unix_socket : "");
    pw_buf_printf(out, "  Verdict: %s\n", pw_verdict_name(t->verdict));
    pw_buf_printf(out, "  Reason: %s\n", reason);
    if (first->data) {
        utc(a, sizeof(a), first->t_ms, 0);
        utc(b, sizeof(b), second->t_ms, 0);
        pw_buf_printf(out, "  Heap snapshots: 1st %s, 2nd %s (%.0f s apart)\n", a, b,
                      (double)(second->t_ms - first->t_ms) / 1000.0);
    }
    if (t->last_block.data || t->last_mutex.data)
        pw_buf_printf(out, "  Block and mutex profiles: the last interval only (the difference "
                           "of two scrapes)\n");
    pw_buf_printf(out, "\n  Hostnames\n  =========\n    hostname: %s\n", t->d->hostname);
}

/* profwatch/window.json: the heap series of the window (the file is
 * profwatch's own; a flare has no such folder):
 * {"process": NAME, "verdict": V, "window_ms": N, "heap": [{"t": UNIX_MS,
 *  "inuse": BYTES, "outside_runtime": BYTES}, ...], "pss": [{"t": UNIX_MS,
 *  "total_pss": BYTES}, ...], "memory": {the process's PSS breakdown, top
 *  pathname and trend} or null, "gate": {budget and status} or null} */
static void window_json(const pw_target_t *t, pw_buf_t *out)
{
    pw_json_t j;
    pw_json_init(&j, out, 0);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "process");
    pw_json_str(&j, t->conf.name);
    pw_json_key(&j, "verdict");
    pw_json_str(&j, pw_verdict_name(t->verdict));
    pw_json_key(&j, "window_ms");
    pw_json_int(&j, t->d->cfg.window_ms);
    pw_json_key(&j, "heap");
    pw_json_arr_begin(&j);
    for (size_t i = 0; i < t->n_snaps; i++) {
        pw_json_obj_begin(&j);
        pw_json_key(&j, "t");
        pw_json_int(&j, t->snaps[i].t_ms);
        pw_json_key(&j, "inuse");
        pw_json_int(&j, t->snaps[i].inuse);
        pw_json_key(&j, "outside_runtime");
        pw_json_int(&j, t->snaps[i].tab.outside_runtime);
        pw_json_obj_end(&j);
    }
    pw_json_arr_end(&j);
    pw_memory_capture_json(t->d, t->conf.name, &j);
    pw_json_obj_end(&j);
    pw_buf_putc(out, '\n');
}

static int write_profile(const char *dir, const char *name, const char *suffix, const uint8_t *data,
                         size_t len, pw_err_t *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/profiles/%s-%s.pprof", dir, name, suffix);
    return pw_fs_write_new(path, data, len, FILE_MODE, err);
}

/* Block and mutex count since the process started: the capture holds the
 * interval the daemon judged, as the difference of its last two scrapes. */
static int write_contention(const char *dir, const pw_target_t *t, const char *suffix,
                            const pw_raw_t *last, const pw_raw_t *prev, pw_err_t *err)
{
    if (last->data == NULL)
        return 0;
    if (prev->data == NULL)
        return write_profile(dir, t->conf.name, suffix, last->data, last->len, err);
    uint8_t *delta = NULL;
    size_t n = 0;
    pw_err_t e2 = {0};
    if (pw_pprof_delta(last->data, last->len, prev->data, prev->len,
                       (size_t)t->d->cfg.http.max_body, &delta, &n, &e2) != 0) {
        pw_log(PW_LOG_WARN, "capture", "%s %s: %s; the capture holds the cumulative profile",
               t->conf.name, suffix, e2.msg);
        return write_profile(dir, t->conf.name, suffix, last->data, last->len, err);
    }
    int rc = write_profile(dir, t->conf.name, suffix, delta, n, err);
    free(delta);
    return rc;
}

typedef struct {
    char **names;
    size_t n, cap;
} names_t;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Old captures go, oldest first, past the count or the size; the newest one
 * (just written) always stays. Leftover temporary folders go too: only this
 * process writes here, and it is not writing one now. */
static void retain(const pw_daemon_t *d)
{
    const char *root = d->cfg.reports_dir;
    DIR *dir = opendir(root);
    if (dir == NULL)
        return;
    names_t ls = {0};
    struct dirent *e;
    char path[4096];
    pw_err_t err;
    while ((e = readdir(dir)) != NULL) {
        if (!is_capture_name(e->d_name))
            continue;
        snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
        if (ends_with(e->d_name, ".tmp")) {
            pw_fs_remove_tree(path, &err);
            continue;
        }
        if (ls.n == ls.cap) {
            size_t cap = ls.cap ? ls.cap * 2 : 32;
            char **nn = realloc(ls.names, cap * sizeof(*nn));
            if (nn == NULL)
                break;
            ls.names = nn;
            ls.cap = cap;
        }
        if ((ls.names[ls.n] = strdup(e->d_name)) != NULL)
            ls.n++;
    }
    closedir(dir);
    qsort(ls.names, ls.n, sizeof(char *), cmp_str);
    unsigned long long total = 0;
    unsigned long long *sizes = calloc(ls.n + 1, sizeof(*sizes));
    for (size_t i = 0; sizes && i < ls.n; i++) {
        snprintf(path, sizeof(path), "%s/%s", root, ls.names[i]);
        sizes[i] = pw_fs_tree_size(path);
        total += sizes[i];
    }
    size_t keep = (size_t)d->cfg.captures.keep;
    for (size_t i = 0; i + 1 < ls.n; i++) {
        int over_count = ls.n - i > keep;
        int over_size = sizes && total > d->cfg.captures.max_bytes;
        if (!over_count && !over_size)
            break;
        snprintf(path, sizeof(path), "%s/%s", root, ls.names[i]);
        if (pw_fs_remove_tree(path, &err) == 0) {
            pw_log(PW_LOG_INFO, "capture", "removed the old capture %s (%s)", path,
                   over_count ? "captures.keep" : "captures.max_bytes");
            total -= sizes ? sizes[i] : 0;
        } else {
            pw_log(PW_LOG_WARN, "capture", "%s", err.msg);
        }
    }
    free(sizes);
    for (size_t i = 0; i < ls.n; i++)
        free(ls.names[i]);
    free(ls.names);
}

int pw_capture_write(pw_target_t *t, const char *reason, int from_window, char *path, size_t n,
                     pw_err_t *err)
{
    pw_daemon_t *d = t->d;
    const pw_raw_t *first = from_window && t->anchor_a.data ? &t->anchor_a : &t->fast_base;
    const pw_raw_t *second = &t->last_heap;
    char stamp[32], final[4096], tmp[4200], sub[4300];
    pw_buf_t buf;
    int rc;

    if (first->data == second->data)
        first = &t->fast_base; /* the window holds one snapshot */
    utc(stamp, sizeof(stamp), pw_now_ms(), 1);
    if ((rc = pw_fs_mkdir_p(d->cfg.reports_dir, DIR_MODE, err)) != 0)
        return rc;
    struct stat st;
    for (int i = 1;; i++) {
        if (i == 1)
            snprintf(final, sizeof(final), "%s/%s-%s", d->cfg.reports_dir, stamp, d->hostname);
        else
            snprintf(final, sizeof(final), "%s/%s-%s-%d", d->cfg.reports_dir, stamp, d->hostname,
                     i);
        if (stat(final, &st) != 0 && errno == ENOENT)
            break;
        if (i == 100)
            return pw_err_set(err, PW_EIO, "%s: too many captures in one second", final);
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", final);
    pw_fs_remove_tree(tmp, err);
    if (mkdir(tmp, DIR_MODE) != 0)
        return pw_err_set(err, PW_EIO, "cannot create folder %s: %s", tmp, strerror(errno));
    pw_buf_init(&buf);
    snprintf(sub, sizeof(sub), "%s/profiles", tmp);
    if (mkdir(sub, DIR_MODE) != 0) {
        rc = pw_err_set(err, PW_EIO, "cannot create folder %s: %s", sub, strerror(errno));
        goto fail_tmp;
    }
    const char *svc = t->conf.name;
    if ((first->data && first->data != second->data &&
         (rc = write_profile(tmp, svc, "1st-heap", first->data, first->len, err)) != 0) ||
        (second->data &&
         (rc = write_profile(tmp, svc, "2nd-heap", second->data, second->len, err)) != 0) ||
        (t->last_cpu.data &&
         (rc = write_profile(tmp, svc, "cpu", t->last_cpu.data, t->last_cpu.len, err)) != 0) ||
        (rc = write_contention(tmp, t, "block", &t->last_block, &t->prev_block, err)) != 0 ||
        (rc = write_contention(tmp, t, "mutex", &t->last_mutex, &t->prev_mutex, err)) != 0)
        goto fail_tmp;
    if (t->have_memstats) {
        snprintf(sub, sizeof(sub), "%s/expvar", tmp);
        if (mkdir(sub, DIR_MODE) != 0) {
            rc = pw_err_set(err, PW_EIO, "cannot create folder %s: %s", sub, strerror(errno));
            goto fail_tmp;
        }
        memstats_yaml(&t->memstats, &buf);
        snprintf(sub, sizeof(sub), "%s/expvar/memstats", tmp);
        if ((rc = pw_fs_write_new(sub, buf.data, buf.len, FILE_MODE, err)) != 0)
            goto fail_tmp;
    }
    pw_buf_reset(&buf);
    status_log(t, reason, first, second, &buf);
    snprintf(sub, sizeof(sub), "%s/status.log", tmp);
    if ((rc = pw_fs_write_new(sub, buf.data, buf.len, FILE_MODE, err)) != 0)
        goto fail_tmp;

    /* What the daemon saw over its window, for the report's sparklines. */
    pw_buf_reset(&buf);
    window_json(t, &buf);
    snprintf(sub, sizeof(sub), "%s/profwatch", tmp);
    if (mkdir(sub, DIR_MODE) != 0) {
        rc = pw_err_set(err, PW_EIO, "cannot create folder %s: %s", sub, strerror(errno));
        goto fail_tmp;
    }
    snprintf(sub, sizeof(sub), "%s/profwatch/window.json", tmp);
    if ((rc = pw_fs_write_new(sub, buf.data, buf.len, FILE_MODE, err)) != 0)
        goto fail_tmp;

    /* The same report analyze writes, from the same files. */
    pw_flare_report_opts_t ro = {.max_profile_bytes = (size_t)d->cfg.http.max_body,
                                 .source = final};
    pw_flare_report_result_t res;
    if ((rc = pw_flare_report(tmp, &d->cfg, tmp, &ro, &res, err)) != 0)
        goto fail_tmp;
    if (res.verdict != t->verdict)
        pw_log(PW_LOG_INFO, "capture",
               "%s: the capture's report reads %s where the daemon saw %s: %s", svc,
               pw_verdict_name(res.verdict), pw_verdict_name(t->verdict), res.summary);
    pw_fs_sync_dir(tmp);
    if (rename(tmp, final) != 0) {
        rc = pw_err_set(err, PW_EIO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
        goto fail_tmp;
    }
    pw_fs_sync_dir(d->cfg.reports_dir);
    pw_buf_free(&buf);
    snprintf(path, n, "%s", final);
    retain(d);
    return 0;

fail_tmp:
    pw_buf_free(&buf);
    pw_err_t e2;
    pw_fs_remove_tree(tmp, &e2);
    return rc;
}
