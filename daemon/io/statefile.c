#include "profwatch/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profwatch/buf.h"
#include "profwatch/fsutil.h"

#define HISTORY_MAX_BYTES (64u * 1024 * 1024)

int pw_statefile_read(const char *path, size_t max, char **data, size_t *len, pw_err_t *err)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_set(err, errno == ENOENT ? PW_ENOENT : PW_EIO, "cannot open %s: %s", path,
                          strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pw_err_set(err, PW_EINVAL, "%s is not a regular file", path);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return pw_err_set(err, PW_ETOOBIG, "%s is %lld bytes, over the %zu-byte limit", path,
                          (long long)st.st_size, max);
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *buf = malloc(n + 1);
    if (buf == NULL) {
        close(fd);
        return pw_err_set(err, PW_ENOMEM, "out of memory reading %s", path);
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int eno = errno;
            free(buf);
            close(fd);
            return pw_err_set(err, PW_EIO, "cannot read %s: %s", path, strerror(eno));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

int pw_statefile_history_path(const char *state_dir, const char *name, char *out, size_t n)
{
    char key[64];
    if (pw_history_key(name, key, sizeof(key)) == 0)
        return PW_EINVAL;
    int w = snprintf(out, n, "%s/memory/%s.history", state_dir, key);
    return w > 0 && (size_t)w < n ? 0 : PW_EINVAL;
}

int pw_statefile_history_load(const char *state_dir, const char *name, pw_history_t *h,
                              pw_err_t *err)
{
    char path[4096], key[64];
    if (pw_statefile_history_path(state_dir, name, path, sizeof(path)) != 0)
        return pw_err_set(err, PW_EINVAL, "no history file name for \"%s\"", name);
    pw_history_key(name, key, sizeof(key));
    char *data;
    size_t len;
    int rc = pw_statefile_read(path, HISTORY_MAX_BYTES, &data, &len, err);
    if (rc != 0)
        return rc;
    rc = pw_history_decode(h, data, len, path, err);
    free(data);
    if (rc == 0 && strcmp(h->key, key) != 0) {
        rc = pw_err_set(err, PW_EINVAL, "%s: the history is about \"%s\", not \"%s\"", path, h->key,
                        key);
        h->n = 0;
    }
    return rc;
}

int pw_statefile_history_save(const char *state_dir, const pw_history_t *h, pw_err_t *err)
{
    char path[4096];
    if (pw_statefile_history_path(state_dir, h->key, path, sizeof(path)) != 0)
        return pw_err_set(err, PW_EINVAL, "no history file name for \"%s\"", h->key);
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/memory", state_dir);
    int rc = pw_fs_mkdir_p(dir, PW_STATE_DIR_MODE, err);
    if (rc != 0)
        return rc;
    pw_buf_t b;
    pw_buf_init(&b);
    rc = pw_history_encode(h, &b);
    if (rc != 0)
        rc = pw_err_set(err, rc, "out of memory encoding the history of %s", h->key);
    else
        rc = pw_fs_write_atomic(path, b.data, b.len, PW_STATE_FILE_MODE, err);
    pw_buf_free(&b);
    return rc;
}
