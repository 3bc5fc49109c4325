#include "profwatch/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pw_buf_init(pw_buf_t *b)
{
    memset(b, 0, sizeof(*b));
}

void pw_buf_free(pw_buf_t *b)
{
    free(b->data);
    pw_buf_init(b);
}

void pw_buf_reset(pw_buf_t *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

int pw_buf_reserve(pw_buf_t *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int pw_buf_append(pw_buf_t *b, const void *data, size_t n)
{
    if (pw_buf_reserve(b, n) != 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int pw_buf_puts(pw_buf_t *b, const char *s)
{
    return pw_buf_append(b, s, strlen(s));
}

int pw_buf_putc(pw_buf_t *b, char c)
{
    return pw_buf_append(b, &c, 1);
}

int pw_buf_vprintf(pw_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof(small))
        return pw_buf_append(b, small, (size_t)n);
    if (pw_buf_reserve(b, (size_t)n) != 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int pw_buf_printf(pw_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int pw_buf_pad_left(pw_buf_t *b, const char *s, int width)
{
    size_t n = strlen(s);
    for (size_t i = n; i < (size_t)(width > 0 ? width : 0); i++)
        if (pw_buf_putc(b, ' ') != 0)
            return -1;
    return pw_buf_append(b, s, n);
}

char *pw_buf_steal(pw_buf_t *b)
{
    char *p = b->data;
    if (p == NULL)
        p = calloc(1, 1);
    pw_buf_init(b);
    return p;
}
