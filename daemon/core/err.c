#include "profwatch/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pw_err_set(pw_err_t *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void pw_err_prefix(pw_err_t *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    char old[sizeof(err->msg)];
    memcpy(old, err->msg, sizeof(old));
    snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
}

const char *pw_strerror(int code)
{
    switch (code) {
    case PW_OK:
        return "ok";
    case PW_EINVAL:
        return "malformed input";
    case PW_ENOMEM:
        return "out of memory";
    case PW_EIO:
        return "input/output error";
    case PW_ETOOBIG:
        return "input too large";
    case PW_EUNSUPP:
        return "unsupported format";
    case PW_ENOENT:
        return "not found";
    default:
        return "unknown error";
    }
}
