/* stacks.h — which stacks this build has: every shim beside cabound, asked
 * for --describe, and the six known stacks that are missing, with why. */
#ifndef CABOUND_STACKS_H
#define CABOUND_STACKS_H

#include <jansson.h>
#include <stddef.h>

#include "shimproc.h"

/* How many stacks one build may have (libraries, their other builds,
 * applications); more is an error that names the ones left out, never a
 * silent cut. */
#define CB_MAX_STACKS 128

typedef struct cb_stack_info {
    char id[64];        /* "openssl", or "openssl@local" for another build */
    int installed;
    int not_described; /* cb_stacks_discover_only: installed, --describe not run */
    char why[256];      /* when missing */
    json_t *describe;   /* the shim's --describe object */
    char version[256], library[1024], tls[64], sources[128], selects[64];
    cb_transport transport; /* from --describe "transport" (absent: seqpacket) */
    int app;                /* a real application (harness/stacks/apps), not a library shim:
                               never in the suites' "all", named by "apps" */
} cb_stack_info;

/* cb_stacks_discover fills up to |max| entries from |shim_dir| and returns
 * how many. Built-in stacks come first, in their canonical order. */
size_t cb_stacks_discover(const char *shim_dir, cb_stack_info *out, size_t max);

/* cb_stacks_discover_only lists every stack as cb_stacks_discover does but
 * runs --describe only for |ids| (the others: installed when their shim is
 * there, with not_described set and no describe). Not thread-safe. */
size_t cb_stacks_discover_only(const char *shim_dir, const char *const *ids, size_t n_ids, cb_stack_info *out,
                               size_t max);
void cb_stacks_free(cb_stack_info *s, size_t n);

/* cb_stack_supports reports whether |s| lists |value| under |key|. */
int cb_stack_supports(const cb_stack_info *s, const char *key, const char *value);

/* cb_stack_resolve turns "auto" into the stack's native mode: for
 * calist_source, explicit where it has an explicit-list API, else
 * trust-store; for select, by-issuer where its API exposes the list, else
 * native. Other values come back unchanged. */
const char *cb_stack_resolve(const cb_stack_info *s, const char *key, const char *want);

/* cb_stack_transport returns the transport stack |id|'s shim in |shim_dir|
 * declares: as this process's discovery found it, else by asking the shim's
 * --describe once (remembered). A shim that cannot say is taken as
 * seqpacket: starting it then records its failure as a fault. */
cb_transport cb_stack_transport(const char *shim_dir, const char *id);

/* cb_stack_is_app says whether |id| is one of the real applications this
 * build knows (CMake's CABOUND_ALL_APPS): a stack of kind "app". */
int cb_stack_is_app(const char *id);

/* CB_APP_REQUEST is what a client writes after the handshake when its server
 * is an application: an HTTP server answers a request and sends nothing of
 * its own (the library shims' 'x'). */
#define CB_APP_REQUEST "GET /index.html HTTP/1.0\r\n\r\n"

/* cb_stack_find returns the entry for |id|, or NULL. */
const cb_stack_info *cb_stack_find(const cb_stack_info *s, size_t n, const char *id);

#endif
