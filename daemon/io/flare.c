#include "profwatch/flare.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profwatch/zip.h"

struct pw_flare {
    char *root;    /* folder mode: the hostname folder */
    pw_zip_t *zip; /* zip mode */
    char *prefix;  /* zip mode: "hostname/" or "" */
    char hostname[256];
};

/* Files a flare's hostname folder holds; any one of them marks it. */
static const char *const markers[] = {
    "status.log",          "profiles",         "expvar", "install_info.log",
    "go-routine-dump.log", "config-check.log", "logs"};
#define N_MARKERS (sizeof(markers) / sizeof(markers[0]))

static int has_marker_dir(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    for (size_t i = 0; i < N_MARKERS; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, markers[i]);
        if (stat(p, &st) == 0)
            return 1;
    }
    return 0;
}

static void set_hostname(pw_flare_t *f, const char *name, size_t n)
{
    if (n >= sizeof(f->hostname))
        n = sizeof(f->hostname) - 1;
    memcpy(f->hostname, name, n);
    f->hostname[n] = '\0';
}

static int open_dir(pw_flare_t *f, const char *path, pw_err_t *err)
{
    char real[PATH_MAX];
    if (realpath(path, real) == NULL)
        return pw_err_set(err, PW_EIO, "%s: %s", path, strerror(errno));
    if (!has_marker_dir(real)) {
        /* The parent of the hostname folder: it must hold exactly one. */
        DIR *d = opendir(real);
        if (d == NULL)
            return pw_err_set(err, PW_EIO, "%s: cannot list: %s", path, strerror(errno));
        struct dirent *de;
        char only[PATH_MAX] = "";
        int dirs = 0;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char p[PATH_MAX];
            struct stat st;
            snprintf(p, sizeof(p), "%s/%s", real, de->d_name);
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && has_marker_dir(p)) {
                dirs++;
                snprintf(only, sizeof(only), "%s", p);
            }
        }
        closedir(d);
        if (dirs != 1)
            return pw_err_set(err, PW_EINVAL,
                              "%s does not look like a flare: expected status.log or profiles/ "
                              "inside it, or exactly one hostname folder holding them (found %d)",
                              path, dirs);
        snprintf(real, sizeof(real), "%s", only);
    }
    f->root = strdup(real);
    if (f->root == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    const char *base = strrchr(real, '/');
    base = base ? base + 1 : real;
    set_hostname(f, base, strlen(base));
    return 0;
}

/* A zip's hostname folder: the single top folder of its entries, or the one
 * that holds a flare's marker files when there are several. */
static int open_zip(pw_flare_t *f, const char *path, pw_err_t *err)
{
    int rc = pw_zip_open(path, &f->zip, err);
    if (rc != 0)
        return rc;
    size_t n = pw_zip_count(f->zip);
    const char *top = NULL;
    size_t top_len = 0;
    int single = 1, at_root = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = pw_zip_entry(f->zip, i)->name;
        const char *slash = strchr(name, '/');
        if (slash == NULL) {
            for (size_t k = 0; k < N_MARKERS; k++)
                if (strcmp(name, markers[k]) == 0)
                    at_root = 1;
            continue;
        }
        size_t len = (size_t)(slash - name);
        if (top == NULL) {
            top = name;
            top_len = len;
        } else if (len != top_len || memcmp(top, name, len) != 0) {
            single = 0;
        }
    }
    if (at_root || top == NULL) {
        f->prefix = strdup("");
    } else if (single) {
        f->prefix = strndup(top, top_len + 1);
        set_hostname(f, top, top_len);
    } else {
        return pw_err_set(err, PW_EINVAL,
                          "%s: the archive has several top folders; a flare has one, named "
                          "after the host",
                          path);
    }
    return f->prefix == NULL ? pw_err_set(err, PW_ENOMEM, "out of memory") : 0;
}

