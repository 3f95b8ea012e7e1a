#define _GNU_SOURCE
#include "contain.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

int cb_contain_init(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : -1; }

static int kept(pid_t p, const pid_t *keep, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (keep[i] == p)
            return 1;
    return 0;
}

size_t cb_contain_sweep(const pid_t *keep, size_t n_keep)
{
    size_t swept = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[300];
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "r");
        long pid;
        while (f && fscanf(f, "%ld", &pid) == 1) {
            if (pid <= 0 || kept((pid_t)pid, keep, n_keep))
                continue;
            kill((pid_t)pid, SIGKILL);
            waitpid((pid_t)pid, NULL, 0);
            swept++;
        }
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return swept;
}
