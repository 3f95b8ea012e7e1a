/* paths.h — where cabound finds its suites when not told. */
#ifndef CABOUND_PATHS_H
#define CABOUND_PATHS_H

/* cb_default_suites_dir returns $CABOUND_SUITES, else the source tree's
 * suites/ when this is a build tree, else the installed copy. */
const char *cb_default_suites_dir(void);

#endif
