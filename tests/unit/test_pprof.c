/* Unit tests for the pprof decoder: the model it builds, the formats it
 * refuses, and the messages it gives for broken input. Profiles are built
 * byte by byte with protobuf-c's packer (pbuild.c). */
#include <time.h>
#include <zlib.h>

#include "model_eq.h"
#include "pbuild.h"
#include "profwatch/pprof.h"
#include "pw_test.h"

/* A small CPU-like profile: main -> work -> (inlined) helper, and recursion. */
static pbuild_t *sample_profile(void)
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
    uint64_t l_work_help = pb_location(b, m, inl, 2);
    uint64_t l_rec = pb_location(b, m, &f_rec, 1);
    uint64_t s1[2] = {l_work_help, l_main};
    int64_t v1[2] = {3, 30000000};
    pb_sample(b, s1, 2, v1);
    pb_sample_label(b, "worker", "a");
    uint64_t s2[4] = {l_rec, l_rec, l_rec, l_main};
    int64_t v2[2] = {1, 10000000};
    pb_sample(b, s2, 4, v2);
    return b;
}

static pw_profile_t *decode(const uint8_t *d, size_t n, int reference, pw_err_t *err)
{
    pw_profile_t *p = NULL;
    pw_pprof_opts_t o = {.reference = reference};
    int rc = pw_pprof_decode(d, n, &o, &p, err);
    CHECK((rc == 0) == (p != NULL));
    return p;
}

static void test_decode_model(void)
{
    pbuild_t *b = sample_profile();
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pw_err_t err = {0};
    pw_profile_t *p = decode(raw, n, 0, &err);
    CHECK(p != NULL);
    if (p != NULL) {
        CHECK_INT(p->n_sample_types, 2);
        CHECK_STR(p->sample_types[1].type, "cpu");
        CHECK_STR(p->sample_types[1].unit, "nanoseconds");
        CHECK_STR(p->period_type.type, "cpu");
        CHECK_INT(p->period, 10000000);
        CHECK_INT(p->duration_nanos, 2000000000);
        CHECK_INT(p->n_samples, 2);
        CHECK_INT(p->samples[0].n_locs, 2);
        CHECK_INT(p->samples[0].values[1], 30000000);
        CHECK_INT(p->samples[0].n_labels, 1);
        CHECK_STR(p->samples[0].labels[0].key, "worker");
        CHECK_STR(p->samples[0].labels[0].str, "a");
        const pw_location_t *l = &p->locations[p->samples[0].locs[0]];
        CHECK_INT(l->n_lines, 2);
        CHECK_STR(p->functions[l->lines[0].function].name, "main.helper");
        CHECK_STR(p->functions[l->lines[1].function].name, "main.work");
        CHECK_STR(p->mappings[l->mapping].file, "/usr/bin/app");
        CHECK_INT(p->samples[1].n_locs, 4);
        CHECK(!p->was_gzipped);
    }
    pw_profile_destroy(p);
    free(raw);
    pb_free(b);
}

static void test_gzip_and_reference_agree(void)
{
    pbuild_t *b = sample_profile();
    size_t n, gn;
    uint8_t *raw = pb_pack(b, 0, &n);
    uint8_t *gz = pb_pack(b, 1, &gn);
    pw_err_t err = {0};
    pw_profile_t *a = decode(raw, n, 0, &err);
    pw_profile_t *g = decode(gz, gn, 0, &err);
    pw_profile_t *r = decode(raw, n, 1, &err);
    char why[128] = "";
    CHECK(a && g && r);
    if (a && g && r) {
        CHECK(g->was_gzipped);
        CHECK(pw_model_equal(a, g, why, sizeof(why)));
        CHECK(pw_model_equal(a, r, why, sizeof(why)));
    }
    pw_profile_destroy(a);
    pw_profile_destroy(g);
    pw_profile_destroy(r);
    free(raw);
    free(gz);
    pb_free(b);
}

/* Every prefix of a profile: decoding must fail or succeed cleanly, the two
 * decoders must agree on which, and a failure must say something. */
