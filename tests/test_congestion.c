/* SPDX-License-Identifier: MIT */
/* Congestion control: CUBIC against RFC 9438's own numbers (K, the curve, fast convergence,
 * the Reno-friendly rate), NewReno's halving, and Proportional Rate Reduction (RFC 6937) in
 * SACK recovery segment by segment, with each algorithm; TCP_CONGESTION per socket. */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "tcp/cc.h"
#include "tcp/hystart.h"

#define MSS 1000u

/* A bare control block in congestion avoidance after a loss at `cwnd` bytes. */
static void after_loss(struct sk_engine *eng, struct sk_tcb *tcb, const struct sk_cc_algo *a,
                       uint32_t cwnd)
{
    memset(eng, 0, sizeof *eng);
    memset(tcb, 0, sizeof *tcb);
    tcb->snd_mss = MSS;
    a->init(tcb);
    tcb->cwnd = cwnd;
    tcb->ssthresh = a->on_loss(eng, tcb);
    tcb->cwnd = tcb->ssthresh;
}

/* RFC 9438 4.6: ssthresh = 0.7 cwnd; 4.2: K = cbrt(W_max (1 - beta) / C) = cbrt(75) s for
 * W_max = 100 segments; the window is W_cubic(t + RTT): back at W_max at K, and at 2K
 * W_max + C K^3 = 130 segments (132 with the 100 ms RTT ahead). ACKs come as a 100 ms
 * round trip clocks them: a hundredth of the window each millisecond. */
static void cubic_curve_rfc_numbers(void **state)
{
    (void)state;
    struct sk_engine eng;
    struct sk_tcb tcb;
    after_loss(&eng, &tcb, &sk_cc_cubic, 100 * MSS);
    assert_int_equal(tcb.ssthresh, 70 * MSS);
    tcb.rtt.has_sample = true;
    tcb.rtt.srtt = SYNACK_MS(100);
    eng.now = SYNACK_SEC(10);
    sk_cc_cubic.grow(&eng, &tcb, MSS);             /* the epoch starts */
    assert_int_equal(tcb.cubic.k_us / 1000, 4217); /* cbrt(75) = 4.2172 s */
    assert_int_equal(tcb.cubic.origin, 100 * MSS);
    synack_time_t start = eng.now, k = (synack_time_t)tcb.cubic.k_us * 1000;
    while (eng.now < start + k) {
        eng.now += SYNACK_MS(1);
        sk_cc_cubic.grow(&eng, &tcb, tcb.cwnd / 100);
    }
    assert_true(tcb.cwnd >= 99 * MSS && tcb.cwnd <= 101 * MSS);
    assert_true(tcb.cubic.w_est < tcb.cwnd); /* the curve, not the Reno estimate, leads */
    while (eng.now < start + 2 * k) {
        eng.now += SYNACK_MS(1);
        sk_cc_cubic.grow(&eng, &tcb, tcb.cwnd / 100);
    }
    assert_true(tcb.cwnd >= 128 * MSS && tcb.cwnd <= 133 * MSS);
}

/* RFC 9438 4.7: a loss below the last W_max remembers W_max = cwnd (1 + beta) / 2. */
static void cubic_fast_convergence(void **state)
{
    (void)state;
    struct sk_engine eng;
    struct sk_tcb tcb;
    after_loss(&eng, &tcb, &sk_cc_cubic, 100 * MSS);
    assert_int_equal(tcb.cubic.w_max, 100 * MSS);
    tcb.cwnd = 80 * MSS;
    assert_int_equal(sk_cc_cubic.on_loss(&eng, &tcb), 56 * MSS);
    assert_int_equal(tcb.cubic.w_max, 68 * MSS);
    /* A floor of two segments (Linux). */
    tcb.cwnd = 2 * MSS;
    assert_int_equal(sk_cc_cubic.on_loss(&eng, &tcb), 2 * MSS);
}

/* RFC 9438 4.3: with a short round trip the Reno-friendly estimate, growing by
 * alpha = 3 (1 - beta) / (1 + beta) = 0.53 segments per window acknowledged, leads. */
