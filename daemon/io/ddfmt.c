#include "profwatch/ddfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/err.h"
#include "profwatch/gzip.h"
#include "profwatch/json.h"

#define EVENT_TEXT_MAX 4000 /* the events API's limit on text */

/* Shortest text that reads back as the same double. */
static void fmt_double(char *out, size_t n, double v)
{
    if (v < 9007199254740992.0 && v > -9007199254740992.0 && v == (double)(int64_t)v) {
        snprintf(out, n, "%lld", (long long)v);
        return;
    }
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

/* s with the protocol's separators replaced: '|' by '/', newlines by '_',
 * and in tags ',' by '_' too. */
static void put_clean(pw_buf_t *out, const char *s, int tag)
{
    for (; s && *s; s++) {
        char c = *s;
        if (c == '|')
            c = '/';
        else if (c == '\n' || c == '\r' || (tag && c == ','))
            c = '_';
        pw_buf_putc(out, c);
    }
}

static void put_tags(pw_buf_t *out, const char *const *tags, size_t n)
{
    if (n == 0)
        return;
    pw_buf_puts(out, "|#");
    for (size_t i = 0; i < n; i++) {
        if (i)
            pw_buf_putc(out, ',');
        put_clean(out, tags[i], 1);
    }
}

/* Appends s escaped (newline as "\n", CR dropped, bytes that are not UTF-8 as
 * '?', '|' as '/' when bar is set), whole characters only, at most budget
 * bytes. Returns the bytes appended; *all says whether s fit whole. */
static size_t put_escaped(pw_buf_t *out, const char *s, size_t budget, int bar, int *all)
{
    size_t used = 0, len = s ? strlen(s) : 0, i = 0;
    *all = 1;
    while (i < len) {
        const unsigned char *p = (const unsigned char *)s + i;
        char tmp[4];
        size_t in = 1, w = 1;
        if (*p == '\n') {
            tmp[0] = '\\';
            tmp[1] = 'n';
            w = 2;
        } else if (*p == '\r') {
            w = 0;
        } else if (*p < 0x80) {
            tmp[0] = (char)(bar && *p == '|' ? '/' : *p);
        } else {
            size_t u = pw_json_utf8_len(p, len - i);
            if (u == 0) {
                tmp[0] = '?';
            } else {
                memcpy(tmp, p, u);
                in = w = u;
            }
        }
        if (used + w > budget) {
            *all = 0;
            break;
        }
        pw_buf_append(out, tmp, w);
        used += w;
        i += in;
    }
    return used;
}

int pw_ddfmt_dsd_metric(pw_buf_t *out, const pw_metric_t *m)
{
    if (!isfinite(m->value))
        return PW_EINVAL;
    char v[40];
    fmt_double(v, sizeof(v), m->value);
    put_clean(out, m->name, 0);
    pw_buf_printf(out, ":%s|g", v);
    put_tags(out, m->tags, m->n_tags);
    return out->oom ? PW_ENOMEM : 0;
}

int pw_ddfmt_dsd_service_check(pw_buf_t *out, const pw_service_check_t *c, const char *host)
{
    int all, status = c->status >= 0 && c->status <= 3 ? c->status : PW_CHECK_UNKNOWN;
    pw_buf_puts(out, "_sc|");
    put_clean(out, c->name, 0);
    pw_buf_printf(out, "|%d|d:%lld", status, (long long)c->timestamp);
    if (host && host[0]) {
        pw_buf_puts(out, "|h:");
        put_clean(out, host, 0);
    }
    put_tags(out, c->tags, c->n_tags);
    if (c->message && c->message[0]) {
        pw_buf_puts(out, "|m:");
        put_escaped(out, c->message, (size_t)-1, 1, &all);
    }
    return out->oom ? PW_ENOMEM : 0;
}

int pw_ddfmt_dsd_event(pw_buf_t *out, const pw_event_t *e, const char *host, size_t max_len)
{
    pw_buf_t title, text, tail;
    int all, rc = 0;
    pw_buf_init(&title);
    pw_buf_init(&text);
    pw_buf_init(&tail);
    put_escaped(&title, e->title, (size_t)-1, 0, &all);
    put_escaped(&text, e->text, (size_t)-1, 0, &all);
    pw_buf_printf(&tail, "|d:%lld", (long long)e->timestamp);
    if (host && host[0]) {
        pw_buf_puts(&tail, "|h:");
        put_clean(&tail, host, 0);
    }
    if (e->aggregation_key && e->aggregation_key[0]) {
        pw_buf_puts(&tail, "|k:");
        put_clean(&tail, e->aggregation_key, 0);
    }
    pw_buf_puts(&tail, "|p:");
    put_clean(&tail, e->priority ? e->priority : "normal", 0);
    pw_buf_puts(&tail, "|t:");
    put_clean(&tail, e->alert_type ? e->alert_type : "info", 0);
    put_tags(&tail, e->tags, e->n_tags);
    if (title.oom || text.oom || tail.oom) {
        rc = PW_ENOMEM;
        goto done;
    }
    char head[64];
    int hl = snprintf(head, sizeof(head), "_e{%zu,%zu}:", title.len, text.len);
    size_t total = (size_t)hl + title.len + 1 + text.len + tail.len;
    if (max_len > 0 && total > max_len) {
        /* The header only gets shorter as the text does, so sizing against
         * the current one keeps the line within max_len. */
        size_t fixed = (size_t)hl + title.len + 1 + tail.len;
        pw_buf_reset(&text);
        if (fixed + 3 <= max_len) {
            put_escaped(&text, e->text, max_len - fixed - 3, 0, &all);
            pw_buf_puts(&text, "...");
        } else {
            fixed = (size_t)hl + 1 + tail.len;
            if (fixed + 3 > max_len) {
                rc = PW_ETOOBIG;
                goto done;
            }
            pw_buf_reset(&title);
            put_escaped(&title, e->title, max_len - fixed - 3, 0, &all);
            pw_buf_puts(&title, "...");
        }
        hl = snprintf(head, sizeof(head), "_e{%zu,%zu}:", title.len, text.len);
    }
    pw_buf_append(out, head, (size_t)hl);
    pw_buf_append(out, title.data, title.len);
    pw_buf_putc(out, '|');
    pw_buf_append(out, text.data, text.len);
    pw_buf_append(out, tail.data, tail.len);
    rc = out->oom ? PW_ENOMEM : 0;
done:
    pw_buf_free(&title);
    pw_buf_free(&text);
    pw_buf_free(&tail);
    return rc;
}

/* ---- the API's JSON ------------------------------------------------------ */

static void json_tags(pw_json_t *j, const char *const *t, size_t n)
{
    pw_json_key(j, "tags");
    pw_json_arr_begin(j);
    for (size_t i = 0; i < n; i++)
        pw_json_str(j, t[i]);
    pw_json_arr_end(j);
}

int pw_ddfmt_series_item(pw_buf_t *out, const pw_metric_t *m, const char *host)
{
    if (!isfinite(m->value))
        return PW_EINVAL;
    pw_json_t j;
    pw_json_init(&j, out, 0);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "metric");
    pw_json_str(&j, m->name);
    pw_json_key(&j, "type");
    pw_json_int(&j, 3); /* gauge */
    pw_json_key(&j, "points");
    pw_json_arr_begin(&j);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "timestamp");
    pw_json_int(&j, m->timestamp);
    pw_json_key(&j, "value");
    pw_json_double(&j, m->value);
    pw_json_obj_end(&j);
    pw_json_arr_end(&j);
    pw_json_key(&j, "resources");
    pw_json_arr_begin(&j);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "name");
    pw_json_str(&j, host ? host : "");
    pw_json_key(&j, "type");
    pw_json_str(&j, "host");
    pw_json_obj_end(&j);
    pw_json_arr_end(&j);
    json_tags(&j, m->tags, m->n_tags);
    pw_json_obj_end(&j);
    return out->oom ? PW_ENOMEM : 0;
}