static void test_every_truncation(void)
{
    pbuild_t *b = sample_profile();
    size_t n, gn;
    uint8_t *raw = pb_pack(b, 0, &n);
    uint8_t *gz = pb_pack(b, 1, &gn);
    int disagreements = 0, silent = 0;
    for (size_t cut = 0; cut < n; cut++) {
        pw_err_t e1 = {0}, e2 = {0};
        pw_profile_t *a = NULL, *r = NULL;
        pw_pprof_opts_t fast = {0}, ref = {.reference = 1};
        int ra = pw_pprof_decode(raw, cut, &fast, &a, &e1);
        int rr = pw_pprof_decode(raw, cut, &ref, &r, &e2);
        if ((ra == 0) != (rr == 0))
            disagreements++;
        if (ra != 0 && e1.msg[0] == '\0')
            silent++;
        pw_profile_destroy(a);
        pw_profile_destroy(r);
    }
    CHECK_INT(disagreements, 0);
    CHECK_INT(silent, 0);
    for (size_t cut = 0; cut < gn; cut++) {
        pw_err_t e = {0};
        pw_profile_t *p = NULL;
        int rc = pw_pprof_decode(gz, cut, NULL, &p, &e);
        CHECK(rc != 0); /* a gzip stream cut anywhere lacks its trailer */
        pw_profile_destroy(p);
    }
    free(raw);
    free(gz);
    pb_free(b);
}

static void expect_error(const uint8_t *d, size_t n, int code, const char *needle)
{
    pw_err_t err = {0};
    pw_profile_t *p = NULL;
    int rc = pw_pprof_decode(d, n, NULL, &p, &err);
    CHECK_INT(rc, code);
    CHECK(p == NULL);
    CHECK_CONTAINS(err.msg, needle);
}

static void test_foreign_formats(void)
{
    static const char text[] = "threadcreate profile: total 7\n1 @ 0x44cb3 0x45045\n";
    expect_error((const uint8_t *)text, sizeof(text) - 1, PW_EUNSUPP, "legacy");
    static const char heap[] = "heap profile: 1: 2 [3: 4] @ heap/1048576\n";
    expect_error((const uint8_t *)heap, sizeof(heap) - 1, PW_EUNSUPP, "legacy");
    static const char html[] = "<html><body>404 page not found</body></html>\n";
    expect_error((const uint8_t *)html, sizeof(html) - 1, PW_EINVAL, "HTML page");
    uint8_t legacy_cpu[64] = {0};
    legacy_cpu[8] = 3; /* header words 0, 3, 0, period, 0 (64-bit LE) */
    legacy_cpu[24] = 0x10;
    expect_error(legacy_cpu, sizeof(legacy_cpu), PW_EUNSUPP, "legacy binary CPU");
    expect_error((const uint8_t *)"", 0, PW_EINVAL, "empty");
    uint8_t junk[] = {0x0f, 0xff, 0xff};
    expect_error(junk, sizeof(junk), PW_EINVAL, "not a valid pprof protobuf");
}

/* Found by fuzz_pprof: a top-level tag for field 0 (a zero byte, as in a file
 * padded with NULs) made the walker read the field table at index -1. Under
 * UBSan that read fails this test; everywhere the message must say why. */
static void test_field_zero_at_top_level(void)
{
    static const uint8_t zeros[16] = {0};
    expect_error(zeros, sizeof(zeros), PW_EINVAL, "byte 0 holds field number 0");
    static const uint8_t late[] = {0x48, 0x01, 0x02, 0x00}; /* time_nanos, then tag 0x02 */
    expect_error(late, sizeof(late), PW_EINVAL, "byte 2 holds field number 0");
}

