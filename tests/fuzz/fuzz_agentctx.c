/* fuzz_agentctx: the flare's status.log (pw_agentctx_parse_status),
 * install_info.log (pw_agentctx_parse_install) and go-routine-dump.log
 * (pw_agentctx_count_goroutines), each on every input. These parsers never
 * fail: what they cannot read stays empty.
 *
 * Checked: every text field is NUL-terminated inside its array (the report
 * prints them with %s), the check list stays within PW_MAX_CHECKS with
 * non-negative counts, an uptime is only given for a start before the status
 * date, times are 0 (unknown) or in years 1970-9999, a pid is a Linux pid,
 * and the goroutine count is at most one per line. */
#include "fuzz.h"
#include "profwatch/agentctx.h"

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static void check_ctx(const pw_agentctx_t *c)
{
    FUZZ_CHECK(TERMINATED(c->title) && TERMINATED(c->version) && TERMINATED(c->go_version) &&
                   TERMINATED(c->python_version) && TERMINATED(c->hostname) &&
                   TERMINATED(c->install_tool) && TERMINATED(c->install_tool_version) &&
                   TERMINATED(c->installer_version),
               "a text field is not terminated");
    FUZZ_CHECK(c->n_checks <= PW_MAX_CHECKS, "%zu checks", c->n_checks);
    FUZZ_CHECK(c->checks_dropped == 0 || c->n_checks == PW_MAX_CHECKS,
               "%zu checks dropped with %zu kept", c->checks_dropped, c->n_checks);
    for (size_t i = 0; i < c->n_checks; i++) {
        const pw_check_t *k = &c->checks[i];
        FUZZ_CHECK(TERMINATED(k->name) && TERMINATED(k->version), "check %zu: not terminated", i);
        FUZZ_CHECK(k->instances >= 0 && k->errors >= 0 && k->warnings >= 0 &&
                       k->errors + k->warnings <= k->instances,
                   "check %s: %d instances, %d errors, %d warnings", k->name, k->instances,
                   k->errors, k->warnings);
    }
    FUZZ_CHECK(c->uptime_s == -1 || (c->status_ms > 0 && c->start_ms > 0 && c->uptime_s >= 0 &&
                                     c->uptime_s == (c->status_ms - c->start_ms) / 1000),
               "uptime %lld s from %lld and %lld", (long long)c->uptime_s, (long long)c->status_ms,
               (long long)c->start_ms);
    /* 0 (unknown) or a time between 1970 and 9999. */
    FUZZ_CHECK(c->status_ms >= 0 && c->start_ms >= 0 && c->status_ms < 253402300800000LL &&
                   c->start_ms < 253402300800000LL,
               "times %lld, %lld", (long long)c->status_ms, (long long)c->start_ms);
    FUZZ_CHECK(c->pid >= 0 && c->pid <= 4194304, "pid %d", c->pid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    pw_agentctx_t *c = malloc(sizeof(*c));
    FUZZ_CHECK(c != NULL, "out of memory");

    pw_agentctx_init(c);
    pw_agentctx_parse_status(c, text, size);
    FUZZ_CHECK(c->has_status && !c->has_install, "status.log set has_install");
    check_ctx(c);

    pw_agentctx_init(c);
    int rc = pw_agentctx_parse_install(c, text, size);
    FUZZ_CHECK(rc == 0 || rc == -1, "parse_install returned %d", rc);
    FUZZ_CHECK(c->has_install == (rc == 0), "has_install %d after %d", c->has_install, rc);
    FUZZ_CHECK(c->n_checks == 0 && c->title[0] == '\0', "install_info.log set status fields");
    check_ctx(c);
    free(c);

    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    size_t g = pw_agentctx_count_goroutines(text, size);
    FUZZ_CHECK(g <= lines, "%zu goroutines in %zu lines", g, lines);
    return 0;
}
