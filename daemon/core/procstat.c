#include "profwatch/procstat.h"

#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A decimal number at s[*i], advancing *i past it. */
static int take_u64(const char *s, size_t n, size_t *i, uint64_t *out)
{
    uint64_t v = 0;
    size_t start = *i;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(s[*i] - '0');
        (*i)++;
    }
    if (*i == start)
        return -1;
    *out = v;
    return 0;
}

int pw_procstat_parse(const char *buf, size_t len, pw_procstat_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    uint64_t v;
    if (take_u64(buf, len, &i, &v) != 0 || v == 0 || v > PW_PID_MAX || i + 1 >= len ||
        buf[i] != ' ' || buf[i + 1] != '(')
        return pw_err_set(err, PW_EINVAL, "expected \"PID (COMM) STATE ...\" at the start");
    out->pid = (int)v;
    size_t open = i + 2, close = len;
    while (close > open && buf[close - 1] != ')')
        close--;
    if (close == open)
        return pw_err_set(err, PW_EINVAL, "no ')' closes the command name");
    size_t comm_len = close - 1 - open;
    if (comm_len >= sizeof(out->comm))
        comm_len = sizeof(out->comm) - 1;
    memcpy(out->comm, buf + open, comm_len);
    for (size_t k = 0; k < comm_len; k++)
        if (out->comm[k] == '\0' || out->comm[k] == '\n')
            out->comm[k] = '?';
    i = close;
    /* Fields 3 (state) to 22 (starttime), counted as in proc(5). */
    for (int field = 3; field <= 22; field++) {
        if (i >= len || buf[i] != ' ')
            return pw_err_set(err, PW_EINVAL, "field %d is missing", field);
        i++;
        if (field == 3) {
            if (i >= len || is_space(buf[i]))
                return pw_err_set(err, PW_EINVAL, "field 3 (state) is missing");
            out->state = buf[i++];
            continue;
        }
        if (field == 4 || field == 9 || field == 22) {
            if (take_u64(buf, len, &i, &v) != 0 || (field == 4 && v > PW_PID_MAX) ||
                (field == 9 && v > UINT32_MAX))
                return pw_err_set(err, PW_EINVAL, "field %d (%s) is not a number", field,
                                  field == 4   ? "ppid"
                                  : field == 9 ? "flags"
                                               : "starttime");
            if (field == 4)
                out->ppid = (int)v;
            else if (field == 9)
                out->flags = (uint32_t)v;
            else
                out->starttime = v;
            continue;
        }
        /* Fields in between may be negative (priority, nice, tty_nr). */
        if (i < len && buf[i] == '-')
            i++;
        if (take_u64(buf, len, &i, &v) != 0)
            return pw_err_set(err, PW_EINVAL, "field %d is not a number", field);
    }
    return 0;
}

int pw_procstat_parse_statm(const char *buf, size_t len, uint64_t *size_pages, pw_err_t *err)
{
    size_t i = 0;
    if (take_u64(buf, len, &i, size_pages) != 0 || (i < len && !is_space(buf[i])))
        return pw_err_set(err, PW_EINVAL, "expected a number of pages at the start of statm");
    return 0;
}

int pw_pidfile_parse(const char *buf, size_t len, int *pid, pw_err_t *err)
{
    size_t i = 0;
    while (i < len && is_space(buf[i]))
        i++;
    uint64_t v;
    size_t start = i;
    if (take_u64(buf, len, &i, &v) != 0) {
        if (i == len)
            return pw_err_set(err, PW_EINVAL, "the pid file is empty");
        return pw_err_set(err, PW_EINVAL, "expected a process id, found \"%c\" at byte %zu",
                          buf[start] >= 0x20 && buf[start] < 0x7f ? buf[start] : '?', start + 1);
    }
    while (i < len && is_space(buf[i]))
        i++;
    if (i != len)
        return pw_err_set(err, PW_EINVAL, "unexpected text after the process id, at byte %zu",
                          i + 1);
    if (v == 0 || v > PW_PID_MAX)
        return pw_err_set(err, PW_EINVAL, "%llu is not a valid process id (1 to %d)",
                          (unsigned long long)v, PW_PID_MAX);
    *pid = (int)v;
    return 0;
}
