/* Unit tests for the analysis inputs and rules: status.log and
 * install_info.log parsing, memstats (JSON and the flare's float YAML),
 * ownership matching, frame classes, and each verdict rule on synthetic
 * function tables. */
#include <stdlib.h>

#include "profwatch/agentctx.h"
#include "profwatch/memstats.h"
#include "profwatch/owners.h"
#include "profwatch/rules.h"
#include "profwatch/yaml.h"
#include "pw_test.h"

static const char status_log[] = "===============\n"
                                 "Agent (v7.57.2)\n"
                                 "===============\n"
                                 "\n"
                                 "  Status date: 2024-10-15 07:50:26.802 UTC (1728978626802)\n"
                                 "  Agent start: 2024-10-15 06:46:51.165 UTC (1728974811165)\n"
                                 "  Pid: 4815\n"
                                 "  Go Version: go1.22.7\n"
                                 "  Python Version: 3.11.8\n"
                                 "\n"
                                 "  Hostnames\n"
                                 "  =========\n"
                                 "    hostname: web-1\n"
                                 "\n"
                                 "=========\n"
                                 "Collector\n"
                                 "=========\n"
                                 "\n"
                                 "  Running Checks\n"
                                 "  ==============\n"
                                 "\n"
                                 "    cpu\n"
                                 "    ---\n"
                                 "      Instance ID: cpu [OK]\n"
                                 "      Total Runs: 819\n"
                                 "\n"
                                 "    postgres (15.0.0)\n"
                                 "    -----------------\n"
                                 "      Instance ID: postgres:aa [OK]\n"
                                 "      Instance ID: postgres:bb [ERROR]\n"
                                 "      Error: connection refused\n"
                                 "      Instance ID: postgres:cc [WARNING]\n"
                                 "\n"
                                 "  Check Initialization Errors\n"
                                 "  ===========================\n"
                                 "\n"
                                 "    broken\n"
                                 "    ------\n"
                                 "      instance 0: nope\n"
                                 "\n"
                                 "=========\n"
                                 "Forwarder\n"
                                 "=========\n";

static void test_status_log(void)
{
    pw_agentctx_t c;
    pw_agentctx_init(&c);
    pw_agentctx_parse_status(&c, status_log, sizeof(status_log) - 1);
    CHECK_STR(c.title, "Agent (v7.57.2)");
    CHECK_STR(c.version, "7.57.2");
    CHECK_INT(c.status_ms, 1728978626802LL);
    CHECK_INT(c.start_ms, 1728974811165LL);
    CHECK_INT(c.uptime_s, 3815);
    CHECK_INT(c.pid, 4815);
    CHECK_STR(c.go_version, "go1.22.7");
    CHECK_STR(c.python_version, "3.11.8");
    CHECK_STR(c.hostname, "web-1");
    CHECK_INT(c.n_checks, 2); /* "broken" is under another section */
    CHECK_STR(c.checks[0].name, "cpu");
    CHECK_INT(c.checks[0].instances, 1);
    CHECK_STR(c.checks[1].name, "postgres");
    CHECK_STR(c.checks[1].version, "15.0.0");
    CHECK_INT(c.checks[1].instances, 3);
    CHECK_INT(c.checks[1].errors, 1);
    CHECK_INT(c.checks[1].warnings, 1);

    /* No milliseconds in parentheses: the date itself is read. */
    static const char older[] = "  Status date: 2024-10-15 07:50:26 UTC\n"
                                "  Agent start: 2024-10-15 07:40:26 UTC\n";
    pw_agentctx_init(&c);
    pw_agentctx_parse_status(&c, older, sizeof(older) - 1);
    CHECK_INT(c.uptime_s, 600);
    /* Dates outside 1970-9999 and pids no kernel gives are unknown, not
     * overflowed (found by fuzz_agentctx). */
    static const char hostile[] = "  Status date: 2147483647-12-31 23:59:59.999 UTC\n"
                                  "  Agent start: 2024-10-15 07:40:26.-5 UTC (-1)\n"
                                  "  Pid: 99999999999\n";
    pw_agentctx_init(&c);
    pw_agentctx_parse_status(&c, hostile, sizeof(hostile) - 1);
    CHECK_INT(c.status_ms, 0);
    CHECK_INT(c.start_ms, 0);
    CHECK_INT(c.uptime_s, -1);
    CHECK_INT(c.pid, 0);
    static const char paren[] = "  Status date: x (9223372036854775807)\n";
    pw_agentctx_init(&c);
    pw_agentctx_parse_status(&c, paren, sizeof(paren) - 1);
    CHECK_INT(c.status_ms, 0);
    /* Garbage leaves everything unknown, without failing. */
    pw_agentctx_init(&c);
    pw_agentctx_parse_status(&c, "\xff\x00garbage\n====\n", 15);
    CHECK_INT(c.uptime_s, -1);
    CHECK_STR(c.version, "");
}

