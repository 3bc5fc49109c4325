/* Profile loading shared by the subcommands, with the CLI's error messages. */
#ifndef PW_CLI_LOAD_H
#define PW_CLI_LOAD_H

#include <stddef.h>

#include "profwatch/pprof.h"

/* Loads n (1 or 2) profiles from paths into profs, then applies the first
 * profile's drop_frames/keep_frames to all of them, as pprof does when it
 * merges a profile with its base: so pass NEW first, BASE second. max_size 0
 * means the default cap. On failure prints "profwatch CMD: FILE: what is
 * wrong" to stderr, destroys what it loaded, sets profs to NULL and returns 2
 * (the CLI's exit status for unreadable input); returns 0 on success, and the
 * caller destroys the profiles. */
int pw_cli_load_profiles(const char *cmd, const char *const *paths, int n, size_t max_size,
                         pw_profile_t **profs);

#endif
