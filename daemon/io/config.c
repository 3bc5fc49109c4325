#include "profwatch/config.h"

#include <stddef.h>
#include <string.h>

#include "profwatch/yaml.h"

#define MAX_CONFIG_BYTES (4u * 1024 * 1024)

static const pw_conf_field_t table[] = {
    {"rules", PW_CT_SECTION, offsetof(pw_config_t, rules), NULL, 0, 0, pw_rules_conf_table, NULL},
    {"ownership", PW_CT_CUSTOM, offsetof(pw_config_t, owners), NULL, 0, 0, NULL, pw_owners_conf_cb},
    PW_CONF_END,
};

int pw_config_init(pw_config_t *c, pw_err_t *err)
{
    memset(c, 0, sizeof(*c));
    c->arena = pw_arena_create(0);
    c->owners = pw_owners_create();
    if (c->arena == NULL || c->owners == NULL) {
        pw_config_free(c);
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    int rc = pw_conf_defaults(table, c, c->arena, err);
    if (rc != 0)
        pw_config_free(c);
    return rc;
}

int pw_config_load(pw_config_t *c, const char *path, pw_err_t *err)
{
    int rc = pw_config_init(c, err);
    if (rc != 0)
        return rc;
    pw_ydoc_t *doc = NULL;
    rc = pw_yaml_load_file(path, MAX_CONFIG_BYTES, &doc, err);
    if (rc == 0)
        rc = pw_conf_bind(doc->root, table, c, c->arena, path, "", err);
    pw_yaml_free(doc);
    if (rc != 0) {
        pw_config_free(c);
        return rc;
    }
    c->path = pw_arena_strdup(c->arena, path);
    return 0;
}

void pw_config_free(pw_config_t *c)
{
    pw_owners_destroy(c->owners);
    pw_arena_destroy(c->arena);
    memset(c, 0, sizeof(*c));
}
