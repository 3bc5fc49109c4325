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
/* Writes and fsyncs a new file in place (inside a folder that is itself
 * renamed into place afterwards). */
int pw_fs_write_new(const char *path, const void *data, size_t len, mode_t mode, pw_err_t *err);
/* fsync on a folder, so that renames inside it survive a crash. */
void pw_fs_sync_dir(const char *path);
/* Removes a folder and everything below it (never following symlinks). */
int pw_fs_remove_tree(const char *path, pw_err_t *err);
/* Bytes taken by the regular files below path (0 when it is missing). */
unsigned long long pw_fs_tree_size(const char *path);

#endif
