/* pw_fuzz_seeds: writes the generated seeds of tests/fuzz/corpus (make_seeds.sh
 * runs it).
 *   pw_fuzz_seeds pprof DIR      edge-case profiles, built byte by byte
 *   pw_fuzz_seeds gzip DIR       gzip streams: header fields, members, damage
 *   pw_fuzz_seeds scrub IN OUT   a profile (raw or gzipped) as raw protobuf,
 *                                with absolute paths reduced to /fixture/BASE,
 *                                so seeds never carry the paths of the machine
 *                                that wrote them */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pbuild.h"
#include "pprof.pb-c.h"
#include "profwatch/gzip.h"

typedef Perftools__Profiles__Profile profile_t;

static int write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "pw_fuzz_seeds: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_profile(const char *dir, const char *name, pbuild_t *b, int also_gzip)
{
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    int rc = write_file(dir, name, raw, n);
    free(raw);
    if (rc == 0 && also_gzip) {
        char gz_name[256];
        snprintf(gz_name, sizeof(gz_name), "%s.gz", name);
        uint8_t *gz = pb_pack(b, 1, &n);
        rc = write_file(dir, gz_name, gz, n);
        free(gz);
    }
    pb_free(b);
    return rc;
}

/* ---- pprof ---------------------------------------------------------- */

/* CPU-like: two sample types, inlining, recursion, string and number labels. */
static pbuild_t *cpu_profile(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    pb_sample_type(b, "cpu", "nanoseconds");
    pb_period(b, "cpu", "nanoseconds", 10000000);
    pb_header(b, 1700000000000000000LL, 2000000000);
    uint64_t m = pb_mapping(b, "/usr/bin/app", "abc123");
    uint64_t f_main = pb_function(b, "main.main");
    uint64_t f_work = pb_function(b, "main.work");
    uint64_t f_help = pb_function(b, "main.helper");
    uint64_t f_rec = pb_function(b, "main.rec");
    uint64_t inl[2] = {f_help, f_work};
    uint64_t l_main = pb_location(b, m, &f_main, 1);
    uint64_t l_work = pb_location(b, m, inl, 2);
    uint64_t l_rec = pb_location(b, m, &f_rec, 1);
    uint64_t s1[2] = {l_work, l_main};
    int64_t v1[2] = {3, 30000000};
    pb_sample(b, s1, 2, v1);
    pb_sample_label(b, "worker", "a");
    pb_sample_num_label(b, "bytes", 4096, "bytes");
    uint64_t s2[4] = {l_rec, l_rec, l_rec, l_main};
    int64_t v2[2] = {1, 10000000};
    pb_sample(b, s2, 4, v2);
    return b;
}

/* Heap-like, with the values that break naive arithmetic. */
static pbuild_t *values_profile(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "alloc_objects", "count");
    pb_sample_type(b, "alloc_space", "bytes");
    pb_sample_type(b, "inuse_objects", "count");
    pb_sample_type(b, "inuse_space", "bytes");
    pb_default_type(b, "alloc_space");
    pb_period(b, "space", "bytes", 524288);
    pb_header(b, INT64_MIN + 1, INT64_MAX);
    uint64_t m = pb_mapping(b, "/usr/bin/app", "");
    uint64_t f[3] = {pb_function(b, "a.alloc"), pb_function(b, "b.grow"),
                     pb_function(b, "main.main")};
    uint64_t l[3];
    for (size_t i = 0; i < 3; i++)
        l[i] = pb_location(b, m, &f[i], 1);
    static const int64_t vals[][4] = {
        {INT64_MIN, INT64_MAX, -1, 1},
        {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX},
        {-5, -4096, 0, 0},
        {1, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        pb_sample(b, l + (i % 2), 3 - (i % 2), vals[i]);
    return b;
}

/* Units pprof scales (time, bytes, GCU), units it does not, and none. */
static pbuild_t *units_profile(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "contentions", "count");
    pb_sample_type(b, "delay", "nanoseconds");
    pb_sample_type(b, "energy", "petagcu");
    pb_sample_type(b, "wall", "hours");
    pb_sample_type(b, "odd", "");
    pb_period(b, "contentions", "widgets", 1);
    pb_header(b, 0, 3600000000000LL);
    uint64_t m = pb_mapping(b, "/usr/bin/app", "id");
    uint64_t f = pb_function(b, "sync.(*Mutex).Lock");
    uint64_t l = pb_location(b, m, &f, 1);
    int64_t v[5] = {7, 123456789, 3, 2, -9};
    pb_sample(b, &l, 1, v);
    return b;
}

