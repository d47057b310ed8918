/* SPDX-License-Identifier: MIT */
/* ICMP: echo replies, port unreachable for UDP (rate limited), and ICMP errors about our
 * connections (RFC 792, RFC 1122 3.2.2 and 4.2.3.9, RFC 5927). */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "tcp/fastopen.h"
#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

/* An IPv4 packet from the peer to us carrying `proto` and payload. */
static size_t ip_packet(uint8_t proto, const uint8_t *payload, size_t len, uint8_t *buf)
{
    memcpy(buf + SK_IPV4_HDR_LEN, payload, len);
    sk_ipv4_emit(buf, TH_PEER_ADDR, TH_LOCAL_ADDR, proto, 64, 9, (uint16_t)len);
    return SK_IPV4_HDR_LEN + len;
}

static void echo_request_answered(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint8_t msg[8 + 32], pkt[128];
    for (int i = 0; i < 32; i++)
        msg[8 + i] = (uint8_t)i;
    sk_icmp_emit(msg, SK_ICMP_ECHO_REQUEST, 0, 0x12340007, msg + 8, 32);
    th_inject_raw(&h, pkt, ip_packet(SK_IPPROTO_ICMP, msg, sizeof msg, pkt));
    assert_int_equal(h.other_count, 1);
    struct sk_ipv4 ip;
    assert_int_equal(sk_ipv4_parse(h.other, h.other_len, &ip), SK_IPV4_OK);
    assert_int_equal(ip.src, TH_LOCAL_ADDR);
    assert_int_equal(ip.dst, TH_PEER_ADDR);
    struct sk_icmp m;
    assert_int_equal(sk_icmp_parse(ip.payload, ip.payload_len, &m), 0);
    assert_int_equal(m.type, SK_ICMP_ECHO_REPLY);
    assert_int_equal(m.rest, 0x12340007); /* identifier and sequence echoed */
    assert_int_equal(m.payload_len, 32);
    assert_memory_equal(m.payload, msg + 8, 32);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_ICMP_ECHO_REPLIED), 1);
    /* A corrupted request is counted, not answered. */
    msg[9] ^= 1;
    th_inject_raw(&h, pkt, ip_packet(SK_IPPROTO_ICMP, msg, sizeof msg, pkt));
    assert_int_equal(h.other_count, 1);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_ICMP_BAD), 1);
    th_free(&h);
}

static void udp_gets_port_unreachable_rate_limited(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint8_t udp[12] = {0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0, 0, 'a', 'b', 'c', 'd'};
    uint8_t pkt[64];
    size_t n = ip_packet(17, udp, sizeof udp, pkt);
    th_inject_raw(&h, pkt, n);
    assert_int_equal(h.other_count, 1);
    struct sk_ipv4 ip;
    assert_int_equal(sk_ipv4_parse(h.other, h.other_len, &ip), SK_IPV4_OK);
    struct sk_icmp m;
    assert_int_equal(sk_icmp_parse(ip.payload, ip.payload_len, &m), 0);
    assert_int_equal(m.type, SK_ICMP_DEST_UNREACH);
    assert_int_equal(m.code, SK_ICMP_PORT_UNREACH);
    /* RFC 792: the original header and the first 8 bytes of its data. */
    assert_int_equal(m.payload_len, 28);
    assert_memory_equal(m.payload, pkt, 28);
    /* A burst: 50 answers, then the limit (Linux: 1000/s, burst 50). */
    for (int i = 0; i < 60; i++)
        th_inject_raw(&h, pkt, n);
    assert_int_equal(h.other_count, 50);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_ICMP_RATE_LIMITED), 11);
    th_advance(&h, SYNACK_MS(100));
    th_inject_raw(&h, pkt, n);
    assert_int_equal(h.other_count, 51);
    th_free(&h);
}

/* An ICMP destination unreachable quoting a segment of ours (its IP header and first 8 TCP
 * bytes) with seq; rest is the message's second word (the next-hop MTU for code 4). */
static size_t unreachable_rest(const struct th_out *seg, uint8_t code, uint32_t seq, uint32_t rest,
                               uint8_t *out)
{
    uint8_t quote[28];
    sk_ipv4_emit(quote, seg->src, seg->dst, SK_IPPROTO_TCP, 64, 1, 40);
    sk_put16(quote + 20, seg->sport);
    sk_put16(quote + 22, seg->dport);
    sk_put32(quote + 24, seq);
    uint8_t msg[8 + 28];
    sk_icmp_emit(msg, SK_ICMP_DEST_UNREACH, code, rest, quote, sizeof quote);
    return ip_packet(SK_IPPROTO_ICMP, msg, sizeof msg, out);
}

