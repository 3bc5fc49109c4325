/* Entry points of the profwatch subcommands: argv[0] is the subcommand name.
 * Each returns the process exit status. */
#ifndef PW_CLI_COMMANDS_H
#define PW_CLI_COMMANDS_H

int pw_cmd_top(int argc, char **argv);
int pw_cmd_diff(int argc, char **argv);
int pw_cmd_analyze(int argc, char **argv);
int pw_cmd_status(int argc, char **argv);
int pw_cmd_flame(int argc, char **argv);
int pw_cmd_smaps(int argc, char **argv);

#endif