static void cubic_reno_friendly_region(void **state)
{
    (void)state;
    struct sk_engine eng;
    struct sk_tcb tcb;
    after_loss(&eng, &tcb, &sk_cc_cubic, 10 * MSS);
    assert_int_equal(tcb.cwnd, 7 * MSS);
    eng.now = SYNACK_SEC(10);
    int rtts = 0;
    while (tcb.cubic.w_est + 600 < tcb.cubic.cwnd_prior) { /* no round trip crosses it */
        uint32_t before = tcb.cwnd, acks = before / MSS;
        eng.now += SYNACK_MS(1);
        for (uint32_t i = 0; i < acks; i++)
            sk_cc_cubic.grow(&eng, &tcb, MSS);
        uint32_t grew = tcb.cwnd - before;
        assert_true(grew >= 440 && grew <= 540); /* 0.53 segments, less as cwnd grows */
        assert_true(++rtts < 10);
    }
    assert_true(rtts >= 5); /* 3 segments at about 0.5 a round trip */
    /* Past the window before the loss, alpha is 1: Reno's segment per round trip. */
    for (int i = 0; i < 2; i++) {
        uint32_t acks = tcb.cwnd / MSS;
        eng.now += SYNACK_MS(1);
        for (uint32_t j = 0; j < acks; j++)
            sk_cc_cubic.grow(&eng, &tcb, MSS);
    }
    assert_true(tcb.cubic.w_est >= tcb.cubic.cwnd_prior);
    uint32_t before = tcb.cwnd, acks = before / MSS;
    eng.now += SYNACK_MS(1);
    for (uint32_t i = 0; i < acks; i++)
        sk_cc_cubic.grow(&eng, &tcb, MSS);
    assert_true(tcb.cwnd - before >= 900 && tcb.cwnd - before <= 1010);
}

/* RFC 5681 3.1: ssthresh = max(FlightSize / 2, 2 SMSS); one segment per round trip after. */
static void newreno_halves_the_flight(void **state)
{
    (void)state;
    struct sk_engine eng;
    struct sk_tcb tcb;
    memset(&eng, 0, sizeof eng);
    memset(&tcb, 0, sizeof tcb);
    tcb.snd_mss = MSS;
    tcb.snd_una = 1000;
    tcb.snd_nxt = 1000 + 30 * MSS;
    tcb.cwnd = 40 * MSS;
    assert_int_equal(sk_cc_newreno.on_loss(&eng, &tcb), 15 * MSS);
    tcb.snd_nxt = 1000 + MSS;
    assert_int_equal(sk_cc_newreno.on_loss(&eng, &tcb), 2 * MSS);
    tcb.cwnd = tcb.ssthresh = 10 * MSS;
    for (int i = 0; i < 10; i++)
        sk_cc_newreno.grow(&eng, &tcb, MSS);
    assert_true(tcb.cwnd >= 10 * MSS + 950 && tcb.cwnd <= 11 * MSS);
}

/* Slow start as Linux: cwnd grows by all that an ACK acknowledges (a stretch ACK of two
 * segments: two), up to ssthresh, the rest going to congestion avoidance; and only while
 * the window limits sending: below twice the largest recent flight (RFC 7661's concern,
 * Linux tcp_is_cwnd_limited). */
