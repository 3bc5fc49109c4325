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

/* What the Datadog outputs take from the agent's datadog.yaml: where and
 * how to send. Strings go to arena; absent settings stay NULL (port 0). */
typedef struct {
    const char *api_key, *site, *dd_url;
    const char *proxy_https, *proxy_http;
    const char *dogstatsd_socket;
    long dogstatsd_port;
    unsigned file_mode; /* datadog.yaml's permission bits, to warn when others can read the key */
} pw_agent_intake_t;

/* A missing datadog.yaml leaves everything unset and is not an error; one
 * that cannot be read or parsed is. */
int pw_agentconf_intake(const char *datadog_yaml, pw_arena_t *arena, pw_agent_intake_t *out,
                        pw_err_t *err);

#endif
