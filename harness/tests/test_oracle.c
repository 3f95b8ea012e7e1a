/* The oracle on constructed observations: every verdict class and rule. */
#include "check.h"
#include "codec.h"
#include "oracle.h"

static cb_calist cfg, creds;

static void dn(cb_calist *l, uint8_t tag, const char *label)
{
    uint8_t d[15] = {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x02, 'a', tag};
    cb_calist_push(l, d, sizeof(d), label);
}

/* decode_prefix decodes the first |n| DNs of |from|, encoded properly. */
static void decode_list(const cb_calist *l, cb_decoded *d)
{
    cb_buf b;
    cb_buf_init(&b);
    cb_encode_vector(l, &b);
    cb_decode_vector(b.p, b.len, d);
    cb_buf_free(&b);
}

static cb_oracle_in base(const cb_decoded *wire)
{
    cb_oracle_in in = {0};
    in.configured = &cfg;
    in.wire_measured = 1;
    in.cr_present = 1;
    in.list_present = 1;
    in.wire_list = wire;
    in.client_got = &wire->dns;
    in.cr_reached_client = CB_YES;
    in.client_sent_cert_msg = CB_YES;
    in.sent_cert = 0;
    in.client_alert_sent = CB_NO;
    in.by_issuer = 1;
    in.cred_issuers = &creds;
    in.ending[0] = in.ending[1] = CB_END_UNKNOWN;
    in.alert_desc[0] = in.alert_desc[1] = -1;
    return in;
}