/* Nameless frames (told apart by binary and start line), C++-looking names
 * that pprof simplifies, a mapping URL without a build id (cleared as pprof
 * clears it), and a location with no lines. */
static pbuild_t *names_profile(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    uint64_t m1 = pb_mapping(b, "https://example.com/bin/app", "");
    uint64_t m2 = pb_mapping(b, "/usr/lib/libc.so.6", "");
    uint64_t f[] = {
        pb_function_full(b, "", "", 10),
        pb_function_full(b, "", "", 20),
        pb_function_full(b, "", "std::vector<int>::push_back(int const&)", 0),
        pb_function_full(b, "", "(anonymous namespace)::Widget::operator()(int)", 0),
        pb_function_full(b, "display", "system", 0),
        pb_function_full(b, "", "a<b(c)>::d)(", 0),
    };
    uint64_t locs[8];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        locs[n++] = pb_location(b, i % 2 ? m2 : m1, &f[i], 1);
    locs[n++] = pb_location(b, m2, NULL, 0);
    locs[n++] = pb_location(b, 0, NULL, 0);
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)i + 1;
        pb_sample(b, locs + i, n - i, &v);
    }
    return b;
}

/* drop_frames/keep_frames as a profiler writes them, and header comments. */
static pbuild_t *prune_profile(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "alloc_space", "bytes");
    pb_sample_type(b, "inuse_space", "bytes");
    pb_drop_keep(b, "runtime\\..*|.*malloc.*", "runtime\\.keep.*");
    pb_comment(b, "note: sampled");
    pb_comment(b, "#hidden");
    pb_comment(b, "note: sampled");
    uint64_t m = pb_mapping(b, "/usr/bin/app", "id");
    uint64_t f_malloc = pb_function(b, "runtime.mallocgc");
    uint64_t f_keep = pb_function(b, "runtime.keepalive");
    uint64_t f_new = pb_function(b, "runtime.newobject");
    uint64_t f_user = pb_function(b, "main.build");
    uint64_t f_main = pb_function(b, "main.main");
    uint64_t inl[2] = {f_new, f_user};
    uint64_t l_malloc = pb_location(b, m, &f_malloc, 1);
    uint64_t l_keep = pb_location(b, m, &f_keep, 1);
    uint64_t l_inl = pb_location(b, m, inl, 2);
    uint64_t l_main = pb_location(b, m, &f_main, 1);
    uint64_t s1[3] = {l_malloc, l_inl, l_main};
    uint64_t s2[3] = {l_keep, l_malloc, l_main};
    int64_t v1[2] = {4096, 1024}, v2[2] = {512, 0};
    pb_sample(b, s1, 3, v1);
    pb_sample(b, s2, 3, v2);
    return b;
}

/* Same ids shifted far apart, so the decoder indexes them by hash map. */
static uint8_t *sparse_ids(const uint8_t *raw, size_t n, size_t *out_n)
{
    const uint64_t k = 0x10000000001ULL;
    profile_t *p = perftools__profiles__profile__unpack(NULL, n, raw);
    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < p->n_mapping; i++)
        p->mapping[i]->id *= k;
    for (size_t i = 0; i < p->n_function; i++)
        p->function[i]->id *= k;
    for (size_t i = 0; i < p->n_location; i++) {
        Perftools__Profiles__Location *l = p->location[i];
        l->id *= k;
        l->mapping_id *= k;
        for (size_t j = 0; j < l->n_line; j++)
            l->line[j]->function_id *= k;
    }
    for (size_t i = 0; i < p->n_sample; i++)
        for (size_t j = 0; j < p->sample[i]->n_location_id; j++)
            p->sample[i]->location_id[j] *= k;
    *out_n = perftools__profiles__profile__get_packed_size(p);
    uint8_t *out = malloc(*out_n + 1);
    if (out != NULL)
        perftools__profiles__profile__pack(p, out);
    perftools__profiles__profile__free_unpacked(p, NULL);
    return out;
}

