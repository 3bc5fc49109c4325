/* fuzz_memstats: Go's runtime.MemStats as the daemon reads it from a target's
 * /debug/vars (JSON, pw_memstats_from_json) and as `analyze` reads it from a
 * flare's expvar/memstats (YAML, pw_memstats_from_yaml). Both get every input.
 *
 * Checked: a refusal has a code and a message (the YAML one names the file);
 * an accepted document has at least one field, n_present counts the fields
 * marked present, and every present value is finite, not negative and small
 * enough to convert to an int64 (the metrics and reports do). */
#include <math.h>

#include "fuzz.h"
#include "profwatch/memstats.h"

#define SOURCE "expvar/memstats"

static void check(int rc, const pw_memstats_t *ms, const pw_err_t *err, const char *call)
{
    if (rc != 0) {
        fuzz_check_error(rc, err, call);
        return;
    }
    size_t n = 0;
    for (int f = 0; f < PW_MS_COUNT; f++) {
        FUZZ_CHECK(ms->present[f] <= 1, "%s: present[%d] = %d", call, f, ms->present[f]);
        if (!ms->present[f])
            continue;
        n++;
        double v = ms->value[f];
        FUZZ_CHECK(isfinite(v) && v >= 0 && v < 9.2e18, "%s: %s = %g", call,
                   pw_memstats_go_name((pw_ms_field_t)f), v);
        FUZZ_CHECK(pw_memstats_metric_name((pw_ms_field_t)f) != NULL, "field %d has no name", f);
    }
    FUZZ_CHECK(n > 0 && n == ms->n_present, "%s: n_present %zu, %zu fields present", call,
               ms->n_present, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_memstats_t ms;
    pw_err_t err = {0};
    int rc = pw_memstats_from_json((const char *)data, size, &ms, &err);
    check(rc, &ms, &err, "pw_memstats_from_json");

    memset(&err, 0, sizeof(err));
    rc = pw_memstats_from_yaml((const char *)data, size, SOURCE, &ms, &err);
    check(rc, &ms, &err, "pw_memstats_from_yaml");
    if (rc == PW_EINVAL)
        FUZZ_CHECK(strncmp(err.msg, SOURCE, sizeof(SOURCE) - 1) == 0,
                   "message does not name the file: %s", err.msg);
    return 0;
}
