/* commands.h — the cabound subcommands. Each returns the process exit
 * status: 0 success, 1 findings or regressions, 2 usage or input errors. */
#ifndef CABOUND_COMMANDS_H
#define CABOUND_COMMANDS_H

#define CB_EXIT_OK 0
#define CB_EXIT_FINDINGS 1
#define CB_EXIT_USAGE 2

int cmd_version(int argc, char **argv);
int cmd_gen_list(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_stacks(int argc, char **argv);
int cmd_pair(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_boundaries(int argc, char **argv);
int cmd_corpus(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_deploy(int argc, char **argv);

/* The directory holding the cabound executable. */
const char *cb_self_dir(void);
/* Where the shims are: beside cabound in a build tree, or the installed
 * libexec/cabound next to bin/; $CABOUND_SHIM_DIR overrides both. */
const char *cb_shim_dir(void);

#endif
