#include "profwatch/gzip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

int pw_gzip_is(const uint8_t *data, size_t len)
{
    return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

void pw_fmt_size(char *out, size_t n, uint64_t bytes)
{
    static const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4 && ((uint64_t)v % 1024 == 0 || v >= 10 * 1024)) {
        v /= 1024;
        u++;
    }
    if (u == 0 || v == (double)(uint64_t)v)
        snprintf(out, n, "%llu %s", (unsigned long long)v, units[u]);
    else
        snprintf(out, n, "%.1f %s", v, units[u]);
}

/* The zlib path: streaming, and precise about where data is cut or corrupt.
 * pw_gzip_inflate runs it only to explain an input libdeflate refused. */
static int inflate_zlib(const uint8_t *in, size_t in_len, size_t max, uint8_t **out,
                        size_t *out_len, pw_err_t *err)
{
    char lim[32];
    pw_fmt_size(lim, sizeof(lim), max);
    size_t cap = 0;
    if (in_len >= 18) {
        /* ISIZE: the uncompressed size mod 2^32, a good first guess. */
        const uint8_t *t = in + in_len - 4;
        uint32_t isize =
            (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
        cap = (size_t)isize + 1;
    }
    if (cap < in_len * 4)
        cap = in_len * 4;
    if (cap > max + 1)
        cap = max + 1;
    if (cap < 4096)
        cap = 4096;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory for %zu bytes of decompressed data", cap);

    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        free(buf);
        return pw_err_set(err, PW_ENOMEM, "cannot initialise zlib");
    }
    int rc = 0;
    size_t pos = 0;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)(in_len > UINT32_MAX ? UINT32_MAX : in_len);
    for (;;) {
        if (pos == cap) {
            if (cap > max) {
                rc = pw_err_set(err, PW_ETOOBIG,
                                "decompressed profile is larger than the %s limit; raise it "
                                "with --max-size",
                                lim);
                goto done;
            }
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = pw_err_set(err, PW_ENOMEM, "out of memory decompressing (%zu bytes)", ncap);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t room = cap - pos;
        zs.next_out = buf + pos;
        zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        int z = inflate(&zs, Z_NO_FLUSH);
        pos = (size_t)(zs.next_out - buf);
        if (pos > max) {
            rc = pw_err_set(err, PW_ETOOBIG,
                            "decompressed profile is larger than the %s limit; raise it with "
                            "--max-size",
                            lim);
            goto done;
        }
        if (z == Z_STREAM_END) {
            size_t consumed = (size_t)(zs.next_in - in);
            if (consumed == in_len)
                break;
            /* Go's gzip reader reads concatenated members as one stream. */
            if (in_len - consumed >= 2 && in[consumed] == 0x1f && in[consumed + 1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            rc = pw_err_set(err, PW_EINVAL,
                            "gzip data is followed by %zu bytes that are not gzip (at byte %zu)",
                            in_len - consumed, consumed);
            goto done;
        }
        if (z == Z_BUF_ERROR && zs.avail_out != 0) {
            rc = pw_err_set(err, PW_EINVAL,
                            "gzip data is truncated: the stream ends at byte %zu before its end "
                            "marker",
                            in_len);
            goto done;
        }
        if (z != Z_OK && z != Z_BUF_ERROR) {
            rc = pw_err_set(err, PW_EINVAL, "gzip data is corrupt near byte %zu: %s",
                            (size_t)(zs.next_in - in), zs.msg ? zs.msg : "inflate failed");
            goto done;
        }
    }
    *out = buf;
    *out_len = pos;
    buf = NULL;
done:
    inflateEnd(&zs);
    free(buf);
    return rc;
}

/* Initial output size: the last member's ISIZE (exact for the usual single
 * member), at least 4x the input, at most max + 1 (one byte over tells us the
 * cap was exceeded). */
static size_t first_guess(const uint8_t *in, size_t in_len, size_t max)
{
    size_t cap = 0;
    if (in_len >= 18) {
        const uint8_t *t = in + in_len - 4;
        cap = ((size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24) + 1;
    }
    if (cap < in_len * 4)
        cap = in_len * 4;
    if (cap < 4096)
        cap = 4096;
    return cap > max + 1 ? max + 1 : cap;
}

int pw_gzip_inflate(const uint8_t *in, size_t in_len, size_t max, uint8_t **out, size_t *out_len,
                    pw_err_t *err)
{
    /* libdeflate decompresses whole buffers about twice as fast as zlib's
     * streaming inflate; a profile is always a whole buffer here. */
    char lim[32];
    int rc = 0;
    size_t cap = first_guess(in, in_len, max), pos = 0, opos = 0;
    uint8_t *buf = malloc(cap);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (buf == NULL || d == NULL) {
        rc = pw_err_set(err, PW_ENOMEM, "out of memory for %zu bytes of decompressed data", cap);
        goto done;
    }
    while (pos < in_len) {
        size_t in_used = 0, out_used = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(
            d, in + pos, in_len - pos, buf + opos, cap - opos, &in_used, &out_used);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            if (cap > max) {
                pw_fmt_size(lim, sizeof(lim), max);
                rc = pw_err_set(err, PW_ETOOBIG,
                                "decompressed profile is larger than the %s limit; raise it "
                                "with --max-size",
                                lim);
                goto done;
            }
            cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
            uint8_t *nb = realloc(buf, cap);
            if (nb == NULL) {
                rc = pw_err_set(err, PW_ENOMEM, "out of memory decompressing (%zu bytes)", cap);
                goto done;
            }
            buf = nb;
            continue; /* the same member again, with room */
        }
        if (r != LIBDEFLATE_SUCCESS) {
            /* Corrupt or cut short: zlib says which, and where. */
            free(buf);
            buf = NULL;
            rc = inflate_zlib(in, in_len, max, &buf, &opos, err);
            if (rc == 0) /* zlib accepted what libdeflate refused: use its output */
                goto ok;
            goto done;
        }
        pos += in_used;
        opos += out_used;
        if (opos > max) {
            pw_fmt_size(lim, sizeof(lim), max);
            rc = pw_err_set(err, PW_ETOOBIG,
                            "decompressed profile is larger than the %s limit; raise it with "
                            "--max-size",
                            lim);
            goto done;
        }
        /* Go's gzip reader reads concatenated members as one stream. */
        if (pos < in_len && !pw_gzip_is(in + pos, in_len - pos)) {
            rc = pw_err_set(err, PW_EINVAL,
                            "gzip data is followed by %zu bytes that are not gzip (at byte %zu)",
                            in_len - pos, pos);
            goto done;
        }
    }
ok:
    *out = buf;
    *out_len = opos;
    buf = NULL;
done:
    if (d != NULL)
        libdeflate_free_decompressor(d);
    free(buf);
    return rc;
}

int pw_gzip_deflate(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len, pw_err_t *err)
{
    *out = NULL;
    *out_len = 0;
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    if (c == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    size_t cap = libdeflate_gzip_compress_bound(c, in_len);
    uint8_t *buf = malloc(cap);
    size_t n = buf ? libdeflate_gzip_compress(c, in, in_len, buf, cap) : 0;
    libdeflate_free_compressor(c);
    if (n == 0) {
        free(buf);
        return pw_err_set(err, PW_ENOMEM, "out of memory while compressing %zu bytes", in_len);
    }
    *out = buf;
    *out_len = n;
    return 0;
}
