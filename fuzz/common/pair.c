#include "pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz.h"
#include "oracle.h"
#include "record.h"

int fz_verify_peers;

void fz_pair_result_init(fz_pair_result *r)
{
    memset(r, 0, sizeof(*r));
    cb_calist_init(&r->configured);
    cb_calist_init(&r->got);
}

void fz_pair_result_free(fz_pair_result *r)
{
    cb_calist_free(&r->configured);
    cb_calist_free(&r->got);
    cb_buf_free(&r->s2c);
}

size_t fz_io_pending(const fz_io *io) { return io->in.len - io->in_off; }

size_t fz_io_read(fz_io *io, uint8_t *p, size_t max)
{
    size_t n = fz_io_pending(io) < max ? fz_io_pending(io) : max;
    if (n)
        memcpy(p, io->in.p + io->in_off, n);
    io->in_off += n;
    if (io->in_off == io->in.len)
        io->in.len = io->in_off = 0;
    return n;
}

void fz_io_write(fz_io *io, const uint8_t *p, size_t len)
{
    if (cb_buf_put(&io->out, p, len) != 0)
        fz_oom("fz_io_write");
}

void fz_pair_drive(const fz_pair_conf *c, fz_pair_result *r, fz_step_fn server, void *sside, fz_io *sio,
                   fz_step_fn client, void *cside, fz_io *cio)
{
    enum fz_step s_rc = FZ_STEP_WANT, c_rc = FZ_STEP_WANT;
    int idle = 0;
    for (r->rounds = 0; r->rounds < 200; r->rounds++) {
        size_t moved = 0;
        if (c_rc == FZ_STEP_WANT) {
            /* Input a side consumed is progress too (GnuTLS takes one
             * record per call in non-blocking mode). */
            moved += fz_io_pending(cio);
            c_rc = client(cside);
            moved -= fz_io_pending(cio);
            r->client_failed = c_rc == FZ_STEP_FAIL;
            moved += cio->out.len;
            cb_buf_put(&sio->in, cio->out.p, cio->out.len);
            cio->out.len = 0;
            if (!c->complete && (r->cr_seen || c_rc != FZ_STEP_WANT))
                return; /* the client answered the CertificateRequest, or it is over */
        }
        if (s_rc == FZ_STEP_WANT) {
            moved += fz_io_pending(sio);
            s_rc = server(sside);
            moved -= fz_io_pending(sio);
            r->server_failed = s_rc == FZ_STEP_FAIL;
            moved += sio->out.len;
            cb_buf_put(&r->s2c, sio->out.p, sio->out.len);
            if (!c->rewrite)
                cb_buf_put(&cio->in, sio->out.p, sio->out.len);
            else if (cb_rewriter_feed(c->rewrite, sio->out.p, sio->out.len, &cio->in) != 0)
                fz_oom("rewriter");
            sio->out.len = 0;
        }
        if (sio->in.oom || cio->in.oom || r->s2c.oom)
            fz_oom("fz_pair_drive");
        if (c->complete && s_rc != FZ_STEP_WANT && c_rc != FZ_STEP_WANT)
            return;
        /* Two rounds without a byte moving or consumed: nobody can go on. */
        idle = moved ? 0 : idle + 1;
        if (idle == 2 || (s_rc != FZ_STEP_WANT && !fz_io_pending(cio) && moved == 0))
            return;
    }
    FZ_CHECK(0, "NO-HANG", "%s: the handshake was still moving after %d rounds", fz_stack, r->rounds);
}

void fz_pair_trace(const fz_pair_conf *c, const fz_pair_result *r)
{
    static int on = -1;
    if (on < 0)
        on = getenv("CABOUND_FUZZ_TRACE") != NULL;
    const char *dump = getenv("CABOUND_FUZZ_DUMP");
    FILE *f = dump ? fopen(dump, "wb") : NULL;
    if (f) { /* the server's bytes, for a look with `cabound decode` or tshark */
        fwrite(r->s2c.p, 1, r->s2c.len, f);
        fclose(f);
    }
    if (!on)
        return;
    fprintf(stderr,
            "trace %s tls1.%d source %d: %zu DNs configured, server %s, client %s, %zu server bytes, "
            "rounds %d, cert callback %d, exposed %d (%zu DNs, %zu list bytes)%s%s\n",
            fz_stack, c->tls13 ? 3 : 2, (int)c->source, r->configured.count, r->server_failed ? "failed" : "ok",
            r->client_failed ? "failed" : "ok", r->s2c.len, r->rounds, r->cr_seen, r->exposed, r->got.count,
            cb_calist_list_bytes(&r->got), r->why[0] ? ": " : "", r->why);
}

