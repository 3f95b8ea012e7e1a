/* Truncation models cut exactly where their policy says. */
#include "check.h"
#include "codec.h"
#include "model.h"

int main(void)
{
    /* 300 DNs of 98 bytes: 100 list bytes each, 30000 in all. */
    cb_calist l;
    cb_calist_init(&l);
    uint8_t dn[98] = {0x30, 96};
    for (int i = 0; i < 300; i++) {
        dn[2] = (uint8_t)i;
        cb_calist_push(&l, dn, sizeof(dn), NULL);
    }
    cb_model tmp;
    const cb_model *rfc = cb_model_find("rfc", &tmp);
    CHECK(rfc != NULL);
    cb_model_result r = cb_model_apply(rfc, &l, 0);
    CHECK_STR(cb_model_verdict_name(r.verdict), "full");
    CHECK_EQ(r.kept, 300);

    const cb_model *sc = cb_model_find("schannel-16k", &tmp);
    CHECK(sc != NULL);
    r = cb_model_apply(sc, &l, 0);
    CHECK_STR(cb_model_verdict_name(r.verdict), "truncated");
    CHECK_EQ(r.kept, 163); /* 163 * 100 = 16300 <= 16384 < 16400 */
    CHECK_EQ(r.list_bytes, 16300);

    /* fit-in-message 16384 with the codec's TLS 1.2 overhead. */
    cb_model fit;
    const cb_model *fm = cb_model_find("fit-in-message 16384", &fit);
    CHECK(fm != NULL);
    r = cb_model_apply(fm, &l, cb_cr12_overhead());
    CHECK_EQ(r.kept, (16384 - cb_cr12_overhead()) / 100);
    CHECK(r.list_bytes + cb_cr12_overhead() <= 16384);
    CHECK(r.list_bytes + 100 + cb_cr12_overhead() > 16384);
    /* A message cap smaller than one DN sends an empty list. */
    fm = cb_model_find("fit-in-message:50", &fit);
    r = cb_model_apply(fm, &l, cb_cr12_overhead());
    CHECK_STR(cb_model_verdict_name(r.verdict), "empty");
    CHECK_EQ(r.kept, 0);

    /* Past 65535 list bytes the RFC model refuses. */
    for (int i = 0; i < 400; i++) {
        dn[3] = (uint8_t)i;
        cb_calist_push(&l, dn, sizeof(dn), NULL);
    }
    CHECK_EQ(cb_calist_list_bytes(&l), 70000);
    r = cb_model_apply(rfc, &l, 0);
    CHECK_STR(cb_model_verdict_name(r.verdict), "refused");
    CHECK(cb_model_find("nonsense", &tmp) == NULL);
    CHECK(cb_model_find("fit-in-message x", &tmp) == NULL);
    cb_calist_free(&l);
    CHECK_DONE();
}
