/* Unit tests for memory budgets: gates by name, sizes, experiment.yaml
 * (well-formed and malformed), and the verdict with its message. */
#include "profwatch/budget.h"
#include "pw_test.h"

#define MIB (1024ull * 1024)

static void test_default_gates(void)
{
    size_t n;
    const pw_gate_t *g = pw_budget_default_gates(&n);
    pw_budget_t b;
    pw_err_t err = {0};
    CHECK_INT(n, 4);
    CHECK_INT(pw_budget_from_gate("idle", g, n, &b, &err), 0);
    CHECK_INT(b.bytes, 175 * MIB);
    CHECK_STR(b.name, "idle");
    CHECK_STR(b.origin, "built-in gate");
    CHECK_INT(pw_budget_from_gate("quality_gate_idle_all_features", g, n, &b, &err), 0);
    CHECK_INT(b.bytes, 485 * MIB);
    CHECK_STR(b.name, "idle_all_features");
    CHECK_INT(pw_budget_from_gate("logs", g, n, &b, &err), 0);
    CHECK_INT(b.bytes, 220 * MIB);
    CHECK_INT(pw_budget_from_gate("metrics_logs", g, n, &b, &err), 0);
    CHECK_INT(b.bytes, 475 * MIB);
    CHECK_INT(pw_budget_from_gate("idle_some_features", g, n, &b, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "unknown memory gate \"idle_some_features\"; the gates are: idle, "
                            "idle_all_features, logs, metrics_logs");
}

static void test_gates_from_config(void)
{
    const char *text = "memory_gates:\n  idle: 180MiB\n  huge: 1.5GiB\n";
    pw_ydoc_t *doc = NULL;
    pw_err_t err = {0};
    pw_arena_t *a = pw_arena_create(0);
    CHECK_INT(pw_yaml_parse(text, strlen(text), "profwatch.yaml", &doc, &err), 0);
    pw_gate_t *g = NULL;
    size_t n = 0;
    CHECK_INT(pw_budget_gates_from_yaml(pw_ymap_get(doc->root, "memory_gates"), "profwatch.yaml", a,
                                        &g, &n, &err),
              0);
    CHECK_INT(n, 2);
    pw_budget_t b;
    CHECK_INT(pw_budget_from_gate("huge", g, n, &b, &err), 0);
    CHECK_INT(b.bytes, 1536 * MIB);
    CHECK_STR(b.origin, "configured gate");
    CHECK_INT(pw_budget_from_gate("logs", g, n, &b, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "the gates are: idle, huge");
    pw_yaml_free(doc);

    const char *bad = "memory_gates:\n  idle: 180MiB\n  logs: plenty\n";
    CHECK_INT(pw_yaml_parse(bad, strlen(bad), "profwatch.yaml", &doc, &err), 0);
    CHECK_INT(pw_budget_gates_from_yaml(pw_ymap_get(doc->root, "memory_gates"), "profwatch.yaml", a,
                                        &g, &n, &err),
              PW_EINVAL);
    CHECK_CONTAINS(err.msg, "profwatch.yaml:3: memory_gates.logs: expected a size such as 485MiB, "
                            "got plenty");
    pw_yaml_free(doc);
    pw_arena_destroy(a);
}

static void test_size(void)
{
    pw_budget_t b;
    pw_err_t err = {0};
    CHECK_INT(pw_budget_from_size("300MiB", &b, &err), 0);
    CHECK_INT(b.bytes, 300 * MIB);
    CHECK_STR(b.name, "");
    CHECK_INT(pw_budget_from_size("640.0 MiB", &b, &err), 0);
    CHECK_INT(b.bytes, 640 * MIB);
    CHECK_INT(pw_budget_from_size("1.5GiB", &b, &err), 0);
    CHECK_INT(b.bytes, 1536 * MIB);
    CHECK_INT(pw_budget_from_size("lots", &b, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "expected a budget size such as 300MiB or 1.5GiB, got \"lots\"");
    CHECK_INT(pw_budget_from_size("0", &b, &err), PW_EINVAL);
    CHECK_INT(pw_budget_from_size("-5MiB", &b, &err), PW_EINVAL);
}

static void test_experiment_file(void)
{
    pw_budget_t b;
    pw_err_t err = {0};
    const char *path = PW_TEST_DATA "/experiments/quality_gate_idle/experiment.yaml";
    CHECK_INT(pw_budget_load_experiment(path, &b, &err), 0);
    CHECK_INT(b.bytes, 175 * MIB);
    CHECK_STR(b.name, "quality_gate_idle");
    CHECK_CONTAINS(b.origin, "quality_gate_idle/experiment.yaml:24");

    const char *bad = PW_TEST_DATA "/experiments/bad_bound/experiment.yaml";
    CHECK_INT(pw_budget_load_experiment(bad, &b, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "bad_bound/experiment.yaml:7: memory_usage.bounds.upper_bound: "
                            "expected a size such as \"485.0 MiB\", got a lot");
    CHECK_INT(pw_budget_load_experiment(PW_TEST_DATA "/experiments/none.yaml", &b, &err),
              PW_ENOENT);
    CHECK_CONTAINS(err.msg, "none.yaml: cannot open");
}

static void expect_experiment_error(const char *text, const char *needle)
{
    pw_budget_t b;
    pw_err_t err = {0};
    CHECK_INT(pw_budget_from_experiment(text, strlen(text), "cases/x/experiment.yaml", &b, &err),
              PW_EINVAL);
    CHECK_CONTAINS(err.msg, needle);
    CHECK_INT(b.bytes, 0);
}

static void test_experiment_errors(void)
{
    pw_budget_t b;
    pw_err_t err = {0};
    const char *flow = "checks: [{name: memory_usage, bounds: {series: total_pss_bytes, "
                       "upper_bound: 300 MiB}}]\n";
    CHECK_INT(pw_budget_from_experiment(flow, strlen(flow), "my-gate.yaml", &b, &err), 0);
    CHECK_INT(b.bytes, 300 * MIB);
    CHECK_STR(b.name, "my-gate.yaml");

    expect_experiment_error("optimization_goal: memory\n", "no checks list");
    expect_experiment_error("- a\n- b\n", "expected an SMP experiment");
    expect_experiment_error("checks: memory_usage\n", "experiment.yaml:1: checks: expected a list");
    expect_experiment_error("checks:\n  - name: cpu\n    bounds: {series: x, upper_bound: 1}\n",
                            "no check named memory_usage (checks: cpu)");
    expect_experiment_error("checks:\n  - name: memory_usage\n",
                            "experiment.yaml:2: memory_usage.bounds: expected a map");
    expect_experiment_error("checks:\n  - name: memory_usage\n    bounds:\n      series: "
                            "total_rss_bytes\n      upper_bound: 1 GiB\n",
                            "experiment.yaml:4: memory_usage.bounds.series: expected "
                            "total_pss_bytes (the series profwatch measures), got total_rss_bytes");
    expect_experiment_error("checks:\n  - name: memory_usage\n    bounds:\n      series: "
                            "total_pss_bytes\n      upper_bound: 640\n",
                            "experiment.yaml:5: memory_usage.bounds.upper_bound: \"640\" is under "
                            "1 MiB; write the unit, such as \"640 MiB\"");
    expect_experiment_error("checks:\n  - name: memory_usage\n    bounds: {series: "
                            "total_pss_bytes, upper_bound: 1 GiB}\n  - name: memory_usage\n"
                            "    bounds: {series: total_pss_bytes, upper_bound: 2 GiB}\n",
                            "experiment.yaml:4: checks[1]: a second memory_usage check (the first "
                            "is at line 2)");
    expect_experiment_error("checks:\n  - 12\n", "experiment.yaml:2: checks[0]: expected a check");
    expect_experiment_error("checks:\n  - {bounds: {}}\n", "checks[0]: the check has no name");
    /* YAML syntax errors come from the YAML reader, with the line. */
    expect_experiment_error("checks:\n  - name: [memory_usage\n", "cases/x/experiment.yaml:");
}

static void test_judge(void)
{
    pw_budget_t b;
    pw_err_t err = {0};
    size_t n;
    const pw_gate_t *g = pw_budget_default_gates(&n);
    CHECK_INT(pw_budget_from_gate("idle_all_features", g, n, &b, &err), 0);
    pw_budget_verdict_t v;
    char msg[512];

    pw_budget_judge(&b, 400 * MIB, 1, "/opt/datadog-agent/bin/agent/agent", 78 * MIB, &v, msg,
                    sizeof(msg));
    CHECK_INT(v.status, PW_GATE_OK);
    CHECK_INT(v.margin, 85 * (int64_t)MIB);
    CHECK(v.margin_pct > 17.52 && v.margin_pct < 17.53);
    CHECK_STR(msg, "total PSS 400.0 MiB is 85.0 MiB (17.5%) under the idle_all_features budget "
                   "of 485.0 MiB; largest pathname: /opt/datadog-agent/bin/agent/agent (78.0 MiB)");

    pw_budget_judge(&b, 500 * MIB, 1, NULL, 0, &v, msg, sizeof(msg));
    CHECK_INT(v.status, PW_GATE_CRITICAL);
    CHECK_INT(v.margin, -15 * (int64_t)MIB);
    CHECK_STR(msg, "total PSS 500.0 MiB is 15.0 MiB (3.1%) over the idle_all_features budget of "
                   "485.0 MiB");

    /* Exactly at the budget is within it. */
    pw_budget_judge(&b, 485 * MIB, 1, NULL, 0, &v, msg, sizeof(msg));
    CHECK_INT(v.status, PW_GATE_OK);
    CHECK_INT(v.margin, 0);

    /* A floor under the budget proves nothing; over it, it is certain. */
    pw_budget_judge(&b, 400 * MIB, 0, NULL, 0, &v, msg, sizeof(msg));
    CHECK_INT(v.status, PW_GATE_UNKNOWN);
    CHECK_CONTAINS(msg, "at least 400.0 MiB (not every process could be read)");
    pw_budget_judge(&b, 600 * MIB, 0, NULL, 0, &v, msg, sizeof(msg));
    CHECK_INT(v.status, PW_GATE_CRITICAL);

    CHECK_INT(pw_budget_from_size("1GiB", &b, &err), 0);
    pw_budget_judge(&b, 512 * MIB, 1, NULL, 0, &v, msg, sizeof(msg));
    CHECK_STR(msg, "total PSS 512.0 MiB is 512.0 MiB (50.0%) under the budget of 1024.0 MiB");
    CHECK_STR(pw_budget_status_name(PW_GATE_CRITICAL), "CRITICAL");
    CHECK_STR(pw_budget_status_name(PW_GATE_UNKNOWN), "UNKNOWN");
}

PW_TESTS(T(test_default_gates), T(test_gates_from_config), T(test_size), T(test_experiment_file),
         T(test_experiment_errors), T(test_judge))
