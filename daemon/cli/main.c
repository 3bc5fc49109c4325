/* profwatch: the command-line front end. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const char usage[] =
    "Usage: profwatch COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "profwatch reads Go pprof profiles and judges the Datadog Agent's processes\n"
    "without a Go toolchain. Its numbers match `go tool pprof` exactly.\n"
    "\n"
    "Commands:\n"
    "  top FILE          the functions holding the most samples (like go tool pprof -top)\n"
    "  diff BASE NEW     what changed between two profiles (like -top -diff_base=BASE)\n"
    "  analyze FLARE     the profiling report of an agent flare: verdict, owner, messages\n"
    "  flame FILE        a flame graph page (-o OUT.html); with --base BASE, what grew\n"
    "  smaps             PSS of the Agent's processes (or any) by pathname, against a budget\n"
    "  status            what the running profwatchd sees, target by target\n"
    "\n"
    "Run `profwatch COMMAND --help` for a command's options and examples, and\n"
    "`man profwatch` (and profwatchd(8) for the daemon) for the whole reference.\n"
    "\n"
    "Examples:\n"
    "  profwatch top heap.pprof\n"
    "  profwatch diff core-1st-heap.pprof core-2nd-heap.pprof\n"
    "  profwatch analyze datadog-agent-2024-10-15-07-50-26.zip\n"
    "  sudo profwatch smaps --gate idle_all_features\n"
    "\n"
    "Options:\n"
    "  -h, --help        show this help\n"
    "  --version         print the version\n";

typedef struct {
    const char *name;
    int (*fn)(int, char **);
} command_t;

static const command_t commands[] = {
    {"top", pw_cmd_top},       {"diff", pw_cmd_diff},   {"analyze", pw_cmd_analyze},
    {"status", pw_cmd_status}, {"flame", pw_cmd_flame}, {"smaps", pw_cmd_smaps},
};

int main(int argc, char **argv)
{
    /* A profile passes through buffers of megabytes that are freed stage by
     * stage (file, inflated bytes, model, graph). Keeping them in the heap
     * instead of returning them to the kernel lets the next stage reuse the
     * pages instead of faulting in new ones. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("profwatch %s\n", PW_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, cmd) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "profwatch: unknown command \"%s\" (run profwatch --help for the list)\n", cmd);
    return 2;
}
