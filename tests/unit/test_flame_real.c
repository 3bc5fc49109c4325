/* The flame tree on real profiles: those the Go fixture program writes when
 * this test runs it (`test_flame_real fixture`), and the third-party ones in
 * ../shared/fixtures/pprof (`test_flame_real shared`). For every profile and
 * sample type, the layout rules hold; the values agree with the aggregation
 * graph, whose numbers the parity tests hold to `go tool pprof`; merging only
 * folds frames narrower than a pixel; and a differential tree carries exactly
 * the values of the two profiles drawn alone. Exits 77 when its input is
 * absent. */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flame_check.h"
#include "profwatch/graph.h"
#include "profwatch/hmap.h"
#include "pw_test.h"

static pw_flame_t *flame(const pw_profile_t *p, const pw_profile_t *base, const char *index,
                         unsigned width)
{
    pw_flame_opts_t o;
    pw_flame_opts_default(&o);
    o.sample_index = index;
    o.width = width;
    pw_flame_t *t = NULL;
    pw_err_t err = {0};
    if (pw_flame_build(p, base, &o, &t, &err) != 0)
        fprintf(stderr, "flame: %s\n", err.msg);
    CHECK(t != NULL);
    if (t != NULL)
        flame_check_layout(t);
    return t;
}

/* Frames of one tree found in another by path: a frame is its parent and
 * its name, so a key "PARENT-INDEX:NAME" per frame identifies its path. */
typedef struct {
    pw_hmapstr_t map;
    char **keys;
    size_t n;
} index_t;

static char *frame_key(uint32_t parent, const char *name)
{
    size_t n = strlen(name) + 16;
    char *k = malloc(n);
    snprintf(k, n, "%u:%s", parent, name);
    return k;
}

static void index_build(index_t *ix, const pw_flame_t *t)
{
    ix->n = t->n_frames;
    ix->keys = calloc(t->n_frames, sizeof(char *));
    pw_hmapstr_init(&ix->map, t->n_frames);
    for (size_t i = 1; i < t->n_frames; i++) {
        ix->keys[i] = frame_key(t->frames[i].parent, t->frames[i].name);
        size_t len = strlen(ix->keys[i]);
        pw_hmapstr_put(&ix->map, ix->keys[i], len, pw_hash_bytes(ix->keys[i], len), (uint32_t)i);
    }
}

static void index_free(index_t *ix)
{
    for (size_t i = 0; i < ix->n; i++)
        free(ix->keys[i]);
    free(ix->keys);
    pw_hmapstr_free(&ix->map);
}

/* For each frame of b, the index of the frame at the same path in the tree
 * that ix indexes, or PW_NONE. The caller frees the array. */
static uint32_t *map_frames(const index_t *ix, const pw_flame_t *b)
{
    uint32_t *m = malloc(b->n_frames * sizeof(uint32_t));
    m[0] = 0;
    for (size_t j = 1; j < b->n_frames; j++) {
        uint32_t p = m[b->frames[j].parent];
        m[j] = PW_NONE;
        if (p == PW_NONE)
            continue;
        char *k = frame_key(p, b->frames[j].name);
        size_t len = strlen(k);
        uint32_t i = pw_hmapstr_get(&ix->map, k, len, pw_hash_bytes(k, len));
        m[j] = i == PW_HMAP_NONE ? PW_NONE : i;
        free(k);
    }
    return m;
}

/* The value of a function in the graph, cum, counts a sample once however
 * often the function is on its stack: in the tree, the sum over the frames of
 * that function that have no ancestor of the same name. */
