/* SPDX-License-Identifier: MIT */
/* TCP options in use: RFC 7323 timestamps (echo, PAWS, payload size), RFC 2018 SACK-permitted
 * and SACK blocks in our ACKs. */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

#define PEER_ISS 3000u

/* Passive open where the peer offers timestamps and SACK, as Linux does. */
static int open_ts_sack_rtt(struct th *h, uint32_t *our_iss, uint32_t *our_ts, synack_time_t rtt);

static int open_ts_sack(struct th *h, uint32_t *our_iss, uint32_t *our_ts)
{
    return open_ts_sack_rtt(h, our_iss, our_ts, 0);
}

/* The same over a path of round trip rtt (the handshake's ACK comes that much later). */
static int open_ts_sack_rtt(struct th *h, uint32_t *our_iss, uint32_t *our_ts, synack_time_t rtt)
{
    int l = th_listen(h, 4);
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN,
                                  .seq = PEER_ISS,
                                  .win = 65535,
                                  .mss = 1460,
                                  .wscale = 7,
                                  .sack_permitted = true,
                                  .has_ts = true,
                                  .ts_val = 1000});
    struct th_out sa = {0};
    assert_true(th_take(h, &sa));
    /* RFC 7323 3.2: the SYN-ACK echoes the peer's TSval; RFC 2018: SACK-permitted. */
    assert_true(sa.has_ts);
    assert_int_equal(sa.ts_ecr, 1000);
    assert_true(sa.sack_permitted);
    th_advance(h, rtt);
    th_inject(h, &(struct th_seg){.flags = SYNACK_ACK,
                                  .seq = PEER_ISS + 1,
                                  .ack = sa.seq + 1,
                                  .win = 1000,
                                  .has_ts = true,
                                  .ts_val = 1001,
                                  .ts_ecr = sa.ts_val});
    *our_iss = sa.seq;
    *our_ts = sa.ts_val;
    int fd = synack_accept(h->stack, l, NULL);
    assert_true(fd >= 0);
    return fd;
}

static void syn_offers_timestamps_and_sack(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    struct th_out syn = th_connect_syn(&h, &fd);
    assert_true(syn.sack_permitted);
    assert_true(syn.has_ts);
    assert_int_equal(syn.ts_ecr, 0);
    /* Turned off in the config: neither is offered. */
    struct synack_config cfg;
    th_config(&cfg);
    cfg.timestamps = false;
    cfg.sack = false;
    struct th h2;
    th_init(&h2, &cfg);
    syn = th_connect_syn(&h2, &fd);
    assert_false(syn.sack_permitted);
    assert_false(syn.has_ts);
    th_free(&h);
    th_free(&h2);
}

static void timestamps_echoed_and_payload_shrinks(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    int fd = open_ts_sack(&h, &iss, &ts0);
    uint8_t data[3000] = {0};
    th_advance(&h, SYNACK_MS(5));
    assert_int_equal(synack_send(h.stack, fd, data, sizeof data), 3000);
    th_poll(&h);
    /* MSS 1460 less 12 bytes of timestamp option (RFC 7323 / RFC 6691): 1448 per segment. */
    struct th_out o = th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 1, 1448);
    assert_true(o.has_ts);
    assert_int_equal(o.ts_ecr, 1001);
    assert_int_equal(o.ts_val, ts0 + 5); /* a 1 ms clock */
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1449, PEER_ISS + 1, 1448);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 2897, PEER_ISS + 1, 104);
    th_free(&h);
}

