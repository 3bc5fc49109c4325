/* File-system helpers shared by the CLI and the daemon: folders created with
 * their parents, and files written atomically (a temporary name in the same
 * folder, fsync, rename), so a crash never leaves half a report behind. */
#ifndef PW_FSUTIL_H
#define PW_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "profwatch/err.h"

/* Creates path and its missing parents with mode (existing folders are kept). */
int pw_fs_mkdir_p(const char *path, mode_t mode, pw_err_t *err);
/* Writes data to path through path's folder's temporary file and a rename. */
int pw_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, pw_err_t *err);

#endif
