/* SPDX-License-Identifier: MIT */
/* Closing: active close with TIME-WAIT, passive close, simultaneous close, half-close,
 * lost FIN, abort, and RST acceptance in every synchronized state (RFC 9293 3.6, 3.10). */
#include <errno.h>
#include <string.h>
#include "harness.h"

#define PEER_ISS 5000u

struct conn {
    struct th h;
    int fd;
    uint32_t iss; /* ours */
    uint32_t snd; /* our next sequence number */
    uint32_t rcv; /* the peer's next sequence number */
};

static void open_conn(struct conn *c)
{
    th_init(&c->h, NULL);
    int lfd = th_listen(&c->h, 8);
    c->fd = th_passive_open(&c->h, lfd, PEER_ISS, &c->iss);
    c->snd = c->iss + 1;
    c->rcv = PEER_ISS + 1;
}

static void peer(struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack)
{
    th_inject(&c->h, &(struct th_seg){.flags = flags, .seq = seq, .ack = ack, .win = 1024});
}

static void active_close_time_wait(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    th_expect_none(&c.h); /* the FIN leaves at poll */
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_FIN_WAIT_1);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 1);
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_FIN_WAIT_2);
    peer(&c, SYNACK_FIN | SYNACK_ACK, c.rcv, c.snd + 1);
    th_expect(&c.h, SYNACK_ACK, c.snd + 1, c.rcv + 1, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    synack_time_t tw_start = c.h.now;
    assert_int_equal(synack_stack_next_deadline(c.h.stack), tw_start + SYNACK_SEC(60));
    /* A retransmitted FIN is ACKed again and restarts the 2 MSL timer (RFC 9293 3.10.7.4). */
    th_advance(&c.h, SYNACK_SEC(30));
    peer(&c, SYNACK_FIN | SYNACK_ACK, c.rcv, c.snd + 1);
    th_expect(&c.h, SYNACK_ACK, c.snd + 1, c.rcv + 1, 0);
    synack_time_t restart = c.h.now;
    assert_int_equal(synack_stack_next_deadline(c.h.stack), restart + SYNACK_SEC(60));
    th_advance(&c.h, SYNACK_SEC(60) - 1);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    assert_int_equal(synack_stack_connection_count(c.h.stack), 1);
    th_advance(&c.h, 1);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_stack_connection_count(c.h.stack), 0);
    th_expect_none(&c.h);
    /* Gone: a segment for it now meets the listener (ACK -> RST). */
    peer(&c, SYNACK_ACK, c.rcv + 1, c.snd + 1);
    th_expect(&c.h, SYNACK_RST, c.snd + 1, 0, 0);
    th_free(&c.h);
}

static void time_wait_length_is_configurable(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.msl = SYNACK_SEC(2);
    struct th h;
    th_init(&h, &cfg);
    uint32_t iss;
    int fd = th_active_open(&h, PEER_ISS, &iss, NULL);
    (void)fd;
    struct th_out o = {0};
    assert_int_equal(synack_shutdown(h.stack, fd, SYNACK_SHUT_WR), 0);
    th_poll(&h);
    assert_true(th_take(&h, &o));
    assert_int_equal(o.flags, SYNACK_FIN | SYNACK_ACK);
    /* FIN and ACK of our FIN together: the ACK is processed first (FIN-WAIT-2), then the
     * FIN (TIME-WAIT), RFC 9293 3.10.7.4, as Linux. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_FIN | SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 2,
                                   .win = 100,
                                   .dport = o.sport});
    th_expect(&h, SYNACK_ACK, iss + 2, PEER_ISS + 2, 0);
    assert_true(th_saw_transition(&h, TH_PEER_PORT, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2));
    assert_true(th_saw_transition(&h, TH_PEER_PORT, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT));
    assert_int_equal(synack_stack_next_deadline(h.stack), h.now + SYNACK_SEC(4));
    char b[4];
    assert_int_equal(synack_recv(h.stack, fd, b, 4), 0);
    th_free(&h);
}

static void passive_close(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    peer(&c, SYNACK_FIN | SYNACK_ACK, c.rcv, c.snd);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 1, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSE_WAIT);
    char b[8];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 0);
    assert_true(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLIN);
    /* Half-closed by the peer: we may still send. */
    assert_int_equal(synack_send(c.h.stack, c.fd, "bye", 3), 3);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv + 1, 3);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd + 3, c.rcv + 1, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_LAST_ACK);
    /* Acknowledging only the data keeps LAST-ACK. */
    peer(&c, SYNACK_ACK, c.rcv + 1, c.snd + 3);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_LAST_ACK);
    peer(&c, SYNACK_ACK, c.rcv + 1, c.snd + 4);
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_stack_connection_count(c.h.stack), 0);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), SYNACK_TIME_NEVER);
    th_free(&c.h);
}

