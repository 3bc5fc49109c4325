/* profwatch's configuration file (YAML). One schema serves both programs:
 * `profwatch analyze --config FILE` reads the rules and ownership sections,
 * and the daemon reads everything. Unknown keys and bad values are errors that
 * name the file and the line. */
#ifndef PW_CONFIG_H
#define PW_CONFIG_H

#include "profwatch/arena.h"
#include "profwatch/err.h"
#include "profwatch/owners.h"
#include "profwatch/rules.h"

typedef struct {
    pw_arena_t *arena; /* strings of the config */
    const char *path;  /* the file it came from, or NULL for defaults */
    pw_rules_t rules;
    pw_owners_t *owners;
} pw_config_t;

/* Defaults: the seed's thresholds and the built-in ownership table. */
int pw_config_init(pw_config_t *c, pw_err_t *err);
/* Defaults, then the file at path on top. */
int pw_config_load(pw_config_t *c, const char *path, pw_err_t *err);
void pw_config_free(pw_config_t *c);

#endif
