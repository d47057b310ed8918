/* SPDX-License-Identifier: MIT */
/* Data transfer: segmentation, ACKs, reassembly, duplicates, windows, persist, RTO,
 * fast retransmit, data retry limit (RFC 9293 3.8-3.10, RFC 6298, RFC 5681). */
#include <errno.h>
#include <string.h>
#include "harness.h"

#define PEER_ISS TH_CONN_PEER_ISS

static void ack(struct th_conn *c, uint32_t a, uint16_t win)
{
    th_inject(&c->h, &(struct th_seg){.flags = SYNACK_ACK, .seq = c->rcv, .ack = a, .win = win});
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7 + seed);
}

static void segments_by_default_mss(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 0, 65535); /* no MSS option: 536 (RFC 9293 3.7.1) */
    uint8_t data[2000];
    fill(data, sizeof data, 1);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, sizeof data), 2000);
    th_poll(&c.h);
    struct th_out o = {0};
    /* PSH as Linux: on the second segment of each two-segment TSO packet, and where the
     * write ends. */
    for (int i = 0; i < 3; i++) {
        o = th_expect(&c.h, SYNACK_ACK | (i == 1 ? SYNACK_PSH : 0), c.snd + 536u * i, c.rcv, 536);
        assert_memory_equal(o.payload, data + 536 * i, 536);
    }
    o = th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 1608, c.rcv, 392);
    assert_memory_equal(o.payload, data + 1608, 392);
    th_expect_none(&c.h);
    struct synack_conn_info info;
    synack_get_info(c.h.stack, c.fd, &info);
    assert_int_equal(info.bytes_sent, 2000);
    assert_int_equal(info.send_queued, 2000);
    ack(&c, c.snd + 2000, 65535);
    synack_get_info(c.h.stack, c.fd, &info);
    assert_int_equal(info.bytes_acked, 2000);
    assert_int_equal(info.send_queued, 0);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), SYNACK_TIME_NEVER);
    th_free(&c.h);
}

static void peer_window_limits_sending(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 1000);
    uint8_t data[3000];
    fill(data, sizeof data, 2);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, sizeof data), 3000);
    th_poll(&c.h);
    /* 1000 bytes of window: one 1000-byte segment (sender SWS rules let a full window go). */
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 1000);
    th_expect_none(&c.h);
    ack(&c, c.snd + 1000, 2000);
    th_expect(&c.h, SYNACK_ACK, c.snd + 1000, c.rcv, 1460);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 2460, c.rcv, 540);
    th_expect_none(&c.h);
    th_free(&c.h);
}

/* SYNACK_INPUT_MORE: three full segments read in one batch draw one ACK, sent by the poll
 * that follows the batch, for all three; without it each is ACKed as it comes (quick-ACK
 * mode at the start of a connection, as Linux). */
static void one_ack_for_a_batch(void **state)
{
    (void)state;
    for (int batch = 0; batch < 2; batch++) {
        struct th_conn c;
        th_conn_open(&c, NULL, 1460, 65535);
        uint8_t data[3 * 1460], pkt[1600];
        fill(data, sizeof data, 5);
        for (uint32_t i = 0; i < 3; i++) {
            size_t n = th_build(&(struct th_seg){.flags = SYNACK_ACK,
                                                 .seq = c.rcv + i * 1460,
                                                 .ack = c.snd,
                                                 .win = 65535,
                                                 .data = data + i * 1460,
                                                 .len = 1460},
                                pkt);
            synack_stack_input_flags(c.h.stack, pkt, n, c.h.now, batch ? SYNACK_INPUT_MORE : 0);
            if (batch)
                th_expect_none(&c.h);
            else
                th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + (i + 1) * 1460, 0);
        }
        if (batch) {
            th_poll(&c.h);
            th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 3 * 1460, 0);
            th_expect_none(&c.h);
        }
        char b[5000];
        assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 3 * 1460);
        assert_memory_equal(b, data, 3 * 1460);
        th_free(&c.h);
    }
}

static void in_order_and_out_of_order_receive(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    uint8_t data[300];
    fill(data, sizeof data, 3);
    /* Segment 2 and 3 arrive before 1: immediate duplicate ACKs (RFC 5681 4.2). */
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv + 100,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = data + 100,
                                     .len = 100});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv + 200,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = data + 200,
                                     .len = 100});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    char b[400];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), -EAGAIN);
    assert_int_equal(synack_stack_counter(c.h.stack, SYNACK_CTR_TCP_OOO_QUEUED), 2);
    /* The hole fills: everything is acknowledged at once. */
    th_inject(
        &c.h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = c.rcv, .ack = c.snd, .win = 100, .data = data, .len = 100});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 300, 0);
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 300);
    assert_memory_equal(b, data, 300);
    th_free(&c.h);
}

