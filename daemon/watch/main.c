/* profwatchd: the sidecar daemon. Parses its options, loads the config
 * (errors are reported on the terminal before anything detaches), starts
 * the daemon on one libuv loop and runs it until SIGTERM or SIGINT. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "profwatch/log.h"

#define DEFAULT_CONFIG "/etc/profwatch/profwatch.yaml"

static const char usage[] =
    "Usage: profwatchd [--config FILE] [--foreground] [-v] [--check-config]\n"
    "\n"
    "profwatchd runs next to the Datadog Agent. It scrapes the pprof and expvar\n"
    "endpoints of each agent process (found from the agent's datadog.yaml) and of\n"
    "any Go service listed under `targets:`, keeps a rolling window of heap\n"
    "profiles, and judges each process every cycle with the rules `profwatch\n"
    "analyze` uses: memory leak (fast, and steady growth over the window), CPU\n"
    "spike, contention. Verdicts leave as the service check profwatch.verdict and\n"
    "as events; metrics leave through the configured outputs. When a verdict turns\n"
    "bad it writes a capture in the flare's layout, with its report, under\n"
    "reports_dir.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE  the YAML config (default " DEFAULT_CONFIG ";\n"
    "                     built-in defaults when that file does not exist). Every\n"
    "                     key is documented in conf.d/profwatch.yaml.\n"
    "  -f, --foreground   stay attached and log to stderr (systemd runs it so);\n"
    "                     otherwise it detaches once started and logs to syslog.\n"
    "  -v, --verbose      log at debug level (repeatable; overrides log_level).\n"
    "  --check-config     load the config and the agent's, print what would be\n"
    "                     watched and where each output sends (an api output\n"
    "                     needs its key), and exit: 0 when valid, 2 when not.\n"
    "  --version          print the version.\n"
    "  -h, --help         show this help.\n"
    "\n"
    "Signals: SIGTERM and SIGINT stop it cleanly (requests cancelled, outputs\n"
    "flushed); SIGHUP reloads the config, and a bad one keeps the running config.\n"
    "`profwatch status` shows each target's state through the status socket.\n"
    "\n"
    "Exit status: 0 after a clean stop; 1 when it could not start; 2 for a usage\n"
    "or config error.\n";

static int check_config(pw_config_t *cfg)
{
    pw_arena_t *arena = pw_arena_create(0);
    pw_discovery_t disc;
    pw_err_t err = {0};
    size_t n = cfg->n_targets;
    memset(&disc, 0, sizeof(disc));
    printf("config: %s\n", cfg->path ? cfg->path : "(built-in defaults)");
    if (cfg->datadog_config[0]) {
        if (pw_agentconf_discover(cfg->datadog_config, cfg->system_probe_config, arena, &disc,
                                  &err) != 0)
            printf("discovery: %s\n", err.msg);
        for (size_t i = 0; i < disc.n_targets; i++)
            printf("target %-15s %s%s%s (discovered)\n", disc.targets[i].name, disc.targets[i].url,
                   disc.targets[i].unix_socket ? " over " : "",
                   disc.targets[i].unix_socket ? disc.targets[i].unix_socket : "");
        for (size_t i = 0; i < disc.n_skipped; i++)
            printf("skipped %-14s %s\n", disc.skipped[i].name, disc.skipped[i].reason);
    } else {
        printf("discovery: off (datadog_config is \"\")\n");
    }
    for (size_t i = 0; i < cfg->n_targets; i++)
        printf("target %-15s %s%s%s\n", cfg->targets[i].name, cfg->targets[i].url,
               cfg->targets[i].unix_socket ? " over " : "",
               cfg->targets[i].unix_socket ? cfg->targets[i].unix_socket : "");
    n += disc.n_targets;
    pw_arena_destroy(arena);
    if (n == 0) {
        fprintf(stderr, "profwatchd: nothing to watch: no target is discovered or listed\n");
        return 2;
    }
    printf("reports: %s\nstatus socket: %s\n", cfg->reports_dir,
           cfg->status_socket[0] ? cfg->status_socket : "(off)");
    if (pw_daemon_check_outputs(cfg, stdout, &err) != 0) {
        fprintf(stderr, "profwatchd: %s\n", err.msg);
        return 2;
    }
    return 0;
}

/* Detaches, leaving the parent waiting on a pipe until the child has started
 * (or failed to), so the command still reports start-up errors and its exit
 * status. Returns the fd the child reports on, or -1 on failure. */
