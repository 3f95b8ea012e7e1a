package cabound.jsse;

import cabound.shim.Observation;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JsseAlerts — the alerts SunJSSE reports, which it does only in exception
 * text. Every fatal error goes through sun/security/ssl/TransportContext.fatal,
 * which builds the exception with Alert.createSSLException: "(" + description
 * + ") " + reason, and sends that alert unless it received a fatal alert
 * (then the reason is "Received fatal alert: " + description, from
 * Alert.AlertConsumer) or the connection was already closed. So "(X)
 * Received fatal alert: X" is an alert received, another "(X) ..." an alert
 * sent; an exception without that prefix (fatal() re-throwing an existing
 * SSLException, e.g. the 32 KB message cap) says nothing, and the relay's
 * wire measurement stays the judge (alerts_exposed stays false).
 */
final class JsseAlerts {
    private JsseAlerts() {}

    private static final Map<String, Integer> CODES = new HashMap<>();
    static {
        /* sun/security/ssl/Alert.java, enum Alert: description -> id */
        String[] names = {"close_notify:0", "unexpected_message:10", "bad_record_mac:20", "decryption_failed:21",
                          "record_overflow:22", "decompression_failure:30", "handshake_failure:40",
                          "no_certificate:41", "bad_certificate:42", "unsupported_certificate:43",
                          "certificate_revoked:44", "certificate_expired:45", "certificate_unknown:46",
                          "illegal_parameter:47", "unknown_ca:48", "access_denied:49", "decode_error:50",
                          "decrypt_error:51", "export_restriction:60", "protocol_version:70",
                          "insufficient_security:71", "internal_error:80", "inappropriate_fallback:86",
                          "user_canceled:90", "no_renegotiation:100", "missing_extension:109",
                          "unsupported_extension:110", "certificate_unobtainable:111", "unrecognized_name:112",
                          "bad_certificate_status_response:113", "bad_certificate_hash_value:114",
                          "unknown_psk_identity:115", "certificate_required:116", "no_application_protocol:120"};
        for (String n : names) {
            int c = n.indexOf(':');
            CODES.put(n.substring(0, c), Integer.parseInt(n.substring(c + 1)));
        }
    }

    private static final Pattern PREFIX = Pattern.compile("^\\(([a-z_]+)\\) (.*)$", Pattern.DOTALL);

    /** record fills the observation's alerts from |t| (the exception the handshake threw). */
    static void record(Throwable t, Observation obs) {
        String m = t.getMessage();
        if (m == null)
            return;
        Matcher x = PREFIX.matcher(m);
        if (!x.matches() || !CODES.containsKey(x.group(1)))
            return;
        int code = CODES.get(x.group(1));
        if (x.group(2).equals("Received fatal alert: " + x.group(1))) {
            if (obs.alertReceived < 0)
                obs.alertReceived = code;
        } else if (obs.alertSent < 0) {
            obs.alertSent = code;
        }
    }
}
