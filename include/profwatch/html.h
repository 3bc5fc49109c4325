/* Escaping for HTML pages that profwatch writes (the flame graph page, the
 * reports around it). Profile strings are hostile: function names carry '<',
 * '&' and quotes, and any byte may appear. */
#ifndef PW_HTML_H
#define PW_HTML_H

#include <stddef.h>

#include "profwatch/buf.h"

/* Appends s as text that is safe both between tags and inside a quoted
 * attribute value: & < > " ' become character references, control characters
 * other than tab and newline and bytes that are not valid UTF-8 become U+FFFD.
 * Returns 0, or PW_ENOMEM once out failed. */
int pw_html_escape(pw_buf_t *out, const char *s);
int pw_html_escape_n(pw_buf_t *out, const char *s, size_t n);

#endif
