/* Sample filters applied to a decoded profile before it is judged. */
#include <stdlib.h>
#include <string.h>

#include "profwatch/pprof.h"

size_t pw_profile_drop_samples_in(pw_profile_t *p, const char *prefix)
{
    size_t plen = strlen(prefix), dropped = 0;
    uint8_t *fn_hit = calloc(p->n_functions + 1, 1);
    uint8_t *loc_hit = calloc(p->n_locations + 1, 1);
    if (fn_hit == NULL || loc_hit == NULL) {
        free(fn_hit);
        free(loc_hit);
        return 0; /* nothing dropped: the profile stays as it came */
    }
    for (size_t i = 0; i < p->n_functions; i++)
        fn_hit[i] = strncmp(p->functions[i].name, prefix, plen) == 0;
    for (size_t i = 0; i < p->n_locations; i++)
        for (uint32_t k = 0; k < p->locations[i].n_lines && !loc_hit[i]; k++)
            loc_hit[i] = fn_hit[p->locations[i].lines[k].function];
    size_t out = 0;
    for (size_t s = 0; s < p->n_samples; s++) {
        const pw_sample_t *sm = &p->samples[s];
        int hit = 0;
        for (uint32_t l = 0; l < sm->n_locs && !hit; l++)
            hit = loc_hit[sm->locs[l]];
        if (hit)
            dropped++;
        else
            p->samples[out++] = *sm;
    }
    p->n_samples = out;
    free(fn_hit);
    free(loc_hit);
    return dropped;
}

size_t pw_profile_drop_profiler_waits(pw_profile_t *p)
{
    return pw_profile_drop_samples_in(p, "net/http/pprof.");
}