static size_t unreachable_for(const struct th_out *syn, uint8_t code, uint32_t seq, uint8_t *out)
{
    return unreachable_rest(syn, code, seq, 0, out);
}

/* RFC 1191 6.3 (as Linux tcp_v4_mtu_reduced): "fragmentation needed" for a segment in flight
 * lowers the MSS to the reported MTU less 40, and what was in flight goes again at once in
 * the new size, the congestion window untouched; a report for data not in flight, or of an
 * MTU no smaller than the path's, changes nothing; one below 552 is taken as 552. */
static void frag_needed_lowers_mss(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss;
    int fd = th_active_open(&h, 100, &iss, NULL);
    static uint8_t data[2920];
    assert_int_equal(synack_send(h.stack, fd, data, sizeof data), 2920);
    th_poll(&h);
    struct th_out first = th_expect(&h, SYNACK_ACK, iss + 1, 101, 1460);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1461, 101, 1460);
    struct synack_conn_info before;
    synack_get_info(h.stack, fd, &before);
    uint8_t pkt[128];
    th_inject_raw(&h, pkt, unreachable_rest(&first, 4, iss + 9000, 1000, pkt));
    th_inject_raw(&h, pkt, unreachable_rest(&first, 4, iss + 1, 1500, pkt));
    th_expect_none(&h);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_ICMP_ERROR_IGNORED), 1);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_PMTU_REDUCED), 0);
    th_inject_raw(&h, pkt, unreachable_rest(&first, 4, iss + 1, 1000, pkt));
    th_expect(&h, SYNACK_ACK, iss + 1, 101, 960);
    th_expect(&h, SYNACK_ACK, iss + 961, 101, 960);
    th_expect(&h, SYNACK_ACK, iss + 1921, 101, 960);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 2881, 101, 40);
    th_expect_none(&h);
    struct synack_conn_info after;
    synack_get_info(h.stack, fd, &after);
    assert_int_equal(after.snd_mss, 960);
    assert_int_equal(after.cwnd, before.cwnd);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_PMTU_REDUCED), 1);
    /* A forged tiny MTU is raised to 552 (Linux min_pmtu). */
    th_inject_raw(&h, pkt, unreachable_rest(&first, 4, iss + 1, 100, pkt));
    th_expect(&h, SYNACK_ACK, iss + 1, 101, 512);
    synack_get_info(h.stack, fd, &after);
    assert_int_equal(after.snd_mss, 512);
    th_free(&h);
}

/* A SYN (here with Fast Open data) that was too big goes again at once, plain, announcing
 * the MSS the path carries. */
static void frag_needed_for_a_syn(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    struct th_out syn = th_connect_syn(&h, &fd);
    uint8_t pkt[128];
    th_inject_raw(&h, pkt, unreachable_rest(&syn, 4, syn.seq, 800, pkt));
    struct th_out again = th_expect(&h, SYNACK_SYN, syn.seq, 0, 0);
    assert_int_equal(again.mss, 760);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_SYN_SENT);
    th_free(&h);
}

static void port_unreachable_refuses_connect(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    struct th_out syn = th_connect_syn(&h, &fd);
    uint8_t pkt[128];
    /* RFC 5927: a sequence number outside what is in flight is not believed. */
    th_inject_raw(&h, pkt, unreachable_for(&syn, SK_ICMP_PORT_UNREACH, syn.seq + 5000, pkt));
    assert_int_equal(synack_get_error(h.stack, fd), 0);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_ICMP_ERROR_IGNORED), 1);
    th_inject_raw(&h, pkt, unreachable_for(&syn, SK_ICMP_PORT_UNREACH, syn.seq, pkt));
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_get_error(h.stack, fd), -ECONNREFUSED);
    th_free(&h);
}

static void soft_error_reported_on_timeout(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd;
    struct th_out syn = th_connect_syn(&h, &fd);
    uint8_t pkt[128];
    th_inject_raw(&h, pkt, unreachable_for(&syn, SK_ICMP_HOST_UNREACH, syn.seq, pkt));
    /* RFC 1122 4.2.3.9: a soft error does not abort... */
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_SYN_SENT);
    th_advance(&h, SYNACK_SEC(200));
    /* ...but is what the application hears when the retries run out (as Linux). */
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_CLOSED);
    assert_int_equal(synack_get_error(h.stack, fd), -EHOSTUNREACH);
    th_free(&h);
}

/* A half-open child (Linux: a request sock, tcp_req_err): an error quoting another sequence
 * number, or a port unreachable, leaves it; net or host unreachable quoting our ISN drops it
 * quietly, and the peer's ACK then draws a reset. */