int main(void)
{
    cb_calist_init(&cfg);
    cb_calist_init(&creds);
    for (int i = 0; i < 5; i++)
        dn(&cfg, (uint8_t)('0' + i), NULL);
    dn(&creds, '0', NULL); /* credential 0's issuer is DN 0 */
    dn(&creds, '4', NULL); /* credential 1's issuer is DN 4, the last */
    cb_oracle_out o;

    cb_decoded full;
    decode_list(&cfg, &full);
    cb_oracle_in in = base(&full);
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "full");
    CHECK_STR(cb_client_verdict_name(o.client), "selected");
    CHECK_EQ(o.failed, 0);
    CHECK(o.checked[CB_SIDE_SERVER] & (1u << CB_RULE_PREFIX));
    CHECK(!(o.checked[CB_SIDE_CLIENT] & (1u << CB_RULE_PREFIX)));

    /* A whole-DN prefix: truncated, not a rule failure. */
    cb_calist pre;
    cb_calist_init(&pre);
    cb_calist_copy_prefix(&pre, &cfg, 3);
    cb_decoded trunc;
    decode_list(&pre, &trunc);
    in = base(&trunc);
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "truncated");
    CHECK_EQ(o.failed, 0);
    /* The client then sent credential 1 whose issuer was cut off: SEL-ISSUER. */
    in.sent_cert = 1;
    cb_oracle_judge(&in, &o);
    CHECK(o.failed & (1u << CB_RULE_SELECT));
    /* Sending nothing although credential 0's issuer was on it: SEL-ISSUER. */
    in.sent_cert = -1;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_client_verdict_name(o.client), "sent-empty");
    CHECK(o.failed & (1u << CB_RULE_SELECT));

    /* Empty and omitted and refused. */
    cb_calist none;
    cb_calist_init(&none);
    cb_decoded empty;
    decode_list(&none, &empty);
    in = base(&empty);
    in.sent_cert = -1;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "empty");
    CHECK_EQ(o.failed, 0);
    in.list_present = 0;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "omitted");
    in.cr_present = 0;
    in.cr_reached_client = CB_NO;
    in.server_failed = 1;
    in.client_failed = 1;
    in.ending[0] = CB_END_ALERTED;
    in.ending[1] = CB_END_REACTED;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "refused");
    CHECK_STR(cb_client_verdict_name(o.client), "not-asked");
    CHECK_EQ(o.failed, 0);
    /* Bytes that stop being TLS records (a wrapped record length) are malformed. */
    in.broken_at = 501;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "malformed");
    CHECK(strstr(o.server_detail, "byte 500") != NULL);
    CHECK(o.failed & (1u << CB_RULE_PREFIX));
    in.broken_at = 0;
    /* A CertificateRequest whose bytes stop part-way (then an alert) is a
     * cut message, not a refusal: malformed, CA-PREFIX. */
    in.cr_cut_declared = 65578;
    in.cr_cut_have = 40;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "malformed");
    CHECK(strstr(o.server_detail, "40 of its 65578 bytes") != NULL);
    CHECK(o.failed & (1u << CB_RULE_PREFIX));
    in.cr_cut_declared = in.cr_cut_have = 0;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "refused");
    /* ...and silence on failure breaks ALERT-ON-FAIL, about the side that
     * was silent first; the side that reacted to its close is not blamed. */
    in.ending[0] = CB_END_SILENT;
    cb_oracle_judge(&in, &o);
    CHECK(o.failed & (1u << CB_RULE_ALERT));
    CHECK_EQ(o.n_hits, 1);
    CHECK_EQ(o.hits[0].side, CB_SIDE_SERVER);
    in.ending[0] = CB_END_REACTED;
    in.ending[1] = CB_END_SILENT;
    cb_oracle_judge(&in, &o);
    CHECK(o.failed & (1u << CB_RULE_ALERT));
    CHECK_EQ(o.n_hits, 1);
    CHECK_EQ(o.hits[0].side, CB_SIDE_CLIENT);
    CHECK(strstr(o.hits[0].why, "client's handshake failed") != NULL);
    CHECK(o.checked[CB_SIDE_SERVER] & (1u << CB_RULE_ALERT));
    /* A side whose shim faulted is not judged; an unknown ending is not guessed. */
    in.fault[1] = 1;
    cb_oracle_judge(&in, &o);
    CHECK(!(o.failed & (1u << CB_RULE_ALERT)));
    in.fault[1] = 0;
    in.ending[1] = CB_END_UNKNOWN;
    cb_oracle_judge(&in, &o);
    CHECK(!(o.failed & (1u << CB_RULE_ALERT)));
    CHECK(!(o.checked[CB_SIDE_CLIENT] & (1u << CB_RULE_ALERT)));
    /* TLS 1.3: a plaintext alert with keys in hand, about its sender. */
    in.tls13 = 1;
    in.alert_desc[0] = 50;
    in.plain_alert_after_keys[0] = 1;
    cb_oracle_judge(&in, &o);
    CHECK(o.failed & (1u << CB_RULE_ALERT_PROTECTED));
    CHECK_EQ(o.hits[0].side, CB_SIDE_SERVER);
    CHECK(strstr(o.hits[0].why, "alert 50 as a plaintext record") != NULL);
    in.plain_alert_after_keys[0] = 0;
    cb_oracle_judge(&in, &o);
    CHECK(!(o.failed & (1u << CB_RULE_ALERT_PROTECTED)));
    CHECK(o.checked[CB_SIDE_SERVER] & (1u << CB_RULE_ALERT_PROTECTED));
    in.tls13 = 0;

    /* Malformed: reordered, altered, a DN cut, a record over 2^14. */
    cb_calist rev;
    cb_calist_init(&rev);
    for (int i = 4; i >= 0; i--)
        cb_calist_push(&rev, cfg.dns[i].der, cfg.dns[i].len, NULL);
    cb_decoded reordered;
    decode_list(&rev, &reordered);
    in = base(&reordered);
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "malformed");
    CHECK(strncmp(o.server_detail, "reordered", 9) == 0);
    CHECK(o.failed & (1u << CB_RULE_PREFIX));
    cb_calist alt;
    cb_calist_init(&alt);
    dn(&alt, 'x', NULL);
    cb_decoded altered;
    decode_list(&alt, &altered);
    in = base(&altered);
    cb_oracle_judge(&in, &o);
    CHECK(strncmp(o.server_detail, "altered", 7) == 0);
    cb_buf b;
    cb_buf_init(&b);
    cb_encode_vector(&cfg, &b);
    cb_decoded cut;
    cb_decode_vector(b.p, b.len - 4, &cut);
    in = base(&cut);
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "malformed");
    CHECK(strncmp(o.server_detail, "dn-cut", 6) == 0);
    in = base(&full);
    in.oversize_plain = 1;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "malformed");
    CHECK(o.failed & (1u << CB_RULE_RECORD_SIZE));

    /* Unmeasured wire: the verdict says so and no rule is guessed. */
    in = base(&full);
    in.wire_measured = 0;
    in.cr_reached_client = CB_UNKNOWN;
    in.client_sent_cert_msg = CB_UNKNOWN;
    in.sent_cert = -2;
    in.client_got = NULL;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_server_verdict_name(o.server), "unmeasured");
    CHECK_STR(cb_client_verdict_name(o.client), "unmeasured");
    CHECK_EQ(o.failed, 0);

    /* Client rejected the request; aborted after answering it. */
    in = base(&full);
    in.client_sent_cert_msg = CB_NO;
    in.client_failed = 1;
    in.sent_cert = -2;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_client_verdict_name(o.client), "rejected");
    in = base(&full);
    in.client_failed = 1;
    in.client_alert_sent = CB_YES;
    cb_oracle_judge(&in, &o);
    CHECK_STR(cb_client_verdict_name(o.client), "aborted");

    /* API-WIRE: what the API exposed differs from what arrived. */
    in = base(&full);
    in.api_exposed = 1;
    in.api_list = &pre;
    cb_oracle_judge(&in, &o);
    CHECK(o.failed & (1u << CB_RULE_API_WIRE));
    CHECK_EQ(o.hits[0].side, CB_SIDE_CLIENT);
    /* On a malformed list, against the reference the harness names. */
    in.api_reference = "the 5 whole DNs the length fields delimit";
    cb_oracle_judge(&in, &o);
    CHECK(strstr(o.why[CB_RULE_API_WIRE], "reference: the 5 whole DNs") != NULL);
    in.api_reference = NULL;
    /* An API that delivered nothing (its callback never ran) is not compared. */
    in.api_exposed = 0;
    cb_oracle_judge(&in, &o);
    CHECK(!(o.checked[CB_SIDE_CLIENT] & (1u << CB_RULE_API_WIRE)));
    in.api_exposed = 1;
    in.api_list = &cfg;
    cb_oracle_judge(&in, &o);
    CHECK(!(o.failed & (1u << CB_RULE_API_WIRE)));

    CHECK_EQ(cb_rule_parse("SEL-ISSUER"), CB_RULE_SELECT);
    CHECK_EQ(cb_server_verdict_parse("truncated"), CB_SV_TRUNCATED);
    CHECK_EQ(cb_client_verdict_parse("rejected"), CB_CV_REJECTED);
    cb_decoded_free(&full);
    cb_decoded_free(&trunc);
    cb_decoded_free(&empty);
    cb_decoded_free(&reordered);
    cb_decoded_free(&altered);
    cb_decoded_free(&cut);
    cb_buf_free(&b);
    cb_calist_free(&pre);
    cb_calist_free(&none);
    cb_calist_free(&rev);
    cb_calist_free(&alt);
    cb_calist_free(&cfg);
    cb_calist_free(&creds);
    CHECK_DONE();
}