void pw_ddfmt_check_item(pw_buf_t *out, const pw_service_check_t *c, const char *host)
{
    pw_json_t j;
    pw_json_init(&j, out, 0);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "check");
    pw_json_str(&j, c->name);
    pw_json_key(&j, "host_name");
    pw_json_str(&j, host ? host : "");
    pw_json_key(&j, "status");
    pw_json_int(&j, c->status >= 0 && c->status <= 3 ? c->status : PW_CHECK_UNKNOWN);
    pw_json_key(&j, "timestamp");
    pw_json_int(&j, c->timestamp);
    pw_json_key(&j, "message");
    pw_json_str(&j, c->message ? c->message : "");
    json_tags(&j, c->tags, c->n_tags);
    pw_json_obj_end(&j);
}

void pw_ddfmt_event(pw_buf_t *out, const pw_event_t *e, const char *host)
{
    pw_json_t j;
    pw_json_init(&j, out, 0);
    pw_json_obj_begin(&j);
    pw_json_key(&j, "title");
    pw_json_str(&j, e->title ? e->title : "");
    pw_json_key(&j, "text");
    const char *text = e->text ? e->text : "";
    size_t n = strlen(text);
    if (n > EVENT_TEXT_MAX) {
        /* Cut at a character boundary: back off continuation bytes. */
        n = EVENT_TEXT_MAX - 3;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
        pw_buf_t cut;
        pw_buf_init(&cut);
        pw_buf_append(&cut, text, n);
        pw_buf_puts(&cut, "...");
        pw_json_strn(&j, cut.data ? cut.data : "", cut.len);
        pw_buf_free(&cut);
    } else {
        pw_json_str(&j, text);
    }
    pw_json_key(&j, "date_happened");
    pw_json_int(&j, e->timestamp);
    pw_json_key(&j, "host");
    pw_json_str(&j, host ? host : "");
    pw_json_key(&j, "alert_type");
    pw_json_str(&j, e->alert_type ? e->alert_type : "info");
    pw_json_key(&j, "priority");
    pw_json_str(&j, e->priority ? e->priority : "normal");
    if (e->aggregation_key && e->aggregation_key[0]) {
        pw_json_key(&j, "aggregation_key");
        pw_json_str(&j, e->aggregation_key);
    }
    pw_json_key(&j, "source_type_name");
    pw_json_str(&j, "profwatch");
    json_tags(&j, e->tags, e->n_tags);
    pw_json_obj_end(&j);
}

