/* verify_anchors.h — NSS path validation against exactly a given set of
 * trust anchors (no cert DB trust, no revocation), shared by the NSS shim's
 * certificate hook and the NSS fuzz glue's (fuzz/stacks/nss.c), so that the
 * benchmark floor verifies peers as the shim does. */
#ifndef CABOUND_NSS_VERIFY_ANCHORS_H
#define CABOUND_NSS_VERIFY_ANCHORS_H

#include <cert.h>
#include <certt.h>

/* nss_verify_with_anchors validates |peer| for its role (a client's
 * certificate when |peer_is_client|, else a server's) with CERT_PKIXVerifyCert
 * and only |anchors| as trust anchors. */
static inline SECStatus nss_verify_with_anchors(CERTCertificate *peer, CERTCertList *anchors, PRBool peer_is_client,
                                                void *pin_arg)
{
    CERTValInParam in[4];
    in[0].type = cert_pi_trustAnchors;
    in[0].value.pointer.chain = anchors;
    in[1].type = cert_pi_useOnlyTrustAnchors;
    in[1].value.scalar.b = PR_TRUE;
    in[2].type = cert_pi_revocationFlags;
    in[2].value.pointer.revocation = (CERTRevocationFlags *)CERT_GetClassicOCSPDisabledPolicy();
    in[3].type = cert_pi_end;
    CERTValOutParam out[1];
    out[0].type = cert_po_end;
    return CERT_PKIXVerifyCert(peer, peer_is_client ? certificateUsageSSLClient : certificateUsageSSLServer, in, out,
                               pin_arg);
}

#endif
