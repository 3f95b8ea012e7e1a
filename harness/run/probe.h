/* probe.h — cabound probe: one TLS client connection to a live server,
 * through the relay, to measure the CertificateRequest it sends. The client
 * is a real TLS stack (a client shim, by default OpenSSL's) that offers one
 * TLS version, accepts any server certificate, holds no client certificate
 * (so it answers with an empty Certificate) and logs its keys, so that a
 * TLS 1.3 CertificateRequest is decrypted exactly as `cabound pair` does. */
#ifndef CABOUND_PROBE_H
#define CABOUND_PROBE_H

#include <stddef.h>

#include "measure.h"

/* The limits a list is held against (README "cabound probe"). */
#define CB_PROBE_LIMIT_16K 16384u /* Schannel: list bytes it sends at most (model schannel-16k) */
#define CB_PROBE_LIMIT_32K 32768u /* a client's cap on one handshake message, header included */
#define CB_PROBE_LIMIT_64K 65535u /* the 16-bit length of the TLS 1.2 vector / TLS 1.3 extension */

typedef struct cb_probe_opts {
    const char *host, *port; /* where the server listens */
    const char *sni;         /* server name to send, or NULL */
    int tls13;               /* the one version offered */
    int timeout_ms;          /* connect, and the whole handshake */
    const char *shim;        /* path of the client shim (--serve request loop) */
    const char *stack;       /* its stack id, for messages */
    const char *workdir;     /* scratch directory for the key log and the shim's stderr */
} cb_probe_opts;

enum cb_probe_status {
    CB_PROBE_MEASURED,     /* a CertificateRequest was read and measured */
    CB_PROBE_NO_REQUEST,   /* the server finished its flight without one */
    CB_PROBE_UNMEASURED,   /* a TLS answer, but the request could not be read (why says why) */
    CB_PROBE_FAILED,       /* no connection, not TLS, the version refused, a timeout */
};

typedef struct cb_probe_result {
    enum cb_probe_status status;
    char why[512];            /* for every status but MEASURED: one line */
    cb_wire wire;             /* what the bytes said (measured or not) */
    size_t list_bytes;        /* whole DNs on the wire (the list's parsed bytes) */
    int fits[3];              /* 16 KB, 32 KB, 64 KB (see cb_probe_fits) */
    int server_alert;         /* the server's first alert (its answer to the empty
                                 Certificate once the request was sent), CB_ALERT_NONE,
                                 or CB_ALERT_OPAQUE */
    int handshake_done;       /* the client shim completed the handshake */
    char client_version[128]; /* the client stack's version string */
    double elapsed_ms;
} cb_probe_result;

/* cb_probe_run connects and measures. Always fills |out| (free it with
 * cb_probe_result_free); returns 0, or -1 when the harness itself failed
 * (message in |err|: out of memory, the shim cannot be started). */
int cb_probe_run(const cb_probe_opts *o, cb_probe_result *out, char *err, size_t errlen);
void cb_probe_result_free(cb_probe_result *r);

/* cb_probe_fits fills |fits| for a measured request of |message_bytes|
 * (with its header) holding |list_bytes|: [0] list <= 16384, [1] message
 * <= 32768, [2] the vector fits its 16-bit length (TLS 1.3: the extension's
 * length also covers the list's own 2-byte length) and was well-formed. */
void cb_probe_fits(size_t list_bytes, size_t message_bytes, int tls13, int well_formed, int fits[3]);

/* cb_probe_alert_name names a TLS AlertDescription (RFC 8446 6), or "unknown". */
const char *cb_probe_alert_name(int desc);

#endif
