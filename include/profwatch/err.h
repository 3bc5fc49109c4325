/* Error detail for the user: a message that names the input, the place in it,
 * and what was expected. Functions return a negative PW_E* code and fill this. */
#ifndef PW_ERR_H
#define PW_ERR_H

#include <stddef.h>

enum {
    PW_OK = 0,
    PW_EINVAL = -1,  /* malformed input */
    PW_ENOMEM = -2,  /* out of memory, or over a configured budget */
    PW_EIO = -3,     /* read or write failed */
    PW_ETOOBIG = -4, /* input over a configured size cap */
    PW_EUNSUPP = -5, /* well-formed but a format we do not handle */
    PW_ENOENT = -6,  /* not found */
};

typedef struct {
    int code;
    char msg[512];
} pw_err_t;

/* Sets code and message; returns code so callers can `return pw_err_set(...)`. */
int pw_err_set(pw_err_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prepends "prefix: " to the message (used to add the file name at the top). */
void pw_err_prefix(pw_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *pw_strerror(int code);

#endif
