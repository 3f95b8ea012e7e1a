package cabound.shim;

import java.util.ArrayList;
import java.util.List;

/**
 * Observation — what a stack's own API saw in one case (the fields of
 * common/shim.h's struct shim_obs); Shim turns it into the reply.
 */
public final class Observation {
    public boolean unsupported;
    public String reason = "";
    public boolean handshakeOk;
    public boolean hasError;
    public long errorCode;
    public String errorText = "";
    public boolean alertsExposed;
    public int alertSent = -1;     /* -1: none */
    public int alertReceived = -1; /* -1: none */
    public boolean receivedExposed;
    public final List<byte[]> received = new ArrayList<>(); /* client: DNs the API exposed, in order */
    public int sentCert = -2;      /* -2 unknown, -1 empty Certificate, >= 0 index */
    public byte[] peerCert;        /* server: DER of the client certificate */

    public void setError(long code, String text) {
        if (hasError)
            return; /* the first error is the cause; later ones follow from it */
        hasError = true;
        errorCode = code;
        errorText = text == null ? "" : text;
    }

    /** error records |t| (and its causes) as the library's error. */
    public void setError(Throwable t) {
        StringBuilder b = new StringBuilder(t.toString());
        for (Throwable c = t.getCause(); c != null && b.length() < 400; c = c.getCause())
            b.append(" <- ").append(c);
        setError(-1, b.length() > 500 ? b.substring(0, 500) : b.toString());
    }

    public void unsupported(String why) {
        unsupported = true;
        reason = why;
    }
}