static void paws_drops_old_timestamp(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    int fd = open_ts_sack(&h, &iss, &ts0);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 1,
                                   .win = 1000,
                                   .data = "new",
                                   .len = 3,
                                   .has_ts = true,
                                   .ts_val = 2000,
                                   .ts_ecr = ts0});
    th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 4, 0);
    /* RFC 7323 5.3: TSval older than TS.Recent: not acceptable, ACK, drop. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 4,
                                   .ack = iss + 1,
                                   .win = 1000,
                                   .data = "old",
                                   .len = 3,
                                   .has_ts = true,
                                   .ts_val = 1500,
                                   .ts_ecr = ts0});
    struct th_out o = th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 4, 0);
    assert_int_equal(o.ts_ecr, 2000);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_PAWS), 1);
    char b[8];
    assert_int_equal(synack_recv(h.stack, fd, b, sizeof b), 3);
    assert_memory_equal(b, "new", 3);
    th_free(&h);
}

static void invalid_ack_does_not_move_ts_recent(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    open_ts_sack(&h, &iss, &ts0);
    /* An ACK of data never sent is dropped (and answered); its timestamp is not taken. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 999,
                                   .win = 1000,
                                   .has_ts = true,
                                   .ts_val = 900000,
                                   .ts_ecr = ts0});
    struct th_out o = th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 1, 0);
    assert_int_equal(o.ts_ecr, 1001);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 1,
                                   .ack = iss + 1,
                                   .win = 1000,
                                   .data = "x",
                                   .len = 1,
                                   .has_ts = true,
                                   .ts_val = 1002,
                                   .ts_ecr = ts0});
    o = th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 2, 0);
    assert_int_equal(o.ts_ecr, 1002);
    th_free(&h);
}

static void sack_blocks_report_held_ranges(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    open_ts_sack(&h, &iss, &ts0);
    uint8_t d[100] = {0};
    uint32_t base = PEER_ISS + 1;
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = base + 200,
                                   .ack = iss + 1,
                                   .win = 1000,
                                   .data = d,
                                   .len = 100,
                                   .has_ts = true,
                                   .ts_val = 1002});
    struct th_out o = th_expect(&h, SYNACK_ACK, iss + 1, base, 0);
    assert_int_equal(o.sack_count, 1);
    assert_int_equal(o.sack[0][0], base + 200);
    assert_int_equal(o.sack[0][1], base + 300);
    /* A second hole: the block with the latest arrival comes first (RFC 2018 4). */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = base + 500,
                                   .ack = iss + 1,
                                   .win = 1000,
                                   .data = d,
                                   .len = 100,
                                   .has_ts = true,
                                   .ts_val = 1003});
    o = th_expect(&h, SYNACK_ACK, iss + 1, base, 0);
    assert_int_equal(o.sack_count, 2);
    assert_int_equal(o.sack[0][0], base + 500);
    assert_int_equal(o.sack[1][0], base + 200);
    /* Filling the first hole: the ACK moves and one block remains. */
    uint8_t fill[200] = {0};
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = base,
                                   .ack = iss + 1,
                                   .win = 1000,
                                   .data = fill,
                                   .len = 200,
                                   .has_ts = true,
                                   .ts_val = 1004});
    o = th_expect(&h, SYNACK_ACK, iss + 1, base + 300, 0);
    assert_int_equal(o.sack_count, 1);
    assert_int_equal(o.sack[0][0], base + 500);
    th_free(&h);
}

/* RFC 8985 7: with SACK agreed, a silent tail is probed after 2*SRTT + 2 ms by resending the
 * last segment; the RTO then restarts from the probe. */
static void tail_loss_probe(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    int fd = open_ts_sack(&h, &iss, &ts0); /* RTT sample 0: SRTT 0, RTO 200 ms */
    uint8_t data[3000] = {0};
    assert_int_equal(synack_send(h.stack, fd, data, sizeof data), 3000);
    th_poll(&h);
    synack_time_t t0 = h.now;
    th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 1, 1448);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1449, PEER_ISS + 1, 1448);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 2897, PEER_ISS + 1, 104);
    th_run_next(&h, SYNACK_SEC(1));
    assert_int_equal(h.now - t0, SYNACK_MS(2));
    struct th_out probe = th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 2897, PEER_ISS + 1, 104);
    assert_true(probe.has_ts);
    th_expect_none(&h);
    /* One probe per tail: next comes the RTO, a full RTO after the probe. */
    th_run_next(&h, SYNACK_SEC(1));
    assert_int_equal(h.now - t0, SYNACK_MS(202));
    th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 1, 1448);
    th_free(&h);
}

/* A lone segment's PTO (2*SRTT + rto_min for the peer's delayed ACK) is no shorter than its
 * RTO: as Linux (tcp_schedule_loss_probe, "if RTO is shorter, just schedule TLP in its
 * place") the probe goes out at the RTO's time instead of a timeout: no timeout counted, no
 * backoff, and the RTO comes a full (unbacked) RTO after the probe. */
static void tail_loss_probe_in_place_of_rto(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    int fd = open_ts_sack(&h, &iss, &ts0); /* SRTT 0, RTO 200 ms: PTO 200 ms */
    assert_int_equal(synack_send(h.stack, fd, "request", 7), 7);
    th_poll(&h);
    synack_time_t t0 = h.now;
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1, PEER_ISS + 1, 7);
    th_run_next(&h, SYNACK_SEC(1));
    assert_int_equal(h.now - t0, SYNACK_MS(200));
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1, PEER_ISS + 1, 7);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.timeouts, 0);
    assert_int_equal(info.rto, SYNACK_MS(200));
    th_run_next(&h, SYNACK_SEC(1));
    assert_int_equal(h.now - t0, SYNACK_MS(400));
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1, PEER_ISS + 1, 7);
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.timeouts, 1);
    th_free(&h);
}

/* A FIN sent alone is the tail: the probe resends the FIN alone (as Linux resends its last
 * skb; google packetdrill shutdown/shutdown-rdwr-write-queue-close.pkt), not the last data
 * byte with it. */
