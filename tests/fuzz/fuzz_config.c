/* fuzz_config: profwatch's own config file as the daemon and `analyze
 * --config` load it (pw_config_parse, the in-memory twin of pw_config_load):
 * YAML, the key table with its bounds, the custom sections (outputs, targets,
 * memory processes, gates, ownership) and the checks across keys (intervals,
 * window, log level, the memory gate). fuzz_conf covers the binding code with
 * a table of its own; this one is the real table.
 *
 * Checked: a refusal has a code and a message naming the file, and leaves the
 * config zeroed (it was freed); an accepted config has its counts within their
 * arrays, a string for every output, target and tag, and the cross-checks
 * hold (a CPU profile shorter than its period, a window of two heap scrapes). */
#include "fuzz.h"
#include "profwatch/config.h"

#define SOURCE "fuzz.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_config_t c;
    pw_err_t err = {0};
    int rc = pw_config_parse(&c, (const char *)data, size, SOURCE, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_config_parse");
        FUZZ_CHECK(c.arena == NULL && c.owners == NULL, "a refused config kept its memory");
        /* Refusals of what the file says name it; so do those of the files
         * it names (an experiment), which lead with their own path. */
        FUZZ_CHECK(rc != PW_EINVAL || strstr(err.msg, SOURCE) != NULL ||
                       c.memory_experiment == NULL,
                   "message does not name the file: %s", err.msg);
        return 0;
    }
    FUZZ_CHECK(c.path != NULL && strcmp(c.path, SOURCE) == 0, "path %s", c.path);
    FUZZ_CHECK(c.n_outputs <= PW_MAX_OUTPUTS && c.n_targets <= PW_MAX_TARGETS &&
                   c.memory.n_procs <= PW_MAX_MEMPROCS,
               "%zu outputs, %zu targets, %zu processes", c.n_outputs, c.n_targets,
               c.memory.n_procs);
    for (size_t i = 0; i < c.n_outputs; i++)
        FUZZ_CHECK(c.outputs[i].type != NULL, "output %zu has no type", i);
    for (size_t i = 0; i < c.n_targets; i++) {
        const pw_target_conf_t *t = &c.targets[i];
        FUZZ_CHECK(t->name != NULL && t->url != NULL, "target %zu has no name or url", i);
        FUZZ_CHECK(t->n_tags <= PW_MAX_TAGS, "target %s: %zu tags", t->name, t->n_tags);
        for (size_t k = 0; k < t->n_tags; k++)
            FUZZ_CHECK(t->tags[k] != NULL, "target %s: tag %zu missing", t->name, k);
    }
    const pw_intervals_t *iv = &c.intervals;
    FUZZ_CHECK(iv->cpu_every_ms == 0 || iv->cpu_duration_ms < iv->cpu_every_ms,
               "cpu_duration %lld >= cpu_every %lld", (long long)iv->cpu_duration_ms,
               (long long)iv->cpu_every_ms);
    FUZZ_CHECK(c.window_ms >= 2 * iv->heap_ms, "window %lld < 2 x heap %lld",
               (long long)c.window_ms, (long long)iv->heap_ms);
    FUZZ_CHECK(c.reports_dir != NULL && c.state_dir != NULL && c.log_level != NULL,
               "a default string went missing");
    pw_config_free(&c);
    return 0;
}
