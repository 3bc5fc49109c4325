#include "profwatch/agentctx.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profwatch/yaml.h"

void pw_agentctx_init(pw_agentctx_t *c)
{
    memset(c, 0, sizeof(*c));
    c->uptime_s = -1;
}

typedef struct {
    const char *p, *end;
} lines_t;

/* Next line without its newline (and without a trailing \r). */
static int next_line(lines_t *l, const char **s, size_t *n)
{
    if (l->p >= l->end)
        return 0;
    const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
    const char *e = nl ? nl : l->end;
    *s = l->p;
    *n = (size_t)(e - l->p);
    if (*n > 0 && (*s)[*n - 1] == '\r')
        (*n)--;
    l->p = nl ? nl + 1 : l->end;
    return 1;
}

static void copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static size_t indent_of(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    return i;
}

static int is_rule(const char *s, size_t n, char c)
{
    size_t i = indent_of(s, n);
    if (i == n)
        return 0;
    for (; i < n; i++)
        if (s[i] != c)
            return 0;
    return 1;
}

/* "  Key: value" -> value when the trimmed line starts with key. */
static const char *field(const char *s, size_t n, const char *key, size_t *vn)
{
    size_t i = indent_of(s, n), k = strlen(key);
    if (n - i < k || memcmp(s + i, key, k) != 0)
        return NULL;
    *vn = n - i - k;
    return s + i + k;
}

/* Times before 1970 or after 9999 are not a status.log's: they read as
 * unknown, which also keeps the millisecond arithmetic inside int64. */
#define MAX_TIME_MS 253402300800000LL /* 10000-01-01 UTC */

/* "2024-10-15 07:50:26.802 UTC (1728978626802)": the epoch milliseconds in
 * parentheses, or the date itself when the parentheses are absent. */
