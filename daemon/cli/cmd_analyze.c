/* profwatch analyze: the flare profiling report, no Go toolchain needed. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "profwatch/config.h"
#include "profwatch/flare_report.h"

static const char help[] =
    "Usage: profwatch analyze [OPTIONS] FLARE\n"
    "\n"
    "Read a Datadog Agent flare and write its profiling report: the agent's context,\n"
    "memory stats, the heap diff between the two heap snapshots, the CPU, block and\n"
    "mutex profiles of every agent process, a verdict (memory leak, CPU spike,\n"
    "contention, multiple issues or normal), who owns the fix and where to escalate,\n"
    "a message for the customer and a summary for the escalation ticket.\n"
    "\n"
    "FLARE is the flare's .zip as the agent sends it (read in place, nothing is\n"
    "extracted), or an extracted flare: the hostname folder, or a folder holding\n"
    "exactly one hostname folder.\n"
    "\n"
    "It writes OUTDIR/flare-profiling-<hostname>.md (for people), .json (for\n"
    "scripts; fields in README.md) and .html (one self-contained page, no network:\n"
    "the verdict and owners, a differential heap flame graph and the CPU, block and\n"
    "mutex flame graphs of every process), and prints the verdict and their paths.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUTDIR  where to write the report (default: ./investigations).\n"
    "  --config FILE        profwatch's YAML config: its `rules:` section sets the\n"
    "                       thresholds (leak_bytes, leak_per, cpu_share, cpu_min,\n"
    "                       contention) and `ownership:` adds ownership rules, tried\n"
    "                       before the built-in table. See conf.d/profwatch.yaml.\n"
    "  --fail-on-verdict    exit 3 when the verdict is not normal (for scripts).\n"
    "  --max-size SIZE      size cap for each profile, compressed or not\n"
    "                       (default 256MiB).\n"
    "  -h, --help           show this help.\n"
    "\n"
    "Verdict rules (defaults from the flare-profiling playbook):\n"
    "  memory leak   the heap grew more than 10MB per 30s between the snapshots,\n"
    "                outside the Go runtime;\n"
    "  CPU spike     one function outside the runtime has more than 50% of the CPU\n"
    "                profile (profiles with under 1s of CPU are not judged);\n"
    "  contention    block or mutex delay over 1s in total.\n"
    "Samples are attributed to their first frame in the program's own code, so a\n"
    "lock's Unlock or a runtime helper points at the caller that owns it.\n"
    "\n"
    "Examples:\n"
    "  profwatch analyze datadog-agent-2024-10-15-07-50-26.zip\n"
    "  profwatch analyze -o /tmp/ticket-1234 ./flare/web-1\n"
    "\n"
    "Exit status: 0 when the report was written, whatever the verdict; 2 for a\n"
    "usage error or a flare that cannot be read; 3 with --fail-on-verdict when the\n"
    "verdict is not normal.\n";

int pw_cmd_analyze(int argc, char **argv)
{
    const char *outdir = "investigations", *config = NULL, *pos[1];
    int fail_on_verdict = 0, n = 0;
    size_t max_size = 0;
    const pw_opt_t opts[] = {
        {"output", NULL, 'o', PW_ARG_STR, &outdir},
        {"config", NULL, 0, PW_ARG_STR, &config},
        {"fail-on-verdict", NULL, 0, PW_ARG_FLAG, &fail_on_verdict},
        {"max-size", "max_size", 0, PW_ARG_SIZE, &max_size},
        {"help", NULL, 'h', PW_ARG_HELP, NULL},
        {NULL, NULL, 0, 0, NULL},
    };
    int rc = pw_args_parse(argc, argv, opts, "analyze", pos, 1, &n);
    if (rc == 1) {
        fputs(help, stdout);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (n != 1) {
        fprintf(stderr, "profwatch analyze: expected one FLARE (a .zip or a folder); see "
                        "profwatch analyze --help\n");
        return 2;
    }
    pw_config_t cfg;
    pw_err_t err = {0};
    rc = config ? pw_config_load(&cfg, config, &err) : pw_config_init(&cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "profwatch analyze: %s\n", err.msg);
        return 2;
    }
    pw_flare_report_opts_t ro = {.max_profile_bytes = max_size};
    pw_flare_report_result_t res;
    rc = pw_flare_report(pos[0], &cfg, outdir, &ro, &res, &err);
    pw_config_free(&cfg);
    if (rc != 0) {
        fprintf(stderr, "profwatch analyze: %s\n", err.msg);
        return 2;
    }
    printf("verdict: %s\nreport:  %s\njson:    %s\nhtml:    %s\n", res.summary, res.md_path,
           res.json_path, res.html_path);
    return fail_on_verdict && res.verdict != PW_VERDICT_NORMAL ? 3 : 0;
}
