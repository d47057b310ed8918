/* SPDX-License-Identifier: MIT */
/* Spurious retransmission timeouts, as Linux finds and undoes them: F-RTO (RFC 5682 3.1,
 * with 3.2's SACK) sends new data after the first ACK instead of repeating old data, and an
 * ACK of data never sent again shows the originals were only late; an ACK that echoes a
 * timestamp older than the first retransmission shows it at once (RFC 3522). A loss that
 * was real continues as the conventional go-back-N recovery. */
#include <string.h>
#include "harness.h"

#define MSS 1000u
#define PEER_ISS 7000u
#define SEGS 10u

struct fr {
    struct th h;
    int fd;
    uint32_t una;      /* our first data byte */
    uint32_t seg;      /* bytes per segment: the MSS less the timestamps option */
    uint32_t tsval[2]; /* TSval of the first data segment as first sent, and as resent */
    bool ts;
};

/* A passive open (MSS 1000, SACK and timestamps as asked), 20 segments queued of which the
 * initial window of 10 leaves; tail loss probes off so that the timeout comes first. */
static void fr_start(struct fr *f, bool sack, bool ts, bool frto)
{
    memset(f, 0, sizeof *f);
    struct synack_config cfg;
    th_config(&cfg);
    cfg.initial_cwnd_segments = SEGS;
    cfg.timestamps = ts;
    cfg.tail_loss_probe = false;
    cfg.frto = frto;
    th_init(&f->h, &cfg);
    f->ts = ts;
    f->seg = MSS - (ts ? 12 : 0);
    int l = th_listen(&f->h, 4);
    th_inject(&f->h, &(struct th_seg){.flags = SYNACK_SYN,
                                      .seq = PEER_ISS,
                                      .win = 65535,
                                      .mss = (int)MSS,
                                      .wscale = 5,
                                      .sack_permitted = sack,
                                      .has_ts = ts,
                                      .ts_val = 100});
    struct th_out sa = {0};
    assert_true(th_take(&f->h, &sa));
    f->una = sa.seq + 1;
    th_advance(&f->h, SYNACK_MS(10));
    th_inject(&f->h, &(struct th_seg){.flags = SYNACK_ACK,
                                      .seq = PEER_ISS + 1,
                                      .ack = f->una,
                                      .win = 32768,
                                      .has_ts = ts,
                                      .ts_val = 110,
                                      .ts_ecr = sa.ts_val});
    f->fd = synack_accept(f->h.stack, l, NULL);
    assert_true(f->fd >= 0);
    static uint8_t data[2 * SEGS * MSS];
    assert_int_equal(synack_send(f->h.stack, f->fd, data, sizeof data), (ssize_t)sizeof data);
    th_poll(&f->h);
    struct th_out o;
    for (uint32_t i = 0; i < SEGS; i++) {
        assert_true(th_take(&f->h, &o));
        assert_int_equal(o.seq, f->una + i * f->seg);
        assert_int_equal(o.len, f->seg);
        if (i == 0) f->tsval[0] = o.ts_val;
    }
    th_expect_none(&f->h);
}

/* The timeout: segment 1 goes again, alone (RFC 6298 5.4, cwnd one segment). */
static void fr_timeout(struct fr *f)
{
    struct th_out o;
    th_run_next(&f->h, SYNACK_SEC(10));
    assert_true(th_take(&f->h, &o));
    assert_int_equal(o.seq, f->una);
    assert_int_equal(o.len, f->seg);
    f->tsval[1] = o.ts_val;
    th_expect_none(&f->h);
    th_advance(&f->h, SYNACK_MS(5));
}

static void fr_open(struct fr *f, bool sack, bool ts, bool frto)
{
    fr_start(f, sack, ts, frto);
    fr_timeout(f);
}

/* The peer acknowledges up to segment k (1-based: ack = una + k seg), echoing `ecr`, and
 * SACKs [s0, s1) of the segments if s1 > s0. */
