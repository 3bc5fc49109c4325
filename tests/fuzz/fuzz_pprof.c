/* fuzz_pprof: the pprof decoder, raw or gzipped, and what `profwatch top` and
 * `profwatch diff` do with what it accepts.
 *
 * Differential: every input is decoded by the direct readers (pprof_hot.c) and
 * by the protoc-c reference decoder. Both must accept or refuse it alike, with
 * the same code and message, and accepted inputs must give identical models.
 * An accepted profile is then pruned, aggregated and rendered as text and JSON,
 * so that those stages see hostile values: INT64_MIN, negative and huge counts,
 * odd units, empty or C++-looking names, and the profile's own regexes. */
#include <cjson/cJSON.h>

#include "fuzz.h"
#include "model_eq.h"
#include "profwatch/buf.h"
#include "profwatch/graph.h"
#include "profwatch/pprof.h"
#include "profwatch/top.h"

/* The decompressed size cap: it bounds the memory one input can take. */
#define FUZZ_MAX_SIZE (1u << 20)

/* json.h promises valid UTF-8 whatever the names hold. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        unsigned min;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, min = 0x10000, cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* Aggregates and renders inputs as `top` does; checks the graph's own
 * accounting and that the JSON report parses with one row per shown node. */
static void report(const pw_graph_input_t *in, size_t n, const pw_graph_opts_t *o)
{
    pw_graph_t *g = NULL;
    pw_err_t err = {0};
    int rc = pw_graph_build(in, n, o, &g, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_graph_build");
        FUZZ_CHECK(g == NULL, "pw_graph_build failed but returned a graph");
        return;
    }
    FUZZ_CHECK(g->dropped_nodes + g->orig_count == g->n_all,
               "%zu dropped + %zu kept != %zu nodes with a value", g->dropped_nodes, g->orig_count,
               g->n_all);
    FUZZ_CHECK(g->n_shown <= g->orig_count, "%zu shown of %zu kept", g->n_shown, g->orig_count);
    FUZZ_CHECK(o->node_count <= 0 || g->n_shown <= (size_t)o->node_count, "%zu shown, limit %d",
               g->n_shown, o->node_count);
    for (size_t i = 0; i < g->n_shown; i++)
        FUZZ_CHECK(g->shown[i]->name != NULL, "shown node %zu has no name", i);

    pw_buf_t out;
    pw_buf_init(&out);
    pw_top_opts_t to = {.node_fraction = o->node_fraction, .source = "fuzz.pprof"};
    FUZZ_CHECK(pw_top_render_text(in, n, g, &to, &out) == 0, "text report failed");
    FUZZ_CHECK(out.len == strlen(out.data), "text report holds a NUL byte");
    pw_buf_reset(&out);
    FUZZ_CHECK(pw_top_render_json(in, n, g, &to, &out) == 0, "JSON report failed");
    FUZZ_CHECK(utf8_valid((const unsigned char *)out.data, out.len),
               "JSON report is not valid UTF-8");
    cJSON *doc = cJSON_ParseWithLength(out.data, out.len);
    FUZZ_CHECK(doc != NULL, "JSON report does not parse: %.200s", out.data);
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(doc, "rows");
    FUZZ_CHECK(cJSON_IsArray(rows) && (size_t)cJSON_GetArraySize(rows) == g->n_shown,
               "JSON report has %d rows for %zu shown nodes", cJSON_GetArraySize(rows), g->n_shown);
    cJSON_Delete(doc);
    pw_buf_free(&out);
    pw_graph_destroy(g);
}

static void prune(pw_profile_t *p, const char *drop, const char *keep)
{
    pw_err_t err = {0};
    int rc = pw_profile_prune(p, drop, keep, &err);
    if (rc != 0)
        fuzz_check_error(rc, &err, "pw_profile_prune");
}

/* Patterns that cut real Go stacks in different places. */
static const char *const drops[][2] = {
    {"runtime\\..*", NULL},
    {".*", "main\\..*"},
    {"[^.]*\\.[a-z]+", ".*alloc.*"},
    {"(.*/)?[A-Z].*|x", NULL},
};

/* fast and ref hold the same model: one is pruned as the CLI prunes (with the
 * profile's own drop_frames/keep_frames), the other with a fixed pattern. */
static void exercise(pw_profile_t *fast, pw_profile_t *ref, uint8_t pick)
{
    pw_graph_input_t one = {fast, 0};
    pw_graph_opts_t o;
    char index[16];

    pw_graph_opts_default(&o);
    report(&one, 1, &o);
    /* Each sample type in turn, by position and by name, with the CLI's other
     * options; at most four types, which is what Go profiles have. */
    for (size_t i = 0; i < fast->n_sample_types && i < 4; i++) {
        snprintf(index, sizeof(index), "%zu", i);
        pw_graph_opts_default(&o);
        o.sample_index = (i & 1) ? fast->sample_types[i].type : index;
        o.cum_sort = (int)(i & 1);
        o.node_count = i == 2 ? 3 : 0;
        o.node_fraction = i == 3 ? 0 : o.node_fraction;
        report(&one, 1, &o);
    }

    prune(fast, fast->drop_frames, fast->keep_frames);
    pw_graph_opts_default(&o);
    report(&one, 1, &o);

    const char *const *d = drops[pick % (sizeof(drops) / sizeof(drops[0]))];
    prune(ref, d[0], d[1]);
    pw_graph_input_t diff[2] = {{ref, 0}, {fast, 1}};
    o.cum_sort = pick & 1;
    report(diff, 2, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_pprof_opts_t fo = {.max_size = FUZZ_MAX_SIZE};
    pw_pprof_opts_t ro = {.max_size = FUZZ_MAX_SIZE, .reference = 1};
    pw_profile_t *fast = NULL, *ref = NULL;
    pw_err_t fe = {0}, re = {0};
    int frc = pw_pprof_decode(data, size, &fo, &fast, &fe);
    int rrc = pw_pprof_decode(data, size, &ro, &ref, &re);

    FUZZ_CHECK((frc == 0) == (fast != NULL), "fast decoder: rc %d, profile %p", frc, (void *)fast);
    FUZZ_CHECK((rrc == 0) == (ref != NULL), "reference: rc %d, profile %p", rrc, (void *)ref);
    FUZZ_CHECK(frc == rrc, "the decoders disagree: fast %d (%s), reference %d (%s)", frc,
               frc ? fe.msg : "ok", rrc, rrc ? re.msg : "ok");
    if (frc != 0) {
        fuzz_check_error(frc, &fe, "pw_pprof_decode");
        FUZZ_CHECK(strcmp(fe.msg, re.msg) == 0, "messages differ: fast \"%s\", reference \"%s\"",
                   fe.msg, re.msg);
        return 0;
    }
    char why[256];
    FUZZ_CHECK(pw_model_equal(fast, ref, why, sizeof(why)), "models differ: %s", why);
    FUZZ_CHECK(fast->raw_size <= FUZZ_MAX_SIZE, "decoded %zu bytes past the cap", fast->raw_size);
    exercise(fast, ref, size ? data[size - 1] : 0);
    pw_profile_destroy(fast);
    pw_profile_destroy(ref);
    return 0;
}
