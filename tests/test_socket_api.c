/* SPDX-License-Identifier: MIT */
/* The socket API's argument checking and errno meanings, bind/port rules, options, ISNs,
 * memory hooks and bounded reassembly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "tcp/isn.h"

static void bad_descriptors_and_arguments(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    struct synack_stack *s = h.stack;
    char b[4];
    struct synack_endpoint ep = {0, 80};
    assert_int_equal(synack_send(s, 5, b, 1), -EBADF);
    assert_int_equal(synack_recv(s, -1, b, 1), -EBADF);
    assert_int_equal(synack_bind(s, 100000, &ep), -EBADF);
    assert_int_equal(synack_close(s, 3), -EBADF);
    assert_int_equal(synack_abort(s, 3), -EBADF);
    assert_int_equal(synack_get_error(s, 3), -EBADF);
    assert_int_equal(synack_poll_events(s, 3), -EBADF);
    int fd = synack_socket(s);
    assert_int_equal(synack_send(s, fd, NULL, 1), -EFAULT);
    assert_int_equal(synack_recv(s, fd, NULL, 1), -EFAULT);
    assert_int_equal(synack_send(s, fd, b, 1), -ENOTCONN);
    assert_int_equal(synack_recv(s, fd, b, 1), -ENOTCONN);
    assert_int_equal(synack_shutdown(s, fd, SYNACK_SHUT_WR), -ENOTCONN);
    assert_int_equal(synack_shutdown(s, fd, 7), -EINVAL);
    assert_int_equal(synack_accept(s, fd, NULL), -EINVAL);
    struct synack_endpoint out;
    assert_int_equal(synack_getpeername(s, fd, &out), -ENOTCONN);
    struct synack_endpoint zero = {0, 0};
    assert_int_equal(synack_connect(s, fd, &zero), -EINVAL);
    struct synack_endpoint other = {SYNACK_IPV4(10, 0, 0, 1), 80};
    assert_int_equal(synack_bind(s, fd, &other), -EADDRNOTAVAIL);
    assert_int_equal(synack_bind(s, fd, &ep), 0);
    assert_int_equal(synack_bind(s, fd, &ep), -EINVAL); /* already bound */
    assert_int_equal(synack_listen(s, fd, 0), 0);
    struct synack_endpoint peer = {TH_PEER_ADDR, 80};
    assert_int_equal(synack_connect(s, fd, &peer), -EINVAL);
    assert_int_equal(synack_accept(s, fd, NULL), -EAGAIN);
    assert_int_equal(synack_setsockopt(s, fd, (enum synack_sockopt)99, 1), -ENOPROTOOPT);
    assert_int_equal(synack_close(s, fd), 0);
    assert_int_equal(synack_close(s, fd), -EBADF);
    th_free(&h);
}

static void bind_conflicts_and_reuseaddr(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    struct synack_stack *s = h.stack;
    int l = th_listen(&h, 4);
    int fd = th_passive_open(&h, l, 100, NULL);
    (void)fd;
    int b = synack_socket(s);
    struct synack_endpoint ep = {0, TH_LOCAL_PORT};
    assert_int_equal(synack_bind(s, b, &ep), -EADDRINUSE);
    assert_int_equal(synack_setsockopt(s, b, SYNACK_SO_REUSEADDR, 1), 0);
    assert_int_equal(synack_bind(s, b, &ep), -EADDRINUSE); /* a listener holds it */
    assert_int_equal(synack_close(s, l), 0);
    assert_int_equal(synack_bind(s, b, &ep), 0); /* only a connection remains: reuse */
    /* Ephemeral ports: distinct for distinct sockets. */
    int e1 = synack_socket(s), e2 = synack_socket(s);
    struct synack_endpoint any = {0, 0}, p1, p2;
    assert_int_equal(synack_bind(s, e1, &any), 0);
    assert_int_equal(synack_bind(s, e2, &any), 0);
    synack_getsockname(s, e1, &p1);
    synack_getsockname(s, e2, &p2);
    assert_true(p1.port >= 32768 && p1.port <= 60999);
    assert_int_not_equal(p1.port, p2.port);
    th_free(&h);
}

