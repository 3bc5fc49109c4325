/* Shared by the fuzz targets (tests/fuzz/fuzz_<name>.c). Each target defines
 * LLVMFuzzerTestOneInput for one parser and checks the parser's promises with
 * FUZZ_CHECK. A broken promise aborts, which libFuzzer reports as a crash and
 * saves as a reproducer, and which fails the corpus replay in normal builds. */
#ifndef PW_FUZZ_H
#define PW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profwatch/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: broken promise: %s: ", __FILE__, __LINE__, #cond);             \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* What every failing call promises: a negative PW_E* code, the same code in
 * err, and a message. */
static inline void fuzz_check_error(int rc, const pw_err_t *err, const char *call)
{
    FUZZ_CHECK(rc < 0 && strcmp(pw_strerror(rc), "unknown error") != 0,
               "%s returned %d, not a PW_E* code", call, rc);
    FUZZ_CHECK(err->code == rc, "%s returned %d but err says %d (%s)", call, rc, err->code,
               err->msg);
    FUZZ_CHECK(err->msg[0] != '\0', "%s failed (%d) without a message", call, rc);
}

#endif
