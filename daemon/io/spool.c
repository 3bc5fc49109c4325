#include "profwatch/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "profwatch/fsutil.h"

/* A folder that somehow fills with more files than this is read no further;
 * the byte bound keeps the real count far below. */
#define MAX_FILES 100000

struct pw_spool {
    char *dir;
    uint64_t max;
    uint64_t bytes;
    size_t files;
};

/* "<16 hex digits of sequence>-<kind>-<items>-<raw bytes>.gz": the sequence
 * is the time in nanoseconds (kept increasing), so names sort oldest first. */
static int parse_name(const char *name, pw_spool_entry_t *e)
{
    unsigned long long seq, n, raw;
    int kind, used = 0;
    if (strlen(name) >= sizeof(e->name) ||
        sscanf(name, "%16llx-%1d-%llu-%llu.gz%n", &seq, &kind, &n, &raw, &used) != 4 || used == 0 ||
        name[used] != '\0')
        return -1;
    /* Only the exact form we write: no signs, spaces or leading zeros. */
    char check[sizeof(e->name)];
    snprintf(check, sizeof(check), "%016llx-%d-%llu-%llu.gz", seq, kind, n, raw);
    if (strcmp(check, name) != 0)
        return -1;
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->kind = kind;
    e->n_items = n;
    e->raw_len = raw;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const pw_spool_entry_t *)a)->name, ((const pw_spool_entry_t *)b)->name);
}

/* Reads the folder: its payloads (sorted oldest first when list is given,
 * caller frees), their total size, and the oldest. */
static int scan(pw_spool_t *s, pw_spool_entry_t **list, size_t *n_list, pw_spool_entry_t *oldest)
{
    DIR *d = opendir(s->dir);
    if (d == NULL)
        return PW_EIO;
    struct dirent *de;
    size_t n = 0, cap = 0;
    pw_spool_entry_t *l = NULL, e;
    int have = 0;
    s->bytes = 0;
    s->files = 0;
    while ((de = readdir(d)) != NULL && s->files < MAX_FILES) {
        struct stat st;
        if (parse_name(de->d_name, &e) != 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        e.size = (uint64_t)st.st_size;
        s->bytes += e.size;
        s->files++;
        if (oldest != NULL && (!have || strcmp(e.name, oldest->name) < 0)) {
            *oldest = e;
            have = 1;
        }
        if (list != NULL) {
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 64;
                pw_spool_entry_t *nl = realloc(l, nc * sizeof(*nl));
                if (nl == NULL) {
                    free(l);
                    closedir(d);
                    return PW_ENOMEM;
                }
                l = nl;
                cap = nc;
            }
            l[n++] = e;
        }
    }
    closedir(d);
    if (list != NULL) {
        if (n > 1)
            qsort(l, n, sizeof(*l), cmp_entry);
        *list = l;
        *n_list = n;
    }
    return oldest != NULL && !have ? PW_ENOENT : 0;
}

pw_spool_t *pw_spool_open(const char *dir, uint64_t max_bytes, pw_err_t *err)
{
    if (pw_fs_mkdir_p(dir, 0750, err) != 0)
        return NULL;
    chmod(dir, 0750);
    pw_spool_t *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->dir = strdup(dir)) == NULL) {
        free(s);
        pw_err_set(err, PW_ENOMEM, "out of memory");
        return NULL;
    }
    s->max = max_bytes;
    /* Temporary files of writes that a crash interrupted. */
    DIR *d = opendir(dir);
    if (d == NULL) {
        pw_err_set(err, PW_EIO, "cannot read the spool folder %s: %s", dir, strerror(errno));
        pw_spool_close(s);
        return NULL;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] == '.' && strstr(de->d_name, ".gz.tmp.") != NULL)
            unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
    scan(s, NULL, NULL, NULL);
    return s;
}

void pw_spool_close(pw_spool_t *s)
{
    if (s == NULL)
        return;
    free(s->dir);
    free(s);
}

int pw_spool_oldest(pw_spool_t *s, pw_spool_entry_t *e)
{
    int rc = scan(s, NULL, NULL, e);
    return rc == PW_EIO ? PW_ENOENT : rc;
}

int pw_spool_read(pw_spool_t *s, const pw_spool_entry_t *e, size_t max, uint8_t **data, size_t *len,
                  pw_err_t *err)
{
    char path[PATH_MAX];
    *data = NULL;
    *len = 0;
    snprintf(path, sizeof(path), "%s/%s", s->dir, e->name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return pw_err_set(err, PW_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pw_err_set(err, PW_EIO, "%s is not a file", path);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return pw_err_set(err, PW_ETOOBIG, "%s is over %zu bytes", path, max);
    }
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf != NULL && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (buf == NULL || got != (size_t)st.st_size) {
        free(buf);
        return pw_err_set(err, buf ? PW_EIO : PW_ENOMEM, "cannot read %s", path);
    }
    *data = buf;
    *len = got;
    return 0;
}

void pw_spool_remove(pw_spool_t *s, const pw_spool_entry_t *e)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", s->dir, e->name);
    if (unlink(path) == 0 && s->bytes >= e->size) {
        s->bytes -= e->size;
        s->files -= s->files > 0;
    }
}

int pw_spool_push(pw_spool_t *s, int kind, const void *data, size_t len, uint64_t n_items,
                  uint64_t raw_len, const char *busy, uint64_t *dropped_items, pw_err_t *err)
{
    static uint64_t last_seq;
    if (kind < 0 || kind > 9)
        return pw_err_set(err, PW_EINVAL, "spool: kind %d out of range", kind);
    if ((uint64_t)len > s->max)
        return pw_err_set(err, PW_ETOOBIG, "spool: a payload of %zu bytes is over its bound", len);
    pw_spool_entry_t *list = NULL;
    size_t n = 0;
    int rc = scan(s, &list, &n, NULL);
    if (rc != 0)
        return pw_err_set(err, rc, "cannot read the spool folder %s", s->dir);
    for (size_t i = 0; i < n && s->bytes + len > s->max; i++) {
        if (busy != NULL && strcmp(busy, list[i].name) == 0)
            continue;
        pw_spool_remove(s, &list[i]);
        *dropped_items += list[i].n_items;
    }
    free(list);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seq = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (seq <= last_seq)
        seq = last_seq + 1;
    last_seq = seq;
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%016llx-%d-%llu-%llu.gz", s->dir, (unsigned long long)seq,
             kind, (unsigned long long)n_items, (unsigned long long)raw_len);
    if ((rc = pw_fs_write_atomic(path, data, len, 0640, err)) != 0)
        return rc;
    s->bytes += len;
    s->files++;
    return 0;
}

uint64_t pw_spool_bytes(const pw_spool_t *s)
{
    return s->bytes;
}

size_t pw_spool_files(const pw_spool_t *s)
{
    return s->files;
}
