/* The list file format: round trip and errors that name the line. */
#include <unistd.h>

#include "check.h"
#include "listfile.h"

static int parse(const char *text, char *err, size_t errlen, size_t *count)
{
    cb_calist l;
    cb_calist_init(&l);
    int rc = cb_listfile_parse("t.calist", text, strlen(text), &l, err, errlen);
    *count = l.count;
    cb_calist_free(&l);
    return rc;
}

int main(void)
{
    char err[256];
    size_t n;
    CHECK(parse("cabound-list 1\n# c\n\ndn 3000\ndn 3000 real:client0\ndn\n", err, sizeof(err), &n) == 0);
    CHECK_EQ(n, 3);
    CHECK(parse("cabound-list 2\n", err, sizeof(err), &n) == -1);
    CHECK_STR(err, "t.calist:1: expected header \"cabound-list 1\"");
    CHECK(parse("cabound-list 1\ndn 300\n", err, sizeof(err), &n) == -1);
    CHECK_STR(err, "t.calist:2: odd number of hex digits (3)");
    CHECK(parse("cabound-list 1\ndn 30zz\n", err, sizeof(err), &n) == -1);
    CHECK(strstr(err, "t.calist:2:") == err);
    CHECK(parse("cabound-list 1\n\nfoo bar\n", err, sizeof(err), &n) == -1);
    CHECK(strstr(err, "t.calist:3: unknown line") == err);
    CHECK(parse("cabound-list 1\ndn 3000 bad/label\n", err, sizeof(err), &n) == -1);
    CHECK(parse("", err, sizeof(err), &n) == -1);
    CHECK(parse("cabound-list 1\ndn 3000 a b\n", err, sizeof(err), &n) == -1);

    cb_calist l, back;
    cb_calist_init(&l);
    cb_calist_init(&back);
    uint8_t dn[3] = {0x30, 1, 0};
    cb_calist_push(&l, dn, 3, "x:1");
    cb_calist_push(&l, dn, 0, NULL);
    char path[] = "/tmp/cabound-listfile-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CHECK(cb_listfile_write(path, &l, "two lines\nof comment", err, sizeof(err)) == 0);
    CHECK(cb_listfile_read(path, &back, err, sizeof(err)) == 0);
    CHECK_EQ(back.count, 2);
    CHECK(cb_dn_equal(&l.dns[0], &back.dns[0]) && cb_dn_equal(&l.dns[1], &back.dns[1]));
    CHECK_STR(back.dns[0].label, "x:1");
    unlink(path);
    CHECK(cb_listfile_read(path, &back, err, sizeof(err)) == -1);
    CHECK(strstr(err, path) == err);
    cb_calist_free(&l);
    cb_calist_free(&back);
    CHECK_DONE();
}