static void socket_limit_is_emfile(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.max_sockets = 3;
    struct th h;
    th_init(&h, &cfg);
    for (int i = 0; i < 3; i++)
        assert_int_equal(synack_socket(h.stack), i);
    assert_int_equal(synack_socket(h.stack), -EMFILE);
    synack_close(h.stack, 1);
    assert_int_equal(synack_socket(h.stack), 1); /* the lowest free number, as POSIX */
    th_free(&h);
}

static void invalid_config_rejected(void **state)
{
    (void)state;
    struct synack_link link = {NULL, NULL};
    assert_null(synack_stack_new(NULL, &link)); /* no transmit function */
    struct synack_config cfg;
    th_config(&cfg);
    cfg.rto_min = SYNACK_SEC(200);
    struct th h;
    memset(&h, 0, sizeof h);
    struct synack_link ok = {NULL, (void (*)(void *, const uint8_t *, size_t, synack_time_t))1};
    assert_null(synack_stack_new(&cfg, &ok));
    th_config(&cfg);
    cfg.mss = 10;
    assert_null(synack_stack_new(&cfg, &ok));
    th_config(&cfg);
    cfg.ephemeral_first = 5000;
    cfg.ephemeral_last = 4000;
    assert_null(synack_stack_new(&cfg, &ok));
}

struct counting_alloc {
    long live;
    long calls;
    bool refuse; /* every allocation fails */
};

static void *count_alloc(void *ctx, size_t n)
{
    struct counting_alloc *c = ctx;
    if (c->refuse) return NULL;
    c->live++;
    c->calls++;
    return malloc(n);
}

static void count_free(void *ctx, void *p)
{
    struct counting_alloc *c = ctx;
    c->live--;
    free(p);
}

/* A harness whose stack takes its memory through ca's hooks. */
static void init_counted(struct th *h, struct counting_alloc *ca)
{
    struct synack_config cfg;
    th_config(&cfg);
    cfg.alloc = count_alloc;
    cfg.dealloc = count_free;
    cfg.mem_ctx = ca;
    th_init(h, &cfg);
}

/* A listener's queues are memory of their own, taken by listen(): without it, listen()
 * fails with -ENOMEM and leaves the socket as it was, ready to listen when memory returns. */
static void listen_without_memory_is_enomem(void **state)
{
    (void)state;
    struct counting_alloc ca = {0, 0, false};
    struct th h;
    init_counted(&h, &ca);
    struct synack_stack *s = h.stack;
    int fd = synack_socket(s);
    struct synack_endpoint ep = {0, TH_LOCAL_PORT};
    assert_int_equal(synack_bind(s, fd, &ep), 0);
    ca.refuse = true;
    assert_int_equal(synack_listen(s, fd, 4), -ENOMEM);
    assert_int_equal(synack_setsockopt(s, fd, SYNACK_TCP_FASTOPEN, 4), -ENOMEM);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(s, fd, &info), 0);
    assert_int_equal(info.state, SYNACK_CLOSED);
    int qlen = -1;
    assert_int_equal(synack_getsockopt(s, fd, SYNACK_TCP_FASTOPEN, &qlen), 0);
    assert_int_equal(qlen, 0);
    ca.refuse = false;
    assert_int_equal(synack_listen(s, fd, 4), 0);
    assert_int_equal(synack_get_info(s, fd, &info), 0);
    assert_int_equal(info.state, SYNACK_LISTEN);
    assert_int_equal(synack_accept(s, fd, NULL), -EAGAIN);
    th_free(&h);
}