static void fr_ack(struct fr *f, uint32_t k, uint32_t ecr, uint32_t s0, uint32_t s1)
{
    struct th_seg a = {.flags = SYNACK_ACK,
                       .seq = PEER_ISS + 1,
                       .ack = f->una + k * f->seg,
                       .win = 32768,
                       .has_ts = f->ts,
                       .ts_val = 200,
                       .ts_ecr = ecr};
    if (s1 > s0) {
        a.sack_count = 1;
        a.sack[0][0] = f->una + s0 * f->seg;
        a.sack[0][1] = f->una + s1 * f->seg;
    }
    th_inject(&f->h, &a);
}

static struct synack_conn_info fr_info(struct fr *f)
{
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(f->h.stack, f->fd, &info), 0);
    return info;
}

static uint64_t spurious(struct fr *f)
{
    return synack_stack_counter(f->h.stack, SYNACK_CTR_TCP_SPURIOUS_RTO);
}

/* The next segment out is segment k + 1: [una + k seg, + seg). */
static void fr_expect_segment(struct fr *f, uint32_t k)
{
    struct th_out o;
    assert_true(th_take(&f->h, &o));
    assert_int_equal(o.seq, f->una + k * f->seg);
    assert_int_equal(o.len, f->seg);
}

/* RFC 5682 3.1: the first ACK moves SND.UNA past the retransmission only: two new segments
 * (11 and 12) instead of segment 2 again; the next ACK acknowledges segment 2, which was
 * never resent: the timeout was spurious. The window before it comes back (10 segments, no
 * reduced ssthresh) and nothing of what was sent goes again. With SACK and without. */
static void frto_undoes_a_spurious_timeout(void **state)
{
    (void)state;
    for (int sack = 0; sack <= 1; sack++) {
        struct fr f;
        fr_open(&f, sack, false, true);
        assert_int_equal(fr_info(&f).ca_state, 4); /* Linux TCP_CA_Loss */
        assert_int_equal(fr_info(&f).retrans, 1);  /* Linux retrans_out: segment 1 again */
        fr_ack(&f, 1, 0, 0, 0);
        assert_int_equal(fr_info(&f).retrans, 0);
        fr_expect_segment(&f, SEGS);
        fr_expect_segment(&f, SEGS + 1);
        th_expect_none(&f.h);
        assert_int_equal(fr_info(&f).ca_state, 4);
        assert_int_equal(spurious(&f), 0);
        fr_ack(&f, 2, 0, 0, 0);
        struct synack_conn_info info = fr_info(&f);
        assert_int_equal(spurious(&f), 1);
        assert_int_equal(info.ca_state, 0);
        assert_int_equal(info.cwnd, SEGS * MSS);
        assert_true(info.ssthresh > 1000 * MSS); /* back to "arbitrarily high" */
        th_expect_none(&f.h);                    /* 10 in flight (3 .. 12) fill the window */
        /* Segment 3 is acknowledged: new segments (two: slow start again) and no repeat. */
        fr_ack(&f, 3, 0, 0, 0);
        fr_expect_segment(&f, SEGS + 2);
        fr_expect_segment(&f, SEGS + 3);
        th_expect_none(&f.h);
        if (sack) {
            /* RFC 5682 3.1 step 3.b: the recovery point is SND.UNA again, so a loss in the
             * flight the timeout thought lost starts a fast recovery at once: segment 4
             * missing, 5 .. 7 SACKed (three segments: RFC 6675 IsLost). */
            fr_ack(&f, 3, 0, 4, 7);
            fr_expect_segment(&f, 3);
            assert_int_equal(fr_info(&f).ca_state, 3);
        }
        th_free(&f.h);
    }
}

/* Segments 1 and 2 lost, 3 .. 10 SACKed: recovery resends 1, lost again; two timeouts
 * (F-RTO is on for a repeated timeout), the scoreboard cleared by each. The ACK of segment 1
 * re-reports 3 .. 10: nothing new arrived that was never sent again (Linux keeps the SACK
 * marks and sets FLAG_ORIG_SACK_ACKED only for new ones), so the timeouts stand. */
