#include "load.h"

#include <stdio.h>

int pw_cli_load_profiles(const char *cmd, const char *const *paths, int n, size_t max_size,
                         pw_profile_t **profs)
{
    pw_err_t err = {0};
    pw_pprof_opts_t popts = {.max_size = max_size};
    int i;

    for (i = 0; i < n; i++)
        profs[i] = NULL;
    for (i = 0; i < n; i++) {
        if (pw_pprof_load_file(paths[i], &popts, &profs[i], &err) != 0) {
            fprintf(stderr, "profwatch %s: %s\n", cmd, err.msg);
            goto fail;
        }
    }
    for (i = 0; i < n; i++) {
        if (pw_profile_prune(profs[i], profs[0]->drop_frames, profs[0]->keep_frames, &err) != 0) {
            fprintf(stderr, "profwatch %s: %s: %s\n", cmd, paths[0], err.msg);
            goto fail;
        }
    }
    return 0;
fail:
    for (i = 0; i < n; i++) {
        pw_profile_destroy(profs[i]);
        profs[i] = NULL;
    }
    return 2;
}