static void slow_start_counts_bytes_while_cwnd_limited(void **state)
{
    (void)state;
    struct sk_engine eng;
    memset(&eng, 0, sizeof eng);
    eng.cfg.initial_cwnd_segments = 10;
    struct sk_tcb tcb;
    memset(&tcb, 0, sizeof tcb);
    tcb.snd_mss = MSS;
    tcb.cc_algo = SYNACK_CC_NEWRENO;
    sk_cc_init(&eng, &tcb);
    tcb.snd_una = tcb.snd_nxt = tcb.snd_max = 1;
    /* Ten segments out: the flight fills the window. */
    tcb.snd_nxt = tcb.snd_max = 1 + 10 * MSS;
    sk_cc_validate(&tcb, true);
    tcb.snd_una += 2 * MSS;
    sk_cc_on_ack(&eng, &tcb, 2 * MSS);
    assert_int_equal(tcb.cwnd, 12 * MSS);
    /* Up to ssthresh; the rest is congestion avoidance (MSS * MSS / cwnd). */
    tcb.ssthresh = 13 * MSS;
    tcb.snd_una += 2 * MSS;
    sk_cc_on_ack(&eng, &tcb, 2 * MSS);
    assert_int_equal(tcb.cwnd, 13 * MSS + MSS * MSS / (13 * MSS));
    /* An application-limited flow: 10 segments in flight at most, cwnd 20: no growth. */
    tcb.ssthresh = 100 * MSS;
    tcb.cwnd = 20 * MSS;
    tcb.snd_una = 1 + 10 * MSS; /* the last window is acknowledged: a new one is measured */
    tcb.snd_nxt = tcb.snd_max = tcb.snd_una + 4 * MSS;
    sk_cc_validate(&tcb, false);
    assert_int_equal(tcb.max_flight, 4 * MSS);
    tcb.snd_una += MSS;
    sk_cc_on_ack(&eng, &tcb, MSS);
    assert_int_equal(tcb.cwnd, 20 * MSS);
}

/* One round of HyStart++ (RFC 9406): `samples` RTT samples of rtt_us, then the ACK that
 * ends the round (all sent acknowledged), cwnd grown by one segment per ACK. */
static void hystart_round(struct sk_tcb *tcb, uint32_t rtt_us, unsigned samples)
{
    for (unsigned i = 0; i < samples; i++) {
        sk_hystart_ack(tcb, tcb->snd_una + MSS, rtt_us);
        tcb->snd_una += MSS;
        sk_hystart_slow_start(tcb, MSS);
    }
    /* The rest of the round is acknowledged without samples; the next round is sent. */
    sk_hystart_ack(tcb, tcb->snd_nxt - 1, UINT32_MAX);
    tcb->snd_una = tcb->snd_nxt;
    tcb->snd_nxt += tcb->cwnd;
}

/* RFC 9406 4.2: slow start until a round's minimum RTT exceeds the last round's by
 * RttThresh = clamp(lastRoundMinRTT / 8, 4 ms, 16 ms) with at least N_RTT_SAMPLE (8)
 * samples; then conservative slow start, a quarter as fast, which the RTT falling back
 * below its baseline ends; after CSS_ROUNDS (5) rounds, congestion avoidance (ssthresh =
 * cwnd). */
static void hystart_plus_plus(void **state)
{
    (void)state;
    struct sk_tcb tcb;
    memset(&tcb, 0, sizeof tcb);
    tcb.snd_mss = MSS;
    tcb.cwnd = 10 * MSS;
    tcb.ssthresh = UINT32_MAX / 4;
    tcb.snd_una = 1;
    tcb.snd_nxt = 1 + 10 * MSS;
    sk_hystart_reset(&tcb);
    hystart_round(&tcb, 100000, 8); /* 100 ms: the first round, the baseline */
    hystart_round(&tcb, 100000, 8);
    assert_false(tcb.hystart.in_css);
    assert_int_equal(tcb.cwnd, 26 * MSS); /* slow start: one segment per segment ACKed */
    hystart_round(&tcb, 112400, 8);       /* +12.4 ms: below 100 / 8 = 12.5 ms */
    assert_false(tcb.hystart.in_css);
    hystart_round(&tcb, 125000, 7); /* +12.6 ms over 112.4, but only 7 samples */
    assert_false(tcb.hystart.in_css);
    hystart_round(&tcb, 150000, 8); /* +25 ms over 125: into CSS */
    assert_true(tcb.hystart.in_css);
    uint32_t cwnd = tcb.cwnd;
    hystart_round(&tcb, 150000, 8); /* CSS: a quarter segment per segment ACKed */
    assert_int_equal(tcb.cwnd, cwnd + 2 * MSS);
    assert_true(tcb.hystart.in_css);
    /* The RTT falls back below the baseline: the increase was spurious; slow start. */
    hystart_round(&tcb, 140000, 8);
    assert_false(tcb.hystart.in_css);
    hystart_round(&tcb, 140000, 8);
    hystart_round(&tcb, 170000, 8); /* into CSS again */
    assert_true(tcb.hystart.in_css);
    for (int i = 0; i < 5; i++) /* CSS_ROUNDS rounds later, congestion avoidance */
        hystart_round(&tcb, 170000, 8);
    assert_false(tcb.hystart.in_css);
    assert_int_equal(tcb.ssthresh, tcb.cwnd);
}

