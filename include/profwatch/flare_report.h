/* From a flare (folder or zip) to the profiling report files: reads the
 * agent's context and every process's profiles (and a daemon capture's
 * profwatch/window.json), runs the analysis, and writes
 * OUTDIR/flare-profiling-<hostname>.md, .json and .html atomically. Used by
 * `profwatch analyze` and by the daemon for its captures, so both produce the
 * same report for the same files. */
#ifndef PW_FLARE_REPORT_H
#define PW_FLARE_REPORT_H

#include <stddef.h>

#include "profwatch/analysis.h"
#include "profwatch/config.h"
#include "profwatch/err.h"

typedef struct {
    size_t max_profile_bytes; /* per profile file, and decompressed; 0: default */
    const char *source;       /* the report's "source" line; NULL: flare_path */
} pw_flare_report_opts_t;

typedef struct {
    pw_verdict_t verdict;
    int profiles_found;
    char hostname[256];
    char md_path[4096];
    char json_path[4096];
    char html_path[4096];
    char summary[512]; /* one line: the verdict and its main finding */
} pw_flare_report_result_t;

/* Returns 0 when the report files were written (whatever the verdict), or a
 * negative code when the flare could not be opened or the files not written. */
int pw_flare_report(const char *flare_path, const pw_config_t *cfg, const char *outdir,
                    const pw_flare_report_opts_t *opts, pw_flare_report_result_t *res,
                    pw_err_t *err);

#endif
