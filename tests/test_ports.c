/* SPDX-License-Identifier: MIT */
/* Ports and descriptors without walking the connections: RFC 6056 ephemeral ports that
 * several connections share toward different peers, bind() conflicts by holder kind, the
 * lowest free descriptor (issue 8). */
#include <errno.h>
#include "harness.h"

static int connect_to(struct th *h, uint16_t peer_port, uint16_t *local_port)
{
    int fd = synack_socket(h->stack);
    assert_true(fd >= 0);
    struct synack_endpoint r = {TH_PEER_ADDR, peer_port};
    int err = synack_connect(h->stack, fd, &r);
    if (err != -EINPROGRESS) return err;
    struct synack_endpoint me;
    assert_int_equal(synack_getsockname(h->stack, fd, &me), 0);
    *local_port = me.port;
    return fd;
}

/* RFC 6056 / Linux __inet_hash_connect: one ephemeral port serves connections to different
 * peers; only the 4-tuple must be unique. */
static void ephemeral_port_shared_across_peers(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.ephemeral_first = cfg.ephemeral_last = 40000; /* a single ephemeral port */
    struct th h;
    th_init(&h, &cfg);
    uint16_t p1 = 0, p2 = 0, p3 = 0;
    assert_true(connect_to(&h, 80, &p1) >= 0);
    assert_true(connect_to(&h, 81, &p2) >= 0);
    assert_int_equal(p1, 40000);
    assert_int_equal(p2, 40000);
    assert_int_equal(connect_to(&h, 80, &p3), -EADDRNOTAVAIL); /* same 4-tuple */
    th_poll(&h);
    assert_int_equal(th_pending(&h), 2); /* two SYNs from 40000 */
    th_free(&h);
}

/* connect() never takes a port held by bind() or listen() (Linux skips such ports). */
static void autobind_skips_explicitly_bound_ports(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.ephemeral_first = 40000;
    cfg.ephemeral_last = 40001;
    struct th h;
    th_init(&h, &cfg);
    int b = synack_socket(h.stack);
    struct synack_endpoint at = {0, 40000};
    assert_int_equal(synack_bind(h.stack, b, &at), 0);
    for (int i = 0; i < 3; i++) {
        uint16_t p = 0;
        assert_true(connect_to(&h, (uint16_t)(80 + i), &p) >= 0);
        assert_int_equal(p, 40001);
    }
    /* The bound socket goes: its port is free for connect again. */
    assert_int_equal(synack_close(h.stack, b), 0);
    uint16_t p = 0;
    int seen40000 = 0;
    for (int i = 0; i < 2; i++) {
        assert_true(connect_to(&h, (uint16_t)(90 + i), &p) >= 0);
        seen40000 |= p == 40000;
    }
    assert_true(seen40000);
    th_free(&h);
}

/* bind(): a listener always conflicts; other holders only without SO_REUSEADDR. */
static void bind_conflicts_by_holder(void **state)
{
    (void)state;
    struct th h;
    th_init(&h, NULL);
    uint16_t p = 0;
    assert_true(connect_to(&h, 80, &p) >= 0); /* holds p automatically */
    int a = synack_socket(h.stack);
    struct synack_endpoint at = {0, p};
    assert_int_equal(synack_bind(h.stack, a, &at), -EADDRINUSE);
    assert_int_equal(synack_setsockopt(h.stack, a, SYNACK_SO_REUSEADDR, 1), 0);
    assert_int_equal(synack_bind(h.stack, a, &at), 0);
    assert_int_equal(synack_listen(h.stack, a, 4), 0);
    int b = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, b, SYNACK_SO_REUSEADDR, 1), 0);
    assert_int_equal(synack_bind(h.stack, b, &at), -EADDRINUSE); /* a listens there */
    struct synack_endpoint mine = {TH_LOCAL_ADDR, p};
    assert_int_equal(synack_bind(h.stack, b, &mine), -EADDRINUSE); /* overlapping address */
    assert_int_equal(synack_close(h.stack, a), 0);
    assert_int_equal(synack_bind(h.stack, b, &at), 0);
    th_free(&h);
}

/* POSIX: socket() and accept() return the lowest free descriptor. */
static void lowest_free_descriptor(void **state)
{
    (void)state;
    struct synack_config cfg;
    th_config(&cfg);
    cfg.max_sockets = 130; /* more than two words of the bitmap */
    struct th h;
    th_init(&h, &cfg);
    for (int i = 0; i < 130; i++)
        assert_int_equal(synack_socket(h.stack), i);
    assert_int_equal(synack_socket(h.stack), -EMFILE);
    assert_int_equal(synack_close(h.stack, 64), 0);
    assert_int_equal(synack_close(h.stack, 3), 0);
    assert_int_equal(synack_close(h.stack, 129), 0);
    assert_int_equal(synack_socket(h.stack), 3);
    assert_int_equal(synack_socket(h.stack), 64);
    assert_int_equal(synack_socket(h.stack), 129);
    assert_int_equal(synack_socket(h.stack), -EMFILE);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ephemeral_port_shared_across_peers),
        cmocka_unit_test(autobind_skips_explicitly_bound_ports),
        cmocka_unit_test(bind_conflicts_by_holder),
        cmocka_unit_test(lowest_free_descriptor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
