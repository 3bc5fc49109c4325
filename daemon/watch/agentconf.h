/* The agent's processes, found from its own configuration: the core agent on
 * expvar_port, the trace-agent's HTTPS debug port, the process-agent and
 * security-agent expvar ports, and system-probe's unix socket. A process that
 * is disabled in that configuration is skipped, with the reason. */
#ifndef PW_WATCH_AGENTCONF_H
#define PW_WATCH_AGENTCONF_H

#include "profwatch/arena.h"
#include "profwatch/config.h"
#include "profwatch/err.h"

#define PW_MAX_SKIPPED 8

typedef struct {
    pw_target_conf_t targets[8];
    size_t n_targets;
    struct {
        const char *name;
        const char *reason;
    } skipped[PW_MAX_SKIPPED];
    size_t n_skipped;
} pw_discovery_t;

/* Reads datadog.yaml (and system-probe.yaml if present). Strings go to arena.
 * A missing or unreadable datadog.yaml is an error (the message says how to
 * turn discovery off); a missing system-probe.yaml only skips system-probe. */
int pw_agentconf_discover(const char *datadog_yaml, const char *system_probe_yaml,
                          pw_arena_t *arena, pw_discovery_t *out, pw_err_t *err);
/* The same from bytes in memory (borrowed): dd is datadog.yaml, whose path
 * (datadog_yaml) locates the default IPC certificate; sp is system-probe.yaml,
 * or NULL when there is none. */
int pw_agentconf_parse(const char *datadog_yaml, const char *dd, size_t dd_len, const char *sp,
                       size_t sp_len, pw_arena_t *arena, pw_discovery_t *out, pw_err_t *err);

#endif
