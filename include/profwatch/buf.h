/* Growable byte buffer, always NUL-terminated, for building output text. */
#ifndef PW_BUF_H
#define PW_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int oom; /* set once an append failed; later appends are ignored */
} pw_buf_t;

void pw_buf_init(pw_buf_t *b);
void pw_buf_free(pw_buf_t *b);
void pw_buf_reset(pw_buf_t *b);
int pw_buf_reserve(pw_buf_t *b, size_t extra);
int pw_buf_append(pw_buf_t *b, const void *data, size_t n);
int pw_buf_puts(pw_buf_t *b, const char *s);
int pw_buf_putc(pw_buf_t *b, char c);
int pw_buf_printf(pw_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pw_buf_vprintf(pw_buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Pads with spaces on the left to width (like "%*s"). */
int pw_buf_pad_left(pw_buf_t *b, const char *s, int width);
/* Detaches the data; the caller frees it. */
char *pw_buf_steal(pw_buf_t *b);

#endif