static void test_size_caps(void)
{
    pbuild_t *b = sample_profile();
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pw_err_t err = {0};
    pw_profile_t *p = NULL;
    pw_pprof_opts_t small = {.max_size = 16};
    CHECK_INT(pw_pprof_decode(raw, n, &small, &p, &err), PW_ETOOBIG);
    CHECK_CONTAINS(err.msg, "--max-size");
    free(raw);
    pb_free(b);

    /* A gzip bomb: 16 MiB of zeros in ~16 KiB; the cap stops it early. */
    size_t big = 16u * 1024 * 1024;
    uint8_t *zeros = calloc(1, big);
    uLongf zn = compressBound(big) + 64;
    uint8_t *bomb = malloc(zn);
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = zeros;
    zs.avail_in = (uInt)big;
    zs.next_out = bomb;
    zs.avail_out = (uInt)zn;
    deflate(&zs, Z_FINISH);
    size_t bomb_len = zs.total_out;
    deflateEnd(&zs);
    pw_pprof_opts_t cap = {.max_size = 1024 * 1024};
    memset(&err, 0, sizeof(err));
    CHECK_INT(pw_pprof_decode(bomb, bomb_len, &cap, &p, &err), PW_ETOOBIG);
    CHECK_CONTAINS(err.msg, "decompressed profile is larger than the 1 MiB limit");
    free(zeros);
    free(bomb);
}

static void test_gzip_members_and_trailing_bytes(void)
{
    pbuild_t *b = sample_profile();
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    /* Two gzip members whose contents concatenate to the profile. */
    uint8_t *out = malloc(2 * n + 256);
    size_t total = 0;
    for (int part = 0; part < 2; part++) {
        size_t from = part ? n / 2 : 0, len = part ? n - n / 2 : n / 2;
        z_stream zs;
        memset(&zs, 0, sizeof(zs));
        deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        zs.next_in = raw + from;
        zs.avail_in = (uInt)len;
        zs.next_out = out + total;
        zs.avail_out = (uInt)(2 * n + 256 - total);
        deflate(&zs, Z_FINISH);
        total += zs.total_out;
        deflateEnd(&zs);
    }
    pw_err_t err = {0};
    pw_profile_t *p = NULL;
    CHECK_INT(pw_pprof_decode(out, total, NULL, &p, &err), 0);
    CHECK(p != NULL && p->n_samples == 2);
    pw_profile_destroy(p);
    p = NULL;
    out[total] = 'x';
    out[total + 1] = 'y';
    CHECK(pw_pprof_decode(out, total + 2, NULL, &p, &err) != 0);
    CHECK_CONTAINS(err.msg, "not gzip");
    free(out);
    free(raw);
    pb_free(b);
}

/* Hand-written protobuf bytes for cases the packer never produces. */
static void test_unpacked_and_unknown_fields(void)
{
    /* string_table: "", "cpu", "ns", "f"; sample_type {1,2}; function {id 1,
     * name 3}; location {id 1, line {function 1}}; a sample whose location_id
     * and value are unpacked varints; and an unknown field 99 (fixed32). */
    static const uint8_t bytes[] = {
        0x32, 0x00, 0x32, 0x03, 'c',  'p',  'u',  0x32, 0x02, 'n',
        's',  0x32, 0x01, 'f',  0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, /* sample_type */
        0x2a, 0x04, 0x08, 0x01, 0x10, 0x03,                         /* function */
        0x22, 0x06, 0x08, 0x01, 0x22, 0x02, 0x08, 0x01,             /* location */
        0x12, 0x04, 0x08, 0x01, 0x10, 0x2a,                         /* sample, unpacked */
        0x9d, 0x06, 0x01, 0x02, 0x03, 0x04,                         /* field 99, wire 5 */
    };
    for (int ref = 0; ref <= 1; ref++) {
        pw_err_t err = {0};
        pw_profile_t *p = decode(bytes, sizeof(bytes), ref, &err);
        CHECK(p != NULL);
        if (p == NULL) {
            fprintf(stderr, "  %s\n", err.msg);
            continue;
        }
        CHECK_INT(p->n_samples, 1);
        CHECK_INT(p->samples[0].values[0], 42);
        CHECK_STR(p->functions[0].name, "f");
        pw_profile_destroy(p);
    }
}

/* Found by fuzz_pprof: protobuf-c reads a bool from a field of any wire type,
 * and the direct Location reader refused is_folded unless it was a varint, so
 * the two decoders disagreed on such bytes. Both must take it, with equal
 * models, whatever the wire type. */
