#include "profwatch/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : ENOSPC;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Creates path with exactly mode, writes and fsyncs it: 0 or an errno. */
static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return errno;
    /* open() applies the umask: a file is never looser than mode, and an
     * administrator's stricter umask still holds. */
    int e = write_all(fd, data, len);
    if (e == 0 && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e != 0)
        unlink(path);
    return e;
}

int pw_fs_write_new(const char *path, const void *data, size_t len, mode_t mode, pw_err_t *err)
{
    int e = write_file(path, data, len, mode);
    return e ? pw_err_set(err, PW_EIO, "cannot write %s: %s", path, strerror(e)) : 0;
}

void pw_fs_sync_dir(const char *path)
{
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

int pw_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, pw_err_t *err)
{
    char tmp[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int dn = slash ? (int)(slash - path) : 0;
    if (snprintf(tmp, sizeof(tmp), "%.*s%s.%s.tmp.%ld", dn, path, slash ? "/" : "",
                 slash ? slash + 1 : path, (long)getpid()) >= (int)sizeof(tmp))
        return pw_err_set(err, PW_EINVAL, "path too long: %s", path);
    int e = write_file(tmp, data, len, mode);
    if (e != 0)
        return pw_err_set(err, PW_EIO, "cannot write %s: %s", path, strerror(e));
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return pw_err_set(err, PW_EIO, "cannot write %s: %s", path, strerror(e));
    }
    /* The rename itself must survive a crash: sync the folder. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%.*s", dn ? dn : 1, dn ? path : ".");
    pw_fs_sync_dir(dir);
    return 0;
}

static int remove_entry(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return (type == FTW_DP ? rmdir(fpath) : unlink(fpath)) != 0 && errno != ENOENT ? -1 : 0;
}

int pw_fs_remove_tree(const char *path, pw_err_t *err)
{
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return pw_err_set(err, PW_EIO, "cannot remove %s: %s", path, strerror(errno));
    return 0;
}

static unsigned long long tree_bytes;

static int add_size(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)fpath;
    (void)ftw;
    if (type == FTW_F)
        tree_bytes += (unsigned long long)sb->st_size;
    return 0;
}

unsigned long long pw_fs_tree_size(const char *path)
{
    /* nftw has no user pointer; the daemon is single-threaded. */
    tree_bytes = 0;
    nftw(path, add_size, 16, FTW_PHYS);
    return tree_bytes;
}
