/* Logging for the daemon and the CLI: pw_log(level, component, fmt, ...) checks
 * the level before formatting anything. Lines go to stderr; under systemd
 * (JOURNAL_STREAM set) they carry a "<N>" priority prefix that journald reads,
 * and otherwise a UTC timestamp.
 * A message repeated from the same call site more than a few times a minute is
 * suppressed, and the next one printed says how many were. Never log secrets. */
#ifndef PW_LOG_H
#define PW_LOG_H

#include <stdarg.h>

typedef enum { PW_LOG_ERROR = 0, PW_LOG_WARN, PW_LOG_INFO, PW_LOG_DEBUG } pw_log_level_t;

void pw_log_set_level(pw_log_level_t level);
pw_log_level_t pw_log_get_level(void);
/* "error", "warn", "info", "debug" -> level; -1 when unknown. */
int pw_log_parse_level(const char *s);

void pw_log_write(pw_log_level_t level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define pw_log(level, component, ...)                                                              \
    do {                                                                                           \
        if ((level) <= pw_log_get_level())                                                         \
            pw_log_write((level), (component), __VA_ARGS__);                                       \
    } while (0)

/* From now on lines go to syslog (LOG_DAEMON): a detached daemon has no stderr. */
void pw_log_use_syslog(const char *ident);

/* Messages suppressed so far by rate limiting (for the daemon's metrics). */
unsigned long pw_log_suppressed(void);

#endif