static void test_is_folded_any_wire_type(void)
{
    /* string_table "", "n", "c", "f"; sample_type {1,2}; function {id 1, name
     * 3}; then a location {id 1, line {function 1}, is_folded ...} and a sample
     * {location_id 1, value 7}. */
    static const uint8_t head[] = {
        0x32, 0x00, 0x32, 0x01, 'n',  0x32, 0x01, 'c',  0x32, 0x01, 'f',  0x0a,
        0x04, 0x08, 0x01, 0x10, 0x02, 0x2a, 0x04, 0x08, 0x01, 0x10, 0x03,
    };
    static const uint8_t folded[][10] = {
        {0x28, 0x01},                   /* varint */
        {0x29, 1, 0, 0, 0, 0, 0, 0, 0}, /* 64-bit */
        {0x2a, 0x02, 0x01, 0x01},       /* length-delimited */
        {0x2d, 1, 0, 0, 0},             /* 32-bit */
    };
    static const size_t folded_len[] = {2, 9, 4, 5};
    static const uint8_t sample[] = {0x12, 0x05, 0x0a, 0x01, 0x01, 0x10, 0x07};
    for (size_t i = 0; i < 4; i++) {
        uint8_t buf[64];
        size_t n = 0;
        memcpy(buf, head, sizeof(head));
        n += sizeof(head);
        buf[n++] = 0x22; /* location */
        buf[n++] = (uint8_t)(6 + folded_len[i]);
        memcpy(buf + n, (const uint8_t[]){0x08, 0x01, 0x22, 0x02, 0x08, 0x01}, 6);
        n += 6;
        memcpy(buf + n, folded[i], folded_len[i]);
        n += folded_len[i];
        memcpy(buf + n, sample, sizeof(sample));
        n += sizeof(sample);
        pw_err_t e1 = {0}, e2 = {0};
        pw_profile_t *fast = decode(buf, n, 0, &e1);
        pw_profile_t *ref = decode(buf, n, 1, &e2);
        char why[128] = "";
        CHECK(ref != NULL);
        CHECK(fast != NULL);
        if (fast == NULL)
            fprintf(stderr, "  wire type %d: %s\n", folded[i][0] & 7, e1.msg);
        if (fast != NULL && ref != NULL) {
            CHECK(pw_model_equal(fast, ref, why, sizeof(why)));
            CHECK_INT(fast->samples[0].values[0], 7);
        }
        pw_profile_destroy(fast);
        pw_profile_destroy(ref);
    }
    /* A location refused for its line field: the message blames the line. */
    uint8_t bad[64];
    size_t n = sizeof(head);
    memcpy(bad, head, n);
    const uint8_t loc[] = {0x22, 0x08, 0x08, 0x01, 0x2a, 0x02, 0x01, 0x01, 0x20, 0x05};
    memcpy(bad + n, loc, sizeof(loc));
    n += sizeof(loc);
    expect_error(bad, n, PW_EINVAL, "field 4 (line) has wire type 0");
}