static void set_cc(void *ctx, int side, struct synack_config *cfg)
{
    (void)side;
    cfg->congestion = *(const enum synack_congestion *)ctx;
}

/* Goodput of 8 MiB in virtual time through `path` with the algorithm, Mbit/s. */
static double goodput(enum synack_congestion cc, const struct synack_sim_path *path)
{
    struct th_pair w;
    th_pair_init(&w, 3, path, set_cc, &cc);
    const uint32_t total = 8u << 20;
    synack_time_t t0 = synack_sim_now(w.sim);
    assert_true(th_pair_bulk(&w, total, SYNACK_SEC(3600)));
    double secs = (double)(synack_sim_now(w.sim) - t0) / 1e9;
    th_pair_free(&w);
    return (double)total * 8 / secs / 1e6;
}

/* Whole transfers keep the windows honest (a window that stopped growing in congestion
 * avoidance once went unnoticed by every other test): with 1% random loss and a 20 ms
 * round trip, Mathis et al. give MSS / RTT * sqrt(3/2) / sqrt(p) = 7.2 Mbit/s for Reno;
 * NewReno must reach half of it and CUBIC more than NewReno. Virtual time: deterministic. */
static void goodput_under_loss(void **state)
{
    (void)state;
    struct synack_sim_path p = {.delay = SYNACK_MS(10), .loss = 0.01};
    double reno = goodput(SYNACK_CC_NEWRENO, &p), cubic = goodput(SYNACK_CC_CUBIC, &p);
    print_message("1%% loss, 20 ms: reno %.1f Mbit/s, cubic %.1f Mbit/s\n", reno, cubic);
    assert_true(reno > 3.6);
    assert_true(cubic > reno);
    /* A 100 Mbit/s bottleneck with a 100-packet queue. */
    struct synack_sim_path b = {.delay = SYNACK_MS(20), .rate_bps = 100000000, .queue_limit = 100};
    double cb = goodput(SYNACK_CC_CUBIC, &b), rb = goodput(SYNACK_CC_NEWRENO, &b);
    print_message("100 Mbit/s bottleneck: cubic %.1f, reno %.1f Mbit/s\n", cb, rb);
    /* 8 MiB is 17 round trips: slow start's overshoot weighs. */
    assert_true(cb > 20);
    assert_true(rb > 20);
}

#define PEER_ISS 5000u
#define SEGS 20u

/* A passive open with SACK and MSS 1000, a window of 1 MiB, then 40 segments queued: 20
 * leave at once (initial window 20). */
static int open_with_sack_salted(struct th *h, enum synack_congestion cc, uint32_t *iss,
                                 uint8_t salt);

static int open_with_sack(struct th *h, enum synack_congestion cc, uint32_t *iss)
{
    return open_with_sack_salted(h, cc, iss, 0);
}

