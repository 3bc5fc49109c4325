/* fuzz_yaml: pw_yaml_parse, which reads profwatch's config and the flare's
 * YAML files (expvar dumps, install_info.log), then a walk over the tree that
 * checks what yaml.h promises: the depth cap, line and column numbers, keys on
 * every map entry, pw_ymap_get finding the first entry of a key, and
 * pw_yscalar_double only ever yielding finite numbers. */
#include <math.h>

#include "fuzz.h"
#include "profwatch/yaml.h"

#define SOURCE "fuzz.yaml"

/* pw_ymap_get is a linear scan: checking every key of a huge map would make
 * the walk quadratic in the input, so only the first keys are looked up. */
#define KEYS_LOOKED_UP 64

static void walk(const pw_ynode_t *n, int depth)
{
    FUZZ_CHECK(n != NULL, "a node is missing at depth %d", depth);
    FUZZ_CHECK(depth <= PW_YAML_MAX_DEPTH, "node at depth %d, past the cap", depth);
    FUZZ_CHECK(n->line >= 1 && n->col >= 1, "node at line %d, column %d", n->line, n->col);
    FUZZ_CHECK(n->value != NULL, "node on line %d has no value string", n->line);
    double v;
    switch (n->kind) {
    case PW_Y_SCALAR:
        FUZZ_CHECK(n->n == 0, "scalar on line %d has %zu children", n->line, n->n);
        if (pw_yscalar_double(n, &v) == 0)
            FUZZ_CHECK(isfinite(v), "\"%s\" read as a non-finite number", n->value);
        FUZZ_CHECK(!(n->quoted && pw_yscalar_is_null(n)), "quoted \"%s\" read as null", n->value);
        FUZZ_CHECK(pw_ymap_get(n, "") == NULL, "a scalar answered a map lookup");
        break;
    case PW_Y_MAP:
        FUZZ_CHECK(n->n == 0 || (n->keys != NULL && n->key_lines != NULL),
                   "map on line %d has no keys", n->line);
        for (size_t i = 0; i < n->n; i++) {
            FUZZ_CHECK(n->keys[i] != NULL, "map on line %d: key %zu is missing", n->line, i);
            FUZZ_CHECK(n->key_lines[i] >= 1, "key \"%s\" on line %d", n->keys[i], n->key_lines[i]);
            if (i < KEYS_LOOKED_UP) {
                size_t first = 0;
                while (strcmp(n->keys[first], n->keys[i]) != 0)
                    first++;
                FUZZ_CHECK(pw_ymap_get(n, n->keys[i]) == n->items[first],
                           "pw_ymap_get(\"%s\") is not the key's first entry", n->keys[i]);
            }
            walk(n->items[i], depth + 1);
        }
        FUZZ_CHECK(pw_yscalar_double(n, &v) != 0, "a map read as a number");
        break;
    case PW_Y_SEQ:
        FUZZ_CHECK(n->keys == NULL, "sequence on line %d has keys", n->line);
        for (size_t i = 0; i < n->n; i++)
            walk(n->items[i], depth + 1);
        FUZZ_CHECK(pw_ymap_get(n, "") == NULL, "a sequence answered a map lookup");
        break;
    default:
        FUZZ_CHECK(0, "node on line %d has kind %d", n->line, (int)n->kind);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_ydoc_t *doc = NULL;
    pw_err_t err = {0};
    int rc = pw_yaml_parse((const char *)data, size, SOURCE, &doc, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_yaml_parse");
        FUZZ_CHECK(doc == NULL, "failed parse returned a document");
        /* Messages for bad input read "SOURCE:LINE:COL: what". */
        FUZZ_CHECK(rc != PW_EINVAL || strncmp(err.msg, SOURCE ":", sizeof(SOURCE)) == 0,
                   "message does not name the source: %s", err.msg);
        return 0;
    }
    FUZZ_CHECK(doc != NULL, "parse succeeded without a document");
    if (doc->root != NULL)
        walk(doc->root, 0);
    pw_yaml_free(doc);
    return 0;
}
