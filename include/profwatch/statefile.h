/* profwatch's state folder (/var/lib/profwatch by default): what must
 * survive a restart, such as the memory histories.
 *
 * Writes go through pw_fs_write_atomic (fsutil.h): a crash leaves the old
 * version or the new one, never half of one. Files are created 0640 and
 * folders 0750 (less if the umask says so): the state tells what runs on the
 * host, so other users do not read it. */
#ifndef PW_STATEFILE_H
#define PW_STATEFILE_H

#include <stddef.h>

#include "profwatch/err.h"
#include "profwatch/history.h"

#define PW_STATE_DIR "/var/lib/profwatch"
#define PW_STATE_FILE_MODE 0640
#define PW_STATE_DIR_MODE 0750

/* Reads path (at most max bytes) into a new buffer the caller frees, with a
 * NUL after the data. PW_ENOENT when the file does not exist. */
int pw_statefile_read(const char *path, size_t max, char **data, size_t *len, pw_err_t *err);

/* Memory histories live in STATE_DIR/memory/KEY.history, KEY in the
 * pw_history_key form of the process name. */
int pw_statefile_history_path(const char *state_dir, const char *name, char *out, size_t n);

/* Loads the history of the process named name into h (PW_ENOENT when there
 * is none yet), and checks that the file is about that process. */
int pw_statefile_history_load(const char *state_dir, const char *name, pw_history_t *h,
                              pw_err_t *err);
/* Saves h under its key, creating the folders. */
int pw_statefile_history_save(const char *state_dir, const pw_history_t *h, pw_err_t *err);

#endif
