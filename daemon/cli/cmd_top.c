/* profwatch top / profwatch diff: drop-ins for `go tool pprof -top` and
 * `go tool pprof -top -diff_base=BASE NEW`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "load.h"
#include "profwatch/graph.h"
#include "profwatch/pprof.h"
#include "profwatch/top.h"

static const char top_help[] =
    "Usage: profwatch top [OPTIONS] FILE\n"
    "\n"
    "Print the functions of a pprof profile that hold the most samples, exactly as\n"
    "`go tool pprof -top FILE` prints them: the same rows, order, units and\n"
    "percentages, with no Go toolchain needed.\n"
    "\n"
    "FILE is a pprof profile in protobuf form, gzipped or raw, as Go's\n"
    "net/http/pprof endpoints and runtime/pprof write it; \"-\" reads standard input.\n"
    "Legacy text profiles (?debug=1) are refused with a message.\n"
    "\n"
    "Options:\n"
    "  --sample-index NAME  the value to rank by: a sample type such as inuse_space,\n"
    "                       alloc_space, cpu, samples, delay, contentions, or its\n"
    "                       position (0, 1, ...). Default: the profile's\n"
    "                       default_sample_type, otherwise its last type.\n"
    "  --cum                sort by cumulative value (the function and its callees)\n"
    "                       instead of flat (the function itself).\n"
    "  --nodecount N        print at most N rows. Default: every function whose\n"
    "                       cumulative value is at least 0.5% of the total.\n"
    "  --json               print the same table as JSON (fields in README.md).\n"
    "  --max-size SIZE      refuse a file, or its decompressed content, larger than\n"
    "                       SIZE (default 256MiB). Example: --max-size 1GiB.\n"
    "  -h, --help           show this help.\n"
    "\n"
    "pprof's spellings work too: -sample_index=NAME, -cum, -nodecount=N.\n"
    "\n"
    "Examples:\n"
    "  profwatch top heap.pprof\n"
    "  profwatch top --sample-index alloc_space --nodecount 20 heap.pprof\n"
    "  curl -s http://127.0.0.1:5000/debug/pprof/heap | profwatch top -\n"
    "\n"
    "Exit status: 0 on success; 2 for a usage error or an input that cannot be\n"
    "read or decoded (the message names the file and what is wrong).\n";

static const char diff_help[] =
    "Usage: profwatch diff [OPTIONS] BASE NEW\n"
    "\n"
    "Show what changed from BASE to NEW, exactly as\n"
    "`go tool pprof -top -diff_base=BASE NEW` does: BASE's samples are subtracted\n"
    "from NEW's, rows are ranked by the size of the change, and percentages are\n"
    "relative to BASE's total. Positive values grew; negative values shrank.\n"
    "\n"
    "Typical use: two heap profiles of one process taken some time apart, to see\n"
    "which functions hold more memory now (a leak shows as steady growth).\n"
    "\n"
    "Options:\n"
    "  --sample-index NAME  the value to compare (default: the profile's default,\n"
    "                       inuse_space for heap profiles). See profwatch top --help.\n"
    "  --cum                sort by cumulative change instead of flat change.\n"
    "  --nodecount N        print at most N rows.\n"
    "  --json               print the table as JSON.\n"
    "  --max-size SIZE      size cap for each input (default 256MiB).\n"
    "  -h, --help           show this help.\n"
    "\n"
    "Example:\n"
    "  profwatch diff core-1st-heap.pprof core-2nd-heap.pprof\n"
    "\n"
    "Exit status: 0 on success; 2 for a usage error or an unreadable input.\n";

typedef struct {
    const char *sample_index;
    int cum;
    int nodecount;
    int json;
    size_t max_size;
} top_args_t;

static int run(const char *cmd, const top_args_t *a, const char **files, int n_files)
{
    pw_profile_t *profs[2] = {NULL, NULL};
    pw_graph_input_t inputs[2];
    pw_graph_t *g = NULL;
    pw_err_t err = {0};
    pw_buf_t out;
    int rc = 2;

    pw_buf_init(&out);
    /* For a diff, NEW comes first: pprof merges the base into it, so NEW's
     * header and its drop_frames pattern lead. */
    const char *paths[2] = {n_files == 2 ? files[1] : files[0], files[0]};
    if (pw_cli_load_profiles(cmd, paths, n_files, a->max_size, profs) != 0)
        goto fail;
    for (int i = 0; i < n_files; i++) {
        inputs[i].profile = profs[i];
        inputs[i].is_base = n_files == 2 && i == 1;
    }

    pw_graph_opts_t gopts;
    pw_graph_opts_default(&gopts);
    gopts.sample_index = a->sample_index;
    gopts.cum_sort = a->cum;
    gopts.node_count = a->nodecount;
    if (pw_graph_build(inputs, (size_t)n_files, &gopts, &g, &err) != 0) {
        fprintf(stderr, "profwatch %s: %s: %s\n", cmd, paths[0], err.msg);
        goto fail;
    }
    char source[1024];
    if (n_files == 2)
        snprintf(source, sizeof(source), "%s -> %s", files[0], files[1]);
    else
        snprintf(source, sizeof(source), "%s", files[0]);
    pw_top_opts_t topts = {.node_fraction = gopts.node_fraction, .source = source};
    int r = a->json ? pw_top_render_json(inputs, (size_t)n_files, g, &topts, &out)
                    : pw_top_render_text(inputs, (size_t)n_files, g, &topts, &out);
    if (r != 0) {
        fprintf(stderr, "profwatch %s: out of memory while formatting the report\n", cmd);
        rc = 1;
        goto fail;
    }
    if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        perror("profwatch: writing to standard output");
        rc = 1;
        goto fail;
    }
    rc = 0;