static void test_install_and_goroutines(void)
{
    pw_agentctx_t c;
    pw_agentctx_init(&c);
    static const char inst[] = "---\ninstall_method:\n  tool: install_script\n"
                               "  tool_version: install_script-1.18.0\n"
                               "  installer_version: install_script-1.18.0\n";
    CHECK_INT(pw_agentctx_parse_install(&c, inst, sizeof(inst) - 1), 0);
    CHECK_STR(c.install_tool, "install_script");
    CHECK_STR(c.install_tool_version, "install_script-1.18.0");
    CHECK(pw_agentctx_parse_install(&c, "tool: x\n", 8) != 0);
    static const char dump[] = "goroutine 1 [running]:\nmain.main()\n\tmain.go:5\n\n"
                               "goroutine 18 [select, 2 minutes]:\nfoo()\n\n"
                               "created by goroutine 1\n";
    CHECK_INT(pw_agentctx_count_goroutines(dump, sizeof(dump) - 1), 2);
}

static void test_memstats(void)
{
    pw_memstats_t m;
    pw_err_t err = {0};
    static const char yaml[] = "Alloc: 6.0791104e+07\nBySize:\n- Frees: 0\n  Size: 8\n"
                               "GCCPUFraction: 0.000123\nHeapInuse: 7.3e+07\nNumGC: 42\n"
                               "PauseNs:\n- 1200\n- 0\n";
    CHECK_INT(pw_memstats_from_yaml(yaml, sizeof(yaml) - 1, "expvar/memstats", &m, &err), 0);
    CHECK(m.present[PW_MS_ALLOC] && m.value[PW_MS_ALLOC] == 60791104.0);
    CHECK(m.value[PW_MS_HEAP_INUSE] == 73000000.0);
    CHECK(m.value[PW_MS_NUM_GC] == 42.0);
    CHECK(!m.present[PW_MS_SYS]);
    CHECK_INT(m.n_present, 4);
    static const char bad[] = "Alloc: lots\n";
    CHECK(pw_memstats_from_yaml(bad, sizeof(bad) - 1, "expvar/memstats", &m, &err) != 0);
    CHECK_CONTAINS(err.msg, "expvar/memstats:1: Alloc: expected a number, got \"lots\"");

    static const char json[] = "{\"cmdline\":[\"agent\",\"run\"],\"memstats\":{\"Alloc\":123,"
                               "\"HeapObjects\":7,\"PauseNs\":[1,2],\"NumGC\":3}}";
    CHECK_INT(pw_memstats_from_json(json, sizeof(json) - 1, &m, &err), 0);
    CHECK(m.value[PW_MS_ALLOC] == 123.0 && m.value[PW_MS_HEAP_OBJECTS] == 7.0);
    CHECK(pw_memstats_from_json("{\"Alloc\":", 9, &m, &err) != 0);
    CHECK_CONTAINS(err.msg, "malformed");
    CHECK_STR(pw_memstats_metric_name(PW_MS_HEAP_INUSE), "heap_inuse");
    CHECK_STR(pw_memstats_metric_name(PW_MS_PAUSE_TOTAL_NS), "pause_total_ns");
    CHECK_STR(pw_memstats_metric_name(PW_MS_NUM_GC), "num_gc");
}

