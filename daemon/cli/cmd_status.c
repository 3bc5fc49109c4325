/* profwatch status: the running daemon's state, read from its status socket. */
#include <cJSON.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "profwatch/buf.h"
#include "profwatch/config.h"

#define DEFAULT_CONFIG "/etc/profwatch/profwatch.yaml"
#define MAX_ANSWER (16u * 1024 * 1024)
#define TIMEOUT_MS 5000

static const char help[] =
    "Usage: profwatch status [--socket PATH | --config FILE] [--json]\n"
    "\n"
    "Show what the running profwatchd is doing, target by target: whether each\n"
    "one answers, its last scrapes and errors, its verdict and since when, what\n"
    "each rule last found, and its captures. It asks the daemon through its\n"
    "status socket, so it needs read and write access to that socket (the\n"
    "daemon's user, or root).\n"
    "\n"
    "Options:\n"
    "  --socket PATH   the daemon's status socket.\n"
    "  --config FILE   read status_socket from this config (default\n"
    "                  " DEFAULT_CONFIG ", else the built-in default\n"
    "                  /var/lib/profwatch/profwatchd.sock).\n"
    "  --json          print the daemon's answer as it came, one JSON document.\n"
    "  -h, --help      show this help.\n"
    "\n"
    "Exit status: 0 when the daemon answered; 1 when it could not be reached;\n"
    "2 for a usage or config error.\n";

static int ask(const char *path, pw_buf_t *out, char *why, size_t n)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(why, n, "the path is too long for a unix socket");
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        snprintf(why, n, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char chunk[65536];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, TIMEOUT_MS);
        if (r == 0) {
            snprintf(why, n, "no answer within %d s", TIMEOUT_MS / 1000);
            break;
        }
        ssize_t got = r > 0 ? read(fd, chunk, sizeof(chunk)) : -1;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(why, n, "%s", strerror(errno));
            break;
        }
        if (got == 0) {
            close(fd);
            return 0;
        }
        if (out->len + (size_t)got > MAX_ANSWER || pw_buf_append(out, chunk, (size_t)got) != 0) {
            snprintf(why, n, "the answer is over %u bytes", MAX_ANSWER);
            break;
        }
    }
    close(fd);
    return -1;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* "3s ago", "2m10s ago", "never" */
static void ago(char *out, size_t n, double then, double now)
{
    if (then <= 0) {
        snprintf(out, n, "never");
        return;
    }
    long s = (long)(now - then);
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(out, n, "%lds ago", s);
    else if (s < 7200)
        snprintf(out, n, "%ldm%02lds ago", s / 60, s % 60);
    else
        snprintf(out, n, "%ldh%02ldm ago", s / 3600, (s / 60) % 60);
}

