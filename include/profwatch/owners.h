/* Who owns the fix: function-path patterns mapped to an owner and to where to
 * escalate, from the flare-profiling seed's ownership table and decision
 * tree. The table is data; a config file adds rules, which are tried first,
 * in their order, and the first match wins. */
#ifndef PW_OWNERS_H
#define PW_OWNERS_H

#include <stddef.h>

#include "profwatch/arena.h"
#include "profwatch/conf.h"
#include "profwatch/err.h"

typedef struct {
    const char *pattern;  /* "pkg/aggregator.*": '*' matches any run of characters */
    const char *owner;    /* "Core Agent (aggregation)" */
    const char *meaning;  /* what memory or CPU there usually means */
    const char *escalate; /* where the finding goes */
} pw_owner_rule_t;

typedef struct {
    pw_arena_t *arena;
    size_t n;
    pw_owner_rule_t *rules; /* config rules first, then the built-in table */
    size_t n_config;
} pw_owners_t;

/* A table holding the built-in rules. NULL when out of memory. */
pw_owners_t *pw_owners_create(void);
void pw_owners_destroy(pw_owners_t *o);
/* Adds a rule ahead of the built-in ones (after earlier config rules). */
int pw_owners_add(pw_owners_t *o, const char *pattern, const char *owner, const char *meaning,
                  const char *escalate);
/* The rule for a function name; never NULL (an "unknown" rule at worst). */
const pw_owner_rule_t *pw_owners_match(const pw_owners_t *o, const char *function);

/* A pattern matches when it matches the whole name or a suffix of it that
 * starts after a '/': "pkg/aggregator.*" matches
 * "github.com/DataDog/datadog-agent/pkg/aggregator.(*BufferedAggregator).run".
 * A pattern ending in ".*" also covers subpackages ("pkg/trace.*" matches
 * "…/pkg/trace/agent.(*Agent).Process"). */
int pw_owners_glob(const char *pattern, const char *name);

/* Config handler for an `ownership:` list of {pattern, owner, meaning,
 * escalate}; dst is a pw_owners_t *. */
int pw_owners_conf_cb(const pw_ynode_t *node, void *dst, pw_arena_t *arena, const char *source,
                      const char *path, pw_err_t *err);

#endif
