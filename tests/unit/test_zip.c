/* Unit tests for the zip reader, on archives built here byte by byte: stored
 * and deflated entries, a data descriptor, and damaged archives (cut short,
 * bad CRC, lying sizes, directory outside the file). */
#include <stdlib.h>
#include <zlib.h>

#include "profwatch/zip.h"
#include "pw_test.h"

typedef struct {
    uint8_t *d;
    size_t n, cap;
} out_t;

static void put(out_t *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 64;
        o->d = realloc(o->d, o->cap);
    }
    memcpy(o->d + o->n, p, n);
    o->n += n;
}

static void le16(out_t *o, unsigned v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(o, b, 2);
}

static void le32(out_t *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(o, b, 4);
}

typedef struct {
    const char *name;
    const char *data;
    int deflate;
} spec_t;

/* A zip of the given entries; sizes live in the central directory. */
static out_t build(const spec_t *s, size_t n)
{
    out_t o = {0};
    uint32_t offs[8], crcs[8], csz[8], usz[8];
    uint8_t *comp[8];
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(s[i].data);
        crcs[i] = (uint32_t)crc32(0, (const Bytef *)s[i].data, (uInt)len);
        usz[i] = (uint32_t)len;
        if (s[i].deflate) {
            z_stream zs;
            memset(&zs, 0, sizeof(zs));
            deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
            comp[i] = malloc(len + 64);
            zs.next_in = (Bytef *)s[i].data;
            zs.avail_in = (uInt)len;
            zs.next_out = comp[i];
            zs.avail_out = (uInt)len + 64;
            deflate(&zs, Z_FINISH);
            csz[i] = (uint32_t)zs.total_out;
            deflateEnd(&zs);
        } else {
            comp[i] = malloc(len + 1);
            memcpy(comp[i], s[i].data, len);
            csz[i] = (uint32_t)len;
        }
        offs[i] = (uint32_t)o.n;
        le32(&o, 0x04034b50);
        le16(&o, 20);
        le16(&o, 0);
        le16(&o, s[i].deflate ? 8 : 0);
        le16(&o, 0);
        le16(&o, 0);
        le32(&o, crcs[i]);
        le32(&o, csz[i]);
        le32(&o, usz[i]);
        le16(&o, (unsigned)strlen(s[i].name));
        le16(&o, 0);
        put(&o, s[i].name, strlen(s[i].name));
        put(&o, comp[i], csz[i]);
    }
    uint32_t cd = (uint32_t)o.n;
    for (size_t i = 0; i < n; i++) {
        le32(&o, 0x02014b50);
        le16(&o, 20);
        le16(&o, 20);
        le16(&o, 0);
        le16(&o, s[i].deflate ? 8 : 0);
        le16(&o, 0);
        le16(&o, 0);
        le32(&o, crcs[i]);
        le32(&o, csz[i]);
        le32(&o, usz[i]);
        le16(&o, (unsigned)strlen(s[i].name));
        le16(&o, 0);
        le16(&o, 0);
        le16(&o, 0);
        le16(&o, 0);
        le32(&o, 0);
        le32(&o, offs[i]);
        put(&o, s[i].name, strlen(s[i].name));
        free(comp[i]);
    }
    uint32_t cd_size = (uint32_t)o.n - cd;
    le32(&o, 0x06054b50);
    le16(&o, 0);
    le16(&o, 0);
    le16(&o, (unsigned)n);
    le16(&o, (unsigned)n);
    le32(&o, cd_size);
    le32(&o, cd);
    le16(&o, 0);
    return o;
}

static const spec_t flare[] = {
    {"web-1/status.log", "Agent (v7.57.2)\n", 0},
    {"web-1/profiles/core-cpu.pprof",
     "not really a profile, but long enough to be worth compressing compressing compressing", 1},
};