static void memory_hooks_and_no_per_packet_allocation(void **state)
{
    (void)state;
    struct counting_alloc ca = {0, 0, false};
    struct th h;
    init_counted(&h, &ca);
    int l = th_listen(&h, 4);
    uint32_t iss;
    int fd = th_passive_open(&h, l, 500, &iss);
    long after_open = ca.calls, after_warmup = 0;
    /* 1000 data segments in and out: buffer memory comes with the first data (a chunk and
     * its table each way) and is then reused from the stack's cache as the buffers drain
     * and fill again: no allocation per segment. */
    uint8_t data[100] = {0};
    for (uint32_t i = 0; i < 1000; i++) {
        if (i == 100) after_warmup = ca.calls;
        th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                       .seq = 501 + 100 * i,
                                       .ack = iss + 1 + 100 * i,
                                       .win = 1000,
                                       .data = data,
                                       .len = 100});
        char b[100];
        assert_int_equal(synack_recv(h.stack, fd, b, sizeof b), 100);
        assert_int_equal(synack_send(h.stack, fd, b, 100), 100);
        th_poll(&h);
        struct th_out o;
        while (th_take(&h, &o)) {
        }
    }
    assert_int_equal(ca.calls, after_warmup);
    assert_true(after_warmup - after_open <= 6);
    th_free(&h);
    assert_int_equal(ca.live, 0);
}

/* Buffers hold memory only while they hold data: an idle established connection holds
 * none, and an orphaned one in TIME-WAIT none either (only its sequence state), yet it still
 * re-ACKs a retransmitted FIN (RFC 9293 3.10.7.4). */
static void time_wait_holds_no_buffers(void **state)
{
    (void)state;
    struct counting_alloc ca = {0, 0, false};
    struct th h;
    init_counted(&h, &ca);
    int l = th_listen(&h, 4);
    uint32_t iss;
    int fd = th_passive_open(&h, l, 500, &iss);
    assert_int_equal(synack_stack_buffer_memory(h.stack), 0); /* idle: no buffer memory */
    uint8_t data[100] = {1};
    th_inject(
        &h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = 501, .ack = iss + 1, .win = 100, .data = data, .len = 100});
    /* 100 bytes held: one chunk of the receive buffer (its size, as the buffer is larger)
     * and the chunk table. */
    assert_true(synack_stack_buffer_memory(h.stack) >= 4096);
    char b[100];
    assert_int_equal(synack_recv(h.stack, fd, b, sizeof b), 100);
    assert_int_equal(synack_stack_buffer_memory(h.stack), 0); /* read: given back */
    long idle = ca.live;
    assert_int_equal(synack_close(h.stack, fd), 0);
    th_poll(&h);
    th_take(&h, &(struct th_out){0}); /* the ACK of the 100 bytes */
    th_expect(&h, SYNACK_FIN | SYNACK_ACK, iss + 1, 601, 0);
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_FIN | SYNACK_ACK, .seq = 601, .ack = iss + 2, .win = 100});
    th_expect(&h, SYNACK_ACK, iss + 2, 602, 0);
    assert_int_equal(th_state_of(&h, TH_PEER_PORT), SYNACK_TIME_WAIT);
    assert_int_equal(ca.live, idle); /* TIME-WAIT takes nothing more */
    assert_int_equal(synack_stack_buffer_memory(h.stack), 0);
    th_advance(&h, SYNACK_SEC(10));
    th_inject(&h, &(struct th_seg){
                      .flags = SYNACK_FIN | SYNACK_ACK, .seq = 601, .ack = iss + 2, .win = 100});
    struct th_out o = th_expect(&h, SYNACK_ACK, iss + 2, 602, 0);
    assert_true(o.win > 0);
    th_advance(&h, SYNACK_SEC(60));
    /* After 2 MSL the block itself goes, and the record of its local address and port (the
     * listener holds the wildcard address's). */
    assert_int_equal(ca.live, idle - 2);
    th_free(&h);
    assert_int_equal(ca.live, 0);
}

static void isn_keyed_and_clocked(void **state)
{
    (void)state;
    uint8_t k1[16] = {1}, k2[16] = {2};
    struct synack_endpoint a = {SYNACK_IPV4(198, 18, 0, 2), 80},
                           b = {SYNACK_IPV4(198, 18, 0, 1), 40000};
    struct synack_endpoint b2 = {SYNACK_IPV4(198, 18, 0, 1), 40001};
    uint32_t i0 = sk_isn(k1, &a, &b, 0);
    /* RFC 6528: M advances every 4 microseconds; F depends on key and 4-tuple. */
    assert_int_equal(sk_isn(k1, &a, &b, 0), i0);
    assert_int_equal(sk_isn(k1, &a, &b, SYNACK_US(4)), i0 + 1);
    assert_int_equal(sk_isn(k1, &a, &b, SYNACK_SEC(1)), i0 + 250000);
    assert_int_not_equal(sk_isn(k2, &a, &b, 0), i0);
    assert_int_not_equal(sk_isn(k1, &a, &b2, 0), i0);
}

