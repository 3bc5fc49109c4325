#include "profwatch/yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

typedef struct {
    pw_ydoc_t *doc;
    yaml_parser_t parser;
    size_t nodes;
    pw_err_t *err;
} builder_t;

/* Growable child list, kept in malloc'd scratch until the node is closed, then
 * copied into the arena at its final size. */
typedef struct {
    pw_ynode_t **items;
    const char **keys;
    int *key_lines;
    size_t n, cap;
} kids_t;

static int kids_push(kids_t *k, const char *key, int key_line, pw_ynode_t *item)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 8;
        pw_ynode_t **ni = realloc(k->items, cap * sizeof(*ni));
        if (ni == NULL)
            return -1;
        k->items = ni;
        const char **nk = realloc(k->keys, cap * sizeof(*nk));
        if (nk == NULL)
            return -1;
        k->keys = nk;
        int *nl = realloc(k->key_lines, cap * sizeof(*nl));
        if (nl == NULL)
            return -1;
        k->key_lines = nl;
        k->cap = cap;
    }
    k->items[k->n] = item;
    k->keys[k->n] = key;
    k->key_lines[k->n] = key_line;
    k->n++;
    return 0;
}

static void kids_free(kids_t *k)
{
    free(k->items);
    free(k->keys);
    free(k->key_lines);
}

static int fail_at(builder_t *b, const yaml_mark_t *m, const char *what)
{
    return pw_err_set(b->err, PW_EINVAL, "%s:%zu:%zu: %s", b->doc->source, m->line + 1,
                      m->column + 1, what);
}

static int parser_error(builder_t *b)
{
    const yaml_parser_t *p = &b->parser;
    const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->mark;
    char what[300];
    snprintf(what, sizeof(what), "%s%s%s", p->problem ? p->problem : "invalid YAML",
             p->context ? " " : "", p->context ? p->context : "");
    return fail_at(b, m, what);
}

static pw_ynode_t *new_node(builder_t *b, pw_ykind_t kind, const yaml_mark_t *m)
{
    if (++b->nodes > PW_YAML_MAX_NODES) {
        fail_at(b, m, "the document has more nodes than profwatch reads (1,000,000)");
        return NULL;
    }
    pw_ynode_t *n = pw_arena_calloc(b->doc->arena, 1, sizeof(*n));
    if (n == NULL) {
        pw_err_set(b->err, PW_ENOMEM, "out of memory reading %s", b->doc->source);
        return NULL;
    }
    n->kind = kind;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    n->value = "";
    return n;
}

static int next(builder_t *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev))
        return parser_error(b);
    return 0;
}

/* Builds the node that starts with ev (already read); consumes its events. */
static int build(builder_t *b, yaml_event_t *ev, int depth, pw_ynode_t **out)
{
    int rc = 0;
    if (depth > PW_YAML_MAX_DEPTH)
        return fail_at(b, &ev->start_mark, "nesting is deeper than profwatch reads (64 levels)");
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return fail_at(b, &ev->start_mark,
                       "YAML aliases (*name) are not supported; write the value out");
    case YAML_SCALAR_EVENT: {
        pw_ynode_t *n = new_node(b, PW_Y_SCALAR, &ev->start_mark);
        if (n == NULL)
            return b->err->code;
        n->value = pw_arena_strndup(b->doc->arena, (const char *)ev->data.scalar.value,
                                    ev->data.scalar.length);
        if (n->value == NULL)
            return pw_err_set(b->err, PW_ENOMEM, "out of memory reading %s", b->doc->source);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        *out = n;
        return 0;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        pw_ynode_t *n = new_node(b, is_map ? PW_Y_MAP : PW_Y_SEQ, &ev->start_mark);
        if (n == NULL)
            return b->err->code;
        kids_t k = {0};
        yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
        for (;;) {
            yaml_event_t e;
            if ((rc = next(b, &e)) != 0)
                break;
            if (e.type == end) {
                yaml_event_delete(&e);
                break;
            }
            const char *key = NULL;
            int key_line = 0;
            if (is_map) {
                if (e.type != YAML_SCALAR_EVENT) {
                    rc = fail_at(b, &e.start_mark, "a map key must be a plain word or string");
                    yaml_event_delete(&e);
                    break;
                }
                key = pw_arena_strndup(b->doc->arena, (const char *)e.data.scalar.value,
                                       e.data.scalar.length);
                key_line = (int)e.start_mark.line + 1;
                yaml_event_delete(&e);
                if (key == NULL) {
                    rc = pw_err_set(b->err, PW_ENOMEM, "out of memory");
                    break;
                }
                if ((rc = next(b, &e)) != 0)
                    break;
            }
            pw_ynode_t *child = NULL;
            rc = build(b, &e, depth + 1, &child);
            yaml_event_delete(&e);
            if (rc != 0)
                break;
            if (kids_push(&k, key, key_line, child) != 0) {
                rc = pw_err_set(b->err, PW_ENOMEM, "out of memory");
                break;
            }
        }
        if (rc == 0 && k.n > 0) {
            pw_arena_t *a = b->doc->arena;
            n->items = pw_arena_alloc(a, k.n * sizeof(*n->items));
            if (is_map) {
                n->keys = pw_arena_alloc(a, k.n * sizeof(*n->keys));
                n->key_lines = pw_arena_alloc(a, k.n * sizeof(*n->key_lines));
            }
            if (n->items == NULL || (is_map && (n->keys == NULL || n->key_lines == NULL))) {
                rc = pw_err_set(b->err, PW_ENOMEM, "out of memory");
            } else {
                memcpy(n->items, k.items, k.n * sizeof(*n->items));
                if (is_map) {
                    memcpy(n->keys, k.keys, k.n * sizeof(*n->keys));
                    memcpy(n->key_lines, k.key_lines, k.n * sizeof(*n->key_lines));
                }
                n->n = k.n;
            }
        }
        kids_free(&k);
        if (rc == 0)
            *out = n;
        return rc;
    }
    default:
        return fail_at(b, &ev->start_mark, "unexpected YAML structure");
    }
}

