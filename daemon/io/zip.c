#include "profwatch/zip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define MAX_CD_BYTES (64u * 1024 * 1024)

struct pw_zip {
    int fd; /* -1 for memory */
    const uint8_t *mem;
    uint64_t size;
    char *label; /* file name for messages */
    size_t n;
    pw_zip_entry_t *entries;
    char *names; /* all names, NUL-separated */
};

static uint16_t u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t u64(const uint8_t *p)
{
    return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
}

/* pread over the file or the memory image; short reads are errors. */
static int rd(pw_zip_t *z, uint64_t off, void *buf, size_t n)
{
    if (off > z->size || n > z->size - off)
        return -1;
    if (z->fd < 0) {
        memcpy(buf, z->mem + off, n);
        return 0;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(z->fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

int pw_zip_is(const uint8_t *data, size_t len)
{
    return len >= 4 && u32(data) == SIG_LOCAL;
}

/* The end-of-central-directory record is in the last 64 KiB + 22 bytes (the
 * comment may be up to 65535 bytes). */
static int find_eocd(pw_zip_t *z, uint64_t *cd_off, uint64_t *cd_size, uint64_t *count,
                     pw_err_t *err)
{
    size_t tail = z->size < 65557 ? (size_t)z->size : 65557;
    if (tail < 22)
        return pw_err_set(err, PW_EINVAL, "%s: too short to be a zip archive (%llu bytes)",
                          z->label, (unsigned long long)z->size);
    uint8_t *buf = malloc(tail);
    if (buf == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    uint64_t base = z->size - tail;
    if (rd(z, base, buf, tail) != 0) {
        free(buf);
        return pw_err_set(err, PW_EIO, "%s: cannot read the end of the archive", z->label);
    }
    long at = -1;
    for (long i = (long)tail - 22; i >= 0; i--) {
        if (u32(buf + i) == SIG_EOCD && (size_t)i + 22 + u16(buf + i + 20) <= tail) {
            at = i;
            break;
        }
    }
    if (at < 0) {
        free(buf);
        return pw_err_set(err, PW_EINVAL,
                          "%s: no end-of-central-directory record: not a zip, or cut short",
                          z->label);
    }
    const uint8_t *e = buf + at;
    *count = u16(e + 10);
    *cd_size = u32(e + 12);
    *cd_off = u32(e + 16);
    int zip64 = *count == 0xffff || *cd_size == 0xffffffffu || *cd_off == 0xffffffffu;
    if (zip64 && at >= 20 && u32(e - 20) == SIG_LOCATOR64) {
        uint64_t off64 = u64(e - 20 + 8);
        uint8_t r[56];
        if (rd(z, off64, r, sizeof(r)) != 0 || u32(r) != SIG_EOCD64) {
            free(buf);
            return pw_err_set(err, PW_EINVAL, "%s: broken ZIP64 end record", z->label);
        }
        *count = u64(r + 32);
        *cd_size = u64(r + 40);
        *cd_off = u64(r + 48);
    }
    free(buf);
    return 0;
}

/* ZIP64 extra field 0x0001 holds the 64-bit values that are 0xffffffff in the
 * header, in the order: size, compressed size, local offset. */
static int zip64_extra(const uint8_t *ex, size_t n, pw_zip_entry_t *e, int need_size, int need_comp,
                       int need_off)
{
    size_t p = 0;
    while (p + 4 <= n) {
        uint16_t id = u16(ex + p), len = u16(ex + p + 2);
        if (p + 4 + len > n)
            return -1;
        if (id == 0x0001) {
            size_t q = p + 4, end = p + 4 + len;
            if (need_size) {
                if (q + 8 > end)
                    return -1;
                e->size = u64(ex + q);
                q += 8;
            }
            if (need_comp) {
                if (q + 8 > end)
                    return -1;
                e->comp_size = u64(ex + q);
                q += 8;
            }
            if (need_off) {
                if (q + 8 > end)
                    return -1;
                e->local_offset = u64(ex + q);
            }
            return 0;
        }
        p += 4 + (size_t)len;
    }
    return need_size || need_comp || need_off ? -1 : 0;
}

static int load_directory(pw_zip_t *z, pw_err_t *err)
{
    uint64_t cd_off = 0, cd_size = 0, count = 0;
    int rc = find_eocd(z, &cd_off, &cd_size, &count, err);
    if (rc != 0)
        return rc;
    if (count > PW_ZIP_MAX_ENTRIES)
        return pw_err_set(err, PW_ETOOBIG, "%s: %llu entries, more than profwatch reads (%d)",
                          z->label, (unsigned long long)count, PW_ZIP_MAX_ENTRIES);
    if (cd_size > MAX_CD_BYTES || cd_off > z->size || cd_size > z->size - cd_off)
        return pw_err_set(err, PW_EINVAL,
                          "%s: the central directory (%llu bytes at %llu) lies outside the file",
                          z->label, (unsigned long long)cd_size, (unsigned long long)cd_off);
    uint8_t *cd = malloc(cd_size + 1);
    z->entries = calloc(count + 1, sizeof(pw_zip_entry_t));
    z->names = malloc(cd_size + 1); /* names are part of the directory: this bounds them */
    if (cd == NULL || z->entries == NULL || z->names == NULL) {
        free(cd);
        return pw_err_set(err, PW_ENOMEM, "out of memory for the zip directory");
    }
    if (rd(z, cd_off, cd, cd_size) != 0) {
        free(cd);
        return pw_err_set(err, PW_EIO, "%s: cannot read the central directory", z->label);
    }
    size_t p = 0, names_used = 0;
    for (uint64_t i = 0; i < count; i++) {
        if (p + 46 > cd_size || u32(cd + p) != SIG_CENTRAL) {
            free(cd);
            return pw_err_set(err, PW_EINVAL, "%s: central directory entry %llu is damaged",
                              z->label, (unsigned long long)i);
        }
        const uint8_t *h = cd + p;
        uint16_t nlen = u16(h + 28), xlen = u16(h + 30), clen = u16(h + 32);
        if (p + 46 + nlen + xlen + clen > cd_size) {
            free(cd);
            return pw_err_set(err, PW_EINVAL,
                              "%s: central directory entry %llu runs past the "
                              "directory",
                              z->label, (unsigned long long)i);
        }
        pw_zip_entry_t *e = &z->entries[z->n];
        e->flags = u16(h + 8);
        e->method = u16(h + 10);
        e->crc = u32(h + 16);
        e->comp_size = u32(h + 20);
        e->size = u32(h + 24);
        e->local_offset = u32(h + 42);
        if (zip64_extra(h + 46 + nlen, xlen, e, e->size == 0xffffffffu, e->comp_size == 0xffffffffu,
                        e->local_offset == 0xffffffffu) != 0) {
            free(cd);
            return pw_err_set(err, PW_EINVAL, "%s: entry %llu has a damaged ZIP64 field", z->label,
                              (unsigned long long)i);
        }
        char *name = z->names + names_used;
        memcpy(name, h + 46, nlen);
        name[nlen] = '\0';
        names_used += (size_t)nlen + 1;
        e->name = name;
        z->n++;
        p += 46 + (size_t)nlen + xlen + clen;
    }
    free(cd);
    return 0;
}

static int open_common(pw_zip_t *z, pw_zip_t **out, pw_err_t *err)
{
    int rc = load_directory(z, err);
    if (rc != 0) {
        pw_zip_close(z);
        return rc;
    }
    *out = z;
    return 0;
}

int pw_zip_open(const char *path, pw_zip_t **out, pw_err_t *err)
{
    *out = NULL;
    pw_zip_t *z = calloc(1, sizeof(*z));
    if (z == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    z->label = strdup(path);
    z->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (z->fd < 0) {
        int e = errno;
        pw_zip_close(z);
        return pw_err_set(err, e == ENOENT ? PW_ENOENT : PW_EIO, "%s: cannot open: %s", path,
                          strerror(e));
    }
    struct stat st;
    if (fstat(z->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        pw_zip_close(z);
        return pw_err_set(err, PW_EINVAL, "%s: not a regular file", path);
    }
    z->size = (uint64_t)st.st_size;
    return open_common(z, out, err);
}

int pw_zip_open_mem(const uint8_t *data, size_t len, const char *name, pw_zip_t **out,
                    pw_err_t *err)
{
    *out = NULL;
    pw_zip_t *z = calloc(1, sizeof(*z));
    if (z == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    z->fd = -1;
    z->mem = data;
    z->size = len;
    z->label = strdup(name ? name : "zip");
    return open_common(z, out, err);
}

void pw_zip_close(pw_zip_t *z)
{
    if (z == NULL)
        return;
    if (z->fd >= 0)
        close(z->fd);
    free(z->entries);
    free(z->names);
    free(z->label);
    free(z);
}

size_t pw_zip_count(const pw_zip_t *z)
{
    return z->n;
}

const pw_zip_entry_t *pw_zip_entry(const pw_zip_t *z, size_t i)
{
    return i < z->n ? &z->entries[i] : NULL;
}

long pw_zip_find(const pw_zip_t *z, const char *name)
{
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->entries[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Inflates raw deflate data from the archive in chunks, into exactly size
 * bytes. */
static int inflate_entry(pw_zip_t *z, const pw_zip_entry_t *e, uint64_t data_off, uint8_t *out,
                         pw_err_t *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    uint8_t chunk[65536];
    uint64_t left = e->comp_size, off = data_off;
    zs.next_out = out;
    zs.avail_out = (uInt)e->size;
    int rc = 0, z_rc = Z_OK;
    while (z_rc != Z_STREAM_END) {
        if (zs.avail_in == 0) {
            if (left == 0) {
                rc = pw_err_set(err, PW_EINVAL, "%s: %s: compressed data ends early", z->label,
                                e->name);
                break;
            }
            size_t n = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
            if (rd(z, off, chunk, n) != 0) {
                rc = pw_err_set(err, PW_EIO, "%s: %s: cannot read the data", z->label, e->name);
                break;
            }
            off += n;
            left -= n;
            zs.next_in = chunk;
            zs.avail_in = (uInt)n;
        }
        z_rc = inflate(&zs, Z_NO_FLUSH);
        if (z_rc == Z_BUF_ERROR && zs.avail_out == 0) {
            rc = pw_err_set(err, PW_EINVAL, "%s: %s: holds more than its declared %llu bytes",
                            z->label, e->name, (unsigned long long)e->size);
            break;
        }
        if (z_rc != Z_OK && z_rc != Z_STREAM_END && z_rc != Z_BUF_ERROR) {
            rc = pw_err_set(err, PW_EINVAL, "%s: %s: corrupt compressed data (%s)", z->label,
                            e->name, zs.msg ? zs.msg : "inflate failed");
            break;
        }
    }
    if (rc == 0 && zs.total_out != e->size)
        rc = pw_err_set(err, PW_EINVAL, "%s: %s: %lu bytes instead of the declared %llu", z->label,
                        e->name, zs.total_out, (unsigned long long)e->size);
    inflateEnd(&zs);
    return rc;
}

int pw_zip_read(pw_zip_t *z, size_t i, size_t max, uint8_t **out, size_t *len, pw_err_t *err)
{
    *out = NULL;
    *len = 0;
    if (i >= z->n)
        return pw_err_set(err, PW_ENOENT, "%s: no entry %zu", z->label, i);
    const pw_zip_entry_t *e = &z->entries[i];
    if (e->flags & 1)
        return pw_err_set(err, PW_EUNSUPP, "%s: %s is encrypted", z->label, e->name);
    if (e->method != 0 && e->method != 8)
        return pw_err_set(err, PW_EUNSUPP,
                          "%s: %s uses compression method %u (only stored "
                          "and deflate are read)",
                          z->label, e->name, e->method);
    if (e->size > max || e->size > UINT32_MAX)
        return pw_err_set(err, PW_ETOOBIG, "%s: %s is %llu bytes, over the %zu-byte limit",
                          z->label, e->name, (unsigned long long)e->size, max);
    uint8_t lh[30];
    if (rd(z, e->local_offset, lh, sizeof(lh)) != 0 || u32(lh) != SIG_LOCAL)
        return pw_err_set(err, PW_EINVAL, "%s: %s: the local header is missing or damaged",
                          z->label, e->name);
    uint64_t data_off = e->local_offset + 30 + u16(lh + 26) + u16(lh + 28);
    if (data_off > z->size || e->comp_size > z->size - data_off)
        return pw_err_set(err, PW_EINVAL, "%s: %s: the data runs past the end of the archive",
                          z->label, e->name);
    if (e->method == 0 && e->comp_size != e->size)
        return pw_err_set(err, PW_EINVAL, "%s: %s: stored entry with two different sizes", z->label,
                          e->name);
    uint8_t *buf = malloc(e->size + 1);
    if (buf == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory for %s", e->name);
    int rc =
        e->method == 0
            ? (rd(z, data_off, buf, e->size) == 0
                   ? 0
                   : pw_err_set(err, PW_EIO, "%s: %s: cannot read the data", z->label, e->name))
            : inflate_entry(z, e, data_off, buf, err);
    if (rc == 0 && (uint32_t)crc32_z(0L, buf, (size_t)e->size) != e->crc)
        rc = pw_err_set(err, PW_EINVAL, "%s: %s: CRC-32 mismatch: the data is corrupt", z->label,
                        e->name);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[e->size] = '\0';
    *out = buf;
    *len = (size_t)e->size;
    return 0;
}