static void half_open_dropped_on_host_unreachable(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int lfd = th_listen(&h, 8);
    struct th_out sa = th_syn_in(&h, 1000);
    uint8_t pkt[128];
    th_inject_raw(&h, pkt, unreachable_for(&sa, SK_ICMP_HOST_UNREACH, sa.seq + 1, pkt));
    th_inject_raw(&h, pkt, unreachable_for(&sa, SK_ICMP_PORT_UNREACH, sa.seq, pkt));
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_SYN_RECEIVED);
    th_inject_raw(&h, pkt, unreachable_for(&sa, SK_ICMP_HOST_UNREACH, sa.seq, pkt));
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_CLOSED);
    th_expect_none(&h);
    th_inject(
        &h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = 1001, .ack = sa.seq + 1, .win = 512, .wscale = TH_NO_WS});
    th_expect(&h, SYNACK_RST, sa.seq + 1, 0, 0);
    assert_int_equal(synack_accept(h.stack, lfd, NULL), -EAGAIN);
    th_free(&h);
}

/* A Fast Open child (RFC 7413 4.3) not yet accepted fails on the error, as Linux's
 * tcp_v4_err in SYN-RECV: accept() returns it, the SYN's data is read, then the error. */
static void fastopen_child_fails_before_accept(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.fastopen_server = true;
    cfg.fastopen_key_set = true; /* all zeros */
    struct th h;
    th_init(&h, &cfg);
    int lfd = th_listen(&h, 8);
    assert_int_equal(synack_setsockopt(h.stack, lfd, SYNACK_TCP_FASTOPEN, 1), 0);
    uint8_t cookie[8];
    sk_tfo_cookie(cfg.fastopen_key, TH_PEER_ADDR, TH_LOCAL_ADDR, cookie);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN,
                                   .seq = 1000,
                                   .win = 65535,
                                   .mss = 1460,
                                   .data = "abc",
                                   .len = 3,
                                   .fo_len = 8,
                                   .fo_cookie = cookie});
    struct th_out sa = {0};
    assert_true(th_take(&h, &sa));
    assert_int_equal(sa.ack, 1004);
    uint8_t pkt[128];
    th_inject_raw(&h, pkt, unreachable_for(&sa, SK_ICMP_HOST_UNREACH, sa.seq, pkt));
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_CLOSED);
    int fd = synack_accept(h.stack, lfd, NULL);
    assert_true(fd >= 0);
    char buf[8];
    assert_int_equal(synack_recv(h.stack, fd, buf, sizeof buf), 3);
    assert_int_equal(synack_recv(h.stack, fd, buf, sizeof buf), -EHOSTUNREACH);
    assert_int_equal(synack_send(h.stack, fd, "x", 1), -EPIPE);
    th_free(&h);
}

/* IP_TOS and IP_MTU_DISCOVER, as Linux: the TOS byte on every packet (its ECN bits the
 * stack's), DF on by default; with IP_PMTUDISC_DONT, DF clear and "fragmentation needed"
 * changes nothing. */
static void tos_and_dont_fragment(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint32_t iss;
    int fd = th_active_open(&h, 100, &iss, NULL);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_IP_TOS, 256), -EINVAL);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_IP_TOS, 0xb9), 0);
    int v = 0;
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_IP_TOS, &v), 0);
    assert_int_equal(v, 0xb8);
    static uint8_t data[2920];
    assert_int_equal(synack_send(h.stack, fd, data, 1460), 1460);
    th_poll(&h);
    struct th_out o = th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1, 101, 1460);
    assert_int_equal(o.tos, 0xb8);
    assert_true(o.df);
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_IP_MTU_DISCOVER, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_IP_MTU_DISCOVER, 0), 0);
    assert_int_equal(synack_send(h.stack, fd, data, 1460), 1460);
    th_poll(&h);
    o = th_expect(&h, SYNACK_ACK | SYNACK_PSH, iss + 1461, 101, 1460);
    assert_false(o.df);
    uint8_t pkt[128];
    th_inject_raw(&h, pkt, unreachable_rest(&o, 4, iss + 1, 1000, pkt));
    th_expect_none(&h);
    struct synack_conn_info ci;
    synack_get_info(h.stack, fd, &ci);
    assert_int_equal(ci.snd_mss, 1460);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_request_answered),
        cmocka_unit_test(udp_gets_port_unreachable_rate_limited),
        cmocka_unit_test(port_unreachable_refuses_connect),
        cmocka_unit_test(soft_error_reported_on_timeout),
        cmocka_unit_test(half_open_dropped_on_host_unreachable),
        cmocka_unit_test(fastopen_child_fails_before_accept),
        cmocka_unit_test(frag_needed_lowers_mss),
        cmocka_unit_test(frag_needed_for_a_syn),
        cmocka_unit_test(tos_and_dont_fragment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