static void overlaps_and_duplicates_trimmed(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    uint8_t data[500];
    fill(data, sizeof data, 4);
    th_inject(
        &c.h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = c.rcv, .ack = c.snd, .win = 100, .data = data, .len = 200});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 200, 0);
    /* Overlapping: bytes 100..349; only 200..349 are new. */
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv + 100,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = data + 100,
                                     .len = 250});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 350, 0);
    /* Out of order overlapping out of order. */
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv + 420,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = data + 420,
                                     .len = 80});
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv + 400,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = data + 400,
                                     .len = 50});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 350, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 350, 0);
    /* An exact duplicate of old data: re-ACK, counted. */
    th_inject(
        &c.h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = c.rcv, .ack = c.snd, .win = 100, .data = data, .len = 200});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 350, 0);
    assert_int_equal(synack_stack_counter(c.h.stack, SYNACK_CTR_TCP_DUPLICATE), 2);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_FIN,
                                     .seq = c.rcv + 340,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = data + 340,
                                     .len = 160});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 501, 0);
    uint8_t b[600];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 500);
    assert_memory_equal(b, data, 500);
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSE_WAIT);
    th_free(&c.h);
}

static void out_of_order_fin_waits_for_hole(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_FIN,
                                     .seq = c.rcv + 5,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = "world",
                                     .len = 5});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = "hello",
                                     .len = 5});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 11, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSE_WAIT);
    char b[16];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 10);
    assert_memory_equal(b, "helloworld", 10);
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 0);
    th_free(&c.h);
}

static void receive_window_closes_and_reopens(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.rcvbuf = 4096;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1000, 65535);
    uint8_t data[4096];
    fill(data, sizeof data, 5);
    struct th_out o = {0};
    uint32_t off = 0;
    while (off < 4096) {
        th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                         .seq = c.rcv + off,
                                         .ack = c.snd,
                                         .win = 100,
                                         .data = data + off,
                                         .len = 1024});
        off += 1024;
        o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + off, 0);
        assert_int_equal(o.win, 4096 - off);
    }
    /* Zero window: data at RCV.NXT is not taken, the ACK says window 0. */
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv + off,
                                     .ack = c.snd,
                                     .win = 100,
                                     .data = data,
                                     .len = 10});
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + off, 0);
    assert_int_equal(o.win, 0);
    /* A zero-window probe (SND.UNA - 1, no data) is answered with the window. */
    th_inject(&c.h, &(struct th_seg){
                        .flags = SYNACK_ACK, .seq = c.rcv + off - 1, .ack = c.snd, .win = 100});
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + off, 0);
    assert_int_equal(o.win, 0);
    /* Reading a little (less than one MSS) does not announce a window (SWS avoidance)... */
    uint8_t b[4096];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, 100), 100);
    th_poll(&c.h);
    th_expect_none(&c.h);
    /* ...draining does: a window update goes out without any segment arriving. */
    assert_int_equal(synack_recv(c.h.stack, c.fd, b + 100, 3996), 3996);
    assert_memory_equal(b, data, 4096);
    th_poll(&c.h);
    o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + off, 0);
    assert_int_equal(o.win, 4096);
    th_free(&c.h);
}

static void zero_window_persist_probes_back_off(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 0); /* the peer offers no window at all */
    assert_int_equal(synack_send(c.h.stack, c.fd, "abc", 3), 3);
    th_poll(&c.h);
    th_expect_none(&c.h);
    synack_time_t t0 = c.h.now;
    /* RTO is 200 ms (RTT 0 measured); probes at +200, +600, +1400 ms: SEQ=SND.UNA-1, no data. */
    static const unsigned at_ms[] = {200, 600, 1400, 3000};
    for (unsigned i = 0; i < 4; i++) {
        th_run_next(&c.h, SYNACK_SEC(100));
        assert_int_equal(c.h.now - t0, SYNACK_MS(at_ms[i]));
        th_expect(&c.h, SYNACK_ACK, c.snd - 1, c.rcv, 0);
        th_expect_none(&c.h);
        ack(&c, c.snd, 0); /* still zero */
        th_expect_none(&c.h);
    }
    /* The window opens: data goes at once, the persist timer stops. */
    ack(&c, c.snd, 100);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 3);
    ack(&c, c.snd + 3, 100);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), SYNACK_TIME_NEVER);
    th_free(&c.h);
}