static void check_against_graph(const pw_profile_t *p, const char *index, const pw_flame_t *t,
                                const char *what)
{
    pw_graph_input_t in = {p, 0};
    pw_graph_opts_t go;
    pw_graph_opts_default(&go);
    go.sample_index = index;
    pw_graph_t *g = NULL;
    pw_err_t err = {0};
    CHECK(pw_graph_build(&in, 1, &go, &g, &err) == 0);
    if (g == NULL)
        return;
    int64_t total = 0;
    for (size_t s = 0; s < p->n_samples; s++)
        if (p->samples[s].values[g->sample_index] > 0)
            total += p->samples[s].values[g->sample_index];
    CHECK_INT(t->frames[0].value, total);

    /* Per graph node: the sum of the topmost frames of that name. */
    int64_t *sum = calloc(g->n_all + 1, sizeof(int64_t));
    uint32_t *node_of = malloc(t->n_frames * sizeof(uint32_t));
    pw_hmapstr_t by_name;
    pw_hmapstr_init(&by_name, g->n_all);
    for (size_t i = 0; i < g->n_all; i++) {
        size_t n = strlen(g->all[i].name);
        pw_hmapstr_put(&by_name, g->all[i].name, n, pw_hash_bytes(g->all[i].name, n), (uint32_t)i);
    }
    int mismatches = 0;
    for (size_t i = 1; i < t->n_frames; i++) {
        const pw_flame_frame_t *f = &t->frames[i];
        size_t n = strlen(f->name);
        node_of[i] = pw_hmapstr_get(&by_name, f->name, n, pw_hash_bytes(f->name, n));
        if (node_of[i] == PW_HMAP_NONE) {
            if (mismatches++ < 3)
                fprintf(stderr, "%s: frame %s is not a graph node\n", what, f->name);
            continue;
        }
        int top = 1;
        for (uint32_t a = f->parent; a != 0 && a != PW_NONE; a = t->frames[a].parent)
            if (node_of[a] == node_of[i])
                top = 0;
        if (top)
            sum[node_of[i]] += f->value;
    }
    for (size_t i = 0; i < g->n_all; i++) {
        if (sum[i] != g->all[i].cum && mismatches++ < 3)
            fprintf(stderr, "%s: %s: tree %lld, graph cum %lld\n", what, g->all[i].name,
                    (long long)sum[i], (long long)g->all[i].cum);
    }
    CHECK_INT(mismatches, 0);
    pw_hmapstr_free(&by_name);
    free(sum);
    free(node_of);
    pw_graph_destroy(g);
}

/* The merged tree is the full tree with each frame under a pixel folded
 * into its parent's merged frame: the frames kept are the full tree's. */
static void check_merging(const pw_flame_t *full, const pw_flame_t *merged, const char *what)
{
    index_t fx, mx;
    index_build(&fx, full);
    index_build(&mx, merged);
    uint32_t *to_full = map_frames(&fx, merged), *to_merged = map_frames(&mx, full);
    int bad = 0;
    double total = (double)full->frames[0].value;
    for (size_t i = 1; i < merged->n_frames; i++) {
        const pw_flame_frame_t *m = &merged->frames[i];
        if (m->n_merged > 0) {
            bad += to_full[i] != PW_NONE; /* no real function is named "…" */
            continue;
        }
        const pw_flame_frame_t *f = to_full[i] == PW_NONE ? NULL : &full->frames[to_full[i]];
        if (f == NULL || f->value != m->value || f->base != m->base ||
            (double)m->value * merged->width < total) {
            if (bad++ < 3)
                fprintf(stderr, "%s: frame %zu (%s) differs from the full tree\n", what, i,
                        m->name);
        }
    }
    /* And every full-tree frame a pixel wide or more is drawn (its
     * ancestors are wider still, so none of them was merged). */
    for (size_t i = 1; i < full->n_frames; i++) {
        if ((double)full->frames[i].value * merged->width >= total && to_merged[i] == PW_NONE &&
            bad++ < 3)
            fprintf(stderr, "%s: frame %zu (%s) is wide but missing\n", what, i,
                    full->frames[i].name);
    }
    CHECK_INT(bad, 0);
    free(to_full);
    free(to_merged);
    index_free(&fx);
    index_free(&mx);
}

static void check_profile(const pw_profile_t *p, const char *file)
{
    for (size_t k = 0; k < p->n_sample_types; k++) {
        const char *index = p->sample_types[k].type;
        char what[512];
        snprintf(what, sizeof(what), "%s -sample_index=%s", file, index);
        pw_flame_t *full = flame(p, NULL, index, 0);
        pw_flame_t *merged = flame(p, NULL, index, PW_FLAME_DEFAULT_WIDTH);
        if (full != NULL && merged != NULL) {
            check_against_graph(p, index, full, what);
            check_merging(full, merged, what);
            CHECK_INT(merged->n_full, full->n_frames - 1);
        }
        pw_flame_destroy(full);
        pw_flame_destroy(merged);
    }
}

/* A differential tree: widths from NEW alone, bases from BASE alone. */
static void check_diff(const pw_profile_t *base, const pw_profile_t *cur, const char *what)
{
    pw_flame_t *d = flame(cur, base, NULL, 0), *n = flame(cur, NULL, NULL, 0),
               *b = flame(base, NULL, NULL, 0);
    pw_flame_t *dm = flame(cur, base, NULL, PW_FLAME_DEFAULT_WIDTH);
    if (d != NULL && n != NULL && b != NULL && dm != NULL) {
        index_t bx;
        index_build(&bx, b);
        uint32_t *to_base = map_frames(&bx, d);
        CHECK_INT(d->n_frames, n->n_frames);
        CHECK_INT(d->frames[0].base, b->frames[0].value);
        int bad = 0;
        int64_t max_delta = 0;
        for (size_t i = 0; i < d->n_frames && i < n->n_frames; i++) {
            const pw_flame_frame_t *f = &d->frames[i];
            int64_t want_base = to_base[i] == PW_NONE ? 0 : b->frames[to_base[i]].value;
            if ((f->value != n->frames[i].value || f->base != want_base) && bad++ < 3)
                fprintf(stderr, "%s: frame %zu (%s): value %lld base %lld\n", what, i, f->name,
                        (long long)f->value, (long long)f->base);
            int64_t delta = f->value > f->base ? f->value - f->base : f->base - f->value;
            max_delta = delta > max_delta ? delta : max_delta;
        }
        CHECK_INT(bad, 0);
        CHECK_INT(d->max_delta, max_delta);
        check_merging(d, dm, what);
        free(to_base);
        index_free(&bx);
    }
    pw_flame_destroy(d);
    pw_flame_destroy(n);
    pw_flame_destroy(b);
    pw_flame_destroy(dm);
}

