/* main.c — the cabound driver: dispatch to a subcommand. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#ifndef CABOUND_LIBEXEC_REL
#define CABOUND_LIBEXEC_REL ""
#endif

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run the conformance suites over every installed stack (the main job)"},
    {"pair", cmd_pair, "run one case between a server stack and a client stack"},
    {"boundaries", cmd_boundaries, "bisect each stack's largest list, at byte resolution"},
    {"stacks", cmd_stacks, "list the installed shims, their versions and modes"},
    {"gen-list", cmd_gen_list, "write a CA list of exact list bytes to a list file"},
    {"decode", cmd_decode, "classify a list file or an encoded list"},
    {"probe", cmd_probe, "report a live server's CertificateRequest and the client limits it passes"},
    {"deploy", cmd_deploy, "one case through real programs: FreeRADIUS EAP-TLS (eap), OpenVPN (vpn)"},
    {"corpus", cmd_corpus, "write the boundary-case corpus for other projects"},
    {"merge", cmd_merge, "join shard outputs into one report"},
    {"report", cmd_report, "rewrite junit.xml and report.html from a results directory"},
    {"version", cmd_version, "print cabound's version"},
    {NULL, NULL, NULL},
};

static char self_dir[4096];

const char *cb_self_dir(void) { return self_dir; }

const char *cb_shim_dir(void)
{
    static char dir[4200];
    const char *env = getenv("CABOUND_SHIM_DIR");
    if (env && *env)
        return env;
    snprintf(dir, sizeof(dir), "%s/cabound-shim-openssl", self_dir);
    if (access(dir, X_OK) == 0 || !CABOUND_LIBEXEC_REL[0])
        return self_dir;
    snprintf(dir, sizeof(dir), "%s/%s", self_dir, CABOUND_LIBEXEC_REL);
    return access(dir, X_OK) == 0 ? dir : self_dir;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: cabound COMMAND [FLAGS]   (cabound COMMAND --help for its flags)\n\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(f, "  %-12s %s\n", c->name, c->summary);
    fprintf(f, "\n  cabound --version   print cabound's version\n"
               "\nThe main job is `cabound run` (every suite over every installed stack; results/).\n"
               "Exit status (every command): 0 every observation met its expectation; 1 a finding,\n"
               "regression, xpass, error or missing expectation; 2 a usage or input error\n"
               "(probe has its own: cabound probe --help).\n");
}

int main(int argc, char **argv)
{
    /* A shim that dies mid-write must be a recorded fault, not our death. */
    signal(SIGPIPE, SIG_IGN);
    ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
    if (n > 0) {
        self_dir[n] = 0;
        char *slash = strrchr(self_dir, '/');
        if (slash)
            *slash = 0;
    } else {
        strcpy(self_dir, ".");
    }
    if (argc < 2) {
        /* A full run takes a while and writes results/: it is asked for by
         * name (`cabound run`), never started by a bare `cabound`. */
        usage(stderr);
        return CB_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
        return cmd_version(argc, argv);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc, argv);
    fprintf(stderr, "cabound: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return CB_EXIT_USAGE;
}