static void rto_backoff_and_data_retry_limit(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    assert_int_equal(synack_send(c.h.stack, c.fd, "payload", 7), 7);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 7);
    synack_time_t t0 = c.h.now, expect = 0, rto = SYNACK_MS(200);
    for (unsigned i = 0; i < 15; i++) {
        th_run_next(&c.h, SYNACK_SEC(1000));
        expect += rto;
        assert_int_equal(c.h.now - t0, expect);
        struct th_out o = th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 7);
        assert_memory_equal(o.payload, "payload", 7);
        rto = rto * 2 > SYNACK_SEC(120) ? SYNACK_SEC(120) : rto * 2;
    }
    th_run_next(&c.h, SYNACK_SEC(1000));
    expect += rto;
    assert_int_equal(c.h.now - t0, expect);
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_true(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLERR);
    char b[4];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, 4), -ETIMEDOUT);
    assert_int_equal(synack_get_error(c.h.stack, c.fd), 0); /* reported once */
    struct synack_conn_info info;
    synack_get_info(c.h.stack, c.fd, &info);
    assert_int_equal(info.retransmissions, 15);
    assert_int_equal(info.timeouts, 16);
    th_free(&c.h);
}

static void rtt_measured_and_timer_restarted(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    uint8_t data[2000];
    fill(data, sizeof data, 6);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, 2000), 2000);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 1000);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 1000, c.rcv, 1000);
    th_advance(&c.h, SYNACK_MS(100));
    ack(&c, c.snd + 1000, 65535);
    struct synack_conn_info info;
    synack_get_info(c.h.stack, c.fd, &info);
    /* RFC 6298 2.2 after the handshake sample of 0: SRTT = 7/8*0 + 1/8*100 ms. */
    assert_int_equal(info.srtt, SYNACK_MS(100) / 8);
    /* RFC 6298 5.3: the timer restarts on the new ACK: due one RTO from now. */
    assert_int_equal(synack_stack_next_deadline(c.h.stack), c.h.now + info.rto);
    th_free(&c.h);
}

static void fast_retransmit_on_three_dupacks(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    uint8_t data[5000];
    fill(data, sizeof data, 7);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, 5000), 5000);
    th_poll(&c.h);
    for (int i = 0; i < 5; i++)
        th_expect(&c.h, i % 2 == 1 || i == 4 ? SYNACK_ACK | SYNACK_PSH : SYNACK_ACK,
                  c.snd + 1000u * i, c.rcv, 1000);
    /* The first segment is lost; three duplicate ACKs trigger its retransmission. */
    ack(&c, c.snd, 65535);
    ack(&c, c.snd, 65535);
    th_expect_none(&c.h);
    ack(&c, c.snd, 65535);
    struct th_out o = th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 1000);
    assert_memory_equal(o.payload, data, 1000);
    th_expect_none(&c.h);
    ack(&c, c.snd + 5000, 65535);
    th_expect_none(&c.h);
    struct synack_conn_info info;
    synack_get_info(c.h.stack, c.fd, &info);
    assert_int_equal(info.retransmissions, 1);
    assert_int_equal(info.timeouts, 0);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), SYNACK_TIME_NEVER);
    th_free(&c.h);
}

static void ack_of_unsent_data_is_answered(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    ack(&c, c.snd + 10, 65535);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    assert_int_equal(synack_stack_counter(c.h.stack, SYNACK_CTR_TCP_BAD_ACK), 1);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    th_free(&c.h);
}

static void nagle_holds_small_segments(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    assert_int_equal(synack_send(c.h.stack, c.fd, "a", 1), 1);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 1);
    assert_int_equal(synack_send(c.h.stack, c.fd, "b", 1), 1);
    assert_int_equal(synack_send(c.h.stack, c.fd, "c", 1), 1);
    th_poll(&c.h);
    th_expect_none(&c.h); /* RFC 896: wait for the ACK of the outstanding byte */
    ack(&c, c.snd + 1, 65535);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 1, c.rcv, 2);
    ack(&c, c.snd + 3, 65535);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_NODELAY, 1), 0);
    assert_int_equal(synack_send(c.h.stack, c.fd, "d", 1), 1);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 3, c.rcv, 1);
    assert_int_equal(synack_send(c.h.stack, c.fd, "e", 1), 1);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd + 4, c.rcv, 1);
    th_free(&c.h);
}

static void send_buffer_full_is_eagain(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.sndbuf = 2048;
    struct th_conn c;
    th_conn_open(&c, &cfg, 1000, 0);
    uint8_t data[4096] = {0};
    assert_int_equal(synack_send(c.h.stack, c.fd, data, sizeof data), 2048);
    assert_int_equal(synack_send(c.h.stack, c.fd, data, 1), -EAGAIN);
    assert_false(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLOUT);
    th_free(&c.h);
}