static void tail_loss_probe_resends_a_lone_fin(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    int fd = open_ts_sack(&h, &iss, &ts0);
    uint8_t data[3000] = {0};
    assert_int_equal(synack_send(h.stack, fd, data, sizeof data), 3000);
    th_poll(&h);
    synack_time_t t0 = h.now;
    th_expect(&h, SYNACK_ACK, iss + 1, PEER_ISS + 1, 1448);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1449, PEER_ISS + 1, 1448);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 2897, PEER_ISS + 1, 104);
    assert_int_equal(synack_shutdown(h.stack, fd, SYNACK_SHUT_WR), 0);
    th_poll(&h);
    th_expect(&h, SYNACK_FIN | SYNACK_ACK, iss + 3001, PEER_ISS + 1, 0);
    th_run_next(&h, SYNACK_SEC(1));
    assert_int_equal(h.now - t0, SYNACK_MS(2));
    th_expect(&h, SYNACK_FIN | SYNACK_ACK, iss + 3001, PEER_ISS + 1, 0);
    th_expect_none(&h);
    th_free(&h);
}

static void ack_sack(struct th *h, uint32_t ack, uint32_t s1, uint32_t e1, uint32_t s2, uint32_t e2)
{
    uint8_t pkt[1600];
    /* th_seg has no SACK blocks: this ACK is built with the wire encoder. */
    struct sk_tcp_header t;
    memset(&t, 0, sizeof t);
    t.sport = TH_PEER_PORT;
    t.dport = TH_LOCAL_PORT;
    t.seq = PEER_ISS + 1;
    t.ack = ack;
    t.flags = SYNACK_ACK;
    t.window = 1000;
    t.opts.has_timestamp = true;
    t.opts.ts_val = 1002;
    t.opts.sack_count = e2 ? 2 : 1;
    t.opts.sack[0].start = s1;
    t.opts.sack[0].end = e1;
    t.opts.sack[1].start = s2;
    t.opts.sack[1].end = e2;
    size_t hl = sk_tcp_emit(pkt + 20, 60, &t);
    sk_tcp_set_checksum(pkt + 20, hl, TH_PEER_ADDR, TH_LOCAL_ADDR);
    sk_ipv4_emit(pkt, TH_PEER_ADDR, TH_LOCAL_ADDR, SK_IPPROTO_TCP, 64, 1, (uint16_t)hl);
    th_inject_raw(h, pkt, 20 + hl);
}

/* RFC 6675: SACKs showing more than 2 SMSS above SND.UNA mark it lost: it is retransmitted
 * at once (no third duplicate ACK needed), and new data follows as the pipe allows. */
static void sack_recovery(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss, ts0;
    /* A 10 ms path: RACK's reordering window (RFC 8985 6.2) is then 2.5 ms, not zero. */
    int fd = open_ts_sack_rtt(&h, &iss, &ts0, SYNACK_MS(10));
    static uint8_t data[20000];
    assert_int_equal(synack_send(h.stack, fd, data, 1448 * 6), 1448 * 6);
    th_poll(&h);
    for (int i = 0; i < 6; i++) {
        struct th_out o;
        assert_true(th_take(&h, &o));
    }
    uint32_t s = iss + 1;
    /* Segment 1 lost; the peer holds 2..3 (2 SMSS, within RACK's reordering window: not
     * yet lost), then 2..4 (three SACKed: no window, lost). */
    ack_sack(&h, s, s + 1448, s + 3 * 1448, 0, 0);
    th_expect_none(&h);
    ack_sack(&h, s, s + 1448, s + 4 * 1448, 0, 0);
    th_expect(&h, SYNACK_ACK, s, PEER_ISS + 1, 1448);
    struct synack_conn_info info;
    synack_get_info(h.stack, fd, &info);
    assert_int_equal(info.retransmissions, 1);
    assert_int_equal(info.timeouts, 0);
    /* The retransmission arrives: everything up to 4 is acknowledged, recovery goes on
     * until 6 is. */
    ack_sack(&h, s + 4 * 1448, s + 5 * 1448, s + 6 * 1448, 0, 0);
    ack_sack(&h, s + 6 * 1448, 0, 0, 0, 0);
    synack_get_info(h.stack, fd, &info);
    assert_int_equal(info.send_queued, 0);
    assert_int_equal(info.timeouts, 0);
    th_free(&h);
}

static const uint8_t cookie[8] = {0xab, 0xcd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};

