/* Every metric and service check the daemon emits, in one place: the Datadog
 * catalogue (packaging/datadog/metadata.csv) must list each of them, and a
 * test checks that it does. Memstats metrics are PW_M_MEMSTATS_PREFIX followed
 * by go_expvar's snake_case field names (memstats.h). */
#ifndef PW_METRIC_NAMES_H
#define PW_METRIC_NAMES_H

#define PW_M_MEMSTATS_PREFIX "profwatch.memstats."
#define PW_M_HEAP_INUSE "profwatch.heap.inuse_bytes"
#define PW_M_HEAP_OUTSIDE_RUNTIME "profwatch.heap.outside_runtime_bytes"
#define PW_M_HEAP_GROWTH_RATE "profwatch.heap.growth_bytes_per_second"
#define PW_M_HEAP_TOP_GROWTH "profwatch.heap.top_growth_bytes_per_second"
#define PW_M_HEAP_SUSTAINED_RATE "profwatch.heap.sustained_growth_bytes_per_hour"
#define PW_M_CPU_SECONDS "profwatch.cpu.profiled_seconds"
#define PW_M_CPU_TOP_SHARE "profwatch.cpu.top_share"
#define PW_M_CONTENTION_SECONDS "profwatch.contention.seconds"
#define PW_M_CONTENTION_TOP_SECONDS "profwatch.contention.top_seconds"
#define PW_M_SCRAPE_DURATION "profwatch.scrape.duration_seconds"
#define PW_M_SCRAPE_ERRORS "profwatch.scrape.errors"
#define PW_M_SCRAPE_BUSY "profwatch.scrape.cpu_busy"
#define PW_M_TARGET_UP "profwatch.target.up"
#define PW_M_VERDICT_ACTIVE "profwatch.verdict.active"
#define PW_M_CAPTURES "profwatch.captures"
#define PW_M_CAPTURE_ERRORS "profwatch.capture.errors"
#define PW_M_SINK_ERRORS "profwatch.sink.errors"
#define PW_M_SINK_DROPPED "profwatch.sink.dropped"
#define PW_M_SINK_SENT "profwatch.sink.sent"
#define PW_M_SINK_QUEUE_BYTES "profwatch.sink.queue_bytes"
#define PW_M_SINK_SPOOL_BYTES "profwatch.sink.spool_bytes"
#define PW_M_SINK_RETRIES "profwatch.sink.retries"
#define PW_M_LOG_SUPPRESSED "profwatch.log.suppressed"
#define PW_M_DAEMON_RSS "profwatch.daemon.rss_bytes"
#define PW_M_RELOAD_ERRORS "profwatch.daemon.reload_errors"

#define PW_M_MEM_TOTAL_PSS "profwatch.memory.total_pss_bytes"
#define PW_M_MEM_ROLLUP_PSS "profwatch.memory.smaps_rollup.pss"
#define PW_M_MEM_ROLLUP_PSS_ANON "profwatch.memory.smaps_rollup.pss_anon"
#define PW_M_MEM_ROLLUP_PSS_FILE "profwatch.memory.smaps_rollup.pss_file"
#define PW_M_MEM_ROLLUP_PSS_SHMEM "profwatch.memory.smaps_rollup.pss_shmem"
#define PW_M_MEM_ROLLUP_RSS "profwatch.memory.smaps_rollup.rss"
#define PW_M_MEM_PSS_BY_PATHNAME "profwatch.memory.smaps.pss.by_pathname"
#define PW_M_MEM_TREND "profwatch.memory.trend"
#define PW_M_MEM_BUDGET "profwatch.memory.budget_bytes"
#define PW_M_MEM_GATE_TOTAL "profwatch.memory.gate_total_pss_bytes"

#define PW_SC_VERDICT "profwatch.verdict"
#define PW_SC_MEMORY_GATE "profwatch.memory_gate"

#endif
