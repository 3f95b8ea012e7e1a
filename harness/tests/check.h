/* check.h — the assertions of cabound's unit tests. Each test binary ends
 * with CHECK_DONE(), which prints "N passed, N failed" and exits 1 on any
 * failure, or 77 (CTest's SKIP_RETURN_CODE) when no assertion ran, because a
 * test that asserted nothing proved nothing. */
#ifndef CABOUND_CHECK_H
#define CABOUND_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            check_passed++;                                                          \
        } else {                                                                     \
            check_failed++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_EQ(a, b)                                                                      \
    do {                                                                                    \
        unsigned long long check_a_ = (unsigned long long)(a), check_b_ = (unsigned long long)(b); \
        if (check_a_ == check_b_) {                                                         \
            check_passed++;                                                                 \
        } else {                                                                            \
            check_failed++;                                                                 \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %llu, %s == %llu\n", __FILE__,   \
                    __LINE__, #a, check_a_, #b, check_b_);                                  \
        }                                                                                   \
    } while (0)

#define CHECK_STR(a, b)                                                                     \
    do {                                                                                    \
        const char *check_a_ = (a), *check_b_ = (b);                                        \
        if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {                      \
            check_passed++;                                                                 \
        } else {                                                                            \
            check_failed++;                                                                 \
            fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
                    check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");        \
        }                                                                                   \
    } while (0)

#define CHECK_DONE()                                                              \
    do {                                                                          \
        printf("%d passed, %d failed\n", check_passed, check_failed);             \
        if (check_failed)                                                         \
            return 1;                                                             \
        return check_passed ? 0 : 77;                                             \
    } while (0)

#endif