/* The server's SYN-ACK to a client SYN, with or without a Fast Open cookie. */
static void syn_ack_to(struct th *h, const struct th_out *syn, uint32_t ack, bool with_cookie)
{
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                  .seq = PEER_ISS,
                                  .ack = ack,
                                  .win = 65535,
                                  .mss = 1000,
                                  .dport = syn->sport,
                                  .sport = syn->dport,
                                  .sack_permitted = true,
                                  .fo_len = with_cookie ? 8 : 0,
                                  .fo_cookie = cookie});
}

/* RFC 7413 client: the first connection asks for a cookie; the next one, with
 * TCP_FASTOPEN_CONNECT, connects at once and sends its data in the SYN. */
static void fast_open_client(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    struct synack_endpoint peer = {TH_PEER_ADDR, TH_PEER_PORT};
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &peer, NULL, 5), -EFAULT);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &peer, "hello", 5), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.len, 0); /* no cookie yet: a request, no data */
    assert_true(syn.has_fo);
    assert_int_equal(syn.fo_len, 0);
    syn_ack_to(&h, &syn, syn.seq + 1, true);
    th_expect(&h, SYNACK_ACK, syn.seq + 1, PEER_ISS + 1, 0);
    synack_abort(h.stack, fd);
    th_poll(&h);
    struct th_out o;
    while (th_take(&h, &o)) {
    }
    /* Second connection: connect() returns 0 at once, the SYN waits for data. */
    fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_FASTOPEN_CONNECT, 1), 0);
    struct synack_endpoint peer2 = {TH_PEER_ADDR, TH_PEER_PORT + 1};
    assert_int_equal(synack_connect(h.stack, fd, &peer2), 0);
    assert_true(synack_poll_events(h.stack, fd) & SYNACK_POLLOUT);
    th_poll(&h);
    th_expect_none(&h);
    static uint8_t data[2000];
    /* As a blocking Linux write: everything queued, the SYN carrying its share. */
    assert_int_equal(synack_sendto_fastopen_flags(h.stack, fd, NULL, data, 2000, 3), -EINVAL);
    assert_int_equal(
        synack_sendto_fastopen_flags(h.stack, fd, NULL, data, 2000, SYNACK_FASTOPEN_QUEUE_ALL),
        2000);
    th_poll(&h);
    assert_true(th_take(&h, &syn));
    /* The server's MSS (1000) less 40 bytes of options in the SYN, with the cookie. */
    assert_int_equal(syn.flags, SYNACK_SYN);
    assert_int_equal(syn.len, 960);
    assert_true(syn.has_fo);
    assert_int_equal(syn.fo_len, 8);
    assert_memory_equal(syn.fo_cookie, cookie, 8);
    th_expect_none(&h);
    /* The server took the SYN's data: the rest follows the handshake. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                   .seq = PEER_ISS,
                                   .ack = syn.seq + 961,
                                   .win = 65535,
                                   .mss = 1000,
                                   .dport = syn.sport,
                                   .sport = syn.dport,
                                   .sack_permitted = true});
    th_expect(&h, SYNACK_ACK, syn.seq + 961, PEER_ISS + 1, 1000);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, syn.seq + 1961, PEER_ISS + 1, 40);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.bytes_acked, 960);
    th_free(&h);
}

/* A server that ignores the SYN's data acknowledges only the SYN: the data goes again. */
static void fast_open_data_not_acked(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    struct synack_endpoint peer = {TH_PEER_ADDR, TH_PEER_PORT};
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &peer, NULL, 0), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    syn_ack_to(&h, &syn, syn.seq + 1, true);
    synack_abort(h.stack, fd);
    th_poll(&h);
    struct th_out o;
    while (th_take(&h, &o)) {
    }
    fd = synack_socket(h.stack);
    struct synack_endpoint peer2 = {TH_PEER_ADDR, TH_PEER_PORT + 2};
    assert_int_equal(synack_sendto_fastopen(h.stack, fd, &peer2, "0123456789", 10), 10);
    th_poll(&h);
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.len, 10);
    syn_ack_to(&h, &syn, syn.seq + 1, false);
    struct th_out d = th_expect(&h, SYNACK_ACK | SYNACK_PSH, syn.seq + 1, PEER_ISS + 1, 10);
    assert_memory_equal(d.payload, "0123456789", 10);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syn_offers_timestamps_and_sack),
        cmocka_unit_test(timestamps_echoed_and_payload_shrinks),
        cmocka_unit_test(paws_drops_old_timestamp),
        cmocka_unit_test(invalid_ack_does_not_move_ts_recent),
        cmocka_unit_test(sack_blocks_report_held_ranges),
        cmocka_unit_test(tail_loss_probe),
        cmocka_unit_test(tail_loss_probe_in_place_of_rto),
        cmocka_unit_test(tail_loss_probe_resends_a_lone_fin),
        cmocka_unit_test(sack_recovery),
        cmocka_unit_test(fast_open_client),
        cmocka_unit_test(fast_open_data_not_acked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