/* Encodings protobuf-c's packer never writes, appended to cpu_profile(): a
 * sample with unpacked repeated fields, one that mixes packed and unpacked, a
 * location with a line column, is_folded and an unknown field, and a function
 * with an unknown fixed32 field. */
static const uint8_t odd_encodings[] = {
    0x12, 0x08, 0x08, 0x01, 0x08, 0x02, 0x10, 0x05, 0x10, 0x0a,             /* sample */
    0x12, 0x09, 0x0a, 0x02, 0x01, 0x02, 0x10, 0x03, 0x12, 0x01, 0x04,       /* sample */
    0x22, 0x0e, 0x08, 0x64, 0x22, 0x06, 0x08, 0x01, 0x10, 0x05, 0x18, 0x02, /* location 100 */
    0x28, 0x01, 0x38, 0x07,                                                 /* ... */
    0x2a, 0x07, 0x08, 0x64, 0x35, 0x01, 0x02, 0x03, 0x04,                   /* function 100 */
    0x12, 0x07, 0x0a, 0x01, 0x64, 0x12, 0x02, 0x01, 0x01,                   /* sample at 100 */
};

static int seeds_pprof(const char *dir)
{
    int rc = 0;
    rc |= write_profile(dir, "edge-cpu.pb", cpu_profile(), 1);
    rc |= write_profile(dir, "edge-values.pb", values_profile(), 1);
    rc |= write_profile(dir, "edge-units.pb", units_profile(), 0);
    rc |= write_profile(dir, "edge-names.pb", names_profile(), 0);
    rc |= write_profile(dir, "edge-prune.pb", prune_profile(), 0);
    rc |= write_profile(dir, "edge-empty.pb", pb_new(), 0);

    size_t n, sn;
    pbuild_t *b = cpu_profile();
    uint8_t *raw = pb_pack(b, 0, &n);
    pb_free(b);
    uint8_t *sparse = sparse_ids(raw, n, &sn);
    rc |= sparse == NULL ? -1 : write_file(dir, "edge-sparse-ids.pb", sparse, sn);
    free(sparse);
    uint8_t *odd = malloc(n + sizeof(odd_encodings));
    if (odd == NULL) {
        free(raw);
        return 1;
    }
    memcpy(odd, raw, n);
    memcpy(odd + n, odd_encodings, sizeof(odd_encodings));
    rc |= write_file(dir, "edge-odd-encodings.pb", odd, n + sizeof(odd_encodings));
    free(odd);
    free(raw);
    return rc ? 1 : 0;
}

/* ---- gzip ----------------------------------------------------------- */

/* One gzip member of in[0..n) at level, with header fields when hdr. */
static size_t gzip_member(const void *in, size_t n, int level, int hdr, uint8_t *out, size_t room)
{
    z_stream zs;
    gz_header h;
    static unsigned char extra[] = "pw";
    static char name[] = "heap.pprof", comment[] = "profwatch seed";
    memset(&zs, 0, sizeof(zs));
    memset(&h, 0, sizeof(h));
    deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (hdr) {
        h.extra = extra;
        h.extra_len = 2;
        h.name = (Bytef *)name;
        h.comment = (Bytef *)comment;
        h.hcrc = 1;
        h.os = 3;
        deflateSetHeader(&zs, &h);
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)room;
    deflate(&zs, Z_FINISH);
    size_t w = zs.total_out;
    deflateEnd(&zs);
    return w;
}