static void reassembly_memory_is_bounded(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.ooo_max_ranges = 2;
    struct th h;
    th_init(&h, &cfg);
    int l = th_listen(&h, 4);
    uint32_t iss;
    int fd = th_passive_open(&h, l, 500, &iss);
    uint8_t d[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    /* Three separate holes: the third range does not fit and is dropped, counted. */
    for (uint32_t k = 1; k <= 3; k++)
        th_inject(&h, &(struct th_seg){.flags = SYNACK_ACK,
                                       .seq = 501 + 20 * k,
                                       .ack = iss + 1,
                                       .win = 1000,
                                       .data = d,
                                       .len = 10});
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_OOO_QUEUED), 2);
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_OOO_DROPPED), 1);
    /* Adjacent data still merges into an existing range. */
    th_inject(
        &h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = 531, .ack = iss + 1, .win = 1000, .data = d, .len = 10});
    assert_int_equal(synack_stack_counter(h.stack, SYNACK_CTR_TCP_OOO_QUEUED), 3);
    struct th_out o;
    while (th_take(&h, &o)) {
    }
    th_inject(
        &h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = 501, .ack = iss + 1, .win = 1000, .data = d, .len = 10});
    th_inject(
        &h,
        &(struct th_seg){
            .flags = SYNACK_ACK, .seq = 511, .ack = iss + 1, .win = 1000, .data = d, .len = 10});
    /* 501..551 now contiguous (the dropped range 561.. was never held). */
    struct th_out last = {0};
    while (th_take(&h, &o))
        last = o;
    assert_int_equal(last.ack, 551);
    char b[64];
    assert_int_equal(synack_recv(h.stack, fd, b, sizeof b), 50);
    th_free(&h);
}

static void options_and_info(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    int fd = synack_socket(h.stack);
    int v = 0;
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_SO_RCVBUF, 8192), 0);
    assert_int_equal(synack_getsockopt(h.stack, fd, SYNACK_SO_RCVBUF, &v), 0);
    assert_int_equal(v, 8192);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_SO_RCVBUF, 10), -EINVAL);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_MAXSEG, 1000), 0);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_MAXSEG, 9000), -EINVAL);
    struct synack_conn_info info;
    assert_int_equal(synack_get_info(h.stack, fd, &info), -ENOTCONN);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h.stack, fd, &r), -EINPROGRESS);
    th_poll(&h);
    struct th_out syn = {0};
    assert_true(th_take(&h, &syn));
    assert_int_equal(syn.mss, 1000);
    assert_int_equal(syn.wscale, 0); /* 8 KiB fits in 16 bits: shift 0 */
    assert_int_equal(syn.win, 8192);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_SO_RCVBUF, 4096), -EINVAL);
    assert_int_equal(synack_get_info(h.stack, fd, &info), 0);
    assert_int_equal(info.state, SYNACK_SYN_SENT);
    assert_int_equal(info.rto, SYNACK_SEC(1));
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_descriptors_and_arguments),
        cmocka_unit_test(bind_conflicts_and_reuseaddr),
        cmocka_unit_test(socket_limit_is_emfile),
        cmocka_unit_test(invalid_config_rejected),
        cmocka_unit_test(listen_without_memory_is_enomem),
        cmocka_unit_test(memory_hooks_and_no_per_packet_allocation),
        cmocka_unit_test(time_wait_holds_no_buffers),
        cmocka_unit_test(isn_keyed_and_clocked),
        cmocka_unit_test(reassembly_memory_is_bounded),
        cmocka_unit_test(options_and_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
