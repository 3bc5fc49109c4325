/* Value formatting that matches `go tool pprof` byte for byte: unit sniffing
 * ("bytes", "nanoseconds", ...), auto-scaling to B/kB/MB or ns/us/ms/s/hrs, the
 * "%.2f" label with ".00" trimmed, and the percentage column. */
#ifndef PW_UNITS_H
#define PW_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Converts value from unit `from` into unit `to`. `to` may be "minimum" or "auto"
 * to pick the largest unit that keeps the value >= 1. *unit_out receives the
 * canonical unit name, "" for counts, or `to` itself for unknown units. */
double pw_units_scale(int64_t value, const char *from, const char *to, const char **unit_out);

/* "1.28s", "299.57MB", "0", "7". */
void pw_units_label(char *out, size_t n, int64_t value, const char *from, const char *to);

/* "  100%", "72.73%", "0.017%" (always the pprof column format). */
void pw_units_percent(char *out, size_t n, int64_t value, int64_t total);

/* 1 if the unit names a time (so a total can be compared with a duration). */
int pw_units_is_time(const char *unit);

#endif
