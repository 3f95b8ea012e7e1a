/* DN builder: exact sizes over the whole range, valid DER, deterministic. */
#include "check.h"
#include "der.h"
#include "dn.h"

static unsigned char buf[70000], buf2[70000];

int main(void)
{
    CHECK(cb_dn_build(buf, 2, 1, 0) == 0 && buf[0] == 0x30 && buf[1] == 0);
    for (size_t len = 3; len < CB_DN_MIN_WITH_ATTR; len++)
        CHECK(cb_dn_build(buf, len, 1, 0) == -1);
    CHECK(cb_dn_build(buf, 65536, 1, 0) == -1);
    /* Every size up to 3000 and the length-encoding thresholds above it. */
    size_t bad = 0;
    for (size_t len = CB_DN_MIN_WITH_ATTR; len <= 3000; len++)
        if (cb_dn_possible(len) && (cb_dn_build(buf, len, 7, len) != 0 || !cb_der_name_valid(buf, len)))
            bad++;
    CHECK_EQ(bad, 0);
    /* 130 and 259 are no DER element's size. */
    CHECK(!cb_dn_possible(130) && !cb_dn_possible(259) && cb_dn_possible(131));
    CHECK(cb_dn_build(buf, 130, 1, 0) == -1);
    static const size_t big[] = {16383, 16384, 16385, 32768, 65000, 65531, 65532, 65534, 65535};
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        CHECK(cb_dn_build(buf, big[i], 3, i) == 0);
        CHECK(cb_der_name_valid(buf, big[i]));
    }
    /* Same (seed, index): same bytes; another index: other bytes. */
    CHECK(cb_dn_build(buf, 120, 42, 5) == 0 && cb_dn_build(buf2, 120, 42, 5) == 0);
    CHECK(memcmp(buf, buf2, 120) == 0);
    CHECK(cb_dn_build(buf2, 120, 42, 6) == 0);
    CHECK(memcmp(buf, buf2, 120) != 0);
    CHECK(cb_dn_build(buf2, 120, 43, 5) == 0);
    CHECK(memcmp(buf, buf2, 120) != 0);
    /* A realistic size carries C, O, OU and CN: four RDN SETs. */
    CHECK(cb_dn_build(buf, 100, 1, 1) == 0);
    size_t sets = 0;
    for (size_t off = 2; off < 100;) {
        CHECK(buf[off] == 0x31);
        sets++;
        off += 2 + buf[off + 1];
    }
    CHECK_EQ(sets, 4);
    /* Not-DER detection: a cut Name, a SET that is empty, a long-form length
     * that is not minimal. */
    CHECK(!cb_der_name_valid(buf, 99));
    static const unsigned char empty_set[] = {0x30, 0x02, 0x31, 0x00};
    CHECK(!cb_der_name_valid(empty_set, sizeof(empty_set)));
    static const unsigned char long_form[] = {0x30, 0x81, 0x00};
    CHECK(!cb_der_name_valid(long_form, sizeof(long_form)));
    static const unsigned char printable[] = {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06,
                                              0x03, 0x55, 0x04, 0x03, 0x13, 0x02, 'a', 'b'};
    CHECK(cb_der_name_valid(printable, sizeof(printable)));
    CHECK_DONE();
}