static void test_malformed_references(void)
{
    pw_err_t err = {0};
    /* string index out of range in a function name */
    static const uint8_t bad_str[] = {0x32, 0x00, 0x2a, 0x04, 0x08, 0x01, 0x10, 0x09};
    expect_error(bad_str, sizeof(bad_str), PW_EINVAL, "string index 9");
    /* first string not empty */
    static const uint8_t first[] = {0x32, 0x01, 'x'};
    expect_error(first, sizeof(first), PW_EINVAL, "string_table[0]");
    /* sample refers to a location that does not exist */
    static const uint8_t no_loc[] = {0x32, 0x00, 0x0a, 0x00, 0x12, 0x05,
                                     0x0a, 0x01, 0x07, 0x10, 0x01};
    expect_error(no_loc, sizeof(no_loc), PW_EINVAL, "location id 7");
    /* two locations share id 1 */
    static const uint8_t dup[] = {0x32, 0x00, 0x22, 0x02, 0x08, 0x01, 0x22, 0x02, 0x08, 0x01};
    expect_error(dup, sizeof(dup), PW_EINVAL, "share the id 1");
    /* a sample with 2 values for 1 sample type */
    static const uint8_t vals[] = {0x32, 0x00, 0x0a, 0x00, 0x12, 0x04, 0x12, 0x02, 0x01, 0x02};
    expect_error(vals, sizeof(vals), PW_EINVAL, "2 values");
    /* a field whose length runs past the end */
    static const uint8_t trunc[] = {0x32, 0x00, 0x12, 0x20, 0x01};
    expect_error(trunc, sizeof(trunc), PW_EINVAL, "declares 32 bytes but only 1 remain");
    /* a location line whose function is missing */
    static const uint8_t nofn[] = {0x32, 0x00, 0x22, 0x06, 0x08, 0x01, 0x22, 0x02, 0x08, 0x05};
    expect_error(nofn, sizeof(nofn), PW_EINVAL, "function id 5");
    /* a field numbered 0, which protobuf forbids (and no name table has) */
    static const uint8_t zero[] = {0x32, 0x00, 0x00, 0x01};
    expect_error(zero, sizeof(zero), PW_EINVAL, "byte 2");
    (void)err;
}

static void test_display_names(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    uint64_t f1 = pb_function(b, "std::vector<int>::push_back(int const&)");
    uint64_t f2 = pb_function(b, "main.(*T).Method");
    uint64_t f3 = pb_function(b, "main.Map[...]");
    uint64_t l[3] = {pb_location(b, 0, &f1, 1), pb_location(b, 0, &f2, 1),
                     pb_location(b, 0, &f3, 1)};
    int64_t v = 1;
    pb_sample(b, l, 3, &v);
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pw_err_t err = {0};
    pw_profile_t *p = decode(raw, n, 0, &err);
    CHECK(p != NULL);
    if (p) {
        /* pprof simplifies names that look like demangled C++ ... */
        CHECK_STR(p->functions[0].name, "std::vector::push_back");
        /* ... and leaves Go names alone, generics included. */
        CHECK_STR(p->functions[1].name, "main.(*T).Method");
        CHECK_STR(p->functions[2].name, "main.Map[...]");
    }
    pw_profile_destroy(p);
    free(raw);
    pb_free(b);
}

static void test_sample_index(void)
{
    pbuild_t *b = pb_new();
    pb_sample_type(b, "alloc_objects", "count");
    pb_sample_type(b, "alloc_space", "bytes");
    pb_sample_type(b, "inuse_objects", "count");
    pb_sample_type(b, "inuse_space", "bytes");
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pw_err_t err = {0};
    pw_profile_t *p = decode(raw, n, 0, &err);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(pw_profile_sample_index(p, NULL, &err), 3);
        CHECK_INT(pw_profile_sample_index(p, "alloc_space", &err), 1);
        CHECK_INT(pw_profile_sample_index(p, "0", &err), 0);
        CHECK(pw_profile_sample_index(p, "9", &err) < 0);
        CHECK_CONTAINS(err.msg, "outside the range [0..3]");
        CHECK(pw_profile_sample_index(p, "cpu", &err) < 0);
        CHECK_CONTAINS(err.msg, "alloc_objects, alloc_space, inuse_objects, inuse_space");
    }
    pw_profile_destroy(p);
    free(raw);
    pb_free(b);
}

static void test_prune_drop_frames(void)
{
    /* drop_frames "malloc|new": a leaf in malloc is attributed to its caller. */
    pbuild_t *b = pb_new();
    pb_sample_type(b, "space", "bytes");
    uint64_t f_main = pb_function(b, "main"), f_alloc = pb_function(b, "malloc"),
             f_user = pb_function(b, "user_fn");
    uint64_t l[3] = {pb_location(b, 0, &f_alloc, 1), pb_location(b, 0, &f_user, 1),
                     pb_location(b, 0, &f_main, 1)};
    int64_t v = 100;
    pb_sample(b, l, 3, &v);
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pw_err_t err = {0};
    pw_profile_t *p = decode(raw, n, 0, &err);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(pw_profile_prune(p, "malloc|new", NULL, &err), 0);
        CHECK_INT(p->samples[0].n_locs, 2);
        CHECK_STR(p->functions[p->locations[p->samples[0].locs[0]].lines[0].function].name,
                  "user_fn");
        CHECK(pw_profile_prune(p, "(unclosed", NULL, &err) != 0);
        CHECK_CONTAINS(err.msg, "drop_frames");
    }
    pw_profile_destroy(p);
    free(raw);
    pb_free(b);
}

