/* pw_decode_check FILE...: decodes each file with the direct readers and with
 * the protoc-c reference decoder, and fails unless both accept it with
 * identical models or both refuse it. */
#include <stdio.h>

#include "model_eq.h"
#include "profwatch/pprof.h"

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        pw_profile_t *fast = NULL, *ref = NULL;
        pw_err_t e1 = {0}, e2 = {0};
        pw_pprof_opts_t of = {0}, orf = {.reference = 1};
        int r1 = pw_pprof_load_file(argv[i], &of, &fast, &e1);
        int r2 = pw_pprof_load_file(argv[i], &orf, &ref, &e2);
        char why[256] = "";
        if ((r1 == 0) != (r2 == 0)) {
            fprintf(stderr, "MISMATCH %s: fast %s, reference %s\n", argv[i], r1 ? e1.msg : "ok",
                    r2 ? e2.msg : "ok");
            bad++;
        } else if (r1 == 0 && !pw_model_equal(fast, ref, why, sizeof(why))) {
            fprintf(stderr, "MISMATCH %s: models differ: %s\n", argv[i], why);
            bad++;
        } else {
            printf("same %s%s\n", argv[i], r1 ? " (both refuse it)" : "");
        }
        pw_profile_destroy(fast);
        pw_profile_destroy(ref);
    }
    return bad ? 1 : 0;
}
