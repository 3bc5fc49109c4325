#include "profwatch/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pw_json_init(pw_json_t *j, pw_buf_t *out, int pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
    j->first[0] = 1;
}

static void indent(pw_json_t *j)
{
    if (!j->pretty)
        return;
    pw_buf_putc(j->out, '\n');
    for (int i = 0; i < j->depth; i++)
        pw_buf_puts(j->out, "  ");
}

/* Called before any value or key: writes the separating comma. A value that
 * follows a key (first[depth] == 2) needs none. */
static void sep(pw_json_t *j)
{
    unsigned char *f = &j->first[j->depth];
    if (*f == 2) {
        *f = 0;
        return;
    }
    if (*f == 0)
        pw_buf_putc(j->out, ',');
    *f = 0;
    if (j->depth > 0)
        indent(j);
}

static void begin(pw_json_t *j, char c)
{
    sep(j);
    pw_buf_putc(j->out, c);
    if (j->depth + 1 < PW_JSON_MAX_DEPTH) {
        j->depth++;
        j->first[j->depth] = 1;
    }
}

static void end(pw_json_t *j, char c)
{
    int empty = j->first[j->depth] == 1;
    if (j->depth > 0)
        j->depth--;
    if (!empty)
        indent(j);
    pw_buf_putc(j->out, c);
}

void pw_json_obj_begin(pw_json_t *j)
{
    begin(j, '{');
}

void pw_json_obj_end(pw_json_t *j)
{
    end(j, '}');
}

void pw_json_arr_begin(pw_json_t *j)
{
    begin(j, '[');
}

void pw_json_arr_end(pw_json_t *j)
{
    end(j, ']');
}

void pw_json_key(pw_json_t *j, const char *key)
{
    sep(j);
    pw_json_escape(j->out, key, strlen(key));
    pw_buf_puts(j->out, j->pretty ? ": " : ":");
    j->first[j->depth] = 2;
}

size_t pw_json_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void pw_json_escape(pw_buf_t *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    pw_buf_putc(out, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            pw_buf_putc(out, '\\');
            pw_buf_putc(out, (char)c);
            i++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n':
                pw_buf_puts(out, "\\n");
                break;
            case '\r':
                pw_buf_puts(out, "\\r");
                break;
            case '\t':
                pw_buf_puts(out, "\\t");
                break;
            default:
                pw_buf_printf(out, "\\u%04x", c);
            }
            i++;
        } else if (c < 0x80) {
            size_t run = i;
            while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
                run++;
            pw_buf_append(out, p + i, run - i);
            i = run;
        } else {
            size_t len = pw_json_utf8_len(p + i, n - i);
            if (len == 0) {
                pw_buf_puts(out, "\xef\xbf\xbd");
                i++;
            } else {
                pw_buf_append(out, p + i, len);
                i += len;
            }
        }
    }
    pw_buf_putc(out, '"');
}

void pw_json_str(pw_json_t *j, const char *s)
{
    if (s == NULL) {
        pw_json_null(j);
        return;
    }
    pw_json_strn(j, s, strlen(s));
}

void pw_json_strn(pw_json_t *j, const char *s, size_t n)
{
    sep(j);
    pw_json_escape(j->out, s, n);
}

void pw_json_int(pw_json_t *j, int64_t v)
{
    sep(j);
    pw_buf_printf(j->out, "%" PRId64, v);
}

void pw_json_uint(pw_json_t *j, uint64_t v)
{
    sep(j);
    pw_buf_printf(j->out, "%" PRIu64, v);
}

void pw_json_double(pw_json_t *j, double v)
{
    sep(j);
    if (!isfinite(v)) {
        pw_buf_puts(j->out, "null");
        return;
    }
    /* Whole numbers (byte counts read as float64) print as integers. The
     * range check comes first: converting an out-of-range double is UB. */
    if (v < 9007199254740992.0 && v > -9007199254740992.0 && v == (double)(int64_t)v) {
        pw_buf_printf(j->out, "%lld", (long long)v);
        return;
    }
    /* %.17g round-trips; trim to a shorter form when it also round-trips. */
    char tmp[40];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    pw_buf_puts(j->out, tmp);
}

void pw_json_bool(pw_json_t *j, int v)
{
    sep(j);
    pw_buf_puts(j->out, v ? "true" : "false");
}

void pw_json_null(pw_json_t *j)
{
    sep(j);
    pw_buf_puts(j->out, "null");
}
