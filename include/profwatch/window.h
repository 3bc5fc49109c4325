/* profwatch/window.json: what the daemon saw of a process over its window,
 * written into each capture beside the profiles (a flare has no such file).
 * The reports read it back to show the window's heap and PSS series, the
 * memory trend and the budget margin (markdown, JSON) and sparklines (HTML).
 *
 * The file is bytes from disk like any other: the parser bounds the points it
 * keeps and refuses what is not the shape below, with the field it expected.
 *
 *   {"process": NAME, "verdict": V, "window_ms": N,
 *    "heap": [{"t": UNIX_MS, "inuse": BYTES, "outside_runtime": BYTES}, ...],
 *    "pss": [{"t": UNIX_MS, "total_pss": BYTES}, ...],
 *    "memory": {"total_pss_bytes", "pss_anon", "pss_file", "pss_shmem", "rss",
 *               "top_pathname", "top_pathname_pss", "trend", "trend_text", ...} | null,
 *    "gate": {"name", "budget_bytes", "origin", "status", "message"} | null}
 *
 * Every key is optional except that "heap" and "pss", when present, must be
 * arrays of such objects. */
#ifndef PW_WINDOW_H
#define PW_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "profwatch/err.h"

/* Where captures keep it, relative to the capture (flare) root. */
#define PW_WINDOW_PATH "profwatch/window.json"
/* The largest file read. The daemon writes at most 64 points per series
 * (a few KiB); a bigger file is not one of its. */
#define PW_WINDOW_MAX_BYTES (1u << 20)
/* Points kept per series; more is an error, not a silent cut. */
#define PW_WINDOW_MAX_POINTS 1024

typedef struct {
    int64_t t_ms; /* unix milliseconds */
    int64_t value;
} pw_window_point_t;

typedef struct {
    char process[128];
    char verdict[32];
    int64_t window_ms; /* -1: absent */

    size_t n_heap; /* heap inuse_space at each snapshot of the window, oldest first */
    pw_window_point_t heap[PW_WINDOW_MAX_POINTS];
    size_t n_pss; /* the process tree's total PSS at each reading, oldest first */
    pw_window_point_t pss[PW_WINDOW_MAX_POINTS];

    int have_memory;                                       /* "memory" was an object */
    int64_t total_pss, pss_anon, pss_file, pss_shmem, rss; /* -1: unknown */
    char top_pathname[256];
    int64_t top_pathname_pss; /* -1: unknown */
    char trend[32];           /* "stable", "step", "gradual", "variance"; "" unknown */
    char trend_text[512];     /* the classifier's sentence */

    int have_gate; /* "gate" was an object: a budget is configured */
    char gate_name[64];
    int64_t budget_bytes; /* -1: unknown */
    char gate_origin[256];
    char gate_status[16]; /* "OK", "CRITICAL", "UNKNOWN"; "" unknown */
    char gate_message[512];
} pw_window_t;

/* The summary of one series. */
typedef struct {
    size_t n;
    int64_t t_first, t_last; /* unix ms */
    int64_t first, last, min, max;
    int64_t growth; /* last - first */
} pw_window_sum_t;

/* Parses data (len bytes, not NUL-terminated) into out. Returns 0, or
 * PW_ETOOBIG past PW_WINDOW_MAX_BYTES or PW_WINDOW_MAX_POINTS, PW_EINVAL for
 * JSON that is malformed or of another shape (err names the field), PW_ENOMEM. */
int pw_window_parse(const char *data, size_t len, pw_window_t *out, pw_err_t *err);

/* Summarises n points (n may be 0: all zero). */
void pw_window_summary(const pw_window_point_t *pts, size_t n, pw_window_sum_t *out);

/* The budget margin: the budget less the process's latest PSS (the last PSS
 * point, else memory.total_pss_bytes); negative when over. Returns 0, or -1
 * when there is no budget or no PSS to compare with. */
int pw_window_margin(const pw_window_t *w, int64_t *margin, int64_t *pss);

/* The trend's sentence without the class it starts with ("gradual: +1.2
 * MiB/hour ..." gives "+1.2 MiB/hour ..."), for renderers that show the
 * class apart; "" when there is none. */
const char *pw_window_trend_detail(const pw_window_t *w);

#endif