static void print_target(const cJSON *t, double now)
{
    const char *sock = str(t, "unix_socket");
    printf("\n%s  %s%s%s  [%s]\n", str(t, "name"), str(t, "url") ? str(t, "url") : "",
           sock ? " over " : "", sock ? sock : "", str(t, "state") ? str(t, "state") : "?");
    char when[32];
    ago(when, sizeof(when), num(t, "verdict_since"), now);
    const char *verdict = str(t, "verdict");
    printf("  verdict: %s%s%s", verdict ? verdict : "?",
           num(t, "verdict_since") > 0 ? ", since " : "", num(t, "verdict_since") > 0 ? when : "");
    if (str(t, "pending"))
        printf(" (turning %s: %.0f cycle%s so far)", str(t, "pending"), num(t, "pending_cycles"),
               num(t, "pending_cycles") == 1 ? "" : "s");
    printf("\n  cycles: %.0f, heap snapshots in the window: %.0f, captures: %.0f\n",
           num(t, "cycles"), num(t, "window_snapshots"), num(t, "captures"));
    if (str(t, "last_capture"))
        printf("  last capture: %s\n", str(t, "last_capture"));
    if (num(t, "capture_errors") > 0)
        printf("  capture errors: %.0f, the last: %s\n", num(t, "capture_errors"),
               str(t, "last_capture_error") ? str(t, "last_capture_error") : "?");
    const cJSON *scrapes = cJSON_GetObjectItemCaseSensitive(t, "scrapes");
    printf("  %-8s %6s %6s  %-12s %-9s %s\n", "scrape", "ok", "errors", "last ok", "next in",
           "last error");
    const cJSON *s;
    cJSON_ArrayForEach(s, scrapes)
    {
        char last[32], next[32];
        ago(last, sizeof(last), num(s, "last_ok"), now);
        const cJSON *due = cJSON_GetObjectItemCaseSensitive(s, "next_in_ms");
        if (cJSON_IsNumber(due))
            snprintf(next, sizeof(next), "%.1fs", due->valuedouble / 1000);
        else
            snprintf(next, sizeof(next), "off");
        const char *e = str(s, "last_error");
        printf("  %-8s %6.0f %6.0f  %-12s %-9s %s\n", s->string, num(s, "ok"), num(s, "errors"),
               last, next, e ? e : "");
    }
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(t, "rules");
    const cJSON *r;
    printf("  rules:\n");
    cJSON_ArrayForEach(r, rules)
    {
        if (!cJSON_IsObject(r)) {
            printf("    %-10s not judged yet\n", r->string);
            continue;
        }
        const cJSON *fired = cJSON_GetObjectItemCaseSensitive(r, "fired");
        printf("    %-10s %-6s %s\n", r->string, cJSON_IsTrue(fired) ? "FIRED" : "ok",
               str(r, "why") ? str(r, "why") : "");
    }
}

static void mib(char *out, size_t n, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(v))
        snprintf(out, n, "%.1f MiB", v->valuedouble / 1048576.0);
    else
        snprintf(out, n, "n/a");
}

static void print_memory(const cJSON *m)
{
    if (!cJSON_IsObject(m) || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "enabled"))) {
        printf("memory: off\n");
        return;
    }
    char total[32];
    mib(total, sizeof(total), m, "total_pss_bytes");
    printf("memory: %s of PSS in the watched processes after %.0f readings%s\n", total,
           num(m, "readings"),
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "complete")) ? "" : " (a floor)");
    if (str(m, "note"))
        printf("  note: %s\n", str(m, "note"));
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(m, "gate");
    if (cJSON_IsObject(g))
        printf("  gate %s: %s\n", str(g, "status") ? str(g, "status") : "not judged yet",
               str(g, "message") ? str(g, "message") : "");
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "processes"))
    {
        char pss[32], anon[32], file[32], shmem[32];
        mib(pss, sizeof(pss), p, "total_pss_bytes");
        mib(anon, sizeof(anon), p, "pss_anon");
        mib(file, sizeof(file), p, "pss_file");
        mib(shmem, sizeof(shmem), p, "pss_shmem");
        printf("  %-15s pid %-7.0f PSS %s (anon %s, file %s, shmem %s)%s%s\n", str(p, "process"),
               num(p, "pid"), pss, anon, file, shmem, str(p, "error") ? ": " : "",
               str(p, "error") ? str(p, "error") : "");
        if (str(p, "top_pathname"))
            printf("  %-15s largest pathname %s (%.1f MiB)\n", "", str(p, "top_pathname"),
                   num(p, "top_pathname_pss") / 1048576.0);
        if (str(p, "trend_text"))
            printf("  %-15s trend %s\n", "", str(p, "trend_text"));
    }
}