/* The same with the secret's last byte changed by salt (another ISN). */
static int open_with_sack_salted(struct th *h, enum synack_congestion cc, uint32_t *iss,
                                 uint8_t salt)
{
    struct synack_config cfg;
    th_config(&cfg);
    cfg.secret[15] ^= salt;
    cfg.initial_cwnd_segments = SEGS;
    cfg.timestamps = false;
    cfg.congestion = cc;
    th_init(h, &cfg);
    int l = th_listen(h, 4);
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN,
                                  .seq = PEER_ISS,
                                  .win = 65535,
                                  .mss = (int)MSS,
                                  .wscale = 5,
                                  .sack_permitted = true});
    struct th_out sa = {0};
    assert_true(th_take(h, &sa));
    *iss = sa.seq;
    th_advance(h, SYNACK_MS(10)); /* a 10 ms path: RACK's reordering window is 2.5 ms */
    th_inject(h, &(struct th_seg){
                     .flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = sa.seq + 1, .win = 32768});
    int fd = synack_accept(h->stack, l, NULL);
    assert_true(fd >= 0);
    static uint8_t data[2 * SEGS * MSS];
    assert_int_equal(synack_send(h->stack, fd, data, sizeof data), (ssize_t)sizeof data);
    th_poll(h);
    struct th_out o;
    for (uint32_t i = 0; i < SEGS; i++) {
        assert_true(th_take(h, &o));
        assert_int_equal(o.seq, *iss + 1 + i * MSS);
        assert_int_equal(o.len, MSS);
    }
    th_expect_none(h);
    return fd;
}

/* The peer holds everything but segment 1 and SACKs 2 .. k. */
static void sack_dupack(struct th *h, uint32_t una, uint32_t k)
{
    th_inject(h, &(struct th_seg){.flags = SYNACK_ACK,
                                  .seq = PEER_ISS + 1,
                                  .ack = una,
                                  .win = 32768,
                                  .sack_count = 1,
                                  .sack = {{una + MSS, una + k * MSS}}});
}

/* Segment 1 of 20 is lost; the peer SACKs 2, 3, ... 20 one ACK at a time. The first two
 * duplicate ACKs each let one new segment go (RFC 3042 limited transmit; Linux counts the
 * SACKed segments out of its pipe). RFC 6937: on entering recovery (third duplicate ACK)
 * only the retransmission goes; after that, while the pipe is above ssthresh, what is sent
 * keeps to ssthresh / RecoverFS of what is delivered (ceil(prr_delivered * ssthresh /
 * RecoverFS) - prr_out), and at the end cwnd is ssthresh: 14 segments for CUBIC (0.7 of
 * cwnd 20), 11 for NewReno (half the flight of 22). */
static void prr_in_sack_recovery(enum synack_congestion cc, uint32_t ssthresh)
{
    struct th h;
    uint32_t iss;
    int fd = open_with_sack(&h, cc, &iss);
    uint32_t una = iss + 1, rtx = 0, fresh = 0, prr_delivered = 0, ss = ssthresh / MSS;
    const uint32_t limited = 2, fs = (SEGS + limited) * MSS; /* RecoverFS */
    struct th_out o;
    for (uint32_t k = 2; k <= SEGS; k++) {
        sack_dupack(&h, una, k);
        /* Segments presumed in flight before this ACK's sends (RFC 6675 pipe): all sent,
         * less the k - 1 SACKed, less the lost one unless it went again. */
        uint32_t pipe_before = SEGS + fresh - (k - 1) - (rtx ? 0 : 1);
        while (th_take(&h, &o)) {
            if (o.len == 0) continue;
            if (o.seq == una) {
                rtx++;
            } else {
                assert_int_equal(o.seq, una + (SEGS + fresh) * MSS); /* new data, in order */
                fresh++;
            }
        }
        if (k < 4) { /* not yet three duplicate ACKs: one new segment each */
            assert_int_equal(rtx, 0);
            assert_int_equal(fresh, k - 1);
            continue;
        }
        if (k == 4) { /* entering recovery: only the fast retransmission */
            assert_int_equal(rtx, 1);
            assert_int_equal(fresh, limited);
        }
        assert_int_equal(rtx, 1);
        prr_delivered += MSS;
        uint32_t pipe_after = SEGS + fresh - (k - 1);
        uint32_t prr_out = rtx + fresh - limited;
        if (pipe_before > ss) {
            /* PRR proper: sndcnt = ceil(prr_delivered * ssthresh / RecoverFS) - prr_out,
             * sent in whole segments (the first ACK always lets the retransmission go). */
            uint64_t due = ((uint64_t)prr_delivered * ssthresh + fs - 1) / fs;
            uint64_t whole = due / MSS; /* what PRR lets go, no more and no less */
            assert_int_equal(prr_out, whole > 1 ? whole : 1);
        }
        /* PRR-SSRB: past the forced retransmission, the pipe only grows back up to
         * ssthresh. */
        if (k > 4 && pipe_before <= ss) assert_true(pipe_after <= ss);
    }
    /* By the end the pipe is back at ssthresh. */
    assert_int_equal(SEGS + fresh - (SEGS - 1), ss);
    /* The retransmission arrives: everything up to what was sent is acknowledged. */
    struct synack_conn_info info;
    uint32_t high = una + (SEGS + fresh) * MSS;
    th_inject(
        &h, &(struct th_seg){.flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = high, .win = 32768});
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.ssthresh, ssthresh);
    assert_true(info.cwnd >= ssthresh); /* RFC 6937: cwnd = ssthresh, then it grows */
    th_free(&h);
}

