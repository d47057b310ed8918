/* SPDX-License-Identifier: MIT */
/* TCP Fast Open, server side (RFC 7413 4.1.2 and 4.3, as Linux): the cookie, cookie requests,
 * data in a SYN with a valid cookie taken at once and readable through accept() before the
 * handshake's ACK, invalid cookies, listeners without Fast Open, the pending-request limit.
 * The client side is tested in test_options.c. */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "tcp/fastopen.h"

#define PEER_ISS 5000u

/* The key packetdrill's fastopen/server scripts give Linux (a0bf63f7-ed803d81-cd641d30-
 * cebc4a90 through the sysctl, the same bytes through TCP_FASTOPEN_KEY). */
static const uint8_t KEY[16] = {0xf7, 0x63, 0xbf, 0xa0, 0x81, 0x3d, 0x80, 0xed,
                                0x30, 0x1d, 0x64, 0xcd, 0x90, 0x4a, 0xbc, 0xce};
/* SipHash-2-4 under KEY of 198.18.0.1 then 198.18.0.2 (the harness's peer and us). */
static const uint8_t COOKIE[8] = {0x2e, 0xf6, 0x3e, 0xfb, 0xb3, 0x62, 0x37, 0x21};

/* The cookie is Linux's: packetdrill's simple1.pkt, which Linux 6.18 passes, expects
 * 00abaaabe8e954c2 from KEY for 10.248.0.2 -> 192.168.0.2, and upstream's runner passes
 * TFO_COOKIE=3021b9d889017eeb for 192.0.2.1 -> 192.168.0.1 under defaults.sh's key. */
static void cookie_is_linux_siphash(void **state)
{
    (void)state;
    uint8_t c[8];
    sk_tfo_cookie(KEY, SYNACK_IPV4(10, 248, 0, 2), SYNACK_IPV4(192, 168, 0, 2), c);
    static const uint8_t want1[8] = {0x00, 0xab, 0xaa, 0xab, 0xe8, 0xe9, 0x54, 0xc2};
    assert_memory_equal(c, want1, 8);
    static const uint8_t key2[16] = {0xa1, 0xa1, 0xa1, 0xa1, 0xb2, 0xb2, 0xb2, 0xb2,
                                     0xc3, 0xc3, 0xc3, 0xc3, 0xd4, 0xd4, 0xd4, 0xd4};
    sk_tfo_cookie(key2, SYNACK_IPV4(192, 0, 2, 1), SYNACK_IPV4(192, 168, 0, 1), c);
    static const uint8_t want2[8] = {0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb};
    assert_memory_equal(c, want2, 8);
    sk_tfo_cookie(KEY, TH_PEER_ADDR, TH_LOCAL_ADDR, c);
    assert_memory_equal(c, COOKIE, 8);
}

/* A stack with the Fast Open server on and KEY, listening with qlen. */
static int tfo_listen(struct th *h, int qlen)
{
    struct synack_config cfg;
    th_config(&cfg);
    cfg.fastopen_server = true;
    cfg.fastopen_key_set = true;
    memcpy(cfg.fastopen_key, KEY, 16);
    th_init(h, &cfg);
    int lfd = th_listen(h, 8);
    if (qlen >= 0) assert_int_equal(synack_setsockopt(h->stack, lfd, SYNACK_TCP_FASTOPEN, qlen), 0);
    return lfd;
}

/* Our SYN-ACK (any ISS), acknowledging ack. */
static struct th_out synack_acking(struct th *h, uint32_t ack)
{
    struct th_out o = {0};
    assert_true(th_take(h, &o));
    assert_int_equal(o.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(o.ack, ack);
    assert_int_equal(o.len, 0);
    return o;
}

static uint64_t ctr(struct th *h, enum synack_counter c)
{
    return synack_stack_counter(h->stack, c);
}

/* The peer's SYN from port (0: TH_PEER_PORT) with data and an 8-byte cookie. */
static void cookie_syn(struct th *h, uint16_t port, const char *data, const uint8_t *cookie)
{
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN,
                                  .seq = PEER_ISS,
                                  .win = 65535,
                                  .mss = 1460,
                                  .wscale = 7,
                                  .sport = port,
                                  .data = data,
                                  .len = (uint32_t)strlen(data),
                                  .fo_len = 8,
                                  .fo_cookie = cookie});
}