int fz_check_server(const fz_pair_result *r, cb_calist *wire)
{
    cb_stream s;
    cb_stream_init(&s);
    if (cb_stream_feed(&s, r->s2c.p, r->s2c.len) != 0)
        fz_oom("fz_check_server");
    const cb_hs_msg *cr = NULL;
    for (size_t i = 0; i < s.hs.count && !cr; i++)
        if (s.hs.msgs[i].type == CB_HS_CERTIFICATE_REQUEST)
            cr = &s.hs.msgs[i];
    FZ_RULE(s.oversize_plain == 0, fz_stack, "REC-2E14", "oversize", "%zu plaintext record(s) over 2^14 (largest %zu)",
            s.oversize_plain, s.max_record);
    int cls = -1;
    /* Bytes that stop being TLS records: a record length written modulo
     * 2^16 makes the rest of the flight unparsable. */
    FZ_RULE(s.stop != CB_STREAM_NOT_TLS, fz_stack, "CA-PREFIX", "not-tls",
            "the server's bytes stop being TLS records at offset %zu of %zu (largest record %zu)", s.bytes - 5,
            r->s2c.len, s.max_record);
    if (!cr) {
        int partial = s.hs.pending_len > 0 && s.hs.pending[0] == CB_HS_CERTIFICATE_REQUEST;
        FZ_RULE(!(partial && r->server_failed), fz_stack, "REFUSAL", "partial",
                "the server stopped after %zu bytes of a CertificateRequest", s.hs.pending_len);
        cb_stream_free(&s);
        return -1;
    }
    cb_cr_info info;
    if (cb_parse_cr(cr->body, cr->len, 0, &info) != 0)
        fz_oom("fz_check_server");
    FZ_RULE(info.structure_ok, fz_stack, "CA-PREFIX", "unparsable", "a %zu-byte CertificateRequest that does not parse",
            cr->len);
    if (info.structure_ok) {
        cb_oracle_in in;
        cb_oracle_out out;
        memset(&in, 0, sizeof(in));
        in.configured = &r->configured;
        in.wire_measured = in.cr_present = in.list_present = 1;
        in.wire_list = &info.list;
        in.oversize_plain = s.oversize_plain;
        in.server_failed = r->server_failed;
        in.cr_reached_client = in.client_sent_cert_msg = in.client_alert_sent = CB_UNKNOWN;
        in.ending[0] = in.ending[1] = CB_END_UNKNOWN;
        in.alert_desc[0] = in.alert_desc[1] = -1;
        in.sent_cert = -2;
        cb_oracle_judge(&in, &out);
        /* The detail: the wire class when the encoding is malformed, else
         * "reordered" or "altered" (the oracle's first word). */
        char detail[48];
        if (info.list.cls != CB_CLASS_WELL_FORMED && info.list.cls != CB_CLASS_EMPTY)
            snprintf(detail, sizeof(detail), "%s", cb_class_name(info.list.cls));
        else
            snprintf(detail, sizeof(detail), "%.*s", (int)strcspn(out.server_detail, ":"), out.server_detail);
        FZ_RULE(!(out.failed & (1u << CB_RULE_PREFIX)), fz_stack, "CA-PREFIX", detail,
                "%zu DNs (%zu list bytes) configured; on the wire: %s, %s", r->configured.count,
                cb_calist_list_bytes(&r->configured), cb_server_verdict_name(out.server), out.server_detail);
        cls = (int)info.list.cls;
        if (wire && cb_calist_copy_prefix(wire, &info.list.dns, info.list.dns.count) != 0)
            fz_oom("fz_check_server");
    }
    cb_cr_info_free(&info);
    cb_stream_free(&s);
    return cls;
}

void fz_check_api(const fz_pair_result *r, const cb_calist *sent, int cls, const char *what)
{
    if (!r->exposed || (cls != CB_CLASS_WELL_FORMED && cls != CB_CLASS_EMPTY))
        return;
    if (r->exposed_bytes)
        FZ_RULE(cb_calist_equal(&r->got, sent), fz_stack, "API-WIRE", "bytes",
                "%s: the client API exposed %zu DNs (%zu list bytes) for %zu sent (%zu list bytes)", what,
                r->got.count, cb_calist_list_bytes(&r->got), sent->count, cb_calist_list_bytes(sent));
    else
        FZ_RULE(r->got.count == sent->count, fz_stack, "API-WIRE", "count",
                "%s: the client API exposed %zu DNs for %zu sent", what, r->got.count, sent->count);
}