static void resacked_blocks_are_no_verdict(void **state)
{
    (void)state;
    struct fr f;
    fr_start(&f, true, false, true);
    fr_ack(&f, 0, 0, 2, SEGS);
    struct th_out o;
    while (th_take(&f.h, &o)) {
    } /* recovery's retransmissions: lost */
    for (int rto = 0; rto < 2; rto++) {
        th_run_next(&f.h, SYNACK_SEC(30));
        while (th_take(&f.h, &o)) {
        }
    }
    th_advance(&f.h, SYNACK_MS(5));
    fr_ack(&f, 1, 0, 2, SEGS);
    assert_int_equal(spurious(&f), 0);
    assert_int_equal(fr_info(&f).ca_state, 4);
    th_free(&f.h);
}

/* RFC 5682 3.1 step 3.a: after F-RTO's new data, a duplicate ACK (SACKing segment 11) shows
 * the loss was real: the conventional recovery repeats segments 2 and 3 (cwnd 2) and the
 * reduced window stays (CUBIC: ssthresh 0.7 of 10 segments). */
static void frto_real_loss_goes_back(void **state)
{
    (void)state;
    struct fr f;
    fr_open(&f, true, false, true);
    fr_ack(&f, 1, 0, 0, 0);
    fr_expect_segment(&f, SEGS);
    fr_expect_segment(&f, SEGS + 1);
    th_expect_none(&f.h);
    fr_ack(&f, 1, 0, SEGS, SEGS + 1);
    th_poll(&f.h);
    fr_expect_segment(&f, 1);
    fr_expect_segment(&f, 2);
    th_expect_none(&f.h);
    struct synack_conn_info info = fr_info(&f);
    assert_int_equal(spurious(&f), 0);
    assert_int_equal(info.ca_state, 4);
    assert_int_equal(info.ssthresh, 7 * MSS);
    /* F-RTO has given its verdict: an ACK reaching segment 4, never resent, undoes nothing
     * now. */
    fr_ack(&f, 4, 0, SEGS, SEGS + 1);
    assert_int_equal(spurious(&f), 0);
    assert_int_equal(fr_info(&f).ca_state, 4);
    assert_int_equal(fr_info(&f).ssthresh, 7 * MSS);
    th_free(&f.h);
}

/* RFC 3522 (Linux tcp_packet_delayed): the first ACK echoes the TSval segment 1 carried when
 * first sent, older than its retransmission's: the original arrived, the timeout is undone
 * at once, and the window lets one new segment go (9 in flight of 10). An ACK echoing the
 * retransmission's TSval undoes nothing and F-RTO goes on (two new segments). */
static void timestamps_undo_a_spurious_timeout(void **state)
{
    (void)state;
    for (int echo_rtx = 0; echo_rtx <= 1; echo_rtx++) {
        struct fr f;
        fr_open(&f, true, true, true);
        assert_true(f.tsval[1] != f.tsval[0]);
        fr_ack(&f, 1, f.tsval[echo_rtx], 0, 0);
        fr_expect_segment(&f, SEGS);
        if (echo_rtx) {
            fr_expect_segment(&f, SEGS + 1);
            assert_int_equal(spurious(&f), 0);
            assert_int_equal(fr_info(&f).ca_state, 4);
        } else {
            assert_int_equal(spurious(&f), 1);
            assert_int_equal(fr_info(&f).ca_state, 0);
            assert_int_equal(fr_info(&f).cwnd, SEGS * f.seg);
        }
        th_expect_none(&f.h);
        th_free(&f.h);
    }
}

/* With F-RTO off (Linux tcp_frto=0) the first ACK after the timeout repeats segments 2 and
 * 3: the conventional go-back-N, never a spurious-timeout verdict without timestamps. */
static void frto_off_goes_back_at_once(void **state)
{
    (void)state;
    struct fr f;
    fr_open(&f, true, false, false);
    fr_ack(&f, 1, 0, 0, 0);
    fr_expect_segment(&f, 1);
    fr_expect_segment(&f, 2);
    th_expect_none(&f.h);
    fr_ack(&f, 3, 0, 0, 0);
    assert_int_equal(spurious(&f), 0);
    assert_int_equal(fr_info(&f).ca_state, 4);
    th_free(&f.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frto_undoes_a_spurious_timeout),
        cmocka_unit_test(frto_real_loss_goes_back),
        cmocka_unit_test(resacked_blocks_are_no_verdict),
        cmocka_unit_test(timestamps_undo_a_spurious_timeout),
        cmocka_unit_test(frto_off_goes_back_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