/* RFC 7413 4.3 step 1: an empty option asks for a cookie; the SYN-ACK carries it, in the
 * form the SYN used (Linux answers the experimental option in kind). */
static void cookie_request_gets_cookie(void **state)
{
    (void)state;
    struct th h;
    tfo_listen(&h, 5);
    th_inject(
        &h,
        &(struct th_seg){
            .flags = SYNACK_SYN, .seq = PEER_ISS, .win = 65535, .mss = 1460, .fo_request = true});
    struct th_out sa = synack_acking(&h, PEER_ISS + 1);
    assert_true(sa.has_fo);
    assert_false(sa.fo_exp);
    assert_int_equal(sa.fo_len, 8);
    assert_memory_equal(sa.fo_cookie, COOKIE, 8);
    th_expect_none(&h);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_COOKIE_REQ), 1);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE), 0);
    /* The experimental form, from another port. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN,
                                   .seq = PEER_ISS,
                                   .win = 65535,
                                   .mss = 1460,
                                   .sport = TH_PEER_PORT + 1,
                                   .fo_request = true,
                                   .fo_exp = true});
    sa = synack_acking(&h, PEER_ISS + 1);
    assert_true(sa.has_fo && sa.fo_exp);
    assert_int_equal(sa.fo_len, 8);
    assert_memory_equal(sa.fo_cookie, COOKIE, 8);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_COOKIE_REQ), 2);
    th_free(&h);
}

/* RFC 7413 4.3 step 2: a valid cookie with data. The SYN-ACK acknowledges the data (and
 * carries no cookie); accept() returns the child at once, recv() reads the data, and the
 * child may send (RFC 7413 4.3, Linux) before the handshake's ACK. */
static void valid_cookie_data_read_before_ack(void **state)
{
    (void)state;
    struct th h;
    int lfd = tfo_listen(&h, 5);
    cookie_syn(&h, 0, "hello", COOKIE);
    struct th_out sa = synack_acking(&h, PEER_ISS + 1 + 5);
    assert_false(sa.has_fo);
    th_expect_none(&h);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE), 1);
    assert_int_equal(synack_poll_events(h.stack, lfd), SYNACK_POLLIN);
    int fd = synack_accept(h.stack, lfd, NULL);
    assert_true(fd >= 0);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_SYN_RECEIVED);
    struct synack_conn_info ci;
    assert_int_equal(synack_get_info(h.stack, fd, &ci), 0);
    assert_true(ci.syn_data_acked);
    char buf[16];
    assert_int_equal(synack_recv(h.stack, fd, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    th_poll(&h);
    th_expect_none(&h); /* reading the SYN's data opens no window (Linux rcv_ssthresh) */
    assert_int_equal(synack_send(h.stack, fd, "world", 5), 5);
    th_poll(&h);
    th_expect(&h, SYNACK_ACK | SYNACK_PSH, sa.seq + 1, PEER_ISS + 6, 5);
    th_expect_none(&h);
    /* The ACK of the SYN-ACK and the data completes the handshake. */
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 6,
                                   .ack = sa.seq + 6,
                                   .win = 512,
                                   .wscale = TH_NO_WS});
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    assert_int_equal(synack_get_info(h.stack, fd, &ci), 0);
    assert_int_equal(ci.send_queued, 0);
    th_free(&h);
}

/* RFC 7413 4.3 step 3: an invalid cookie: only the SYN is acknowledged, the data is
 * dropped, and a fresh cookie goes back; the child waits for the handshake as usual. */
static void invalid_cookie_acks_syn_only(void **state)
{
    (void)state;
    struct th h;
    int lfd = tfo_listen(&h, 5);
    static const uint8_t bad[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cookie_syn(&h, 0, "hello", bad);
    struct th_out sa = synack_acking(&h, PEER_ISS + 1);
    assert_true(sa.has_fo);
    assert_int_equal(sa.fo_len, 8);
    assert_memory_equal(sa.fo_cookie, COOKIE, 8);
    th_expect_none(&h);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE_FAIL), 1);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE), 0);
    assert_int_equal(synack_accept(h.stack, lfd, NULL), -EAGAIN);
    th_free(&h);
}