/* An ACK from the peer holding segments una + 8, 10 and 12 .. (n of those blocks). */
static void sack_blocks(struct th *h, uint32_t una, uint32_t ack, unsigned n)
{
    struct th_seg a = {.flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = ack, .win = 32768};
    a.sack_count = n;
    for (unsigned j = 0; j < n; j++) {
        a.sack[j][0] = una + (8 + 2 * j) * MSS;
        a.sack[j][1] = una + (9 + 2 * j) * MSS;
    }
    th_inject(h, &a);
}

static unsigned segments_out(struct th *h)
{
    unsigned n = 0;
    struct th_out o;
    while (th_take(h, &o))
        n += o.len > 0;
    return n;
}

/* Linux tcp_cwnd_reduction (since 5.11): with the pipe below ssthresh, PRR sends what was
 * delivered (the conservative bound, PRR-CRB), one segment more only when the ACK moves
 * SND.UNA without a new loss (PRR-SSRB), and nothing for an ACK that delivers nothing.
 * Here segments 0-7 are lost, and by RACK (RFC 8985, no reordering window once three
 * segments are SACKed) 9 and 11 too, sent before the SACKed 12: on the third SACK the pipe
 * is 9 against ssthresh 14 and one segment was delivered, so one retransmission goes (SSRB
 * would send two); the ACK of that retransmission moves SND.UNA and lets two go; a repeated
 * ACK, none. */
static void prr_conservative_with(uint8_t salt, uint32_t *iss_seen)
{
    struct th h;
    uint32_t iss;
    int fd = open_with_sack_salted(&h, SYNACK_CC_CUBIC, &iss, salt);
    *iss_seen = iss;
    uint32_t una = iss + 1;
    sack_blocks(&h, una, una, 1);
    assert_int_equal(segments_out(&h), 1); /* limited transmit (RFC 3042) */
    sack_blocks(&h, una, una, 2);
    assert_int_equal(segments_out(&h), 1);
    sack_blocks(&h, una, una, 3);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(segments_out(&h), 1); /* the fast retransmission alone */
    assert_int_equal(info.ca_state, 3);
    assert_int_equal(info.lost, 10);
    sack_blocks(&h, una, una + MSS, 3);
    assert_int_equal(segments_out(&h), 2);
    sack_blocks(&h, una, una + MSS, 3);
    assert_int_equal(segments_out(&h), 0);
    th_free(&h);
}

/* The same whatever the ISN: HighRxt and RACK's loss edge start at SND.UNA, not 0, which
 * reads as ahead of an ISN of 2^31 or more (RFC 1982 comparisons); with it the pipe counted
 * everything as retransmitted and recovery began at twice ssthresh. The ISNs here must
 * include some in the upper half for the test to mean anything. */
static void prr_conservative_unless_snd_una_moves(void **state)
{
    (void)state;
    unsigned upper = 0;
    for (unsigned salt = 0; salt < 8; salt++) {
        uint32_t iss;
        prr_conservative_with((uint8_t)salt, &iss);
        upper += iss >= 0x80000000u;
    }
    assert_true(upper >= 1 && upper <= 7);
}

