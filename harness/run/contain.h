/* contain.h — nothing a shim starts outlives the case. Shims run in their
 * own process group, which a kill reaches; a descendant that left it
 * (setsid, a double fork) is re-parented to the harness, made a child
 * subreaper here, and swept after each case. */
#ifndef CABOUND_CONTAIN_H
#define CABOUND_CONTAIN_H

#include <stddef.h>
#include <sys/types.h>

/* cb_contain_init makes this process the subreaper of everything it starts.
 * Returns 0, or -1 when the kernel refuses (then escapees go to init). */
int cb_contain_init(void);

/* cb_contain_sweep kills (SIGKILL) and reaps every child of this process
 * that is not in |keep|, and returns how many there were. Children are read
 * from /proc/self/task/TID/children (one small read per thread). */
size_t cb_contain_sweep(const pid_t *keep, size_t n_keep);

#endif
