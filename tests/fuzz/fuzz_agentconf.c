/* fuzz_agentconf: the Agent's own datadog.yaml and system-probe.yaml, which
 * profwatchd reads to find the Agent's processes (pw_agentconf_parse, the
 * in-memory twin of pw_agentconf_discover). An input is datadog.yaml; when it
 * holds a line "#%%system-probe", what follows is system-probe.yaml.
 *
 * Checked: a refusal has a code and a message; discovery finds at most the
 * five processes, each with a name, a URL of an allowed scheme and port
 * 1-65535 (or system-probe's unix socket), and every skipped process has a
 * reason. */
#include <stdlib.h>

#include "agentconf.h"
#include "fuzz.h"

#define SPLIT "\n#%system-probe\n"

static void check_url(const pw_target_conf_t *t)
{
    const char *u = t->url;
    FUZZ_CHECK(u != NULL, "%s has no url", t->name);
    if (t->unix_socket != NULL) {
        FUZZ_CHECK(strcmp(u, "http://sysprobe") == 0 && t->unix_socket[0] != '\0',
                   "%s: %s over \"%s\"", t->name, u, t->unix_socket);
        return;
    }
    const char *rest = strncmp(u, "http://127.0.0.1:", 17) == 0    ? u + 17
                       : strncmp(u, "https://127.0.0.1:", 18) == 0 ? u + 18
                                                                   : NULL;
    FUZZ_CHECK(rest != NULL, "%s: url %s", t->name, u);
    char *end;
    long port = strtol(rest, &end, 10);
    FUZZ_CHECK(*end == '\0' && end != rest && port >= 1 && port <= 65535, "%s: url %s", t->name, u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *sp = NULL;
    size_t dd_len = size, sp_len = 0;
    const char *split = memmem(text, size, SPLIT, sizeof(SPLIT) - 1);
    if (split != NULL) {
        dd_len = (size_t)(split - text);
        sp = split + sizeof(SPLIT) - 1;
        sp_len = size - dd_len - (sizeof(SPLIT) - 1);
    }
    pw_arena_t *arena = pw_arena_create(0);
    FUZZ_CHECK(arena != NULL, "out of memory");
    pw_discovery_t d;
    pw_err_t err = {0};
    int rc =
        pw_agentconf_parse("/nonexistent/datadog.yaml", text, dd_len, sp, sp_len, arena, &d, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_agentconf_parse");
        pw_arena_destroy(arena);
        return 0;
    }
    FUZZ_CHECK(d.n_targets <= 5, "%zu targets", d.n_targets);
    FUZZ_CHECK(d.n_skipped <= PW_MAX_SKIPPED, "%zu skipped", d.n_skipped);
    for (size_t i = 0; i < d.n_targets; i++) {
        FUZZ_CHECK(d.targets[i].name != NULL, "target %zu has no name", i);
        check_url(&d.targets[i]);
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(strcmp(d.targets[k].name, d.targets[i].name) != 0, "%s found twice",
                       d.targets[i].name);
    }
    for (size_t i = 0; i < d.n_skipped; i++)
        FUZZ_CHECK(d.skipped[i].name != NULL && d.skipped[i].reason != NULL &&
                       d.skipped[i].reason[0] != '\0',
                   "skipped %zu has no reason", i);
    pw_arena_destroy(arena);
    return 0;
}