/* RACK (RFC 8985 6.2): a segment sent before a SACKed one is lost only once the reordering
 * window (a quarter of the 10 ms minimum RTT) has passed; if its ACK comes first nothing
 * goes again. When it does not, the reordering timer sends it at the window's end (6.3). */
static void rack_waits_a_reordering_window(void **state)
{
    (void)state;
    for (int late = 0; late < 2; late++) {
        struct th h;
        uint32_t iss;
        int fd = open_with_sack(&h, SYNACK_CC_CUBIC, &iss);
        uint32_t una = iss + 1;
        sack_dupack(&h, una, 2);               /* segment 2 SACKed, 1 missing */
        assert_int_equal(segments_out(&h), 1); /* limited transmit, no retransmission */
        th_advance(&h, SYNACK_US(2400));
        struct th_out o;
        bool resent = false;
        while (th_take(&h, &o))
            resent |= o.len > 0 && o.seq == una;
        assert_false(resent);
        if (!late) {
            /* Segment 1 arrives: reordering, not loss. */
            th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                           .seq = PEER_ISS + 1,
                                           .ack = una + 2 * MSS,
                                           .win = 32768});
            th_advance(&h, SYNACK_MS(5));
            while (th_take(&h, &o))
                resent |= o.len > 0 && o.seq == una;
            assert_false(resent);
            struct synack_conn_info info;
            assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
            assert_int_equal(info.retransmissions, 0);
        } else {
            th_advance(&h, SYNACK_US(200)); /* 2.6 ms after it was SACKed: lost */
            while (th_take(&h, &o))
                resent |= o.len > 0 && o.seq == una;
            assert_true(resent);
        }
        th_free(&h);
    }
}

/* Linux tcp_check_sack_reordering: a segment SACKed after one 7 segments above it (and
 * never sent again) came late: the peer reorders by 7 (tcpi_reordering, 3 before), and RACK
 * keeps its reordering window from then on. */
static void sack_below_the_highest_measures_reordering(void **state)
{
    (void)state;
    struct th h;
    uint32_t iss;
    int fd = open_with_sack(&h, SYNACK_CC_CUBIC, &iss);
    uint32_t una = iss + 1;
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.reordering, 3);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = una,
                                   .win = 32768,
                                   .sack_count = 1,
                                   .sack = {{una + 8 * MSS, una + 9 * MSS}}});
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_ACK,
                      .seq = PEER_ISS + 1,
                      .ack = una,
                      .win = 32768,
                      .sack_count = 2,
                      .sack = {{una + 1 * MSS, una + 3 * MSS}, {una + 8 * MSS, una + 9 * MSS}}});
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.reordering, 8); /* from segment 1 up to the end of segment 8 */
    th_free(&h);
}

/* RFC 2883: the peer reports the retransmitted segment twice (a D-SACK below the
 * cumulative ACK): the original was not lost but late, and the reduction is undone, cwnd
 * and ssthresh restored, as Linux's tcp_try_undo_dsack; without the D-SACK it stays. */
static void dsack_undoes_a_spurious_recovery(bool dsack)
{
    struct th h;
    uint32_t iss;
    int fd = open_with_sack(&h, SYNACK_CC_CUBIC, &iss);
    uint32_t una = iss + 1;
    struct th_out o;
    for (uint32_t k = 2; k <= 4; k++) /* three duplicate ACKs: recovery, segment 1 again */
        sack_dupack(&h, una, k);
    bool resent = false;
    while (th_take(&h, &o))
        resent |= o.len > 0 && o.seq == una;
    assert_true(resent);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.ssthresh, 14 * MSS);
    /* As Linux's tcp_info counts it: recovery, 22 segments out (20 and two by limited
     * transmit), 3 SACKed, segment 1 lost and retransmitted. */
    assert_int_equal(info.ca_state, 3);
    assert_int_equal(info.unacked, SEGS + 2);
    assert_int_equal(info.sacked, 3);
    assert_int_equal(info.lost, 1);
    assert_int_equal(info.retrans, 1);
    assert_int_equal(info.advmss, 1460);
    /* Everything sent is acknowledged; the D-SACK names segment 1. */
    struct th_seg ack = {
        .flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = una + (SEGS + 2) * MSS, .win = 32768};
    if (dsack) {
        ack.sack_count = 1;
        ack.sack[0][0] = una;
        ack.sack[0][1] = una + MSS;
    }
    th_inject(&h, &ack);
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    if (dsack) {
        assert_true(info.ssthresh > 1000 * MSS); /* back to "arbitrarily high" */
        assert_true(info.cwnd >= SEGS * MSS);
        assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_SPURIOUS_UNDO), 1);
    } else {
        assert_int_equal(info.ssthresh, 14 * MSS);
        assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_SPURIOUS_UNDO), 0);
    }
    th_free(&h);
}