/* Found while writing fuzz_pprof, which prunes with each profile's own
 * patterns: glibc's regcomp took 28 s and 8 GB for drop_frames "x{1,32767}",
 * optional elements made regexec cost seconds per frame, and back-references
 * made it run for hours. Patterns pprof's RE2 would refuse, or too costly when
 * written out, are refused up front. The refused ones here are cheap enough
 * for glibc that without the check this fails quickly instead of exhausting
 * the machine. */
static void test_prune_refuses_costly_patterns(void)
{
    pbuild_t *b = sample_profile();
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pb_free(b);
    pw_err_t err = {0};
    pw_profile_t *p = decode(raw, n, 0, &err);
    free(raw);
    CHECK(p != NULL);
    if (p == NULL)
        return;
    static const struct {
        const char *pattern, *needle;
    } refused[] = {
        {"x{1,1001}", "repeats something 1001 times"},
        {"x{99999999999999999999}", "repeats something"},
        {"(x{1,100}){1,100}", "too costly"},
        {"((ab){1,60}c){1,60}", "too costly"},
        {"x{1000}{1000}", "too costly"},
        {"x{0,513}", "too costly"},
        {"(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*"
         "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*",
         "too costly"},
        {"^(.*)\\1$", "back-reference (\\1)"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        memset(&err, 0, sizeof(err));
        CHECK_INT(pw_profile_prune(p, refused[i].pattern, NULL, &err), PW_EUNSUPP);
        CHECK_CONTAINS(err.msg, refused[i].needle);
        memset(&err, 0, sizeof(err));
        CHECK_INT(pw_profile_prune(p, "main\\.never", refused[i].pattern, &err), PW_EUNSUPP);
        CHECK_CONTAINS(err.msg, "keep_frames");
    }
    /* 600 optional elements, no interval at all; and 20000 plain ones. */
    char *many = malloc(20001);
    for (size_t i = 0; i < 600; i++)
        memcpy(many + 2 * i, "x?", 2);
    many[1200] = '\0';
    CHECK_INT(pw_profile_prune(p, many, NULL, &err), PW_EUNSUPP);
    CHECK_CONTAINS(err.msg, "over 512 inside optional or repeated items");
    memset(many, 'y', 20000);
    many[20000] = '\0';
    CHECK_INT(pw_profile_prune(p, many, NULL, &err), PW_EUNSUPP);
    CHECK_CONTAINS(err.msg, "over 16384 elements");
    memset(many, '(', 1001);
    many[1001] = 'x';
    memset(many + 1002, ')', 1001);
    many[2003] = '\0';
    CHECK_INT(pw_profile_prune(p, many, NULL, &err), PW_EUNSUPP);
    CHECK_CONTAINS(err.msg, "nests groups more than 1000 deep");
    free(many);
    /* What profilers write, and the limits themselves, still compile. */
    static const char *const allowed[] = {
        "runtime\\..*|.*malloc.*|operator new",
        "(__)?(posix_)?memalign|[cm]alloc|realloc|free|tc_.*|operator (new|delete)(\\[\\])?|"
        "std::allocator<.*>::(de)?allocate|(::)?do_(malloc|free)(_or_cpp_alloc)?",
        "x{1000}",
        "x{0,512}",
        "(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*(abcdefgh)*",
        "(a|b){4}(c{2,}|[[:alpha:]]{0,3})",
        "[\\1](x)",
        "((((((((((deep))))))))))",
    };
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        memset(&err, 0, sizeof(err));
        CHECK_INT(pw_profile_prune(p, allowed[i], NULL, &err), 0);
        if (err.msg[0] != '\0')
            fprintf(stderr, "  %s: %s\n", allowed[i], err.msg);
    }
    pw_profile_destroy(p);
}

