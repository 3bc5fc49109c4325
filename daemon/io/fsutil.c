#include "profwatch/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pw_fs_mkdir_p(const char *path, mode_t mode, pw_err_t *err)
{
    char p[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(p))
        return pw_err_set(err, PW_EINVAL, "invalid folder name \"%s\"", path);
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST)
            return pw_err_set(err, PW_EIO, "cannot create folder %s: %s", p, strerror(errno));
        p[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return pw_err_set(err, PW_EIO, "%s exists but is not a folder", path);
    return 0;
}

int pw_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, pw_err_t *err)
{
    char tmp[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int dn = slash ? (int)(slash - path) : 0;
    if (snprintf(tmp, sizeof(tmp), "%.*s%s.%s.tmp.%ld", dn, path, slash ? "/" : "",
                 slash ? slash + 1 : path, (long)getpid()) >= (int)sizeof(tmp))
        return pw_err_set(err, PW_EINVAL, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return pw_err_set(err, PW_EIO, "cannot write %s: %s", path, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            close(fd);
            unlink(tmp);
            return pw_err_set(err, PW_EIO, "cannot write %s: %s", path, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return pw_err_set(err, PW_EIO, "cannot write %s: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return pw_err_set(err, PW_EIO, "cannot write %s: %s", path, strerror(e));
    }
    /* The rename itself must survive a crash: sync the folder. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%.*s", dn ? dn : 1, dn ? path : ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}
