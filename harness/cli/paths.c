#include "paths.h"

#include <stdlib.h>
#include <unistd.h>

#ifndef CABOUND_SOURCE_SUITES
#define CABOUND_SOURCE_SUITES "suites"
#endif
#ifndef CABOUND_INSTALLED_SUITES
#define CABOUND_INSTALLED_SUITES "/usr/local/share/cabound/suites"
#endif

const char *cb_default_suites_dir(void)
{
    const char *env = getenv("CABOUND_SUITES");
    if (env && *env)
        return env;
    if (access(CABOUND_SOURCE_SUITES, R_OK) == 0)
        return CABOUND_SOURCE_SUITES;
    return CABOUND_INSTALLED_SUITES;
}