static void print_human(const cJSON *root)
{
    double now = num(root, "now");
    char up[32];
    ago(up, sizeof(up), num(root, "started"), now);
    printf("profwatchd %s (pid %.0f) on %s, started %s\n", str(root, "version"), num(root, "pid"),
           str(root, "hostname"), up);
    printf("config: %s (reloads %.0f, failed %.0f)\n",
           str(root, "config") ? str(root, "config") : "built-in defaults", num(root, "reloads"),
           num(root, "reload_errors"));
    if (str(root, "last_reload_error"))
        printf("  last reload error: %s\n", str(root, "last_reload_error"));
    printf("reports: %s\n", str(root, "reports_dir"));
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(root, "outputs"))
    {
        printf("output %s: %.0f sent, %.0f errors, %.0f dropped", str(o, "type"), num(o, "sent"),
               num(o, "errors"), num(o, "dropped"));
        if (cJSON_GetObjectItemCaseSensitive(o, "queue_bytes") != NULL)
            printf("; %.0f bytes queued, %.0f spooled, %.0f retries", num(o, "queue_bytes"),
                   num(o, "spool_bytes"), num(o, "retries"));
        printf("\n");
    }
    const cJSON *disc = cJSON_GetObjectItemCaseSensitive(root, "discovery");
    printf("discovery: %s\n", str(disc, "config") ? str(disc, "config") : "off");
    if (str(disc, "error"))
        printf("  error: %s\n", str(disc, "error"));
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(disc, "skipped"))
        printf("  skipped %s: %s\n", str(o, "name"), str(o, "reason"));
    print_memory(cJSON_GetObjectItemCaseSensitive(root, "memory"));
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(root, "targets")) print_target(t, now);
}

int pw_cmd_status(int argc, char **argv)
{
    const char *socket_path = NULL, *config = NULL, *pos[1];
    int json = 0, n = 0;
    const pw_opt_t opts[] = {
        {"socket", NULL, 0, PW_ARG_STR, &socket_path},
        {"config", NULL, 0, PW_ARG_STR, &config},
        {"json", NULL, 0, PW_ARG_FLAG, &json},
        {"help", NULL, 'h', PW_ARG_HELP, NULL},
        {NULL, NULL, 0, 0, NULL},
    };
    int rc = pw_args_parse(argc, argv, opts, "status", pos, 0, &n);
    if (rc == 1) {
        fputs(help, stdout);
        return 0;
    }
    if (rc != 0)
        return rc;
    pw_config_t cfg;
    pw_err_t err = {0};
    struct stat st;
    int have_cfg = 0;
    if (socket_path == NULL) {
        if (config == NULL && stat(DEFAULT_CONFIG, &st) == 0)
            config = DEFAULT_CONFIG;
        rc = config ? pw_config_load(&cfg, config, &err) : pw_config_init(&cfg, &err);
        if (rc != 0) {
            fprintf(stderr, "profwatch status: %s\n", err.msg);
            return 2;
        }
        have_cfg = 1;
        socket_path = cfg.status_socket;
        if (socket_path[0] == '\0') {
            fprintf(stderr,
                    "profwatch status: the status socket is off in %s (status_socket: "
                    "\"\")\n",
                    config);
            pw_config_free(&cfg);
            return 2;
        }
    }
    pw_buf_t answer;
    char why[256] = "";
    pw_buf_init(&answer);
    rc = ask(socket_path, &answer, why, sizeof(why));
    if (rc != 0) {
        fprintf(stderr,
                "profwatch status: cannot reach profwatchd at %s: %s (is it running? try "
                "systemctl status profwatchd)\n",
                socket_path, why);
        rc = 1;
        goto done;
    }
    if (json) {
        fwrite(answer.data, 1, answer.len, stdout);
        goto done;
    }
    cJSON *root = cJSON_ParseWithLength(answer.data, answer.len);
    if (root == NULL) {
        fprintf(stderr, "profwatch status: %s answered something that is not JSON\n", socket_path);
        rc = 1;
        goto done;
    }
    print_human(root);
    cJSON_Delete(root);
done:
    pw_buf_free(&answer);
    if (have_cfg)
        pw_config_free(&cfg);
    return rc;
}