int pw_flare_open(const char *path, pw_flare_t **out, pw_err_t *err)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return pw_err_set(err, errno == ENOENT ? PW_ENOENT : PW_EIO, "%s: %s", path,
                          strerror(errno));
    pw_flare_t *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return pw_err_set(err, PW_ENOMEM, "out of memory");
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = open_dir(f, path, err);
    } else {
        uint8_t magic[4] = {0};
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t got = fd >= 0 ? read(fd, magic, sizeof(magic)) : -1;
        if (fd >= 0)
            close(fd);
        if (got != 4 || !pw_zip_is(magic, 4))
            rc = pw_err_set(err, PW_EINVAL,
                            "%s: neither a folder nor a zip archive (a flare is one or the other)",
                            path);
        else
            rc = open_zip(f, path, err);
    }
    if (rc != 0) {
        pw_flare_close(f);
        return rc;
    }
    *out = f;
    return 0;
}

void pw_flare_close(pw_flare_t *f)
{
    if (f == NULL)
        return;
    free(f->root);
    free(f->prefix);
    pw_zip_close(f->zip);
    free(f);
}

const char *pw_flare_hostname(const pw_flare_t *f)
{
    return f->hostname;
}

int pw_flare_is_zip(const pw_flare_t *f)
{
    return f->zip != NULL;
}

/* Relative paths stay inside the flare. */
static int safe_rel(const char *rel)
{
    if (rel[0] == '/' || strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0 ||
        strstr(rel, "/../") != NULL)
        return 0;
    size_t n = strlen(rel);
    return !(n >= 3 && strcmp(rel + n - 3, "/..") == 0);
}

static long zip_index(pw_flare_t *f, const char *rel)
{
    char name[PATH_MAX];
    snprintf(name, sizeof(name), "%s%s", f->prefix, rel);
    return pw_zip_find(f->zip, name);
}

int pw_flare_stat(pw_flare_t *f, const char *rel, uint64_t *size)
{
    if (!safe_rel(rel))
        return PW_ENOENT;
    if (f->zip != NULL) {
        long i = zip_index(f, rel);
        if (i < 0)
            return PW_ENOENT;
        *size = pw_zip_entry(f->zip, (size_t)i)->size;
        return 0;
    }
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", f->root, rel);
    if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
        return PW_ENOENT;
    *size = (uint64_t)st.st_size;
    return 0;
}

int pw_flare_read(pw_flare_t *f, const char *rel, size_t max, uint8_t **data, size_t *len,
                  pw_err_t *err)
{
    *data = NULL;
    *len = 0;
    if (!safe_rel(rel))
        return pw_err_set(err, PW_EINVAL, "%s: not a path inside the flare", rel);
    if (f->zip != NULL) {
        long i = zip_index(f, rel);
        if (i < 0)
            return pw_err_set(err, PW_ENOENT, "%s: not in the flare", rel);
        return pw_zip_read(f->zip, (size_t)i, max, data, len, err);
    }
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", f->root, rel);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_set(err, errno == ENOENT ? PW_ENOENT : PW_EIO, "%s: %s", rel,
                          strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pw_err_set(err, PW_EINVAL, "%s: not a regular file", rel);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return pw_err_set(err, PW_ETOOBIG, "%s: %lld bytes, over the %zu-byte limit", rel,
                          (long long)st.st_size, max);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n + 1);
    if (buf == NULL) {
        close(fd);
        return pw_err_set(err, PW_ENOMEM, "out of memory for %s", rel);
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
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

int pw_flare_list(pw_flare_t *f, const char *rel, pw_flare_list_cb cb, void *ud)
{
    if (!safe_rel(rel))
        return PW_ENOENT;
    if (f->zip != NULL) {
        char dir[PATH_MAX];
        int n = snprintf(dir, sizeof(dir), "%s%s/", f->prefix, rel);
        for (size_t i = 0; i < pw_zip_count(f->zip); i++) {
            const pw_zip_entry_t *e = pw_zip_entry(f->zip, i);
            if (strncmp(e->name, dir, (size_t)n) == 0 && e->name[n] != '\0' &&
                strchr(e->name + n, '/') == NULL)
                cb(e->name + n, e->size, ud);
        }
        return 0;
    }
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/%s", f->root, rel);
    DIR *d = opendir(p);
    if (d == NULL)
        return PW_ENOENT;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char fp[PATH_MAX];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(fp, sizeof(fp), "%s/%s", p, de->d_name);
        if (stat(fp, &st) == 0 && S_ISREG(st.st_mode))
            cb(de->d_name, (uint64_t)st.st_size, ud);
    }
    closedir(d);
    return 0;
}