int pw_yaml_parse(const char *data, size_t len, const char *source, pw_ydoc_t **out, pw_err_t *err)
{
    builder_t b;
    int rc = 0;
    memset(&b, 0, sizeof(b));
    *out = NULL;
    b.err = err;
    b.doc = calloc(1, sizeof(*b.doc));
    if (b.doc == NULL || (b.doc->arena = pw_arena_create(0)) == NULL) {
        free(b.doc);
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    b.doc->source = pw_arena_strdup(b.doc->arena, source ? source : "<yaml>");
    if (!yaml_parser_initialize(&b.parser)) {
        pw_yaml_free(b.doc);
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)data, len);
    yaml_event_t ev;
    /* STREAM-START, then DOCUMENT-START or STREAM-END (empty input). */
    for (;;) {
        if ((rc = next(&b, &ev)) != 0)
            goto done;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            goto done; /* empty document: root stays NULL */
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            goto done;
        }
        rc = build(&b, &ev, 0, &b.doc->root);
        yaml_event_delete(&ev);
        goto done;
    }
done:
    yaml_parser_delete(&b.parser);
    if (rc != 0) {
        pw_yaml_free(b.doc);
        return rc;
    }
    *out = b.doc;
    return 0;
}

int pw_yaml_load_file(const char *path, size_t max_bytes, pw_ydoc_t **out, pw_err_t *err)
{
    *out = NULL;
    /* O_NONBLOCK: opening a FIFO without a writer would otherwise wait, with
     * the daemon's only thread, for a writer; it is refused below. Reads of a
     * regular file ignore the flag. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return pw_err_set(err, errno == ENOENT ? PW_ENOENT : PW_EIO, "%s: cannot open: %s", path,
                          strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pw_err_set(err, PW_EINVAL, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_bytes) {
        close(fd);
        return pw_err_set(err, PW_ETOOBIG, "%s: %lld bytes, over the %zu-byte limit for YAML", path,
                          (long long)st.st_size, max_bytes);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (buf == NULL) {
        close(fd);
        return pw_err_set(err, PW_ENOMEM, "%s: out of memory", path);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    int rc = pw_yaml_parse(buf, got, path, out, err);
    free(buf);
    return rc;
}

void pw_yaml_free(pw_ydoc_t *doc)
{
    if (doc == NULL)
        return;
    pw_arena_destroy(doc->arena);
    free(doc);
}

const pw_ynode_t *pw_ymap_get(const pw_ynode_t *map, const char *key)
{
    if (map == NULL || map->kind != PW_Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return map->items[i];
    return NULL;
}

int pw_yscalar_is_null(const pw_ynode_t *n)
{
    if (n == NULL)
        return 1;
    if (n->kind != PW_Y_SCALAR || n->quoted)
        return 0;
    return n->value[0] == '\0' || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
           strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0;
}

int pw_yscalar_double(const pw_ynode_t *n, double *out)
{
    if (n == NULL || n->kind != PW_Y_SCALAR || n->value[0] == '\0')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(n->value, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
