/* Minimal test harness: CHECK macros count failures and report file:line;
 * main() runs the listed tests and exits non-zero if any check failed. A test
 * that needs something absent returns via PW_SKIP, which exits with 77 so that
 * ctest reports it as skipped, never as passed. */
#ifndef PW_TEST_H
#define PW_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pw_test_failures;
static int pw_test_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        pw_test_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            pw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                                              \
        pw_test_checks++;                                                                          \
        if (a_ != b_) {                                                                            \
            pw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: %s == %" PRId64 ", expected %" PRId64 "\n", __FILE__,          \
                    __LINE__, #a, a_, b_);                                                         \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        pw_test_checks++;                                                                          \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                     \
            pw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,      \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
        }                                                                                          \
    } while (0)

/* Substring check, for error messages. */
#define CHECK_CONTAINS(hay, needle)                                                                \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        pw_test_checks++;                                                                          \
        if (h_ == NULL || strstr(h_, n_) == NULL) {                                                \
            pw_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__,         \
                    h_ ? h_ : "(null)", n_);                                                       \
        }                                                                                          \
    } while (0)

#define PW_SKIP_CODE 77

typedef struct {
    const char *name;
    void (*fn)(void);
} pw_test_case_t;

static inline int pw_test_main(const pw_test_case_t *tests, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int before = pw_test_failures;
        tests[i].fn();
        fprintf(stderr, "%s %s\n", pw_test_failures == before ? "ok  " : "FAIL", tests[i].name);
    }
    fprintf(stderr, "%d checks, %d failed\n", pw_test_checks, pw_test_failures);
    return pw_test_failures ? 1 : 0;
}

#define PW_TESTS(...)                                                                              \
    int main(void)                                                                                 \
    {                                                                                              \
        static const pw_test_case_t t_[] = {__VA_ARGS__};                                          \
        return pw_test_main(t_, sizeof(t_) / sizeof(t_[0]));                                       \
    }
#define T(fn)                                                                                      \
    {                                                                                              \
#fn, fn                                                                                    \
    }

#endif
