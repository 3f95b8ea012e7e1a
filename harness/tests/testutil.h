/* testutil.h — small helpers shared by the tests that make scratch trees. */
#ifndef CABOUND_TESTUTIL_H
#define CABOUND_TESTUTIL_H

#include <dirent.h>

#include "fileio.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* rm_rf removes |path| and everything below it (a test's scratch tree). */
static inline void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            rm_rf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* slurp returns the whole of |path| as a string (malloc'd), NULL when it
 * cannot be read: cb_read_file, the one file reader. */
static inline char *slurp(const char *path)
{
    size_t len;
    char err[256];
    return cb_read_file(path, &len, err, sizeof(err));
}

#endif
