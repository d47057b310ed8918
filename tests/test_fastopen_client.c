/* SPDX-License-Identifier: MIT */
/* TCP Fast Open, client side, as Linux behaves (RFC 7413 4.1.3 and 4.2; Linux
 * tcp_send_syn_data, tcp_rcv_fastopen_synack, tcp_fastopen_cache_set): cookie-less mode, what
 * a SYN-ACK teaches (MSS always, a cookie only when asked), the experimental-option
 * fallback, deferred connects, queue-all writes whose handshake ACK rides on data, and the
 * neighbours the packetdrill fastopen/client scripts reach: TCP_SYNCNT, a foreign timestamp
 * echo in a SYN-ACK, delayed ACKs in interactive mode, POLLRDHUP, tcpi_delivered, running
 * reconfiguration and flushing what was learned. */
#include <errno.h>
#include <string.h>
#include "harness.h"

#define PEER_ISS 7000u

static const uint8_t COOKIE[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static const struct synack_endpoint PEER = {TH_PEER_ADDR, TH_PEER_PORT};

/* The server's SYN-ACK to syn: acknowledging ack, announcing mss, with a cookie if fo_len. */
static void synack_in(struct th *h, const struct th_out *syn, uint32_t ack, int mss,
                      unsigned fo_len)
{
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                  .seq = PEER_ISS,
                                  .ack = ack,
                                  .win = 65535,
                                  .mss = mss,
                                  .dport = syn->sport,
                                  .sport = syn->dport,
                                  .fo_len = fo_len,
                                  .fo_cookie = COOKIE});
}

static struct th_out take_syn(struct th *h)
{
    th_poll(h);
    struct th_out syn = {0};
    assert_true(th_take(h, &syn));
    assert_int_equal(syn.flags, SYNACK_SYN);
    return syn;
}

/* Drops a connection and whatever it sends. */
static void discard(struct th *h, int fd)
{
    synack_abort(h->stack, fd);
    th_poll(h);
    struct th_out o;
    while (th_take(h, &o)) {
    }
}

/* One cookie request answered with COOKIE and MSS mss: the cache now holds both. */
static void learn_cookie(struct th *h, int mss)
{
    int fd = synack_socket(h->stack);
    assert_int_equal(synack_sendto_fastopen(h->stack, fd, &PEER, NULL, 0), -EINPROGRESS);
    struct th_out syn = take_syn(h);
    assert_true(syn.has_fo);
    assert_int_equal(syn.fo_len, 0);
    synack_in(h, &syn, syn.seq + 1, mss, 8);
    th_expect(h, SYNACK_ACK, syn.seq + 1, PEER_ISS + 1, 0);
    discard(h, fd);
}

/* Linux tcp_fastopen bit 0x4: data in every Fast Open SYN, no option; the cookie an
 * unsolicited SYN-ACK offers is not kept, its MSS is (sizing the next SYN's data). */
static void cookie_less_mode(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.fastopen_client_no_cookie = true;
    struct th h;
    th_init(&h, &cfg);
    static uint8_t data[1500];
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, data, 1000), 1000);
    struct th_out syn = take_syn(&h);
    assert_int_equal(syn.len, 1000);
    assert_false(syn.has_fo);
    synack_in(&h, &syn, syn.seq + 1001, 940, 8);
    th_expect(&h, SYNACK_ACK, syn.seq + 1001, PEER_ISS + 1, 0);
    struct synack_conn_info ci;
    assert_int_equal(synack_get_info(h.stack, fd, &ci), 0);
    assert_true(ci.syn_data_acked);
    assert_int_equal(ci.delivered, 1); /* SYN and its data: one, as Linux counts it */
    discard(&h, fd);
    /* The next SYN: 940 - 40 bytes of data, still no option (the cookie was not kept). */
    fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, data, 1500), 900);
    syn = take_syn(&h);
    assert_int_equal(syn.len, 900);
    assert_false(syn.has_fo);
    discard(&h, fd);
    th_free(&h);
}

