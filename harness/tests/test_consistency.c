/* Cross-case rules: divergences across servers and versions, each reported
 * once per case family with its smallest case. */
#include "check.h"
#include "consistency.h"

int main(void)
{
    cb_case_summary v[] = {
        {"s/a@100/x>c/1.2", "s", "a@100", "x", "c", "1.2", "full", "selected", 100},
        {"s/a@100/y>c/1.2", "s", "a@100", "y", "c", "1.2", "full", "selected", 100},
        {"s/a@200/x>c/1.2", "s", "a@200", "x", "c", "1.2", "full", "selected", 200},
        {"s/a@200/y>c/1.2", "s", "a@200", "y", "c", "1.2", "truncated", "sent-empty", 200},
        {"s/a@300/x>c/1.2", "s", "a@300", "x", "c", "1.2", "full", "selected", 300},
        {"s/a@300/y>c/1.2", "s", "a@300", "y", "c", "1.2", "truncated", "sent-empty", 300},
        {"s/a@100/x>c/1.3", "s", "a@100", "x", "c", "1.3", "full", "selected", 100},
        {"s/a@100/y>c/1.3", "s", "a@100", "y", "c", "1.3", "full", "selected", 100},
        {"s/a@200/x>c/1.3", "s", "a@200", "x", "c", "1.3", "refused", "not-asked", 200},
        {"s/a@200/y>c/1.3", "s", "a@200", "y", "c", "1.3", "refused", "not-asked", 200},
    };
    cb_divergence *d;
    size_t n;
    CHECK(cb_consistency_check(v, sizeof(v) / sizeof(v[0]), &d, &n) == 0);
    size_t xstack = 0, xver = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(d[i].rule, "XSTACK")) {
            xstack++;
            /* TLS 1.2: x and y differ from 200 on; the smallest is 200. */
            CHECK_EQ(d[i].smallest->list_bytes, 200);
            CHECK_STR(d[i].smallest->tls, "1.2");
            CHECK(strstr(d[i].detail, "y truncated") != NULL);
        } else {
            xver++;
            /* x: 1.2 full at 200, 1.3 refused; y too: one each, at 200. */
            CHECK_EQ(d[i].smallest->list_bytes, 200);
        }
    }
    CHECK_EQ(xstack, 1); /* 1.3 agrees everywhere */
    CHECK_EQ(xver, 2);
    free(d);
    /* No divergence when all agree. */
    CHECK(cb_consistency_check(v, 2, &d, &n) == 0);
    CHECK_EQ(n, 0);
    free(d);
    CHECK_DONE();
}
