/* Subcommands not built yet say so plainly. */
#include <stdio.h>

#include "commands.h"

#define NOT_YET(fn, name)                                                            \
    int fn(int argc, char **argv)                                                    \
    {                                                                                \
        (void)argc;                                                                  \
        (void)argv;                                                                  \
        fprintf(stderr, "cabound " name ": not implemented in this build\n");        \
        return CB_EXIT_USAGE;                                                        \
    }

NOT_YET(cmd_boundaries, "boundaries")
NOT_YET(cmd_corpus, "corpus")
NOT_YET(cmd_merge, "merge")
