#include "profwatch/owners.h"

#include <stdlib.h>
#include <string.h>

#define AGENT_TEAM "Agent team (#support-agent)"

/* The seed's ownership table, most specific first. The escalation targets
 * follow its decision tree: Python checks -> the integration's team;
 * aggregation and metrics -> the Agent team (cardinality); trace -> APM;
 * obfuscation -> DBM; runtime -> not actionable on its own. */
static const pw_owner_rule_t builtin[] = {
    {"pkg/collector/python._Cfunc_GoString", "Integration (Python check)",
     "Python-to-Go string conversion: grows with the metrics Python checks submit",
     "the integration team that owns the check: see Running Checks for which checks run and "
     "how many instances"},
    {"pkg/collector/python.*", "Integration (Python)", "Python check runtime overhead",
     "the integration team that owns the check: see Running Checks"},
    {"[libpython*", "Integration (Python runtime)", "the embedded Python interpreter",
     "the integration team that owns the check: see Running Checks"},
    {"pkg/collector/corechecks/*", "Integration (Go check)", "a specific Go core check",
     "the team that owns that core check"},
    {"pkg/aggregator.*", "Core Agent (aggregation)",
     "metric context tracking and sample buffering: often high cardinality",
     AGENT_TEAM ": likely too many unique metric contexts (high cardinality)"},
    {"pkg/metrics.*", "Core Agent (metrics pipeline)",
     "gauge and histogram flushes: scales with the number of metric contexts",
     AGENT_TEAM ": likely too many unique metric contexts (high cardinality)"},
    {"pkg/serializer.*", "Core Agent (serialization)",
     "serialization buffers: usually related to payload size", AGENT_TEAM},
    {"pkg/forwarder.*", "Core Agent (forwarder)",
     "network and HTTP client: may indicate backpressure from the intake", AGENT_TEAM},
    {"pkg/tagset.*", "Core Agent (tagging)", "tag hashing: a high-cardinality driver", AGENT_TEAM},
    {"ristretto.*", "Core Agent (cache)", "in-memory cache for contexts and tags", AGENT_TEAM},
    {"pkg/trace.*", "Trace-Agent (APM)", "the trace processing pipeline", "APM team"},
    {"pkg/obfuscate.*", "DBM / APM", "SQL obfuscation: heavy with Database Monitoring", "DBM team"},
    {"pkg/process.*", "Process Agent", "process and container collection",
     "Agent team (Process Agent)"},
    {"runtime.*", "Go runtime", "GC and goroutine scheduling: usually informational",
     "not actionable on its own: look at the callers with the most cum%"},
};
#define N_BUILTIN (sizeof(builtin) / sizeof(builtin[0]))

static const pw_owner_rule_t unknown = {"*", "Unknown", "no ownership rule matches this function",
                                        AGENT_TEAM
                                        ", for triage: attach this report and the flare"};

pw_owners_t *pw_owners_create(void)
{
    pw_owners_t *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return NULL;
    o->arena = pw_arena_create(0);
    o->rules = malloc(N_BUILTIN * sizeof(pw_owner_rule_t));
    if (o->arena == NULL || o->rules == NULL) {
        pw_owners_destroy(o);
        return NULL;
    }
    memcpy(o->rules, builtin, sizeof(builtin));
    o->n = N_BUILTIN;
    return o;
}

void pw_owners_destroy(pw_owners_t *o)
{
    if (o == NULL)
        return;
    pw_arena_destroy(o->arena);
    free(o->rules);
    free(o);
}

