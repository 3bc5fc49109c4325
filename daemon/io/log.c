#include "profwatch/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static pw_log_level_t current = PW_LOG_INFO;
static unsigned long suppressed_total;
static int to_syslog;

/* Rate limiting per call site: a site is its format string (a literal, so its
 * address is stable) and component. BURST lines per WINDOW seconds pass. */
#define SLOTS 64
#define BURST 5
#define WINDOW 60

typedef struct {
    const char *fmt;
    const char *component;
    time_t window_start;
    unsigned count;
    unsigned long suppressed;
} slot_t;

static slot_t slots[SLOTS];

void pw_log_set_level(pw_log_level_t level)
{
    current = level;
}

pw_log_level_t pw_log_get_level(void)
{
    return current;
}

int pw_log_parse_level(const char *s)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    if (strcasecmp(s, "warning") == 0)
        return PW_LOG_WARN;
    return -1;
}

void pw_log_use_syslog(const char *ident)
{
    openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    to_syslog = 1;
}

unsigned long pw_log_suppressed(void)
{
    return suppressed_total;
}

static slot_t *slot_for(const char *component, const char *fmt)
{
    uintptr_t h = ((uintptr_t)fmt >> 3) ^ ((uintptr_t)component >> 5);
    for (unsigned i = 0; i < SLOTS; i++) {
        slot_t *s = &slots[(h + i) % SLOTS];
        if (s->fmt == NULL || (s->fmt == fmt && s->component == component)) {
            s->fmt = fmt;
            s->component = component;
            return s;
        }
    }
    return &slots[h % SLOTS]; /* table full: share a slot, still bounded */
}

void pw_log_write(pw_log_level_t level, const char *component, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    static const int syslog_prio[] = {3, 4, 6, 7};
    time_t now = time(NULL);
    slot_t *s = slot_for(component, fmt);
    if (now - s->window_start >= WINDOW) {
        s->window_start = now;
        s->count = 0;
    }
    if (++s->count > BURST) {
        s->suppressed++;
        suppressed_total++;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char note[96] = "";
    if (s->suppressed > 0) {
        snprintf(note, sizeof(note), " (%lu similar messages were suppressed)", s->suppressed);
        s->suppressed = 0;
    } else if (s->count == BURST) {
        /* Whoever reads the log should know that silence is not recovery. */
        snprintf(note, sizeof(note), " (similar messages are suppressed for the next %ld s)",
                 (long)(s->window_start + WINDOW - now));
    }
    if (to_syslog) {
        syslog(syslog_prio[level], "%s %s: %s%s", names[level], component, msg, note);
        return;
    }
    /* journald stamps lines itself and reads the "<N>" priority prefix. */
    char head[48];
    if (getenv("JOURNAL_STREAM") != NULL) {
        snprintf(head, sizeof(head), "<%d>", syslog_prio[level]);
    } else {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    fprintf(stderr, "%s%s %s: %s%s\n", head, names[level], component, msg, note);
}