static void test_owners(void)
{
    pw_owners_t *o = pw_owners_create();
    CHECK(o != NULL);
    const char *dd = "github.com/DataDog/datadog-agent/";
    char name[256];
#define OWNER(fn) (snprintf(name, sizeof(name), "%s%s", dd, fn), pw_owners_match(o, name)->owner)
    CHECK_STR(OWNER("pkg/collector/python._Cfunc_GoString"), "Integration (Python check)");
    CHECK_STR(OWNER("pkg/collector/python.(*PythonCheck).Run"), "Integration (Python)");
    CHECK_STR(OWNER("pkg/collector/corechecks/system/cpu.(*Check).Run"), "Integration (Go check)");
    CHECK_STR(OWNER("pkg/aggregator.(*BufferedAggregator).run"), "Core Agent (aggregation)");
    CHECK_STR(OWNER("pkg/aggregator/ckey.Generate"), "Core Agent (aggregation)");
    CHECK_STR(OWNER("pkg/trace/agent.(*Agent).Process"), "Trace-Agent (APM)");
    CHECK_STR(OWNER("pkg/obfuscate.(*Obfuscator).ObfuscateSQLString"), "DBM / APM");
    CHECK_STR(pw_owners_match(o, "runtime.mallocgc")->owner, "Go runtime");
    CHECK_STR(pw_owners_match(o, "[libpython3.11.so.1.0]")->owner, "Integration (Python runtime)");
    CHECK_STR(pw_owners_match(o, "github.com/dgraph-io/ristretto.(*Cache).Set")->owner,
              "Core Agent (cache)");
    CHECK_STR(pw_owners_match(o, "main.main")->owner, "Unknown");
    /* A tracer/trace package elsewhere is not the trace-agent. */
    CHECK_STR(pw_owners_match(o, "github.com/foo/tracer.Start")->owner, "Unknown");

    /* Config rules come first, in their order. */
    static const char cfg[] = "- pattern: \"pkg/aggregator.*\"\n  owner: Metrics team\n"
                              "  escalate: \"#metrics\"\n- pattern: \"main.*\"\n  owner: Us\n";
    pw_ydoc_t *doc = NULL;
    pw_err_t err = {0};
    CHECK_INT(pw_yaml_parse(cfg, sizeof(cfg) - 1, "c.yaml", &doc, &err), 0);
    CHECK_INT(pw_owners_conf_cb(doc->root, &o, NULL, "c.yaml", "ownership", &err), 0);
    pw_yaml_free(doc);
    CHECK_STR(OWNER("pkg/aggregator.(*BufferedAggregator).run"), "Metrics team");
    CHECK_STR(pw_owners_match(o, "main.main")->owner, "Us");
    CHECK_STR(OWNER("pkg/trace/agent.(*Agent).Process"), "Trace-Agent (APM)");
    static const char bad[] = "- owner: nobody\n";
    CHECK_INT(pw_yaml_parse(bad, sizeof(bad) - 1, "c.yaml", &doc, &err), 0);
    CHECK(pw_owners_conf_cb(doc->root, &o, NULL, "c.yaml", "ownership", &err) != 0);
    CHECK_CONTAINS(err.msg, "c.yaml:1: ownership: entry 1 needs both");
    pw_yaml_free(doc);
    pw_owners_destroy(o);
#undef OWNER
}

static void test_frame_class(void)
{
    CHECK_INT(pw_frame_class("runtime.mallocgc"), PW_FRAME_RUNTIME);
    CHECK_INT(pw_frame_class("runtime/internal/atomic.Load"), PW_FRAME_RUNTIME);
    CHECK_INT(pw_frame_class("sync.(*Mutex).Unlock"), PW_FRAME_SYNC);
    CHECK_INT(pw_frame_class("sync/atomic.AddInt64"), PW_FRAME_SYNC);
    CHECK_INT(pw_frame_class("bytes.growSlice"), PW_FRAME_STD);
    CHECK_INT(pw_frame_class("net.(*Resolver).lookupIPAddr"), PW_FRAME_STD);
    CHECK_INT(pw_frame_class("net/http.(*conn).serve"), PW_FRAME_STD);
    CHECK_INT(pw_frame_class("internal/poll.(*FD).Read"), PW_FRAME_STD);
    CHECK_INT(pw_frame_class("main.main"), PW_FRAME_OWN);
    CHECK_INT(pw_frame_class("github.com/DataDog/datadog-agent/pkg/aggregator.(*X).Y"),
              PW_FRAME_OWN);
    CHECK_INT(pw_frame_class("gopkg.in/yaml.v2.Unmarshal"), PW_FRAME_OWN);
    CHECK_INT(pw_frame_class("malloc"), PW_FRAME_OWN);
    CHECK_INT(pw_frame_class("[libc.so.6]"), PW_FRAME_OWN);
    CHECK_INT(pw_frame_class("std::vector<int>::push_back"), PW_FRAME_OWN);
}

