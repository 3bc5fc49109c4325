/* profwatch flame: one profile, or a NEW/BASE pair, as a flame graph in a
 * self-contained HTML page. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "load.h"
#include "profwatch/flame.h"
#include "profwatch/fsutil.h"

static const char flame_help[] =
    "Usage: profwatch flame [OPTIONS] FILE -o OUT.html\n"
    "       profwatch flame [OPTIONS] --base BASE FILE -o OUT.html\n"
    "\n"
    "Draw a pprof profile as a flame graph in one HTML page that needs no network:\n"
    "open it in any browser, or attach it to a ticket.\n"
    "\n"
    "Each box is a function on a call stack; the stacks start at the top and the\n"
    "callees sit under their callers. A box is as wide as the samples that passed\n"
    "through it (CPU time, bytes in use, ...). Hover a box for its function, value\n"
    "and share; click it to zoom in; \"Reset zoom\" zooms out; the search box\n"
    "highlights the functions that match a regular expression.\n"
    "\n"
    "With --base, the page is a differential flame graph: widths are FILE's values\n"
    "and colours compare each box with the same stack in BASE, red where it grew\n"
    "and blue where it shrank. For a leak, take two heap profiles of one process\n"
    "some time apart and pass the older one as BASE.\n"
    "\n"
    "FILE and BASE are pprof profiles in protobuf form, gzipped or raw; \"-\" reads\n"
    "standard input.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT     the page to write (required); \"-\" writes to standard\n"
    "                       output. An existing file is replaced.\n"
    "  --base BASE          compare with BASE (a differential flame graph).\n"
    "  --sample-index NAME  the value that sets the widths: a sample type such as\n"
    "                       inuse_space, alloc_space, cpu, samples, delay, or its\n"
    "                       position. Default: the profile's default_sample_type,\n"
    "                       otherwise its last type.\n"
    "  --width PX           the width the page is drawn for (default 1200). Boxes\n"
    "                       narrower than one pixel at this width are merged into\n"
    "                       one \"...\" box per caller, which keeps large profiles\n"
    "                       small; a larger width keeps more detail. 0 keeps all.\n"
    "  --title TEXT         the page title (default: the file names).\n"
    "  --max-size SIZE      refuse an input, or its decompressed content, larger\n"
    "                       than SIZE (default 256MiB).\n"
    "  -h, --help           show this help.\n"
    "\n"
    "pprof's spellings work too: -diff_base=BASE, -sample_index=NAME.\n"
    "\n"
    "Examples:\n"
    "  profwatch flame cpu.pprof -o cpu.html\n"
    "  profwatch flame --base core-1st-heap.pprof core-2nd-heap.pprof -o heap-growth.html\n"
    "  curl -s http://127.0.0.1:5000/debug/pprof/heap | profwatch flame - -o heap.html\n"
    "\n"
    "Exit status: 0 on success; 2 for a usage error or an input that cannot be\n"
    "read or decoded; 1 when the page cannot be written.\n";

typedef struct {
    const char *output;
    const char *base;
    const char *sample_index;
    const char *title;
    int width;
    size_t max_size;
} flame_args_t;

/* Writes the page to path atomically (a reader never sees half a page), or
 * to standard output for "-". Returns 0, or 1 after printing why. */
static int write_page(const char *path, const pw_buf_t *page)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(page->data, 1, page->len, stdout) != page->len || fflush(stdout) != 0) {
            perror("profwatch flame: writing to standard output");
            return 1;
        }
        return 0;
    }
    pw_err_t err = {0};
    /* 0640, like the analyze report: function names can say a lot about a host. */
    if (pw_fs_write_atomic(path, page->data, page->len, 0640, &err) != 0) {
        fprintf(stderr, "profwatch flame: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int run(const flame_args_t *a, const char *file)
{
    pw_profile_t *profs[2] = {NULL, NULL};
    pw_flame_t *tree = NULL;
    pw_err_t err = {0};
    pw_buf_t page;
    int n = a->base != NULL ? 2 : 1;
    int rc = 2;

    pw_buf_init(&page);
    /* NEW first: its drop_frames pattern applies to both, as in profwatch diff. */
    const char *paths[2] = {file, a->base};
    if (pw_cli_load_profiles("flame", paths, n, a->max_size, profs) != 0)
        goto fail;
    pw_flame_opts_t fo;
    pw_flame_opts_default(&fo);
    fo.sample_index = a->sample_index;
    fo.width = (unsigned)a->width;
    if (pw_flame_build(profs[0], profs[1], &fo, &tree, &err) != 0) {
        fprintf(stderr, "profwatch flame: %s: %s\n", file, err.msg);
        goto fail;
    }

    char title[1024], section[1024];
    if (n == 2) {
        snprintf(section, sizeof(section), "%s of %s, compared with %s", tree->sample_type, file,
                 a->base);
        snprintf(title, sizeof(title), "%s \xe2\x86\x92 %s", a->base, file);
    } else {
        snprintf(section, sizeof(section), "%s of %s", tree->sample_type, file);
        snprintf(title, sizeof(title), "%s", file);
    }
    if (a->title != NULL)
        snprintf(title, sizeof(title), "%s", a->title);
    if (pw_flame_html_begin(&page, title) != 0 ||
        pw_flame_html_section(&page, tree, "flame", section, NULL) != 0 ||
        pw_flame_html_end(&page) != 0) {
        fprintf(stderr, "profwatch flame: out of memory while drawing the page\n");
        rc = 1;
        goto fail;
    }
    rc = write_page(a->output, &page);
fail:
    pw_buf_free(&page);
    pw_flame_destroy(tree);
    pw_profile_destroy(profs[0]);
    pw_profile_destroy(profs[1]);
    return rc;
}

int pw_cmd_flame(int argc, char **argv)
{
    flame_args_t a;
    const char *files[1];
    int n = 0;

    memset(&a, 0, sizeof(a));
    a.width = PW_FLAME_DEFAULT_WIDTH;
    const pw_opt_t opts[] = {
        {"output", NULL, 'o', PW_ARG_STR, &a.output},
        {"base", "diff_base", 0, PW_ARG_STR, &a.base},
        {"sample-index", "sample_index", 0, PW_ARG_STR, &a.sample_index},
        {"width", NULL, 0, PW_ARG_INT, &a.width},
        {"title", NULL, 0, PW_ARG_STR, &a.title},
        {"max-size", "max_size", 0, PW_ARG_SIZE, &a.max_size},
        {"help", NULL, 'h', PW_ARG_HELP, NULL},
        {NULL, NULL, 0, 0, NULL},
    };
    int rc = pw_args_parse(argc, argv, opts, "flame", files, 1, &n);
    if (rc == 1) {
        fputs(flame_help, stdout);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (n != 1) {
        fprintf(stderr,
                "profwatch flame: expected one profile FILE (see profwatch flame --help)\n");
        return 2;
    }
    if (a.output == NULL) {
        fprintf(stderr, "profwatch flame: no output: add -o OUT.html, or -o - for standard "
                        "output (see profwatch flame --help)\n");
        return 2;
    }
    if (a.width > 1000000) {
        fprintf(stderr, "profwatch flame: --width expects at most 1000000 pixels, got %d\n",
                a.width);
        return 2;
    }
    if (a.base != NULL && strcmp(a.base, "-") == 0 && strcmp(files[0], "-") == 0) {
        fprintf(stderr, "profwatch flame: FILE and --base cannot both be standard input\n");
        return 2;
    }
    return run(&a, files[0]);
}
