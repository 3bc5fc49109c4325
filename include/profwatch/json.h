/* Streaming JSON writer into a pw_buf_t. It tracks nesting so that commas are
 * placed for the caller, writes int64 exactly (no trip through double), and
 * escapes strings (invalid UTF-8 bytes become U+FFFD so output is always valid). */
#ifndef PW_JSON_H
#define PW_JSON_H

#include <stdint.h>

#include "profwatch/buf.h"

#define PW_JSON_MAX_DEPTH 32

typedef struct {
    pw_buf_t *out;
    int depth;
    int pretty;
    unsigned char first[PW_JSON_MAX_DEPTH]; /* no member written yet at this depth */
} pw_json_t;

void pw_json_init(pw_json_t *j, pw_buf_t *out, int pretty);
void pw_json_obj_begin(pw_json_t *j);
void pw_json_obj_end(pw_json_t *j);
void pw_json_arr_begin(pw_json_t *j);
void pw_json_arr_end(pw_json_t *j);
/* Writes "key": ; the next value call supplies the value. */
void pw_json_key(pw_json_t *j, const char *key);
void pw_json_str(pw_json_t *j, const char *s);
void pw_json_strn(pw_json_t *j, const char *s, size_t n);
void pw_json_int(pw_json_t *j, int64_t v);
void pw_json_uint(pw_json_t *j, uint64_t v);
/* Non-finite values are written as null. */
void pw_json_double(pw_json_t *j, double v);
void pw_json_bool(pw_json_t *j, int v);
void pw_json_null(pw_json_t *j);

/* Length of the valid UTF-8 sequence at p (at most n bytes): 1 to 4, or 0
 * when p does not start one (overlong forms and surrogates are invalid). The
 * HTML writer uses it too, to replace the same bytes with U+FFFD. */
size_t pw_json_utf8_len(const unsigned char *p, size_t n);

/* Appends s as a JSON string literal (quotes included). */
void pw_json_escape(pw_buf_t *out, const char *s, size_t n);

#endif