static pw_node_t node(const char *name, int64_t attr)
{
    pw_node_t n;
    memset(&n, 0, sizeof(n));
    n.name = name;
    n.attr = attr;
    n.frame_class = (uint8_t)pw_frame_class(name);
    return n;
}

static void test_rule_leak(void)
{
    pw_rules_t r;
    pw_rules_defaults(&r);
    CHECK_INT(r.leak_bytes, 10u * 1024 * 1024);
    CHECK_INT(r.leak_per_ms, 30000);
    pw_node_t t[3] = {node("runtime.malg", 50 << 20), node("pkg.Grow", 6 << 20),
                      node("pkg.Other", 1 << 20)};
    pw_rule_result_t out;
    /* 7 MiB in 30 s: under 10 MiB per 30 s; the runtime's 50 MiB do not count. */
    pw_rule_leak(t, 3, 30.0, &r, &out);
    CHECK(!out.fired);
    CHECK_INT(out.total, 7 << 20);
    CHECK_STR(out.top->name, "pkg.Grow");
    /* The same 7 MiB in 15 s is 14 MiB per 30 s: a leak. */
    pw_rule_leak(t, 3, 15.0, &r, &out);
    CHECK(out.fired);
    CHECK(out.measure > 14.0 * 1048576 - 1 && out.measure < 14.0 * 1048576 + 1);
    CHECK_CONTAINS(out.why, "in 15.0 s");
    /* Unknown snapshot times are taken as the reference window, and said so. */
    pw_rule_leak(t, 3, 0, &r, &out);
    CHECK(!out.fired);
    CHECK_CONTAINS(out.why, "assumed");
    /* Shrinking is not growth. */
    pw_node_t s[1] = {node("pkg.Grow", -(20 << 20))};
    pw_rule_leak(s, 1, 1.0, &r, &out);
    CHECK(!out.fired);
    CHECK(out.top == NULL);
}

static void test_rule_cpu(void)
{
    pw_rules_t r;
    pw_rules_defaults(&r);
    pw_node_t t[3] = {node("runtime.gcBgMarkWorker", 700000000), node("pkg.Hot", 600000000),
                      node("pkg.Cold", 100000000)};
    pw_rule_result_t out;
    pw_rule_cpu(t, 3, 1400000000, &r, &out); /* 1.4 s of CPU */
    CHECK(out.judged);
    CHECK(!out.fired); /* pkg.Hot has 43%; the runtime's 50% do not count */
    CHECK_STR(out.top->name, "pkg.Hot");
    t[1].attr = 800000000; /* exactly half is not "more than 50%" */
    pw_rule_cpu(t, 3, 1600000000, &r, &out);
    CHECK(!out.fired);
    t[1].attr = 900000000;
    pw_rule_cpu(t, 3, 1600000000, &r, &out);
    CHECK(out.fired);
    /* Too little CPU to judge: no verdict, and a reason. */
    pw_rule_cpu(t, 3, 200000000, &r, &out);
    CHECK(!out.judged && !out.fired);
    CHECK_CONTAINS(out.why, "under the 1s needed");
}

static void test_rule_contention(void)
{
    pw_rules_t r;
    pw_rules_defaults(&r);
    /* The Unlock row's delay is attributed to the lock's owner, not to sync. */
    pw_node_t t[3] = {node("sync.(*Mutex).Unlock", 2000000000), node("pkg.Flush", 1900000000),
                      node("runtime.selectgo", 10)};
    pw_rule_result_t out;
    pw_rule_contention(t, 3, 2000000000, "mutex", &r, &out);
    CHECK(out.fired);
    CHECK_STR(out.top->name, "pkg.Flush");
    pw_rule_contention(t, 3, 900000000, "block", &r, &out);
    CHECK(!out.fired);
    CHECK_CONTAINS(out.why, "on block events");
}

PW_TESTS(T(test_status_log), T(test_install_and_goroutines), T(test_memstats), T(test_owners),
         T(test_frame_class), T(test_rule_leak), T(test_rule_cpu), T(test_rule_contention))
