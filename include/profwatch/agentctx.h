/* The agent's context as a flare records it: the status.log header (version,
 * status date, start time, pid, Go version, hostname) and its Running Checks
 * list, install_info.log, and the goroutine count of go-routine-dump.log.
 * Parsers take bytes and never fail on odd content: what they cannot read
 * stays empty, and the report says "unknown". */
#ifndef PW_AGENTCTX_H
#define PW_AGENTCTX_H

#include <stddef.h>
#include <stdint.h>

#define PW_MAX_CHECKS 256

typedef struct {
    char name[96];
    char version[32];
    int instances;
    int errors;   /* instances whose status is [ERROR] */
    int warnings; /* instances whose status is [WARNING] */
} pw_check_t;

typedef struct {
    char title[96];    /* "Agent (v7.50.3)" */
    char version[48];  /* "7.50.3" */
    int64_t status_ms; /* unix milliseconds; 0 when unknown */
    int64_t start_ms;
    int64_t uptime_s; /* -1 when unknown */
    int pid;          /* 0 when unknown */
    char go_version[32];
    char python_version[32];
    char hostname[256];
    int has_status; /* status.log was read */
    char install_tool[64];
    char install_tool_version[96];
    char installer_version[96];
    int has_install;
    size_t n_checks;
    size_t checks_dropped; /* beyond PW_MAX_CHECKS */
    pw_check_t checks[PW_MAX_CHECKS];
} pw_agentctx_t;

void pw_agentctx_init(pw_agentctx_t *c);
/* Reads the header and the Running Checks section of status.log. */
void pw_agentctx_parse_status(pw_agentctx_t *c, const char *text, size_t len);
/* Reads install_info.log (YAML: install_method: {tool, tool_version,
 * installer_version}). Returns 0, or -1 when it is not that YAML. */
int pw_agentctx_parse_install(pw_agentctx_t *c, const char *text, size_t len);
/* Goroutines in a goroutine?debug=2 dump: lines starting "goroutine N [". */
size_t pw_agentctx_count_goroutines(const char *text, size_t len);

#endif
