/* The timeline on recorded relay logs: who closed or alerted first, what
 * reached whom, and the compact event list. Each log is what the relay
 * records for a real shape of failure. */
#include "check.h"
#include "record.h"
#include "timeline.h"

/* A direction of |n| records of |types|, each 2 bytes long (an alert's size). */
static void records(cb_record *r, const uint8_t *types, size_t n)
{
    for (size_t i = 0; i < n; i++)
        r[i] = (cb_record){types[i], 0x0303, 2, i * 7, NULL};
}

int main(void)
{
    /* The server sends hs, hs; the client sends hs then closes silently; the
     * relay passes the client's close on; the server then sends an alert. */
    cb_record srec[3], crec[1];
    records(srec, (const uint8_t[]){22, 22, 21}, 3);
    records(crec, (const uint8_t[]){22}, 1);
    cb_tl_alert salert[] = {{2, 2, 50, 1}};
    cb_tl_dir s = {srec, 3, salert, 1, 3}, c = {crec, 1, NULL, 0, 1};
    const cb_tl_dir *sent[2] = {&s, &c}, *got[2] = {&c, &s};
    cb_tl_io log1[] = {
        {CB_IO_READ, 0, 0, 14, 1.0},  /* server: two hs records */
        {CB_IO_WRITE, 1, 0, 14, 1.1}, /* to the client */
        {CB_IO_READ, 1, 0, 7, 2.0},   /* client: hs */
        {CB_IO_WRITE, 0, 0, 7, 2.1},
        {CB_IO_EOF, 1, 0, 0, 3.0},    /* client closes */
        {CB_IO_SHUT, 0, 0, 0, 3.1},   /* passed on to the server */
        {CB_IO_READ, 0, 14, 7, 4.0},  /* server: alert 50, a reaction */
        {CB_IO_WRITE, 1, 14, 7, 4.1},
        {CB_IO_EOF, 0, 0, 0, 5.0},
    };
    cb_tl_side side[2];
    cb_timeline_sides(log1, 9, sent, got, side);
    CHECK_EQ(side[1].closed, 4);
    CHECK_EQ(side[1].saw_peer, 7); /* the server's alert reached it after it closed */
    CHECK_EQ(cb_timeline_ending(&side[1]), CB_END_SILENT);
    CHECK_EQ(side[0].alert, 6);
    CHECK_EQ(side[0].alert_desc, 50);
    CHECK_EQ(side[0].saw_peer, 5);
    CHECK_EQ(cb_timeline_ending(&side[0]), CB_END_REACTED);

    /* The same alert sent before the client's close reached the server: the
     * server alerted, and the client, which closed after the alert reached
     * it, reacted. */
    cb_tl_io log2[] = {
        {CB_IO_READ, 0, 0, 14, 1.0}, {CB_IO_WRITE, 1, 0, 14, 1.1}, {CB_IO_READ, 1, 0, 7, 2.0},
        {CB_IO_WRITE, 0, 0, 7, 2.1}, {CB_IO_READ, 0, 14, 7, 2.5},  {CB_IO_WRITE, 1, 14, 7, 2.6},
        {CB_IO_EOF, 1, 0, 0, 3.0},   {CB_IO_SHUT, 0, 0, 0, 3.1},   {CB_IO_EOF, 0, 0, 0, 5.0},
    };
    cb_timeline_sides(log2, 9, sent, got, side);
    CHECK_EQ(cb_timeline_ending(&side[0]), CB_END_ALERTED);
    CHECK_EQ(cb_timeline_ending(&side[1]), CB_END_REACTED);

    /* Read from the client's socket in the same round as the server's alert,
     * but before the relay wrote that alert to it: the client did not see it. */
    cb_tl_io log3[] = {
        {CB_IO_READ, 0, 0, 14, 1.0}, {CB_IO_WRITE, 1, 0, 14, 1.1}, {CB_IO_READ, 0, 14, 7, 2.5},
        {CB_IO_EOF, 1, 0, 0, 2.5},   {CB_IO_WRITE, 1, 14, 7, 2.6}, {CB_IO_SHUT, 0, 0, 0, 2.7},
    };
    cb_timeline_sides(log3, 6, sent, got, side);
    CHECK_EQ(cb_timeline_ending(&side[1]), CB_END_SILENT);
    CHECK_EQ(cb_timeline_ending(&side[0]), CB_END_ALERTED);

    /* A client whose own records the harness could not open may have sent an
     * alert in them: not judged. */
    c.read_until = 0;
    cb_timeline_sides(log1, 9, sent, got, side);
    CHECK_EQ(cb_timeline_ending(&side[1]), CB_END_UNKNOWN);
    c.read_until = 1;
    /* ...nor one that closed after an unreadable server record reached it. */
    s.read_until = 0;
    cb_timeline_sides(log1, 9, sent, got, side);
    CHECK_EQ(cb_timeline_ending(&side[1]), CB_END_UNKNOWN);
    s.read_until = 3;

    /* close_notify is no failure alert: a side that sends only that and
     * closes first was silent. */
    salert[0].desc = 0;
    cb_tl_io log4[] = {{CB_IO_READ, 0, 0, 21, 1.0}, {CB_IO_EOF, 0, 0, 0, 1.5}, {CB_IO_WRITE, 1, 0, 21, 1.6}};
    cb_timeline_sides(log4, 3, sent, got, side);
    CHECK_EQ(side[0].close_notify, 0);
    CHECK_EQ(side[0].alert, CB_TL_NONE);
    CHECK_EQ(cb_timeline_ending(&side[0]), CB_END_SILENT);
    salert[0].desc = 50;

    /* The compact list: runs of like records, alerts with their form, FINs
     * where they came. */
    cb_tl_event ev[16];
    size_t n = cb_timeline_events(log1, 9, sent, ev, 16);
    CHECK_EQ(n, 5);
    CHECK_STR(ev[0].text, "S hs*2");
    CHECK_STR(ev[1].text, "C hs");
    CHECK_STR(ev[2].text, "C fin");
    CHECK_STR(ev[3].text, "S alert:50/plain");
    CHECK_STR(ev[4].text, "S fin");
    CHECK(ev[3].t_ms == 4.0);
    /* A short buffer ends with "...", never past its end. */
    n = cb_timeline_events(log1, 9, sent, ev, 3);
    CHECK_EQ(n, 3);
    CHECK_STR(ev[2].text, "...");
    CHECK_EQ(cb_timeline_io_of(log1, 9, 0, 0, 21), 6);
    CHECK_EQ(cb_timeline_io_of(log1, 9, 1, 1, 21), 7);
    CHECK_EQ(cb_timeline_io_of(log1, 9, 1, 1, 99), CB_TL_NONE);
    CHECK_DONE();
}
