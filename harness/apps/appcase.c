/* appcase.c — see appcase.h. */
#include "appcase.h"

#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "relay.h"

/* cut_flight looks at the end of the server's TLS bytes: a program that
 * stops sending part-way through its flight (a fixed-size buffer between
 * the TLS library and the transport) leaves an unfinished record or
 * handshake message. When that message is the CertificateRequest, the
 * case's server verdict is "malformed" (a message cut on the wire), as the
 * judge also finds (oracle.c); here the detail says where the program's TLS
 * bytes stopped, which the proxy, not the relay, saw. */
static void cut_flight(const cb_buf *s2c, json_t *line)
{
    cb_stream s;
    cb_stream_init(&s);
    cb_stream_feed(&s, s2c->p, s2c->len);
    int type = -1;
    size_t have = 0, want = 0;
    if (s.hs.pending_len > 0) {
        type = s.hs.pending[0];
        have = s.hs.pending_len;
        want = s.hs.pending_len >= 4 ? 4 + cb_get_u24(s.hs.pending + 1) : 0;
    }
    if (s.hdr_have == 5 && s.hdr[0] == CB_CT_HANDSHAKE && s.cur_have > 0 && type < 0) {
        type = s.cur[0];
        have = s.cur_have;
        want = s.cur_have >= 4 ? 4 + cb_get_u24(s.cur + 1) : 0;
    }
    size_t rec_want = s.hdr_have == 5 ? cb_get_u16(s.hdr + 3) : 0;
    json_t *app = json_object_get(line, "app");
    if (app) {
        json_object_set_new(app, "server_tls_bytes", json_integer((json_int_t)s2c->len));
        json_object_set_new(app, "server_unfinished_record",
                            s.hdr_have == 5 ? json_pack("{s:I,s:I}", "declared", (json_int_t)rec_want, "received",
                                                        (json_int_t)s.cur_have)
                                            : json_null());
    }
    if (type == 13 && !json_is_integer(json_object_get(line, "cr_message_bytes"))) {
        char why[300];
        snprintf(why, sizeof(why),
                 "the server's TLS bytes stop after %zu: its CertificateRequest (%zu bytes with its header) was cut "
                 "after %zu",
                 s2c->len, want, have);
        json_object_set_new(line, "server_verdict", json_string("malformed"));
        json_object_set_new(line, "server_detail", json_string(why));
    }
    cb_stream_free(&s);
}

void cb_appcase_files_get(cb_case_work *k, cb_appcase_files *f)
{
    const char *sreq, *creq;
    cb_case_requests(k, &sreq, &creq);
    f->sreq = json_loads(sreq, 0, NULL);
    f->creq = json_loads(creq, 0, NULL);
    f->cert = json_string_value(json_object_get(f->sreq, "cert"));
    f->key = json_string_value(json_object_get(f->sreq, "key"));
    f->ca_file = json_string_value(json_object_get(f->sreq, "calist_pem"));
    f->trust = json_string_value(json_object_get(f->creq, "trust"));
    json_t *cred = json_array_get(json_object_get(f->creq, "client_creds"), 0);
    f->ccert = json_string_value(json_object_get(cred, "cert"));
    f->ckey = json_string_value(json_object_get(cred, "key"));
}

void cb_appcase_files_free(cb_appcase_files *f)
{
    json_decref(f->sreq);
    json_decref(f->creq);
    memset(f, 0, sizeof(*f));
}

static char *observation(const cb_app_side *s, const char *role, const char *case_id)
{
    json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "contract", 1, "case", case_id, "stack", s->stack,
                          "version", s->version ? s->version : "", "library", s->library ? s->library : "", "role",
                          role, "tls", "1.2", "status", "observed", "alerts_exposed", 0);
    json_object_set_new(o, "handshake", json_string(s->handshake_ok ? "ok" : "failed"));
    json_object_set_new(o, "error", s->error && s->error[0] ? json_pack("{s:i,s:s}", "code", 0, "text", s->error) : json_null());
    json_object_set_new(o, "alert_sent", json_null());
    json_object_set_new(o, "alert_received", json_null());
    if (strcmp(role, "client") == 0) {
        json_object_set_new(o, "received", json_pack("{s:b}", "exposed", 0));
        json_object_set_new(o, "sent_cert", json_null());
        json_object_set_new(o, "select", json_string("native"));
    } else {
        json_object_set_new(o, "peer_cert", json_null());
        json_object_set_new(o, "calist_source", json_string("trust-store"));
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

int cb_appcase_judge(cb_runner *r, cb_case_work *k, cb_buf *s2c, cb_buf *c2s, const cb_app_side *server,
                     const cb_app_side *client, double elapsed_ms, json_t **line, char *err, size_t errlen)
{
    const char *sreq, *creq;
    cb_case_requests(k, &sreq, &creq);
    json_t *req = json_loads(sreq, 0, NULL);
    const char *id = req ? json_string_value(json_object_get(req, "case")) : NULL;
    cb_relay_result rr;
    memset(&rr, 0, sizeof(rr));
    rr.s2c = *s2c;
    rr.c2s = *c2s;
    memset(s2c, 0, sizeof(*s2c));
    memset(c2s, 0, sizeof(*c2s));
    cb_buf_init(&rr.s2c_fwd);
    cb_buf_put(&rr.s2c_fwd, rr.s2c.p, rr.s2c.len);
    rr.server_reply = observation(server, "server", id ? id : "");
    rr.client_reply = observation(client, "client", id ? id : "");
    rr.elapsed_ms = elapsed_ms;
    json_decref(req);
    if (rr.s2c_fwd.oom || !rr.server_reply || !rr.client_reply) {
        cb_relay_result_free(&rr);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cb_buf keep;
    cb_buf_init(&keep);
    cb_buf_put(&keep, rr.s2c.p, rr.s2c.len);
    cb_case_take_exchange(k, &rr);
    int rc = cb_case_judge(r, k, line, err, errlen);
    if (rc == 0) {
        json_object_set_new(*line, "app", json_object());
        cut_flight(&keep, *line);
    }
    cb_buf_free(&keep);
    return rc;
}