static void syn_with_cookie_is_plain(struct th *h, int lfd)
{
    cookie_syn(h, 0, "hello", COOKIE);
    struct th_out sa = synack_acking(h, PEER_ISS + 1);
    assert_false(sa.has_fo);
    th_expect_none(h);
    assert_int_equal(synack_accept(h->stack, lfd, NULL), -EAGAIN);
}

/* A listener without SYNACK_TCP_FASTOPEN, or a stack without the server: the option is
 * ignored (Linux tcp_fastopen_queue_check: max_qlen 0), even a valid cookie. */
static void listener_without_fastopen_ignores_option(void **state)
{
    (void)state;
    struct th h;
    int lfd = tfo_listen(&h, -1);
    syn_with_cookie_is_plain(&h, lfd);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE), 0);
    th_free(&h);
    /* Off in the config (the default), with the socket option set. */
    struct synack_config cfg;
    th_config(&cfg);
    assert_false(cfg.fastopen_server);
    cfg.fastopen_key_set = true;
    memcpy(cfg.fastopen_key, KEY, 16);
    th_init(&h, &cfg);
    lfd = th_listen(&h, 8);
    assert_int_equal(synack_setsockopt(h.stack, lfd, SYNACK_TCP_FASTOPEN, 5), 0);
    syn_with_cookie_is_plain(&h, lfd);
    th_free(&h);
}

static struct th_out tfo_syn(struct th *h, uint16_t port)
{
    cookie_syn(h, port, "x", COOKIE);
    struct th_out sa;
    assert_true(th_take(h, &sa));
    return sa;
}

/* RFC 7413 5.1: at most qlen Fast Open children wait for their ACK; past it, a plain
 * handshake without a cookie (Linux TCPFastOpenListenOverflow). A completed handshake
 * makes room again. */
static void qlen_overflow_falls_back(void **state)
{
    (void)state;
    struct th h;
    tfo_listen(&h, 1);
    struct th_out a = tfo_syn(&h, TH_PEER_PORT);
    assert_int_equal(a.ack, PEER_ISS + 2);
    struct th_out b = tfo_syn(&h, TH_PEER_PORT + 1);
    assert_int_equal(b.ack, PEER_ISS + 1); /* the data is not taken */
    assert_false(b.has_fo);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_LISTEN_OVERFLOW), 1);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE), 1);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                   .seq = PEER_ISS + 2,
                                   .ack = a.seq + 1,
                                   .win = 512,
                                   .wscale = TH_NO_WS});
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_ESTABLISHED);
    struct th_out c = tfo_syn(&h, TH_PEER_PORT + 2);
    assert_int_equal(c.ack, PEER_ISS + 2);
    assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE), 2);
    th_free(&h);
}

/* A Fast Open child reset before accept() stays queued (Linux): accept() returns it, the
 * SYN's data is read, then ECONNRESET. */
static void reset_before_accept_keeps_data(void **state)
{
    (void)state;
    struct th h;
    int lfd = tfo_listen(&h, 5);
    struct th_out sa = tfo_syn(&h, TH_PEER_PORT);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_RST | SYNACK_ACK,
                                   .seq = PEER_ISS + 2,
                                   .ack = sa.seq + 1,
                                   .wscale = TH_NO_WS});
    th_expect_none(&h);
    int fd = synack_accept(h.stack, lfd, NULL);
    assert_true(fd >= 0);
    char c;
    assert_int_equal(synack_recv(h.stack, fd, &c, 1), 1);
    assert_int_equal(c, 'x');
    assert_int_equal(synack_recv(h.stack, fd, &c, 1), -ECONNRESET);
    assert_int_equal(synack_close(h.stack, fd), 0);
    th_free(&h);
}

/* Keys: a listener's own (Linux TCP_FASTOPEN_KEY) over the stack's; without either, one
 * derived from the secret (deterministic). */