/* The same per socket (Linux TCP_FASTOPEN_NO_COOKIE), with the config's mode off. */
static void no_cookie_socket_option(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_FASTOPEN_NO_COOKIE, 2), -EINVAL);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_FASTOPEN_NO_COOKIE, 1), 0);
    int v = 0;
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_TCP_FASTOPEN_NO_COOKIE, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, "abc", 3), 3);
    struct th_out syn = take_syn(&h);
    assert_int_equal(syn.len, 3);
    assert_false(syn.has_fo);
    discard(&h, fd);
    /* Another socket without it asks for a cookie. */
    fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, "abc", 3), -EINPROGRESS);
    syn = take_syn(&h);
    assert_int_equal(syn.len, 0);
    assert_true(syn.has_fo);
    th_free(&h);
}

/* Linux try_exp: a request in the RFC 7413 option that drew no cookie is made next time in
 * the experimental one (kind 254); a cookie that comes back so is used so. */
static void unanswered_request_retries_experimental_option(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, "x", 1), -EINPROGRESS);
    struct th_out syn = take_syn(&h);
    assert_true(syn.has_fo && !syn.fo_exp);
    synack_in(&h, &syn, syn.seq + 1, 1460, 0);
    discard(&h, fd);
    fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, "x", 1), -EINPROGRESS);
    syn = take_syn(&h);
    assert_true(syn.has_fo && syn.fo_exp);
    assert_int_equal(syn.fo_len, 0);
    th_free(&h);
}

/* TCP_FASTOPEN_CONNECT with a cookie: connect() is done at once (again: EISCONN); the first
 * send returns what the SYN carries (the cached MSS less 40); until the handshake ends
 * further sends wait and sendto is EALREADY. Without a cookie a first send that the SYN
 * cannot carry is EINPROGRESS. */
static void deferred_connect_sends_the_syn_share(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    learn_cookie(&h, 1000);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_FASTOPEN_CONNECT, 1), 0);
    assert_int_equal(synack_connect(h.stack, fd, &PEER), 0);
    assert_int_equal(synack_connect(h.stack, fd, &PEER), -EISCONN);
    static uint8_t data[2000];
    assert_int_equal(synack_send(h.stack, fd, data, 2000), 960);
    assert_int_equal(synack_send(h.stack, fd, data, 2000), -EAGAIN);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, data, 10), -EALREADY);
    struct th_out syn = take_syn(&h);
    assert_int_equal(syn.len, 960);
    assert_int_equal(syn.fo_len, 8);
    assert_memory_equal(syn.fo_cookie, COOKIE, 8);
    discard(&h, fd);
    /* A deferred socket whose first send is empty: the SYN leaves with the cookie only. */
    fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_FASTOPEN_CONNECT, 1), 0);
    assert_int_equal(synack_connect(h.stack, fd, &PEER), 0);
    assert_int_equal(synack_send(h.stack, fd, data, 0), -EINPROGRESS);
    syn = take_syn(&h);
    assert_int_equal(syn.len, 0);
    assert_int_equal(syn.fo_len, 8);
    discard(&h, fd);
    /* After the cache is flushed the SYN asks again. */
    synack_stack_flush_metrics(h.stack);
    fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, data, 100), -EINPROGRESS);
    syn = take_syn(&h);
    assert_int_equal(syn.len, 0);
    assert_true(syn.has_fo);
    assert_int_equal(syn.fo_len, 0);
    th_free(&h);
}

/* A writer that queued more than the SYN carries (SYNACK_FASTOPEN_QUEUE_ALL, as a blocking
 * Linux sendto): the SYN-ACK draws no ACK of its own, the data carries it (Linux
 * sk_write_pending); the reply that follows within the delayed-ACK estimate makes the
 * exchange interactive, so the peer's answer is ACKed late, by the delayed-ACK timer (Linux
 * pingpong mode), after which ACKs are quick again. */
