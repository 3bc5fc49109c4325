#include "profwatch/memstats.h"

#include <cJSON.h>
#include <math.h>
#include <string.h>

#include "profwatch/yaml.h"

/* Go names as runtime.MemStats spells them, and go_expvar's metric names (its
 * CamelCase-to-snake_case rule applied once, kept here as data). */
static const struct {
    const char *go;
    const char *metric;
    int bytes;
} fields[PW_MS_COUNT] = {
    [PW_MS_ALLOC] = {"Alloc", "alloc", 1},
    [PW_MS_TOTAL_ALLOC] = {"TotalAlloc", "total_alloc", 1},
    [PW_MS_SYS] = {"Sys", "sys", 1},
    [PW_MS_LOOKUPS] = {"Lookups", "lookups", 0},
    [PW_MS_MALLOCS] = {"Mallocs", "mallocs", 0},
    [PW_MS_FREES] = {"Frees", "frees", 0},
    [PW_MS_HEAP_ALLOC] = {"HeapAlloc", "heap_alloc", 1},
    [PW_MS_HEAP_SYS] = {"HeapSys", "heap_sys", 1},
    [PW_MS_HEAP_IDLE] = {"HeapIdle", "heap_idle", 1},
    [PW_MS_HEAP_INUSE] = {"HeapInuse", "heap_inuse", 1},
    [PW_MS_HEAP_RELEASED] = {"HeapReleased", "heap_released", 1},
    [PW_MS_HEAP_OBJECTS] = {"HeapObjects", "heap_objects", 0},
    [PW_MS_STACK_INUSE] = {"StackInuse", "stack_inuse", 1},
    [PW_MS_STACK_SYS] = {"StackSys", "stack_sys", 1},
    [PW_MS_MSPAN_INUSE] = {"MSpanInuse", "m_span_inuse", 1},
    [PW_MS_MSPAN_SYS] = {"MSpanSys", "m_span_sys", 1},
    [PW_MS_MCACHE_INUSE] = {"MCacheInuse", "m_cache_inuse", 1},
    [PW_MS_MCACHE_SYS] = {"MCacheSys", "m_cache_sys", 1},
    [PW_MS_BUCK_HASH_SYS] = {"BuckHashSys", "buck_hash_sys", 1},
    [PW_MS_GC_SYS] = {"GCSys", "gc_sys", 1},
    [PW_MS_OTHER_SYS] = {"OtherSys", "other_sys", 1},
    [PW_MS_NEXT_GC] = {"NextGC", "next_gc", 1},
    [PW_MS_LAST_GC] = {"LastGC", "last_gc", 0},
    [PW_MS_PAUSE_TOTAL_NS] = {"PauseTotalNs", "pause_total_ns", 0},
    [PW_MS_NUM_GC] = {"NumGC", "num_gc", 0},
    [PW_MS_NUM_FORCED_GC] = {"NumForcedGC", "num_forced_gc", 0},
    [PW_MS_GC_CPU_FRACTION] = {"GCCPUFraction", "gccpu_fraction", 0},
};

const char *pw_memstats_go_name(pw_ms_field_t f)
{
    return f < PW_MS_COUNT ? fields[f].go : "";
}

const char *pw_memstats_metric_name(pw_ms_field_t f)
{
    return f < PW_MS_COUNT ? fields[f].metric : "";
}

int pw_memstats_is_bytes(pw_ms_field_t f)
{
    return f < PW_MS_COUNT && fields[f].bytes;
}

static int lookup(const char *go_name)
{
    for (int i = 0; i < PW_MS_COUNT; i++)
        if (strcmp(fields[i].go, go_name) == 0)
            return i;
    return -1;
}

static void set(pw_memstats_t *m, int f, double v)
{
    /* Every MemStats field is a uint64 or a fraction; a value no process can
     * have is left out rather than carried into integer conversions. */
    if (!(v >= 0 && v < 9.2e18))
        return;
    if (!m->present[f])
        m->n_present++;
    m->present[f] = 1;
    m->value[f] = v;
}

int pw_memstats_from_json(const char *data, size_t len, pw_memstats_t *out, pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    cJSON *root = cJSON_ParseWithLength(data, len);
    if (root == NULL) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at != NULL && at >= data && at <= data + len ? (size_t)(at - data) : 0;
        return pw_err_set(err, PW_EINVAL, "expvar JSON is malformed near byte %zu", off);
    }
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "memstats");
    if (ms == NULL)
        ms = root; /* a bare memstats object */
    if (!cJSON_IsObject(ms)) {
        cJSON_Delete(root);
        return pw_err_set(err, PW_EINVAL, "expvar JSON has no \"memstats\" object");
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, ms)
    {
        int f = it->string ? lookup(it->string) : -1;
        if (f >= 0 && cJSON_IsNumber(it) && isfinite(it->valuedouble))
            set(out, f, it->valuedouble);
    }
    cJSON_Delete(root);
    if (out->n_present == 0)
        return pw_err_set(err, PW_EINVAL,
                          "expvar JSON has no memstats fields (expected Alloc, HeapInuse, ...)");
    return 0;
}

int pw_memstats_from_yaml(const char *data, size_t len, const char *source, pw_memstats_t *out,
                          pw_err_t *err)
{
    memset(out, 0, sizeof(*out));
    pw_ydoc_t *doc = NULL;
    int rc = pw_yaml_parse(data, len, source, &doc, err);
    if (rc != 0)
        return rc;
    const pw_ynode_t *root = doc->root;
    /* A full expvar dump nests memstats under its own key. */
    const pw_ynode_t *nested = pw_ymap_get(root, "memstats");
    if (nested != NULL && nested->kind == PW_Y_MAP)
        root = nested;
    if (root == NULL || root->kind != PW_Y_MAP) {
        pw_yaml_free(doc);
        return pw_err_set(err, PW_EINVAL, "%s: expected a map of memstats fields", source);
    }
    for (size_t i = 0; i < root->n; i++) {
        int f = lookup(root->keys[i]);
        double v;
        if (f < 0)
            continue;
        if (pw_yscalar_double(root->items[i], &v) != 0) {
            rc = pw_err_set(err, PW_EINVAL, "%s:%d: %s: expected a number, got \"%s\"", source,
                            root->key_lines[i], root->keys[i],
                            root->items[i]->kind == PW_Y_SCALAR ? root->items[i]->value
                                                                : "a list or map");
            pw_yaml_free(doc);
            return rc;
        }
        set(out, f, v);
    }
    pw_yaml_free(doc);
    if (out->n_present == 0)
        return pw_err_set(err, PW_EINVAL,
                          "%s: no memstats fields (expected Alloc, HeapInuse, NumGC, ...)", source);
    return 0;
}