const char *pw_ddfmt_kind_name(pw_dd_kind_t k)
{
    static const char *const names[] = {"series", "checks", "event"};
    return k < PW_DD_KINDS ? names[k] : "?";
}

const char *pw_ddfmt_kind_path(pw_dd_kind_t k)
{
    static const char *const paths[] = {"/api/v2/series", "/api/v1/check_run", "/api/v1/events"};
    return k < PW_DD_KINDS ? paths[k] : "/";
}

/* ---- packing ----------------------------------------------------------- */

static const char *head_of(pw_dd_kind_t k)
{
    return k == PW_DD_SERIES ? "{\"series\":[" : k == PW_DD_CHECKS ? "[" : "";
}

static const char *tail_of(pw_dd_kind_t k)
{
    return k == PW_DD_SERIES ? "]}" : k == PW_DD_CHECKS ? "]" : "";
}

typedef struct {
    pw_dd_kind_t kind;
    const char *items;
    const size_t *ends;
    size_t max_z;
    pw_ddfmt_pack_cb cb;
    void *ud;
    size_t *left_out;
} pack_t;

static size_t start_of(const pack_t *p, size_t i)
{
    return i == 0 ? 0 : p->ends[i - 1];
}

/* Items [a, b) as one payload, halved while it compresses past max_z. */
static int emit_range(pack_t *p, size_t a, size_t b)
{
    pw_buf_t body;
    pw_buf_init(&body);
    pw_buf_puts(&body, head_of(p->kind));
    for (size_t i = a; i < b; i++) {
        if (i > a)
            pw_buf_putc(&body, ',');
        pw_buf_append(&body, p->items + start_of(p, i), p->ends[i] - start_of(p, i));
    }
    pw_buf_puts(&body, tail_of(p->kind));
    if (body.oom) {
        pw_buf_free(&body);
        return PW_ENOMEM;
    }
    pw_err_t err = {0};
    pw_ddpayload_t pl = {.raw_len = body.len, .n_items = b - a};
    int rc = pw_gzip_deflate((const uint8_t *)body.data, body.len, &pl.z, &pl.z_len, &err);
    pw_buf_free(&body);
    if (rc != 0)
        return rc;
    if (pl.z_len > p->max_z) {
        free(pl.z);
        if (b - a == 1) {
            (*p->left_out)++;
            return 0;
        }
        size_t mid = a + (b - a) / 2;
        rc = emit_range(p, a, mid);
        return rc != 0 ? rc : emit_range(p, mid, b);
    }
    return p->cb(p->ud, &pl);
}