static void simultaneous_close(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    /* The peer's FIN crosses ours (it has not seen our FIN): CLOSING. */
    peer(&c, SYNACK_FIN | SYNACK_ACK, c.rcv, c.snd);
    th_expect(&c.h, SYNACK_ACK, c.snd + 1, c.rcv + 1, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSING);
    peer(&c, SYNACK_ACK, c.rcv + 1, c.snd + 1);
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    th_advance(&c.h, SYNACK_SEC(60));
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_stack_connection_count(c.h.stack), 0);
    th_free(&c.h);
}

static void half_close_keeps_receiving(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    assert_int_equal(synack_send(c.h.stack, c.fd, "request", 7), 7);
    assert_int_equal(synack_shutdown(c.h.stack, c.fd, SYNACK_SHUT_WR), 0);
    assert_int_equal(synack_send(c.h.stack, c.fd, "x", 1), -EPIPE);
    th_poll(&c.h);
    /* Queued data first, the FIN on the same segment. */
    th_expect(&c.h, SYNACK_FIN | SYNACK_PSH | SYNACK_ACK, c.snd, c.rcv, 7);
    th_expect_none(&c.h);
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 8);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_FIN_WAIT_2);
    /* Not orphaned: FIN-WAIT-2 waits as long as it takes. */
    assert_int_equal(synack_stack_next_deadline(c.h.stack), SYNACK_TIME_NEVER);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                     .seq = c.rcv,
                                     .ack = c.snd + 8,
                                     .win = 1024,
                                     .data = "response",
                                     .len = 8});
    th_expect(&c.h, SYNACK_ACK, c.snd + 8, c.rcv + 8, 0);
    char b[16];
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 8);
    assert_memory_equal(b, "response", 8);
    peer(&c, SYNACK_FIN | SYNACK_ACK, c.rcv + 8, c.snd + 8);
    th_expect(&c.h, SYNACK_ACK, c.snd + 8, c.rcv + 9, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    assert_int_equal(synack_recv(c.h.stack, c.fd, b, sizeof b), 0);
    assert_true(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLHUP);
    th_free(&c.h);
}

static void lost_fin_is_retransmitted(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    synack_time_t t0 = c.h.now;
    /* The handshake measured an RTT of 0: RTO is the 200 ms minimum, then doubles. */
    th_run_next(&c.h, SYNACK_SEC(10));
    assert_int_equal(c.h.now - t0, SYNACK_MS(200));
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    th_run_next(&c.h, SYNACK_SEC(10));
    assert_int_equal(c.h.now - t0, SYNACK_MS(600));
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    peer(&c, SYNACK_FIN | SYNACK_ACK, c.rcv, c.snd + 1);
    th_expect(&c.h, SYNACK_ACK, c.snd + 1, c.rcv + 1, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    th_free(&c.h);
}

static void orphaned_fin_wait_2_times_out(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    peer(&c, SYNACK_ACK, c.rcv, c.snd + 1);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_FIN_WAIT_2);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), c.h.now + SYNACK_SEC(60));
    th_advance(&c.h, SYNACK_SEC(60));
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_stack_connection_count(c.h.stack), 0);
    th_free(&c.h);
}

/* Data for a connection the application closed, our FIN not yet acknowledged: reset, and
 * the RST answers the segment, <SEQ=SEG.ACK><CTL=RST>, as Linux (google packetdrill
 * user_timeout/user_timeout.pkt ends "R 1:1(0)"): SEG.ACK is the peer's RCV.NXT, so the RST
 * is acceptable there, where SND.NXT (past our FIN) would not be. */
static void orphan_data_answered_by_reset(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_FIN | SYNACK_ACK, c.snd, c.rcv, 0);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                     .seq = c.rcv,
                                     .ack = c.snd,
                                     .win = 1024,
                                     .data = "x",
                                     .len = 1});
    th_expect(&c.h, SYNACK_RST, c.snd, 0, 0);
    th_expect_none(&c.h);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_stack_connection_count(c.h.stack), 0);
    th_free(&c.h);
}

