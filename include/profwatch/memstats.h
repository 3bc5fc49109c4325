/* Go runtime memory statistics (runtime.MemStats), read from expvar's JSON
 * (/debug/vars, or its "memstats" object) or from a flare's expvar/memstats,
 * which is the same JSON re-encoded as YAML by Go, numbers in float notation
 * (Alloc: 6.0791104e+07). Each field keeps its Go name and the snake_case name
 * that integrations-core's go_expvar check uses for metrics. */
#ifndef PW_MEMSTATS_H
#define PW_MEMSTATS_H

#include <stddef.h>

#include "profwatch/err.h"

typedef enum {
    PW_MS_ALLOC,
    PW_MS_TOTAL_ALLOC,
    PW_MS_SYS,
    PW_MS_LOOKUPS,
    PW_MS_MALLOCS,
    PW_MS_FREES,
    PW_MS_HEAP_ALLOC,
    PW_MS_HEAP_SYS,
    PW_MS_HEAP_IDLE,
    PW_MS_HEAP_INUSE,
    PW_MS_HEAP_RELEASED,
    PW_MS_HEAP_OBJECTS,
    PW_MS_STACK_INUSE,
    PW_MS_STACK_SYS,
    PW_MS_MSPAN_INUSE,
    PW_MS_MSPAN_SYS,
    PW_MS_MCACHE_INUSE,
    PW_MS_MCACHE_SYS,
    PW_MS_BUCK_HASH_SYS,
    PW_MS_GC_SYS,
    PW_MS_OTHER_SYS,
    PW_MS_NEXT_GC,
    PW_MS_LAST_GC,
    PW_MS_PAUSE_TOTAL_NS,
    PW_MS_NUM_GC,
    PW_MS_NUM_FORCED_GC,
    PW_MS_GC_CPU_FRACTION,
    PW_MS_COUNT
} pw_ms_field_t;

typedef struct {
    double value[PW_MS_COUNT];
    unsigned char present[PW_MS_COUNT];
    size_t n_present;
} pw_memstats_t;

/* "HeapInuse" and "heap_inuse" for a field. */
const char *pw_memstats_go_name(pw_ms_field_t f);
const char *pw_memstats_metric_name(pw_ms_field_t f);
/* 1 for fields measured in bytes (formatting), 0 for counts, times, fractions. */
int pw_memstats_is_bytes(pw_ms_field_t f);

/* From JSON: a whole /debug/vars document or a bare memstats object. */
int pw_memstats_from_json(const char *data, size_t len, pw_memstats_t *out, pw_err_t *err);
/* From the flare's YAML; source names the file in messages. */
int pw_memstats_from_yaml(const char *data, size_t len, const char *source, pw_memstats_t *out,
                          pw_err_t *err);

#endif
