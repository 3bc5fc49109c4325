#include "args.h"

#include "profwatch/conf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const pw_opt_t *find(const pw_opt_t *opts, const char *name, size_t n)
{
    for (const pw_opt_t *o = opts; o->name != NULL; o++) {
        if ((strlen(o->name) == n && strncmp(o->name, name, n) == 0) ||
            (o->alias != NULL && strlen(o->alias) == n && strncmp(o->alias, name, n) == 0))
            return o;
    }
    return NULL;
}

static int set_value(const pw_opt_t *o, const char *val, const char *cmd, const char *spelled)
{
    switch (o->kind) {
    case PW_ARG_STR:
        *(const char **)o->dst = val;
        return 0;
    case PW_ARG_INT: {
        char *end;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (*val == '\0' || *end != '\0' || errno != 0 || v < 0 || v > INT32_MAX) {
            fprintf(stderr, "profwatch %s: %s expects a whole number >= 0, got \"%s\"\n", cmd,
                    spelled, val);
            return 2;
        }
        *(int *)o->dst = (int)v;
        return 0;
    }
    case PW_ARG_SIZE: {
        uint64_t bytes;
        if (pw_parse_size(val, &bytes) != 0 || bytes > SIZE_MAX) {
            fprintf(stderr, "profwatch %s: %s expects a size such as 64MiB or 1GiB, got \"%s\"\n",
                    cmd, spelled, val);
            return 2;
        }
        *(size_t *)o->dst = (size_t)bytes;
        return 0;
    }
    default:
        return 0;
    }
}

int pw_args_parse(int argc, char **argv, const pw_opt_t *opts, const char *cmd, const char **pos,
                  int max_pos, int *n_pos)
{
    *n_pos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*n_pos >= max_pos) {
                fprintf(stderr,
                        "profwatch %s: unexpected argument \"%s\" (see profwatch %s --help)\n", cmd,
                        a, cmd);
                return 2;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        const pw_opt_t *o = NULL;
        const char *val = NULL;
        const char *body = a + (a[1] == '-' ? 2 : 1);
        if (a[1] != '-' && a[2] == '\0') {
            for (const pw_opt_t *p = opts; p->name != NULL; p++)
                if (p->shortname == a[1])
                    o = p;
        }
        if (o == NULL) {
            const char *eq = strchr(body, '=');
            size_t n = eq ? (size_t)(eq - body) : strlen(body);
            o = find(opts, body, n);
            if (eq != NULL)
                val = eq + 1;
        }
        if (o == NULL) {
            fprintf(stderr, "profwatch %s: unknown option %s (see profwatch %s --help)\n", cmd, a,
                    cmd);
            return 2;
        }
        if (o->kind == PW_ARG_HELP)
            return 1;
        if (o->kind == PW_ARG_FLAG) {
            if (val != NULL) {
                fprintf(stderr, "profwatch %s: %s takes no value\n", cmd, a);
                return 2;
            }
            *(int *)o->dst = 1;
            continue;
        }
        if (val == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "profwatch %s: %s needs a value (see profwatch %s --help)\n", cmd,
                        a, cmd);
                return 2;
            }
            val = argv[++i];
        }
        int rc = set_value(o, val, cmd, a);
        if (rc != 0)
            return rc;
    }
    return 0;
}