static void abort_sends_rst(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    assert_int_equal(synack_send(c.h.stack, c.fd, "data", 4), 4);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_ACK | SYNACK_PSH, c.snd, c.rcv, 4);
    assert_int_equal(synack_abort(c.h.stack, c.fd), 0);
    assert_int_equal(synack_send(c.h.stack, c.fd, "x", 1), -EBADF);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_RST | SYNACK_ACK, c.snd + 4, c.rcv, 0);
    th_expect_none(&c.h);
    assert_int_equal(synack_stack_connection_count(c.h.stack), 0);
    assert_int_equal(synack_stack_next_deadline(c.h.stack), SYNACK_TIME_NEVER);
    th_free(&c.h);
}

static void close_with_unread_data_resets(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK,
                                     .seq = c.rcv,
                                     .ack = c.snd,
                                     .win = 1024,
                                     .data = "unread",
                                     .len = 6});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 6, 0);
    assert_int_equal(synack_close(c.h.stack, c.fd), 0);
    th_poll(&c.h);
    th_expect(&c.h, SYNACK_RST | SYNACK_ACK, c.snd, c.rcv + 6, 0);
    th_free(&c.h);
}

/* Puts the connection in `target` and returns the sequence number the peer's RST needs. */
static void reach_state(struct conn *c, enum synack_tcp_state target)
{
    switch (target) {
    case SYNACK_ESTABLISHED:
        break;
    case SYNACK_FIN_WAIT_1:
        synack_close(c->h.stack, c->fd);
        th_poll(&c->h);
        break;
    case SYNACK_FIN_WAIT_2:
        synack_shutdown(c->h.stack, c->fd, SYNACK_SHUT_WR);
        th_poll(&c->h);
        peer(c, SYNACK_ACK, c->rcv, c->snd + 1);
        break;
    case SYNACK_CLOSE_WAIT:
        peer(c, SYNACK_FIN | SYNACK_ACK, c->rcv, c->snd);
        c->rcv++;
        break;
    case SYNACK_CLOSING:
        synack_close(c->h.stack, c->fd);
        th_poll(&c->h);
        peer(c, SYNACK_FIN | SYNACK_ACK, c->rcv, c->snd);
        c->rcv++;
        break;
    case SYNACK_LAST_ACK:
        peer(c, SYNACK_FIN | SYNACK_ACK, c->rcv, c->snd);
        c->rcv++;
        synack_close(c->h.stack, c->fd);
        th_poll(&c->h);
        break;
    case SYNACK_TIME_WAIT:
        synack_close(c->h.stack, c->fd);
        th_poll(&c->h);
        peer(c, SYNACK_FIN | SYNACK_ACK, c->rcv, c->snd + 1);
        c->rcv++;
        break;
    default:
        fail();
    }
    assert_int_equal(th_state_of(&c->h, TH_PEER_PORT), target);
    struct th_out o = {0};
    while (th_take(&c->h, &o)) {
    }
}

/* RFC 9293 3.10.7.4 second + RFC 5961 3.2 in every synchronized state: a RST in the window
 * but not at RCV.NXT draws one challenge ACK; a RST outside the window is dropped; a RST
 * exactly at RCV.NXT ends the connection with the state's error. */
static void rst_in_every_state(void **state)
{
    (void)state;
    static const struct {
        enum synack_tcp_state st;
        int err; /* what recv reports (fd still open), 1 = fd closed */
    } cases[] = {
        {SYNACK_ESTABLISHED, -ECONNRESET},
        {SYNACK_FIN_WAIT_1, 1},
        {SYNACK_FIN_WAIT_2, -ECONNRESET},
        {SYNACK_CLOSE_WAIT, -EPIPE}, /* Linux tcp_reset */
        {SYNACK_CLOSING, 1},
        {SYNACK_LAST_ACK, 1},
        {SYNACK_TIME_WAIT, 1},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct conn c;
        open_conn(&c);
        reach_state(&c, cases[i].st);
        if (cases[i].st != SYNACK_TIME_WAIT) {
            /* In the window, not exact: challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>. */
            peer(&c, SYNACK_RST, c.rcv + 10, 0);
            struct th_out o = {0};
            assert_true(th_take(&c.h, &o));
            assert_int_equal(o.flags, SYNACK_ACK);
            assert_int_equal(o.ack, c.rcv);
            assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), cases[i].st);
        }
        /* Outside the window: dropped silently. */
        peer(&c, SYNACK_RST, c.rcv + 0x40000000u, 0);
        th_expect_none(&c.h);
        assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), cases[i].st);
        peer(&c, SYNACK_RST, c.rcv, 0);
        th_expect_none(&c.h);
        assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_CLOSED);
        assert_int_equal(synack_stack_connection_count(c.h.stack), 0);
        char b[4];
        if (cases[i].err != 1 && cases[i].st != SYNACK_CLOSE_WAIT) {
            assert_int_equal(synack_recv(c.h.stack, c.fd, b, 4), cases[i].err);
            assert_int_equal(synack_recv(c.h.stack, c.fd, b, 4), 0);
        } else if (cases[i].st == SYNACK_CLOSE_WAIT) {
            assert_int_equal(synack_send(c.h.stack, c.fd, b, 4), cases[i].err);
            assert_int_equal(synack_send(c.h.stack, c.fd, b, 4), -EPIPE);
        }
        th_free(&c.h);
    }
}