fail:
    pw_buf_free(&out);
    pw_graph_destroy(g);
    pw_profile_destroy(profs[0]);
    pw_profile_destroy(profs[1]);
    return rc;
}

static int parse(int argc, char **argv, const char *cmd, const char *help, top_args_t *a,
                 const char **files, int want)
{
    int ignored = 0, n = 0;
    const pw_opt_t opts[] = {
        {"sample-index", "sample_index", 0, PW_ARG_STR, &a->sample_index},
        {"cum", NULL, 0, PW_ARG_FLAG, &a->cum},
        {"nodecount", NULL, 0, PW_ARG_INT, &a->nodecount},
        {"json", NULL, 0, PW_ARG_FLAG, &a->json},
        {"max-size", "max_size", 0, PW_ARG_SIZE, &a->max_size},
        {"top", NULL, 0, PW_ARG_FLAG, &ignored}, /* `go tool pprof -top` muscle memory */
        {"help", NULL, 'h', PW_ARG_HELP, NULL},
        {NULL, NULL, 0, 0, NULL},
    };
    memset(a, 0, sizeof(*a));
    int rc = pw_args_parse(argc, argv, opts, cmd, files, want, &n);
    if (rc == 1) {
        fputs(help, stdout);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (n != want) {
        fprintf(stderr, "profwatch %s: expected %s (see profwatch %s --help)\n", cmd,
                want == 1 ? "one profile FILE" : "two profiles, BASE and NEW", cmd);
        return 2;
    }
    return -1;
}

int pw_cmd_top(int argc, char **argv)
{
    top_args_t a;
    const char *files[1];
    int rc = parse(argc, argv, "top", top_help, &a, files, 1);
    return rc >= 0 ? rc : run("top", &a, files, 1);
}

int pw_cmd_diff(int argc, char **argv)
{
    top_args_t a;
    const char *files[2];
    int rc = parse(argc, argv, "diff", diff_help, &a, files, 2);
    return rc >= 0 ? rc : run("diff", &a, files, 2);
}