static int detach(void)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(p[1]);
        char msg[1024];
        ssize_t n, got = 0;
        while ((n = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
            got += n;
        msg[got > 0 ? got : 0] = '\0';
        if (strcmp(msg, "ok") == 0)
            _exit(0);
        fprintf(stderr, "profwatchd: %s\n", got > 0 ? msg : "the daemon exited while starting");
        _exit(1);
    }
    close(p[0]);
    if (setsid() < 0)
        return -1;
    signal(SIGHUP, SIG_IGN);
    if ((pid = fork()) < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    signal(SIGHUP, SIG_DFL);
    if (chdir("/") != 0)
        return -1;
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > 2)
            close(fd);
    }
    pw_log_use_syslog("profwatchd");
    return p[1];
}

static void report(int fd, const char *msg)
{
    if (fd < 0)
        return;
    ssize_t n = write(fd, msg, strlen(msg));
    (void)n;
    close(fd);
}

int main(int argc, char **argv)
{
    const char *config = NULL;
    int foreground = 0, verbose = 0, check = 0;
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'},
        {"foreground", no_argument, NULL, 'f'},
        {"verbose", no_argument, NULL, 'v'},
        {"check-config", no_argument, NULL, 'C'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* A fixed threshold: glibc's dynamic one rises after the first large
     * profile body is freed, and later bodies then fragment the heap. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:fvh", longs, NULL)) != -1) {
        switch (c) {
        case 'c':
            config = optarg;
            break;
        case 'f':
            foreground = 1;
            break;
        case 'v':
            verbose++;
            break;
        case 'C':
            check = 1;
            break;
        case 'V':
            printf("profwatchd %s\n", PW_VERSION);
            return 0;
        case 'h':
            fputs(usage, stdout);
            return 0;
        case ':':
            fprintf(stderr, "profwatchd: %s needs a value; see profwatchd --help\n",
                    argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "profwatchd: unknown option %s; see profwatchd --help\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "profwatchd: unexpected argument \"%s\"; see profwatchd --help\n",
                argv[optind]);
        return 2;
    }

    pw_config_t cfg;
    pw_err_t err = {0};
    struct stat st;
    int rc;
    if (config == NULL && stat(DEFAULT_CONFIG, &st) == 0)
        config = DEFAULT_CONFIG;
    rc = config ? pw_config_load(&cfg, config, &err) : pw_config_init(&cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "profwatchd: %s\n", err.msg);
        return 2;
    }
    if (verbose)
        cfg.log_level = "debug";
    if (check) {
        rc = check_config(&cfg);
        pw_config_free(&cfg);
        return rc;
    }

    int ready_fd = -1;
    if (!foreground && (ready_fd = detach()) < 0) {
        fprintf(stderr, "profwatchd: cannot detach: %s\n", strerror(errno));
        pw_config_free(&cfg);
        return 1;
    }
    /* Writes to a closed socket come back as EPIPE, not as a signal; a write
     * past a file-size limit (RLIMIT_FSIZE) comes back as EFBIG and fails
     * that one capture or line, instead of killing the daemon. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    if (config == NULL)
        pw_log(PW_LOG_INFO, "daemon", "no %s: running on built-in defaults", DEFAULT_CONFIG);

    uv_loop_t loop;
    pw_daemon_t *d = calloc(1, sizeof(*d));
    if (d == NULL || uv_loop_init(&loop) != 0) {
        report(ready_fd, "out of memory");
        free(d);
        pw_config_free(&cfg);
        return 1;
    }
    if (pw_daemon_start(d, &loop, &cfg, &err) != 0) {
        pw_log(PW_LOG_ERROR, "daemon", "%s", err.msg);
        report(ready_fd, err.msg);
        uv_run(&loop, UV_RUN_DEFAULT); /* lets closed handles finish */
        uv_loop_close(&loop);
        free(d);
        return 1;
    }
    report(ready_fd, "ok");
    uv_run(&loop, UV_RUN_DEFAULT);
    pw_daemon_free(d);
    free(d);
    rc = uv_loop_close(&loop);
    if (rc != 0) {
        pw_log(PW_LOG_ERROR, "daemon", "the event loop still had handles at exit: %s",
               uv_strerror(rc));
        return 1;
    }
    pw_log(PW_LOG_INFO, "daemon", "stopped");
    return 0;
}
