/* dnsource.h — read DNs from a list file or from PEM certificates. */
#ifndef CABOUND_DNSOURCE_H
#define CABOUND_DNSOURCE_H

#include <stddef.h>

#include "calist.h"

/* cb_dns_load appends to |out| the DNs of |path|: a list file (first line
 * "cabound-list 1") keeps its DNs and labels; otherwise every PEM certificate
 * in the file contributes its subject, labelled |label| when non-NULL.
 * Returns 0, or -1 with "PATH[:LINE]: message" in |err|. */
int cb_dns_load(const char *path, const char *label, cb_calist *out, char *err, size_t errlen);

#endif
