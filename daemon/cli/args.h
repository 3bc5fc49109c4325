/* Option parsing for profwatch subcommands. Accepts --name VALUE, --name=VALUE,
 * and pprof's spellings (-sample_index=NAME, -cum, -nodecount=N) so that
 * profwatch can stand in for `go tool pprof` in scripts. */
#ifndef PW_CLI_ARGS_H
#define PW_CLI_ARGS_H

#include <stddef.h>

enum { PW_ARG_FLAG, PW_ARG_STR, PW_ARG_INT, PW_ARG_SIZE, PW_ARG_HELP };

typedef struct {
    const char *name;  /* long name: "sample-index" */
    const char *alias; /* pprof-style name: "sample_index"; may be NULL */
    char shortname;    /* 'o'; 0 for none */
    int kind;
    void *dst; /* int* for FLAG/INT, const char** for STR, size_t* for SIZE */
} pw_opt_t;

/* Parses argv[1..]; positionals go to pos (up to max_pos). Returns 0, 1 when
 * --help was asked for, or 2 after printing a usage error that names cmd. */
int pw_args_parse(int argc, char **argv, const pw_opt_t *opts, const char *cmd, const char **pos,
                  int max_pos, int *n_pos);

#endif