static void queued_data_carries_the_handshake_ack(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    learn_cookie(&h, 1460);
    int fd = synack_socket(h.stack);
    static uint8_t data[1900];
    assert_int_equal(
        synack_sendto_fastopen_flags(h.stack, fd, &PEER, data, 1900, SYNACK_FASTOPEN_QUEUE_ALL),
        1900);
    struct th_out syn = take_syn(&h);
    assert_int_equal(syn.len, 1420);
    synack_in(&h, &syn, syn.seq + 1421, 1460, 0);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, syn.seq + 1421, PEER_ISS + 1, 480);
    th_expect_none(&h);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                   .seq = PEER_ISS + 1,
                                   .ack = syn.seq + 1901,
                                   .win = 65535,
                                   .data = data,
                                   .len = 500,
                                   .dport = syn.sport});
    th_expect_none(&h); /* interactive: the ACK waits */
    th_advance(&h, SYNACK_MS(39));
    th_expect_none(&h);
    th_advance(&h, SYNACK_MS(1));
    struct th_out ack = th_expect(&h, SYNACK_ACK, syn.seq + 1901, PEER_ISS + 501, 0);
    assert_int_equal(ack.time - syn.time, SYNACK_MS(40));
    /* The timer found no reply to ride on: not interactive any more, the next data is
     * ACKed at once. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                   .seq = PEER_ISS + 501,
                                   .ack = syn.seq + 1901,
                                   .win = 65535,
                                   .data = data,
                                   .len = 100,
                                   .dport = syn.sport});
    th_expect(&h, SYNACK_ACK, syn.seq + 1901, PEER_ISS + 601, 0);
    struct synack_conn_info ci;
    assert_int_equal(synack_get_info(h.stack, fd, &ci), 0);
    assert_int_equal(ci.delivered, 2); /* the SYN with its data, then the rest */
    th_free(&h);
}

/* The SYN's data is a segment of its own, with PSH, each time it goes (Linux
 * tcp_send_syn_data): sent again at once when the SYN-ACK takes only the SYN, and again
 * after the rest is SACKed, then no further than the first SACKed byte (RFC 6675 NextSeg),
 * not a whole MSS. */
static void syn_data_keeps_its_bounds_and_push(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    learn_cookie(&h, 1000);
    int fd = synack_socket(h.stack);
    static uint8_t data[4000];
    assert_int_equal(
        synack_sendto_fastopen_flags(h.stack, fd, &PEER, data, 4000, SYNACK_FASTOPEN_QUEUE_ALL),
        4000);
    struct th_out syn = take_syn(&h);
    assert_int_equal(syn.len, 960);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                   .seq = PEER_ISS,
                                   .ack = syn.seq + 1,
                                   .win = 65535,
                                   .mss = 1460,
                                   .sack_permitted = true,
                                   .dport = syn.sport,
                                   .sport = syn.dport});
    uint32_t d = syn.seq + 1;
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, d, PEER_ISS + 1, 960);
    struct th_out o;
    uint32_t sent = 960;
    while (th_take(&h, &o))
        sent += o.len;
    assert_int_equal(sent, 4000);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = d,
                                   .win = 65535,
                                   .dport = syn.sport,
                                   .sack_count = 1,
                                   .sack = {{d + 960, d + 4000}}});
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, d, PEER_ISS + 1, 960);
    th_free(&h);
}

/* The same exchange without Fast Open: the first data from the peer is ACKed at once (quick
 * ACK mode at the start of a connection), since nothing we sent answered anything. */
static void first_data_is_acked_at_once(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    static uint8_t data[500];
    th_inject(&c.h, &(struct th_seg){.flags = SYNACK_ACK | SYNACK_PSH,
                                     .seq = c.rcv,
                                     .ack = c.snd,
                                     .win = 65535,
                                     .data = data,
                                     .len = 500});
    th_expect(&c.h, SYNACK_ACK, c.snd, c.rcv + 500, 0);
    th_free(&c.h);
}

/* Linux tcp_rcv_synsent_state_process: a SYN-ACK whose timestamp echo is not one of ours
 * (before our SYN or in the future) is answered with a reset and the connection stays in
 * SYN-SENT; the right SYN-ACK then completes it. */
static void synack_with_foreign_ts_echo_is_reset(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    th_advance(&h, SYNACK_SEC(5));
    struct th_out syn = th_connect_syn(&h, &fd);
    assert_true(syn.has_ts);
    th_advance(&h, SYNACK_MS(10));
    struct th_seg sa = {.flags = SYNACK_SYN | SYNACK_ACK,
                        .seq = PEER_ISS,
                        .ack = syn.seq + 1,
                        .win = 65535,
                        .mss = 1460,
                        .dport = syn.sport,
                        .has_ts = true,
                        .ts_val = 100,
                        .ts_ecr = syn.ts_val + 9999};
    th_inject(&h, &sa);
    th_expect(&h, SYNACK_RST, syn.seq + 1, 0, 0);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_SYN_SENT);
    sa.ts_ecr = syn.ts_val - 1;
    th_inject(&h, &sa);
    th_expect(&h, SYNACK_RST, syn.seq + 1, 0, 0);
    sa.ts_ecr = syn.ts_val;
    th_inject(&h, &sa);
    th_expect(&h, SYNACK_ACK, syn.seq + 1, PEER_ISS + 1, 0);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_PAWS), 2);
    (void)fd;
    th_free(&h);
}

