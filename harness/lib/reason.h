/* reason.h — hold an expectation's reason to the observation it is attached
 * to. A reason is prose with a source citation; where it names an error
 * code, an alert, or the absence of one, that claim must be true of the
 * case it describes, or the reason is about some other behaviour. Pure. */
#ifndef CABOUND_REASON_H
#define CABOUND_REASON_H

#include <stddef.h>

#define CB_REASON_MAX_ALERTS 8

/* What a case showed, for one side and its peer. */
typedef struct cb_reason_facts {
    int has_error[2];       /* [0] this side, [1] the peer: the library reported an error */
    long long error[2];     /* its code */
    int own_alert;          /* the first alert this side sent (not close_notify), -1 none, -2 unknown */
    int alerts[CB_REASON_MAX_ALERTS]; /* every alert description seen in the case, either way */
    size_t n_alerts;
} cb_reason_facts;

/* cb_reason_contradicts returns 1 and says why in |why| when |reason| names
 * a negative error code that neither side reported ("-0x7a80", "-404"), an
 * alert ("alert 50") that nobody sent, or says "without an alert"/"no
 * alert" of a side that sent one; 0 when every such claim holds or there
 * are none. */
int cb_reason_contradicts(const char *reason, const cb_reason_facts *f, char *why, size_t whylen);

#endif