static int seeds_gzip(const char *dir)
{
    static const char text[] = "Alloc: 6.0791104e+07\nBySize:\n- Frees: 0\n  Mallocs: 12\n"
                               "  Size: 8\nHeapAlloc: 6.0791104e+07\nNumGC: 42\n";
    uint8_t buf[2048], rep[1024];
    size_t n, k;
    int rc = 0;
    memset(rep, 'x', sizeof(rep));

    n = gzip_member(text, sizeof(text) - 1, 6, 0, buf, sizeof(buf));
    rc |= write_file(dir, "text.gz", buf, n);
    n = gzip_member(text, sizeof(text) - 1, 0, 0, buf, sizeof(buf));
    rc |= write_file(dir, "stored.gz", buf, n);
    n = gzip_member(text, sizeof(text) - 1, 9, 1, buf, sizeof(buf));
    rc |= write_file(dir, "header-fields.gz", buf, n);
    n = gzip_member("", 0, 6, 0, buf, sizeof(buf));
    rc |= write_file(dir, "empty.gz", buf, n);
    n = gzip_member(rep, sizeof(rep), 9, 0, buf, sizeof(buf));
    rc |= write_file(dir, "repeats.gz", buf, n);
    k = gzip_member(text, 20, 1, 0, buf, sizeof(buf));
    n = k + gzip_member(text + 20, sizeof(text) - 21, 6, 1, buf + k, sizeof(buf) - k);
    rc |= write_file(dir, "two-members.gz", buf, n);
    rc |= write_file(dir, "truncated.gz", buf, k - 3);
    buf[k - 6] ^= 0x55; /* the first member's CRC */
    rc |= write_file(dir, "bad-crc.gz", buf, k);
    n = gzip_member(text, sizeof(text) - 1, 6, 0, buf, sizeof(buf));
    memcpy(buf + n, "trailing", 8);
    rc |= write_file(dir, "trailing-garbage.gz", buf, n + 8);
    return rc ? 1 : 0;
}

/* ---- scrub ---------------------------------------------------------- */

static int scrub(const char *in_path, const char *out_path)
{
    FILE *f = fopen(in_path, "rb");
    if (f == NULL) {
        fprintf(stderr, "pw_fuzz_seeds: %s: %s\n", in_path, strerror(errno));
        return 1;
    }
    static uint8_t in[16u << 20];
    size_t n = fread(in, 1, sizeof(in), f);
    fclose(f);
    if (n == sizeof(in)) {
        fprintf(stderr, "pw_fuzz_seeds: %s: over 16 MiB, too large for a seed\n", in_path);
        return 1;
    }
    uint8_t *plain = NULL;
    size_t plain_n = n;
    pw_err_t err = {0};
    if (pw_gzip_is(in, n) && pw_gzip_inflate(in, n, 64u << 20, &plain, &plain_n, &err) != 0) {
        fprintf(stderr, "pw_fuzz_seeds: %s: %s\n", in_path, err.msg);
        return 1;
    }
    profile_t *p = perftools__profiles__profile__unpack(NULL, plain_n, plain ? plain : in);
    free(plain);
    if (p == NULL) {
        fprintf(stderr, "pw_fuzz_seeds: %s: not a pprof profile\n", in_path);
        return 1;
    }
    for (size_t i = 0; i < p->n_string_table; i++) {
        char *s = p->string_table[i];
        if (s[0] != '/')
            continue;
        const char *base = strrchr(s, '/') + 1;
        size_t len = strlen("/fixture/") + strlen(base) + 1;
        char *r = malloc(len);
        if (r == NULL) {
            perftools__profiles__profile__free_unpacked(p, NULL);
            fprintf(stderr, "pw_fuzz_seeds: out of memory\n");
            return 1;
        }
        snprintf(r, len, "/fixture/%s", base);
        free(s); /* protobuf-c's default allocator is malloc */
        p->string_table[i] = r;
    }
    size_t out_n = perftools__profiles__profile__get_packed_size(p);
    uint8_t *out = malloc(out_n + 1);
    if (out == NULL) {
        perftools__profiles__profile__free_unpacked(p, NULL);
        fprintf(stderr, "pw_fuzz_seeds: out of memory\n");
        return 1;
    }
    perftools__profiles__profile__pack(p, out);
    perftools__profiles__profile__free_unpacked(p, NULL);
    f = fopen(out_path, "wb");
    int rc = f == NULL || fwrite(out, 1, out_n, f) != out_n || fclose(f) != 0;
    if (rc)
        fprintf(stderr, "pw_fuzz_seeds: %s: %s\n", out_path, strerror(errno));
    free(out);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "pprof") == 0)
        return seeds_pprof(argv[2]);
    if (argc == 3 && strcmp(argv[1], "gzip") == 0)
        return seeds_gzip(argv[2]);
    if (argc == 4 && strcmp(argv[1], "scrub") == 0)
        return scrub(argv[2], argv[3]);
    fprintf(stderr, "usage: pw_fuzz_seeds pprof DIR | gzip DIR | scrub IN OUT\n");
    return 2;
}
