#include "profwatch/html.h"

#include <string.h>

#include "profwatch/err.h"
#include "profwatch/json.h"

int pw_html_escape_n(pw_buf_t *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        /* Copy plain ASCII in runs: names are mostly that. */
        while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '&' && p[run] != '<' &&
               p[run] != '>' && p[run] != '"' && p[run] != '\'')
            run++;
        pw_buf_append(out, p + i, run - i);
        i = run;
        if (i >= n)
            break;
        unsigned char c = p[i];
        size_t len = 1;
        switch (c) {
        case '&':
            pw_buf_puts(out, "&amp;");
            break;
        case '<':
            pw_buf_puts(out, "&lt;");
            break;
        case '>':
            pw_buf_puts(out, "&gt;");
            break;
        case '"':
            pw_buf_puts(out, "&quot;");
            break;
        case '\'':
            pw_buf_puts(out, "&#39;");
            break;
        case '\t':
        case '\n':
            pw_buf_putc(out, (char)c);
            break;
        default:
            /* Controls (HTML forbids most of them) and DEL read as noise:
             * show them as the replacement character, like bad UTF-8. */
            len = c >= 0x80 ? pw_json_utf8_len(p + i, n - i) : 0;
            if (len == 0) {
                pw_buf_puts(out, "\xef\xbf\xbd");
                len = 1;
            } else {
                pw_buf_append(out, p + i, len);
            }
        }
        i += len;
    }
    return out->oom ? PW_ENOMEM : 0;
}

int pw_html_escape(pw_buf_t *out, const char *s)
{
    return pw_html_escape_n(out, s, strlen(s));
}
