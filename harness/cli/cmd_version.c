#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef CABOUND_VERSION
#define CABOUND_VERSION "unknown"
#endif

int cmd_version(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[2], "--help") == 0) {
        printf("usage: cabound version\n\nPrints cabound's version and the shim contract it speaks.\n\n"
               "example:\n  cabound version\n");
        return CB_EXIT_OK;
    }
    if (argc > 2) {
        fprintf(stderr, "Unrecognized flag: %s\n", argv[2]);
        return CB_EXIT_USAGE;
    }
    printf("cabound %s (shim contract 2: seqpacket and stream transports)\n", CABOUND_VERSION);
    return CB_EXIT_OK;
}