static void dsack_undo(void **state)
{
    (void)state;
    dsack_undoes_a_spurious_recovery(true);
    dsack_undoes_a_spurious_recovery(false);
}

static void prr_cubic(void **state)
{
    (void)state;
    prr_in_sack_recovery(SYNACK_CC_CUBIC, 14 * MSS);
}

static void prr_newreno(void **state)
{
    (void)state;
    prr_in_sack_recovery(SYNACK_CC_NEWRENO, 11 * MSS);
}

/* TCP_CONGESTION: per socket, Linux's names, inherited by accept(). */
static void congestion_socket_option(void **state)
{
    (void)state;
    assert_int_equal(synack_congestion_by_name("cubic"), SYNACK_CC_CUBIC);
    assert_int_equal(synack_congestion_by_name("reno"), SYNACK_CC_NEWRENO);
    assert_int_equal(synack_congestion_by_name("newreno"), SYNACK_CC_NEWRENO);
    assert_int_equal(synack_congestion_by_name("bbr"), -1);
    assert_string_equal(synack_congestion_name(SYNACK_CC_CUBIC), "cubic");
    assert_null(synack_congestion_name(SYNACK_CC_COUNT));
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack), v = -1;
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_TCP_CONGESTION, &v), 0);
    assert_int_equal(v, SYNACK_CC_CUBIC); /* the default, as Linux */
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_CONGESTION, SYNACK_CC_NEWRENO), 0);
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_TCP_CONGESTION, &v), 0);
    assert_int_equal(v, SYNACK_CC_NEWRENO);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_CONGESTION, SYNACK_CC_COUNT),
                     -EINVAL);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_CONGESTION, -1), -EINVAL);
    /* A listener's algorithm goes to its children. */
    assert_int_equal(synack_bind(h.stack, fd, &(struct synack_endpoint){0, TH_LOCAL_PORT}), 0);
    assert_int_equal(synack_listen(h.stack, fd, 4), 0);
    th_inject(&h,
              &(struct th_seg){.flags = SYNACK_SYN, .seq = PEER_ISS, .win = 65535, .mss = 1460});
    struct th_out sa = {0};
    assert_true(th_take(&h, &sa));
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_ACK, .seq = PEER_ISS + 1, .ack = sa.seq + 1, .win = 65535});
    int c = synack_accept(h.stack, fd, NULL);
    assert_true(c >= 0);
    assert_int_equal(synack_getsockopt(h.stack, c, SYNACK_TCP_CONGESTION, &v), 0);
    assert_int_equal(v, SYNACK_CC_NEWRENO);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cubic_curve_rfc_numbers),
        cmocka_unit_test(cubic_fast_convergence),
        cmocka_unit_test(cubic_reno_friendly_region),
        cmocka_unit_test(newreno_halves_the_flight),
        cmocka_unit_test(slow_start_counts_bytes_while_cwnd_limited),
        cmocka_unit_test(hystart_plus_plus),
        cmocka_unit_test(goodput_under_loss),
        cmocka_unit_test(prr_cubic),
        cmocka_unit_test(prr_newreno),
        cmocka_unit_test(prr_conservative_unless_snd_una_moves),
        cmocka_unit_test(rack_waits_a_reordering_window),
        cmocka_unit_test(sack_below_the_highest_measures_reordering),
        cmocka_unit_test(dsack_undo),
        cmocka_unit_test(congestion_socket_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
