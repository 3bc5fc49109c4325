/* fuzz_gzip: pw_gzip_inflate, used on every gzipped profile and later on HTTP
 * bodies.
 *
 * Two checks per input. The input itself is inflated with a small cap: it must
 * succeed within the cap or fail with a code and a message. Then the input is
 * compressed by zlib (one or two gzip members, with or without optional header
 * fields, at a level picked from the input) and inflated back with a cap of its
 * size minus one, exactly its size, or one more: it must come back byte for
 * byte, or fail with PW_ETOOBIG when it is one byte over. */
#include <zlib.h>

#include "fuzz.h"
#include "profwatch/gzip.h"

#define FUZZ_CAP (64u * 1024)

/* Appends one gzip member holding in[0..n) to out (room for it is reserved by
 * the caller); flags picks the optional header fields. Returns bytes written. */
static size_t gzip_member(const uint8_t *in, size_t n, int level, uint8_t flags, uint8_t *out,
                          size_t room)
{
    z_stream zs;
    gz_header h;
    memset(&zs, 0, sizeof(zs));
    memset(&h, 0, sizeof(h));
    FUZZ_CHECK(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK,
               "deflateInit2");
    if (flags & 0x1e) {
        static unsigned char extra[] = "pw";
        static char name[] = "profile.pb", comment[] = "fuzz";
        h.extra = (flags & 2) ? extra : Z_NULL;
        h.extra_len = (flags & 2) ? 2 : 0;
        h.name = (flags & 4) ? (Bytef *)name : Z_NULL;
        h.comment = (flags & 8) ? (Bytef *)comment : Z_NULL;
        h.hcrc = (flags & 16) != 0;
        h.os = 3;
        FUZZ_CHECK(deflateSetHeader(&zs, &h) == Z_OK, "deflateSetHeader");
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)room;
    FUZZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate did not finish");
    size_t w = zs.total_out;
    deflateEnd(&zs);
    return w;
}

static void round_trip(const uint8_t *data, size_t size)
{
    uint8_t pick = size ? data[0] : 0;
    uint8_t pick2 = size ? data[size - 1] : 0;
    int two = (pick & 1) && size > 0;
    size_t split = two ? pick2 % (size + 1) : size;
    size_t room = 2 * (compressBound((uLong)size) + 64);
    uint8_t *gz = malloc(room);
    FUZZ_CHECK(gz != NULL, "out of memory");
    size_t len = gzip_member(data, split, pick2 % 10, pick, gz, room);
    if (two)
        len += gzip_member(data + split, size - split, (pick2 / 10) % 10, pick >> 4, gz + len,
                           room - len);

    /* A cap one under, at, or one over the real size. */
    int delta = (int)(pick >> 5) % 3 - 1;
    if (size == 0 && delta < 0)
        delta = 0;
    size_t max = (size_t)((long)size + delta);
    uint8_t *out = NULL;
    size_t out_len = 0;
    pw_err_t err = {0};
    int rc = pw_gzip_inflate(gz, len, max, &out, &out_len, &err);
    if (size > max) {
        FUZZ_CHECK(rc == PW_ETOOBIG, "%zu bytes under a %zu-byte cap: rc %d (%s)", size, max, rc,
                   err.msg);
        fuzz_check_error(rc, &err, "pw_gzip_inflate");
    } else {
        FUZZ_CHECK(rc == 0, "%zu bytes in %zu gzip bytes (%s): %s", size, len,
                   two ? "two members" : "one member", err.msg);
        FUZZ_CHECK(out_len == size && (size == 0 || memcmp(out, data, size) == 0),
                   "inflated %zu bytes that differ from the %zu compressed", out_len, size);
        free(out);
    }
    free(gz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    pw_err_t err = {0};
    int rc = pw_gzip_inflate(data, size, FUZZ_CAP, &out, &out_len, &err);
    if (rc == 0) {
        FUZZ_CHECK(out != NULL, "success without a buffer");
        FUZZ_CHECK(out_len <= FUZZ_CAP, "%zu bytes out, over the %u cap", out_len, FUZZ_CAP);
        free(out);
    } else {
        fuzz_check_error(rc, &err, "pw_gzip_inflate");
    }
    round_trip(data, size);
    return 0;
}