/* RFC 1122 4.2.3.2 / RFC 5681 4.2: the first 16 segments are ACKed at once (quick-ACK, as
 * Linux); then every second full-sized segment, or 40 ms after a lone one. */
static void delayed_ack(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    uint8_t d[1000] = {0};
    uint32_t at = c.rcv;
    for (int i = 0; i < 16; i++, at += 1000) {
        th_inject(
            &c.h,
            &(struct th_seg){
                .flags = SYNACK_ACK, .seq = at, .ack = c.snd, .win = 1000, .data = d, .len = 1000});
        th_expect(&c.h, SYNACK_ACK, c.snd, at + 1000, 0);
    }
    /* A lone full segment waits... */
    th_inject(
        &c.h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = at, .ack = c.snd, .win = 1000, .data = d, .len = 1000});
    at += 1000;
    th_expect_none(&c.h);
    /* ...the second one is ACKed at once. */
    th_inject(
        &c.h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = at, .ack = c.snd, .win = 1000, .data = d, .len = 1000});
    at += 1000;
    th_expect(&c.h, SYNACK_ACK, c.snd, at, 0);
    /* A lone segment is ACKed 40 ms later. */
    th_inject(
        &c.h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = at, .ack = c.snd, .win = 1000, .data = d, .len = 100});
    at += 100;
    synack_time_t t0 = c.h.now;
    th_expect_none(&c.h);
    th_run_next(&c.h, SYNACK_SEC(1));
    assert_int_equal(c.h.now - t0, SYNACK_MS(40));
    th_expect(&c.h, SYNACK_ACK, c.snd, at, 0);
    /* Data we send carries the ACK: the pending delayed ACK goes with it. */
    th_inject(
        &c.h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = at, .ack = c.snd, .win = 1000, .data = d, .len = 100});
    at += 100;
    assert_int_equal(synack_send(c.h.stack, c.fd, "r", 1), 1);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, at, 1);
    /* No delayed ACK is left: the next deadline is the data's RTO (200 ms), not 40 ms. */
    assert_int_equal(synack_stack_next_deadline(c.h.stack), c.h.now + SYNACK_MS(200));
    th_free(&c.h);
}

/* RFC 1122 4.2.3.6: after the idle time, probes <SEQ=SND.UNA-1> every interval; an answer
 * restarts the clock; the last unanswered probe ends the connection with RST, ETIMEDOUT. */
static void keepalive_probes(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1000, 65535);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_SO_KEEPALIVE, 1), 0);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_KEEPIDLE, 10), 0);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_KEEPINTVL, 2), 0);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_KEEPCNT, 3), 0);
    assert_int_equal(synack_setsockopt(c.h.stack, c.fd, SYNACK_TCP_KEEPCNT, 0), -EINVAL);
    synack_time_t t0 = c.h.now;
    th_run_next(&c.h, SYNACK_SEC(100));
    assert_int_equal(c.h.now - t0, SYNACK_SEC(10));
    th_expect(&c.h, SYNACK_ACK, c.snd - 1, c.rcv, 0);
    ack(&c, c.snd, 1000); /* the peer answers: silence starts again */
    t0 = c.h.now;
    for (int i = 0; i < 3; i++) {
        th_run_next(&c.h, SYNACK_SEC(100));
        assert_int_equal(c.h.now - t0, SYNACK_SEC(10 + 2 * i));
        th_expect(&c.h, SYNACK_ACK, c.snd - 1, c.rcv, 0);
    }
    th_run_next(&c.h, SYNACK_SEC(100));
    assert_int_equal(c.h.now - t0, SYNACK_SEC(16));
    th_expect(&c.h, SYNACK_RST | SYNACK_ACK, c.snd, c.rcv, 0);
    char b[4];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), -ETIMEDOUT);
    th_free(&c.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(segments_by_default_mss),
        cmocka_unit_test(peer_window_limits_sending),
        cmocka_unit_test(one_ack_for_a_batch),
        cmocka_unit_test(in_order_and_out_of_order_receive),
        cmocka_unit_test(overlaps_and_duplicates_trimmed),
        cmocka_unit_test(out_of_order_fin_waits_for_hole),
        cmocka_unit_test(receive_window_closes_and_reopens),
        cmocka_unit_test(zero_window_persist_probes_back_off),
        cmocka_unit_test(rto_backoff_and_data_retry_limit),
        cmocka_unit_test(rtt_measured_and_timer_restarted),
        cmocka_unit_test(fast_retransmit_on_three_dupacks),
        cmocka_unit_test(ack_of_unsent_data_is_answered),
        cmocka_unit_test(nagle_holds_small_segments),
        cmocka_unit_test(send_buffer_full_is_eagain),
        cmocka_unit_test(delayed_ack),
        cmocka_unit_test(keepalive_probes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