int pw_owners_add(pw_owners_t *o, const char *pattern, const char *owner, const char *meaning,
                  const char *escalate)
{
    pw_owner_rule_t *r = realloc(o->rules, (o->n + 1) * sizeof(*r));
    if (r == NULL)
        return PW_ENOMEM;
    o->rules = r;
    memmove(&o->rules[o->n_config + 1], &o->rules[o->n_config], (o->n - o->n_config) * sizeof(*r));
    pw_owner_rule_t *nr = &o->rules[o->n_config];
    nr->pattern = pw_arena_strdup(o->arena, pattern);
    nr->owner = pw_arena_strdup(o->arena, owner);
    nr->meaning = pw_arena_strdup(o->arena, meaning ? meaning : "");
    nr->escalate = pw_arena_strdup(o->arena, escalate ? escalate : AGENT_TEAM);
    if (!nr->pattern || !nr->owner || !nr->meaning || !nr->escalate)
        return PW_ENOMEM;
    o->n++;
    o->n_config++;
    return 0;
}

/* '*' matches any run; everything else is literal ("[libpython*" has no
 * character classes). Iterative, so a pattern cannot recurse deeply. */
static int glob_full(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == *s) {
            p++;
            s++;
        } else if (star != NULL) {
            p = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static int glob_suffixes(const char *pattern, const char *name)
{
    for (const char *s = name; s != NULL;) {
        if (glob_full(pattern, s))
            return 1;
        s = strchr(s, '/');
        if (s != NULL)
            s++;
    }
    return 0;
}

int pw_owners_glob(const char *pattern, const char *name)
{
    if (glob_suffixes(pattern, name))
        return 1;
    /* "pkg/trace.*" also covers the package's subpackages, "pkg/trace/agent.X":
     * the seed's table names package trees this way. */
    size_t n = strlen(pattern);
    if (n >= 2 && n < 256 && strcmp(pattern + n - 2, ".*") == 0) {
        char sub[256];
        memcpy(sub, pattern, n - 2);
        memcpy(sub + n - 2, "/*", 3);
        return glob_suffixes(sub, name);
    }
    return 0;
}

const pw_owner_rule_t *pw_owners_match(const pw_owners_t *o, const char *function)
{
    for (size_t i = 0; o != NULL && i < o->n; i++)
        if (pw_owners_glob(o->rules[i].pattern, function))
            return &o->rules[i];
    return &unknown;
}

static const char *scalar(const pw_ynode_t *map, const char *key)
{
    const pw_ynode_t *n = pw_ymap_get(map, key);
    return n != NULL && n->kind == PW_Y_SCALAR && n->value[0] ? n->value : NULL;
}

int pw_owners_conf_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                      const char *path, pw_err_t *err)
{
    (void)arena;
    pw_owners_t *o = *(pw_owners_t **)dst;
    if (pw_yscalar_is_null(node))
        return 0;
    if (node->kind != PW_Y_SEQ)
        return pw_conf_error(err, source, node, path,
                             "expected a list of {pattern, owner, meaning, escalate}");
    for (size_t i = 0; i < node->n; i++) {
        const pw_ynode_t *r = node->items[i];
        if (r->kind != PW_Y_MAP)
            return pw_conf_error(err, source, r, path, "entry %zu: expected a map", i + 1);
        for (size_t k = 0; k < r->n; k++)
            if (strcmp(r->keys[k], "pattern") && strcmp(r->keys[k], "owner") &&
                strcmp(r->keys[k], "meaning") && strcmp(r->keys[k], "escalate"))
                return pw_err_set(err, PW_EINVAL,
                                  "%s:%d: %s: unknown key \"%s\" (expected pattern, owner, "
                                  "meaning, escalate)",
                                  source, r->key_lines[k], path, r->keys[k]);
        const char *pattern = scalar(r, "pattern"), *owner = scalar(r, "owner");
        if (pattern == NULL || owner == NULL)
            return pw_conf_error(err, source, r, path,
                                 "entry %zu needs both \"pattern\" and \"owner\"", i + 1);
        if (o == NULL)
            continue; /* validating only */
        if (pw_owners_add(o, pattern, owner, scalar(r, "meaning"), scalar(r, "escalate")) != 0)
            return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    return 0;
}