static int64_t parse_time_ms(const char *s, size_t n)
{
    char buf[96];
    copy_trim(buf, sizeof(buf), s, n);
    char *open = strrchr(buf, '(');
    if (open != NULL) {
        char *end;
        long long ms = strtoll(open + 1, &end, 10);
        if (*end == ')' && ms > 0 && ms < MAX_TIME_MS)
            return ms;
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int msec = 0;
    if (sscanf(buf, "%d-%d-%d %d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &msec) < 6)
        return 0;
    if (tm.tm_year < 1970 || tm.tm_year > 9999 || msec < 0 || msec > 999)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    /* timegm normalises out-of-range months and days, so check the result. */
    if (t <= 0 || t >= MAX_TIME_MS / 1000)
        return 0;
    return (int64_t)t * 1000 + msec;
}

/* "Agent (v7.57.2)" -> "7.57.2" */
static void version_from_title(pw_agentctx_t *c)
{
    const char *v = strstr(c->title, "(v");
    if (v == NULL)
        return;
    v += 2;
    size_t n = strcspn(v, ")");
    copy_trim(c->version, sizeof(c->version), v, n);
}

/* A check header: a name line, then a line of dashes at the same indent. */
static void parse_checks(pw_agentctx_t *c, lines_t *l, size_t section_indent)
{
    const char *s, *prev = NULL;
    size_t n, prev_n = 0;
    pw_check_t *cur = NULL;
    while (next_line(l, &s, &n)) {
        size_t ind = indent_of(s, n);
        if (ind < n && ind <= section_indent && is_rule(s, n, '='))
            return; /* the next section of the collector ("Loading Errors", ...) */
        if (ind == 0 && n > 0)
            return; /* a top-level section: the collector's part is over */
        if (is_rule(s, n, '-') && prev != NULL && prev_n > 0) {
            if (c->n_checks == PW_MAX_CHECKS) {
                c->checks_dropped++;
                cur = NULL;
            } else {
                cur = &c->checks[c->n_checks++];
                memset(cur, 0, sizeof(*cur));
                char name[160];
                copy_trim(name, sizeof(name), prev, prev_n);
                char *ver = strrchr(name, '(');
                if (ver != NULL && ver > name && name[strlen(name) - 1] == ')') {
                    copy_trim(cur->version, sizeof(cur->version), ver + 1, strlen(ver + 1) - 1);
                    *ver = '\0';
                }
                copy_trim(cur->name, sizeof(cur->name), name, strlen(name));
            }
        } else if (cur != NULL) {
            size_t vn;
            const char *v = field(s, n, "Instance ID:", &vn);
            if (v != NULL) {
                cur->instances++;
                if (memmem(v, vn, "[ERROR]", 7) != NULL)
                    cur->errors++;
                else if (memmem(v, vn, "[WARNING]", 9) != NULL)
                    cur->warnings++;
            }
        }
        prev = s;
        prev_n = n;
    }
}

void pw_agentctx_parse_status(pw_agentctx_t *c, const char *text, size_t len)
{
    lines_t l = {text, text + len};
    const char *s, *prev = NULL;
    size_t n, prev_n = 0, vn;
    int line_no = 0;
    c->has_status = 1;
    while (next_line(&l, &s, &n)) {
        line_no++;
        const char *v;
        /* The title sits between two rules of '=' at the top. */
        if (c->title[0] == '\0' && line_no <= 4 && prev != NULL && is_rule(s, n, '=') &&
            prev_n > 0 && !is_rule(prev, prev_n, '=')) {
            copy_trim(c->title, sizeof(c->title), prev, prev_n);
            version_from_title(c);
        } else if ((v = field(s, n, "Status date:", &vn)) != NULL) {
            c->status_ms = parse_time_ms(v, vn);
        } else if ((v = field(s, n, "Agent start:", &vn)) != NULL) {
            c->start_ms = parse_time_ms(v, vn);
        } else if ((v = field(s, n, "Pid:", &vn)) != NULL && c->pid == 0) {
            char buf[32], *end;
            copy_trim(buf, sizeof(buf), v, vn);
            long pid = strtol(buf, &end, 10);
            /* Linux pids are below 2^22; anything else is not one. */
            c->pid = *end == '\0' && pid > 0 && pid <= 4194304 ? (int)pid : 0;
        } else if ((v = field(s, n, "Go Version:", &vn)) != NULL && !c->go_version[0]) {
            copy_trim(c->go_version, sizeof(c->go_version), v, vn);
        } else if ((v = field(s, n, "Python Version:", &vn)) != NULL && !c->python_version[0]) {
            copy_trim(c->python_version, sizeof(c->python_version), v, vn);
        } else if ((v = field(s, n, "hostname:", &vn)) != NULL && !c->hostname[0]) {
            copy_trim(c->hostname, sizeof(c->hostname), v, vn);
        } else if (is_rule(s, n, '=') && prev != NULL && c->n_checks == 0) {
            size_t pi = indent_of(prev, prev_n);
            if (prev_n - pi >= 14 && memcmp(prev + pi, "Running Checks", 14) == 0)
                parse_checks(c, &l, pi);
        }
        prev = s;
        prev_n = n;
    }
    if (c->status_ms > 0 && c->start_ms > 0 && c->status_ms >= c->start_ms)
        c->uptime_s = (c->status_ms - c->start_ms) / 1000;
}

static void copy_scalar(char *dst, size_t cap, const pw_ynode_t *n)
{
    if (n != NULL && n->kind == PW_Y_SCALAR)
        copy_trim(dst, cap, n->value, strlen(n->value));
}

int pw_agentctx_parse_install(pw_agentctx_t *c, const char *text, size_t len)
{
    pw_ydoc_t *doc = NULL;
    pw_err_t err;
    if (pw_yaml_parse(text, len, "install_info.log", &doc, &err) != 0)
        return -1;
    const pw_ynode_t *im = pw_ymap_get(doc->root, "install_method");
    if (im == NULL || im->kind != PW_Y_MAP) {
        pw_yaml_free(doc);
        return -1;
    }
    copy_scalar(c->install_tool, sizeof(c->install_tool), pw_ymap_get(im, "tool"));
    copy_scalar(c->install_tool_version, sizeof(c->install_tool_version),
                pw_ymap_get(im, "tool_version"));
    copy_scalar(c->installer_version, sizeof(c->installer_version),
                pw_ymap_get(im, "installer_version"));
    c->has_install = 1;
    pw_yaml_free(doc);
    return 0;
}

size_t pw_agentctx_count_goroutines(const char *text, size_t len)
{
    lines_t l = {text, text + len};
    const char *s;
    size_t n, count = 0;
    while (next_line(&l, &s, &n))
        if (n > 12 && memcmp(s, "goroutine ", 10) == 0 && isdigit((unsigned char)s[10]) &&
            memchr(s, '[', n) != NULL)
            count++;
    return count;
}