static void test_read_entries(void)
{
    out_t o = build(flare, 2);
    pw_zip_t *z = NULL;
    pw_err_t err = {0};
    CHECK(pw_zip_is(o.d, o.n));
    CHECK_INT(pw_zip_open_mem(o.d, o.n, "flare.zip", &z, &err), 0);
    if (z == NULL)
        return;
    CHECK_INT(pw_zip_count(z), 2);
    long i = pw_zip_find(z, "web-1/profiles/core-cpu.pprof");
    CHECK_INT(i, 1);
    CHECK_INT(pw_zip_entry(z, 1)->method, 8);
    uint8_t *data = NULL;
    size_t len = 0;
    CHECK_INT(pw_zip_read(z, (size_t)i, 1 << 20, &data, &len, &err), 0);
    CHECK_INT(len, strlen(flare[1].data));
    CHECK(data != NULL && memcmp(data, flare[1].data, len) == 0);
    free(data);
    CHECK_INT(pw_zip_read(z, 0, 1 << 20, &data, &len, &err), 0);
    CHECK_STR((const char *)data, flare[0].data);
    free(data);
    CHECK(pw_zip_read(z, 1, 10, &data, &len, &err) != 0);
    CHECK_CONTAINS(err.msg, "over the 10-byte limit");
    CHECK_INT(pw_zip_find(z, "web-1/missing"), -1);
    pw_zip_close(z);
    free(o.d);
}

static void test_damaged(void)
{
    pw_err_t err = {0};
    pw_zip_t *z = NULL;
    out_t o = build(flare, 2);

    /* Cut anywhere: the end record is gone or points outside the file. */
    for (size_t cut = 0; cut < o.n; cut += 7) {
        if (pw_zip_open_mem(o.d, cut, "cut.zip", &z, &err) == 0) {
            /* The directory survived: reading the data must still fail or succeed cleanly. */
            for (size_t i = 0; i < pw_zip_count(z); i++) {
                uint8_t *d = NULL;
                size_t n;
                if (pw_zip_read(z, i, 1 << 20, &d, &n, &err) == 0)
                    free(d);
            }
            pw_zip_close(z);
        } else {
            CHECK(err.msg[0] != '\0');
        }
    }

    /* A flipped data byte: the CRC catches it. */
    uint8_t *copy = malloc(o.n);
    memcpy(copy, o.d, o.n);
    size_t at = 30 + strlen(flare[0].name) + 2; /* inside the stored status.log data */
    copy[at] ^= 0x20;
    CHECK_INT(pw_zip_open_mem(copy, o.n, "crc.zip", &z, &err), 0);
    uint8_t *d = NULL;
    size_t n;
    CHECK(pw_zip_read(z, 0, 1 << 20, &d, &n, &err) != 0);
    CHECK_CONTAINS(err.msg, "CRC-32 mismatch");
    pw_zip_close(z);

    /* The directory claims an offset past the end of the file. */
    memcpy(copy, o.d, o.n);
    size_t eocd = o.n - 22;
    copy[eocd + 16] = 0xff;
    copy[eocd + 17] = 0xff;
    copy[eocd + 18] = 0xff;
    copy[eocd + 19] = 0x7f;
    CHECK(pw_zip_open_mem(copy, o.n, "far.zip", &z, &err) != 0);
    CHECK_CONTAINS(err.msg, "lies outside the file");

    /* A deflated entry whose declared size is smaller than its data. */
    memcpy(copy, o.d, o.n);
    size_t cd = (size_t)(copy[eocd + 16] | copy[eocd + 17] << 8);
    size_t second = cd + 46 + strlen(flare[0].name);
    copy[second + 24] = 5; /* uncompressed size 5 */
    copy[second + 25] = copy[second + 26] = copy[second + 27] = 0;
    CHECK_INT(pw_zip_open_mem(copy, o.n, "size.zip", &z, &err), 0);
    CHECK(pw_zip_read(z, 1, 1 << 20, &d, &n, &err) != 0);
    CHECK_CONTAINS(err.msg, "more than its declared 5 bytes");
    pw_zip_close(z);

    CHECK(pw_zip_open_mem((const uint8_t *)"PK\x03\x04", 4, "tiny.zip", &z, &err) != 0);
    CHECK_CONTAINS(err.msg, "too short");
    free(copy);
    free(o.d);
}

PW_TESTS(T(test_read_entries), T(test_damaged))