/* A hostile profile repeats one long name in every function. With a costly
 * pattern the limits allow, a match takes about 2 ms on that name whether or
 * not glibc saw it before, so matching per frame took seconds for this small
 * profile; matching each distinct name once takes milliseconds. The verdicts
 * remembered per name must still prune each sample as before. */
static void test_prune_matches_each_name_once(void)
{
    enum { N = 2000 };
    static const char alt[] = "(a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t|u|v|w|x|y|z|A|B|C|D|E|F)*";
    char *longname = malloc(4001), *pattern = malloc(8 * sizeof(alt) + 16);
    for (size_t i = 0; i < 4000; i++)
        longname[i] = "ab"[i % 2];
    strcpy(longname + 3999, "_"); /* outside the pattern's letters: no match */
    pattern[0] = '\0';
    for (size_t i = 0; i < 8; i++)
        strcat(pattern, alt);
    strcat(pattern, "|drop\\.me");

    pbuild_t *b = pb_new();
    pb_sample_type(b, "samples", "count");
    uint64_t f_main = pb_function(b, "main.main");
    uint64_t l_main = pb_location(b, 0, &f_main, 1);
    uint64_t l_long[N], l_drop[N];
    for (size_t i = 0; i < N; i++) {
        uint64_t f_long = pb_function_full(b, longname, longname, (int64_t)i);
        uint64_t f_drop = pb_function_full(b, "drop.me", "drop.me", (int64_t)i);
        l_long[i] = pb_location(b, 0, &f_long, 1);
        l_drop[i] = pb_location(b, 0, &f_drop, 1);
    }
    int64_t v = 1;
    uint64_t s1[3] = {l_drop[0], l_long[0], l_main};         /* drop.me is the leaf: cut */
    uint64_t s2[3] = {l_long[N - 1], l_drop[N - 1], l_main}; /* cut with all above it */
    pb_sample(b, s1, 3, &v);
    pb_sample(b, s2, 3, &v);
    size_t n;
    uint8_t *raw = pb_pack(b, 0, &n);
    pb_free(b);
    pw_err_t err = {0};
    pw_profile_t *p = decode(raw, n, 0, &err);
    free(raw);
    CHECK(p != NULL);
    if (p != NULL) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CHECK_INT(pw_profile_prune(p, pattern, NULL, &err), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (secs >= 1.0)
            fprintf(stderr, "  prune took %.2f s\n", secs);
        CHECK(secs < 1.0);
        CHECK_INT(p->samples[0].n_locs, 2);
        CHECK_STR(p->functions[p->locations[p->samples[0].locs[0]].lines[0].function].name,
                  longname);
        CHECK_INT(p->samples[1].n_locs, 1);
        CHECK_STR(p->functions[p->locations[p->samples[1].locs[0]].lines[0].function].name,
                  "main.main");
    }
    pw_profile_destroy(p);
    free(longname);
    free(pattern);
}

static void test_load_file_errors(void)
{
    pw_err_t err = {0};
    pw_profile_t *p = NULL;
    CHECK_INT(pw_pprof_load_file("/nonexistent/profile.pprof", NULL, &p, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "/nonexistent/profile.pprof: cannot open");
    CHECK(pw_pprof_load_file("/", NULL, &p, &err) != 0);
    CHECK_CONTAINS(err.msg, "is a directory");
}

PW_TESTS(T(test_decode_model), T(test_gzip_and_reference_agree), T(test_every_truncation),
         T(test_foreign_formats), T(test_field_zero_at_top_level), T(test_size_caps),
         T(test_gzip_members_and_trailing_bytes), T(test_unpacked_and_unknown_fields),
         T(test_is_folded_any_wire_type), T(test_malformed_references), T(test_display_names),
         T(test_sample_index), T(test_prune_drop_frames), T(test_prune_refuses_costly_patterns),
         T(test_prune_matches_each_name_once), T(test_load_file_errors))