static void keys_per_listener_and_stack(void **state)
{
    (void)state;
    struct th h;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.fastopen_server = true;
    th_init(&h, &cfg);
    int lfd = th_listen(&h, 8);
    assert_int_equal(synack_setsockopt(h.stack, lfd, SYNACK_TCP_FASTOPEN, 5), 0);
    int v = 0;
    assert_int_equal(synack_getsockopt(h.stack, lfd, SYNACK_TCP_FASTOPEN, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(synack_setsockopt(h.stack, lfd, SYNACK_TCP_FASTOPEN, -1), -EINVAL);
    struct th_out derived = tfo_syn(&h, TH_PEER_PORT); /* not yet KEY's cookie */
    assert_int_equal(derived.ack, PEER_ISS + 1);
    assert_true(derived.has_fo);
    assert_memory_not_equal(derived.fo_cookie, COOKIE, 8);
    assert_int_equal(synack_set_fastopen_key(h.stack, lfd, KEY), 0);
    assert_int_equal(tfo_syn(&h, TH_PEER_PORT + 1).ack, PEER_ISS + 2);
    assert_int_equal(synack_set_fastopen_key(h.stack, lfd, NULL), -EINVAL);
    assert_int_equal(synack_set_fastopen_key(h.stack, 99, KEY), -EBADF);
    th_free(&h);
    /* The stack's key (fd < 0), and the derived key is the same for the same secret. */
    th_init(&h, &cfg);
    lfd = th_listen(&h, 8);
    assert_int_equal(synack_setsockopt(h.stack, lfd, SYNACK_TCP_FASTOPEN, 5), 0);
    struct th_out again = tfo_syn(&h, TH_PEER_PORT);
    assert_memory_equal(again.fo_cookie, derived.fo_cookie, 8);
    assert_int_equal(synack_set_fastopen_key(h.stack, -1, KEY), 0);
    assert_int_equal(tfo_syn(&h, TH_PEER_PORT + 1).ack, PEER_ISS + 2);
    th_free(&h);
}

/* Key rotation (Linux TCP_FASTOPEN_KEY with a backup key): a cookie made under the backup
 * key is still taken, and the SYN-ACK brings the client the current cookie; a cookie under
 * neither key is not. The same for the stack's keys (fd < 0). */
static void backup_key_still_takes_old_cookies(void **state)
{
    (void)state;
    static const uint8_t NEWKEY[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint8_t fresh[8];
    sk_tfo_cookie(NEWKEY, TH_PEER_ADDR, TH_LOCAL_ADDR, fresh);
    for (int stackwide = 0; stackwide < 2; stackwide++) {
        struct th h;
        int lfd = tfo_listen(&h, 5);
        assert_int_equal(synack_set_fastopen_keys(h.stack, stackwide ? -1 : lfd, NEWKEY, KEY), 0);
        cookie_syn(&h, TH_PEER_PORT, "old", COOKIE); /* COOKIE is KEY's */
        struct th_out sa = synack_acking(&h, PEER_ISS + 4);
        assert_true(sa.has_fo);
        assert_int_equal(sa.fo_len, 8);
        assert_memory_equal(sa.fo_cookie, fresh, 8);
        cookie_syn(&h, TH_PEER_PORT + 1, "new", fresh);
        sa = synack_acking(&h, PEER_ISS + 4);
        assert_false(sa.has_fo); /* a current cookie needs no new one */
        /* Without the backup, KEY's cookie is refused: only the SYN is acknowledged. */
        assert_int_equal(synack_set_fastopen_keys(h.stack, stackwide ? -1 : lfd, NEWKEY, NULL), 0);
        cookie_syn(&h, TH_PEER_PORT + 2, "old", COOKIE);
        sa = synack_acking(&h, PEER_ISS + 1);
        assert_memory_equal(sa.fo_cookie, fresh, 8);
        assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE), 2);
        assert_int_equal(ctr(&h, SYNACK_CTR_TCP_FASTOPEN_PASSIVE_FAIL), 1);
        th_free(&h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cookie_is_linux_siphash),
        cmocka_unit_test(cookie_request_gets_cookie),
        cmocka_unit_test(valid_cookie_data_read_before_ack),
        cmocka_unit_test(invalid_cookie_acks_syn_only),
        cmocka_unit_test(listener_without_fastopen_ignores_option),
        cmocka_unit_test(qlen_overflow_falls_back),
        cmocka_unit_test(reset_before_accept_keeps_data),
        cmocka_unit_test(keys_per_listener_and_stack),
        cmocka_unit_test(backup_key_still_takes_old_cookies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