static void challenge_ack_rate_limited(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    peer(&c, SYNACK_RST, c.rcv + 1, 0);
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    peer(&c, SYNACK_RST, c.rcv + 2, 0);
    th_expect_none(&c.h);
    assert_int_equal(synack_stack_counter(c.h.stack, SYNACK_CTR_TCP_CHALLENGE_LIMITED), 1);
    th_advance(&c.h, SYNACK_MS(500));
    /* RFC 5961 4.2: a SYN in a synchronized state draws a challenge ACK too. */
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_SYN, .seq = c.rcv + 5, .win = 100});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv, 0);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    assert_int_equal(synack_stack_counter(c.h.stack, SYNACK_CTR_TCP_CHALLENGE_ACK), 2);
    th_free(&c.h);
}

static void new_syn_ends_time_wait(void **state)
{
    (void)state;
    struct conn c;
    open_conn(&c);
    reach_state(&c, SYNACK_TIME_WAIT);
    /* A SYN above RCV.NXT reopens (RFC 6191, Linux); the old connection goes. */
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_SYN, .seq = c.rcv + 100000, .win = 1000});
    struct th_out sa = {0};
    assert_true(th_take(&c.h, &sa));
    assert_int_equal(sa.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(sa.ack, c.rcv + 100001);
    assert_int_equal(th_state_of(&c.h, TH_PEER_PORT), SYNACK_SYN_RECEIVED);
    th_free(&c.h);
}

/* Closing a listener resets the connections still waiting in its accept queue and drops
 * the half-open ones (Linux inet_csk_listen_stop). */
static void closing_listener_resets_queue(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int l = th_listen(&h, 8);
    struct th_out sa = th_syn_in(&h, 100);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK, .seq = 101, .ack = sa.seq + 1, .win = 100});
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_SYN, .seq = 900, .win = 100, .sport = TH_PEER_PORT + 1});
    struct th_out sa2 = {0};
    assert_true(th_take(&h, &sa2));
    assert_int_equal(synack_stack_connection_count(h.stack), 2);
    assert_int_equal(synack_close(h.stack, l), 0);
    th_poll(&h);
    struct th_out rst = th_expect(&h, SYNACK_RST | SYNACK_ACK, sa.seq + 1, 101, 0);
    assert_int_equal(rst.dport, TH_PEER_PORT);
    th_expect_none(&h); /* the half-open one goes silently */
    assert_int_equal(synack_stack_connection_count(h.stack), 0);
    assert_int_equal(synack_stack_next_deadline(h.stack), SYNACK_TIME_NEVER);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(active_close_time_wait),
        cmocka_unit_test(time_wait_length_is_configurable),
        cmocka_unit_test(passive_close),
        cmocka_unit_test(simultaneous_close),
        cmocka_unit_test(half_close_keeps_receiving),
        cmocka_unit_test(lost_fin_is_retransmitted),
        cmocka_unit_test(orphaned_fin_wait_2_times_out),
        cmocka_unit_test(orphan_data_answered_by_reset),
        cmocka_unit_test(abort_sends_rst),
        cmocka_unit_test(close_with_unread_data_resets),
        cmocka_unit_test(rst_in_every_state),
        cmocka_unit_test(challenge_ack_rate_limited),
        cmocka_unit_test(new_syn_ends_time_wait),
        cmocka_unit_test(closing_listener_resets_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