/* TCP_SYNCNT: one retransmission of the SYN, then the connection fails (timed out) when
 * the next would be due: 1 s, then 2 s later. */
static void syncnt_limits_syn_retransmissions(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    int v = 0;
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_TCP_SYNCNT, &v), 0);
    assert_int_equal(v, 6); /* the config's syn_retries until set */
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_SYNCNT, 0), -EINVAL);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_SYNCNT, 1), 0);
    assert_int_equal(synack_connect(h.stack, fd, &PEER), -EINPROGRESS);
    struct th_out syn = take_syn(&h);
    th_run_next(&h, SYNACK_SEC(10));
    struct th_out again = th_expect(&h, SYNACK_SYN, syn.seq, 0, 0);
    assert_int_equal(again.time - syn.time, SYNACK_SEC(1));
    th_run_next(&h, SYNACK_SEC(10));
    th_expect_none(&h);
    assert_int_equal(h.now - syn.time, SYNACK_SEC(3));
    assert_int_equal(synack_get_error(h.stack, fd), -ETIMEDOUT);
    th_free(&h);
}

/* POLLRDHUP once the peer's FIN is in, as Linux's tcp_poll reports RCV_SHUTDOWN. */
static void peer_fin_reads_as_rdhup(void **state)
{
    (void)state;
    struct th_conn c;
    th_conn_open(&c, NULL, 1460, 65535);
    assert_false(synack_poll_events(c.h.stack, c.fd) & SYNACK_POLLRDHUP);
    th_inject(&c.h,
              &(struct th_seg){
                  .flags = SYNACK_ACK | SYNACK_FIN, .seq = c.rcv, .ack = c.snd, .win = 65535});
    int ev = synack_poll_events(c.h.stack, c.fd);
    assert_true(ev & SYNACK_POLLRDHUP);
    assert_true(ev & SYNACK_POLLIN);
    assert_false(ev & SYNACK_POLLHUP); /* we may still send */
    th_free(&c.h);
}

/* A running stack takes new settings where they are read (Fast Open off: EOPNOTSUPP),
 * never those that sized it. */
static void reconfigure_a_running_stack(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    struct synack_config cfg = *synack_stack_config(h.stack);
    cfg.fastopen_client = false;
    assert_int_equal(synack_stack_reconfigure(h.stack, &cfg, NULL), 0);
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &PEER, "x", 1), -EOPNOTSUPP);
    const char *why = NULL;
    cfg.max_sockets++;
    assert_int_equal(synack_stack_reconfigure(h.stack, &cfg, &why), -EINVAL);
    assert_non_null(why);
    cfg.max_sockets--;
    cfg.rto_min = 0; /* not a valid config at all */
    why = NULL;
    assert_int_equal(synack_stack_reconfigure(h.stack, &cfg, &why), -EINVAL);
    assert_non_null(why);
    assert_false(synack_stack_config(h.stack)->fastopen_client);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cookie_less_mode),
        cmocka_unit_test(no_cookie_socket_option),
        cmocka_unit_test(unanswered_request_retries_experimental_option),
        cmocka_unit_test(deferred_connect_sends_the_syn_share),
        cmocka_unit_test(queued_data_carries_the_handshake_ack),
        cmocka_unit_test(syn_data_keeps_its_bounds_and_push),
        cmocka_unit_test(first_data_is_acked_at_once),
        cmocka_unit_test(synack_with_foreign_ts_echo_is_reset),
        cmocka_unit_test(syncnt_limits_syn_retransmissions),
        cmocka_unit_test(peer_fin_reads_as_rdhup),
        cmocka_unit_test(reconfigure_a_running_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
