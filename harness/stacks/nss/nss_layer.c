/* nss_layer.c — the NSPR I/O layer under the shim's SSL socket. */
#include <string.h>

#include <prio.h>
#include <prnetdb.h>

#include "nss_shim.h"

/* NSS reads the socket through NSPR: the connection's fd is dup'ed and
 * imported with PR_ImportTCPSocket (PR_Close closes only the dup), under a
 * thin layer that (1) answers getpeername with 127.0.0.1 for a socket that
 * is not INET/INET6 — NSS's ssl_GetPeerInfo fails an AF_UNIX socketpair with
 * PR_ADDRESS_NOT_SUPPORTED_ERROR otherwise — and (2) keeps the first bytes of
 * the client's first flight, whose ClientHello.random labels key-log lines:
 * NSS has no public API for the client random. Every other method (shutdown
 * included) is NSPR's default, which forwards to the layer below. */

static PRDescIdentity g_layer_id = PR_INVALID_IO_LAYER;
static PRIOMethods g_layer_methods;
static PRCloseFN g_default_close;

static void snoop_add(PRFileDesc *fd, const void *data, PRInt32 n, int writing)
{
    struct snoop *s = (struct snoop *)fd->secret;
    if (!s || n <= 0 || s->on_write != writing || s->n >= sizeof(s->buf))
        return;
    size_t k = sizeof(s->buf) - s->n;
    if ((size_t)n < k)
        k = (size_t)n;
    memcpy(s->buf + s->n, data, k);
    s->n += k;
}

static PRInt32 PR_CALLBACK layer_read(PRFileDesc *fd, void *buf, PRInt32 amount)
{
    PRInt32 rv = fd->lower->methods->read(fd->lower, buf, amount);
    snoop_add(fd, buf, rv, 0);
    return rv;
}

static PRInt32 PR_CALLBACK layer_recv(PRFileDesc *fd, void *buf, PRInt32 amount, PRIntn flags,
                                      PRIntervalTime timeout)
{
    PRInt32 rv = fd->lower->methods->recv(fd->lower, buf, amount, flags, timeout);
    if (!(flags & PR_MSG_PEEK))
        snoop_add(fd, buf, rv, 0);
    return rv;
}

static PRInt32 PR_CALLBACK layer_write(PRFileDesc *fd, const void *buf, PRInt32 amount)
{
    PRInt32 rv = fd->lower->methods->write(fd->lower, buf, amount);
    snoop_add(fd, buf, rv, 1);
    return rv;
}

static PRInt32 PR_CALLBACK layer_send(PRFileDesc *fd, const void *buf, PRInt32 amount, PRIntn flags,
                                      PRIntervalTime timeout)
{
    PRInt32 rv = fd->lower->methods->send(fd->lower, buf, amount, flags, timeout);
    snoop_add(fd, buf, rv, 1);
    return rv;
}

static PRStatus PR_CALLBACK layer_getpeername(PRFileDesc *fd, PRNetAddr *addr)
{
    PRStatus rv = fd->lower->methods->getpeername(fd->lower, addr);
    if (rv == PR_SUCCESS && (addr->raw.family == PR_AF_INET || addr->raw.family == PR_AF_INET6))
        return rv;
    memset(addr, 0, sizeof(*addr));
    return PR_SetNetAddr(PR_IpAddrLoopback, PR_AF_INET, 0, addr);
}

static PRStatus PR_CALLBACK layer_close(PRFileDesc *fd)
{
    fd->secret = NULL; /* the snoop lives in run()'s frame */
    return g_default_close(fd);
}

int nss_client_random(const struct snoop *s, uint8_t out[32])
{
    /* record header (5) + handshake header (4) + legacy_version (2) */
    if (s->n < 43 || s->buf[0] != 22 || s->buf[5] != 1)
        return 0;
    memcpy(out, s->buf + 11, 32);
    return 1;
}

void nss_layer_init(void)
{
    g_layer_id = PR_GetUniqueIdentity("cabound-fd");
    g_layer_methods = *PR_GetDefaultIOMethods();
    g_default_close = g_layer_methods.close;
    g_layer_methods.read = layer_read;
    g_layer_methods.recv = layer_recv;
    g_layer_methods.write = layer_write;
    g_layer_methods.send = layer_send;
    g_layer_methods.getpeername = layer_getpeername;
    g_layer_methods.close = layer_close;
}

/* nss_layer_push puts the layer on |tcp|, watching |s| (which must outlive
 * the socket's use; closing the socket detaches it). */
void nss_layer_push(PRFileDesc *tcp, struct snoop *s)
{
    PRFileDesc *layer = PR_CreateIOLayerStub(g_layer_id, &g_layer_methods);
    if (!layer)
        nss_fatal("PR_CreateIOLayerStub: %s", nss_err_name(PR_GetError()));
    layer->secret = (PRFilePrivate *)s;
    if (PR_PushIOLayer(tcp, PR_TOP_IO_LAYER, layer) != PR_SUCCESS)
        nss_fatal("PR_PushIOLayer: %s", nss_err_name(PR_GetError()));
}
