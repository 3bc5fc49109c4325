#include "profwatch/window.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A JSON number as int64: finite and inside the range (doubles past 2^63
 * would overflow the conversion). */
static int to_i64(const cJSON *v, int64_t *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble >= 9.2e18 ||
        v->valuedouble <= -9.2e18)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

/* An optional number: absent or null leaves -1; anything else must be a
 * number in range. */
static int opt_num(const cJSON *obj, const char *key, const char *where, int64_t *out,
                   pw_err_t *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = -1;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (to_i64(v, out) != 0)
        return pw_err_set(err, PW_EINVAL, "%s: \"%s\" is not a number in the 64-bit range", where,
                          key);
    return 0;
}

/* An optional string, copied and cut to n bytes: absent or null leaves "". */
static int opt_str(const cJSON *obj, const char *key, const char *where, char *out, size_t n,
                   pw_err_t *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    out[0] = '\0';
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || v->valuestring == NULL)
        return pw_err_set(err, PW_EINVAL, "%s: \"%s\" is not a string", where, key);
    snprintf(out, n, "%s", v->valuestring);
    return 0;
}

static int series(const cJSON *root, const char *key, const char *value_key, pw_window_point_t *pts,
                  size_t *n, pw_err_t *err)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);
    *n = 0;
    if (arr == NULL || cJSON_IsNull(arr))
        return 0;
    if (!cJSON_IsArray(arr))
        return pw_err_set(err, PW_EINVAL, "\"%s\" is not an array", key);
    int count = cJSON_GetArraySize(arr);
    if (count > PW_WINDOW_MAX_POINTS)
        return pw_err_set(err, PW_ETOOBIG, "\"%s\" has %d points, more than the %d expected", key,
                          count, PW_WINDOW_MAX_POINTS);
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "t");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, value_key);
        pw_window_point_t p;
        if (!cJSON_IsObject(it) || to_i64(t, &p.t_ms) != 0 || to_i64(v, &p.value) != 0)
            return pw_err_set(err, PW_EINVAL,
                              "\"%s\"[%zu]: expected {\"t\": unix ms, \"%s\": number}", key, *n,
                              value_key);
        if (*n > 0 && p.t_ms < pts[*n - 1].t_ms)
            return pw_err_set(err, PW_EINVAL, "\"%s\"[%zu]: the times go backwards", key, *n);
        pts[(*n)++] = p;
    }
    return 0;
}

int pw_window_parse(const char *data, size_t len, pw_window_t *out, pw_err_t *err)
{
    int rc;
    memset(out, 0, sizeof(*out));
    out->window_ms = out->total_pss = out->pss_anon = out->pss_file = out->pss_shmem = out->rss =
        out->top_pathname_pss = out->budget_bytes = -1;
    if (len > PW_WINDOW_MAX_BYTES)
        return pw_err_set(err, PW_ETOOBIG, "%zu bytes, more than the %u a window file may hold",
                          len, PW_WINDOW_MAX_BYTES);
    cJSON *root = cJSON_ParseWithLength(data, len);
    if (root == NULL) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at != NULL && at >= data && at <= data + len ? (size_t)(at - data) : 0;
        return pw_err_set(err, PW_EINVAL, "malformed JSON near byte %zu", off);
    }
    if (!cJSON_IsObject(root)) {
        rc = pw_err_set(err, PW_EINVAL, "expected a JSON object");
        goto done;
    }
    if ((rc = opt_str(root, "process", "the window", out->process, sizeof(out->process), err)) ||
        (rc = opt_str(root, "verdict", "the window", out->verdict, sizeof(out->verdict), err)) ||
        (rc = opt_num(root, "window_ms", "the window", &out->window_ms, err)) ||
        (rc = series(root, "heap", "inuse", out->heap, &out->n_heap, err)) ||
        (rc = series(root, "pss", "total_pss", out->pss, &out->n_pss, err)))
        goto done;

    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "memory");
    if (m != NULL && !cJSON_IsNull(m)) {
        if (!cJSON_IsObject(m)) {
            rc = pw_err_set(err, PW_EINVAL, "\"memory\" is not an object");
            goto done;
        }
        out->have_memory = 1;
        if ((rc = opt_num(m, "total_pss_bytes", "memory", &out->total_pss, err)) ||
            (rc = opt_num(m, "pss_anon", "memory", &out->pss_anon, err)) ||
            (rc = opt_num(m, "pss_file", "memory", &out->pss_file, err)) ||
            (rc = opt_num(m, "pss_shmem", "memory", &out->pss_shmem, err)) ||
            (rc = opt_num(m, "rss", "memory", &out->rss, err)) ||
            (rc = opt_str(m, "top_pathname", "memory", out->top_pathname, sizeof(out->top_pathname),
                          err)) ||
            (rc = opt_num(m, "top_pathname_pss", "memory", &out->top_pathname_pss, err)) ||
            (rc = opt_str(m, "trend", "memory", out->trend, sizeof(out->trend), err)) ||
            (rc =
                 opt_str(m, "trend_text", "memory", out->trend_text, sizeof(out->trend_text), err)))
            goto done;
    }
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "gate");
    if (g != NULL && !cJSON_IsNull(g)) {
        if (!cJSON_IsObject(g)) {
            rc = pw_err_set(err, PW_EINVAL, "\"gate\" is not an object");
            goto done;
        }
        out->have_gate = 1;
        if ((rc = opt_str(g, "name", "gate", out->gate_name, sizeof(out->gate_name), err)) ||
            (rc = opt_num(g, "budget_bytes", "gate", &out->budget_bytes, err)) ||
            (rc = opt_str(g, "origin", "gate", out->gate_origin, sizeof(out->gate_origin), err)) ||
            (rc = opt_str(g, "status", "gate", out->gate_status, sizeof(out->gate_status), err)) ||
            (rc = opt_str(g, "message", "gate", out->gate_message, sizeof(out->gate_message), err)))
            goto done;
    }
    rc = 0;
done:
    cJSON_Delete(root);
    return rc;
}

void pw_window_summary(const pw_window_point_t *pts, size_t n, pw_window_sum_t *out)
{
    memset(out, 0, sizeof(*out));
    out->n = n;
    if (n == 0)
        return;
    out->t_first = pts[0].t_ms;
    out->t_last = pts[n - 1].t_ms;
    out->first = out->min = out->max = pts[0].value;
    out->last = pts[n - 1].value;
    for (size_t i = 1; i < n; i++) {
        if (pts[i].value < out->min)
            out->min = pts[i].value;
        if (pts[i].value > out->max)
            out->max = pts[i].value;
    }
    /* Hostile series may hold values far apart: saturate, do not wrap. */
    if (__builtin_sub_overflow(out->last, out->first, &out->growth))
        out->growth = out->last > out->first ? INT64_MAX : INT64_MIN;
}

int pw_window_margin(const pw_window_t *w, int64_t *margin, int64_t *pss)
{
    int64_t now = w->n_pss > 0 ? w->pss[w->n_pss - 1].value : w->total_pss;
    if (!w->have_gate || w->budget_bytes < 0 || now < 0)
        return -1;
    *pss = now;
    *margin = w->budget_bytes - now;
    return 0;
}

const char *pw_window_trend_detail(const pw_window_t *w)
{
    const char *s = w->trend_text;
    size_t n = strlen(w->trend);
    if (n > 0 && strncmp(s, w->trend, n) == 0 && s[n] == ':') {
        s += n + 1;
        while (*s == ' ')
            s++;
    }
    return s;
}