int pw_ddfmt_pack(pw_dd_kind_t kind, const char *items, const size_t *ends, size_t n,
                  size_t max_raw, size_t max_z, pw_ddfmt_pack_cb cb, void *ud, size_t *left_out)
{
    pack_t p = {kind, items, ends, max_z, cb, ud, left_out};
    size_t frame = strlen(head_of(kind)) + strlen(tail_of(kind));
    size_t i = 0;
    *left_out = 0;
    while (i < n) {
        size_t a = i, raw = frame;
        while (i < n) {
            size_t len = ends[i] - start_of(&p, i) + (i > a);
            if (raw + len > max_raw || (kind == PW_DD_EVENT && i > a))
                break;
            raw += len;
            i++;
        }
        if (i == a) { /* alone, it is over max_raw */
            (*left_out)++;
            i++;
            continue;
        }
        int rc = emit_range(&p, a, i);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The end of the JSON value starting at i (strings, nesting), or 0 when the
 * input ends first or is unbalanced. */
static size_t value_end(const char *s, size_t i, size_t len)
{
    int depth = 0, in_str = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > 64)
                return 0;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i; /* the enclosing list ends: a scalar value ends here */
            if (--depth == 0)
                return i + 1;
        } else if (c == ',' && depth == 0) {
            return i;
        }
    }
    return 0;
}

int pw_ddfmt_items(pw_dd_kind_t kind, const char *body, size_t len, pw_buf_t *items, size_t **ends,
                   size_t *n)
{
    size_t i = skip_ws(body, 0, len), cap = 0;
    *ends = NULL;
    *n = 0;
    if (kind == PW_DD_SERIES) {
        static const char key[] = "\"series\"";
        if (i >= len || body[i] != '{')
            return PW_EINVAL;
        i = skip_ws(body, i + 1, len);
        if (len - i < sizeof(key) - 1 || memcmp(body + i, key, sizeof(key) - 1) != 0)
            return PW_EINVAL;
        i = skip_ws(body, i + sizeof(key) - 1, len);
        if (i >= len || body[i] != ':')
            return PW_EINVAL;
        i = skip_ws(body, i + 1, len);
    } else if (kind != PW_DD_CHECKS) {
        return PW_EINVAL;
    }
    if (i >= len || body[i] != '[')
        return PW_EINVAL;
    i = skip_ws(body, i + 1, len);
    while (i >= len || body[i] != ']') {
        size_t e = value_end(body, i, len);
        if (e == 0 || e == i)
            goto fail;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            size_t *ne = realloc(*ends, nc * sizeof(*ne));
            if (ne == NULL)
                goto fail;
            *ends = ne;
            cap = nc;
        }
        pw_buf_append(items, body + i, e - i);
        (*ends)[(*n)++] = items->len;
        i = skip_ws(body, e, len);
        if (i < len && body[i] == ',') {
            i = skip_ws(body, i + 1, len);
            if (i < len && body[i] == ']') /* a trailing comma */
                goto fail;
            continue;
        }
        if (i >= len || body[i] != ']')
            goto fail;
    }
    /* The list closes the body (and its object, for series): nothing after. */
    i = skip_ws(body, i + 1, len);
    if (kind == PW_DD_SERIES) {
        if (i >= len || body[i] != '}')
            goto fail;
        i = skip_ws(body, i + 1, len);
    }
    if (i == len)
        return items->oom ? PW_ENOMEM : 0;
fail:
    free(*ends);
    *ends = NULL;
    *n = 0;
    return PW_EINVAL;
}