static pw_profile_t *load(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    pw_profile_t *p = NULL;
    pw_err_t err = {0};
    if (pw_pprof_load_file(path, NULL, &p, &err) != 0)
        fprintf(stderr, "%s\n", err.msg);
    CHECK(p != NULL);
    return p;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!ends_with(e->d_name, ".pprof"))
            continue;
        pw_profile_t *p = load(dir, e->d_name);
        if (p != NULL)
            check_profile(p, e->d_name);
        pw_profile_destroy(p);
        n++;
    }
    closedir(d);
    return n;
}

static void check_pair(const char *dir, const char *base_name, const char *new_name)
{
    pw_profile_t *b = load(dir, base_name), *c = load(dir, new_name);
    if (b != NULL && c != NULL)
        check_diff(b, c, new_name);
    pw_profile_destroy(b);
    pw_profile_destroy(c);
}

/* The fixture's second heap snapshot holds more in
 * aggregator.(*ContextResolver).TrackContext than the first (it tracks more
 * contexts in between): the diff must show that function grown, in red. */
static void check_fixture_growth(const char *dir)
{
    pw_profile_t *b = load(dir, "heap.pprof"), *c = load(dir, "heap-2.pprof");
    pw_flame_t *t = b && c ? flame(c, b, "inuse_space", PW_FLAME_DEFAULT_WIDTH) : NULL;
    int found = 0;
    for (size_t i = 0; t != NULL && i < t->n_frames; i++) {
        const pw_flame_frame_t *f = &t->frames[i];
        if (strstr(f->name, "(*ContextResolver).TrackContext") == NULL || f->n_merged)
            continue;
        found++;
        char c8[8];
        int r, g, bl;
        pw_flame_color(t, f, c8);
        CHECK(f->value > f->base);
        CHECK(sscanf(c8, "#%2x%2x%2x", &r, &g, &bl) == 3 && r > bl);
    }
    CHECK(found > 0);
    pw_flame_destroy(t);
    pw_profile_destroy(b);
    pw_profile_destroy(c);
}

static int run_fixture(void)
{
    const char *fixture = getenv("PW_FIXTURE");
    if (fixture == NULL || access(fixture, X_OK) != 0) {
        fprintf(stderr, "SKIP: the Go fixture program is not built (PW_FIXTURE=%s)\n",
                fixture ? fixture : "");
        return PW_SKIP_CODE;
    }
    char dir[] = "/tmp/pw-flame-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execl(fixture, fixture, "profiles", "-o", dir, "-cpu", "500ms", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
          WEXITSTATUS(status) == 0);
    CHECK(check_dir(dir) >= 8);
    check_pair(dir, "heap.pprof", "heap-2.pprof");
    check_pair(dir, "heap-2.pprof", "heap.pprof");
    check_fixture_growth(dir);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return pw_test_failures ? 1 : 0;
}

static int run_shared(void)
{
    const char *dir = getenv("PW_SHARED_FIXTURES");
    struct stat st;
    if (dir == NULL || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "SKIP: %s is absent; the third-party profiles were not checked\n",
                dir ? dir : "PW_SHARED_FIXTURES");
        return PW_SKIP_CODE;
    }
    CHECK(check_dir(dir) > 0);
    check_pair(dir, "go-small-before.heap.pprof", "go-small-after.heap.pprof");
    check_pair(dir, "go-stress-before.heap.pprof", "go-stress-after.heap.pprof");
    check_pair(dir, "go-before.block.pprof", "go-after.block.pprof");
    return pw_test_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    int rc = 2;
    if (argc == 2 && strcmp(argv[1], "fixture") == 0)
        rc = run_fixture();
    else if (argc == 2 && strcmp(argv[1], "shared") == 0)
        rc = run_shared();
    else
        fprintf(stderr, "usage: test_flame_real fixture|shared\n");
    fprintf(stderr, "%d checks, %d failed\n", pw_test_checks, pw_test_failures);
    return rc;
}
