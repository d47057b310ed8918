/* SPDX-License-Identifier: MIT */
/* The event API (synack/event.h): level- and edge-triggered readiness, one-shot, add / mod /
 * del errors, descriptors removed on close, fair order with a small max, several sets, in
 * virtual time between two simulated stacks (Linux epoll semantics, epoll(7)). */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "synack/event.h"
#include "synack/sim.h"

#define IN SYNACK_POLLIN
#define OUT SYNACK_POLLOUT
#define ERR SYNACK_POLLERR
#define HUP SYNACK_POLLHUP

static union synack_event_data u64(uint64_t v)
{
    union synack_event_data d;
    memset(&d, 0, sizeof d);
    d.u64 = v;
    return d;
}

static void run(struct th_pair *p)
{
    synack_sim_run_for(p->sim, SYNACK_MS(50));
}

/* A connected pair; *sfd gets the server's accepted descriptor. */
static void open_pair(struct th_pair *p, int *sfd)
{
    th_pair_init(p, 1, NULL, NULL, NULL);
    th_pair_connect(p);
    run(p);
    *sfd = synack_accept(p->ss, p->lfd, NULL);
    assert_true(*sfd >= 0);
}

static void send_bytes(struct th_pair *p, size_t n)
{
    char buf[256];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(synack_send(p->cs, p->cfd, buf, n), (ssize_t)n);
    run(p);
}

static void drain(struct th_pair *p, int sfd, size_t n)
{
    char buf[1024];
    assert_int_equal(synack_recv(p->ss, sfd, buf, sizeof buf), (ssize_t)n);
    assert_int_equal(synack_recv(p->ss, sfd, buf, sizeof buf), -EAGAIN);
}

/* Waits and asserts exactly one event with these bits, descriptor and value. */
static void expect_one(struct synack_events *set, uint32_t bits, int fd, uint64_t value)
{
    struct synack_event ev[4];
    memset(ev, 0, sizeof ev);
    assert_int_equal(synack_events_wait(set, ev, 4), 1);
    assert_int_equal(ev[0].events, bits);
    assert_int_equal(ev[0].fd, fd);
    assert_int_equal(ev[0].data.u64, value);
}

static void expect_none_at(struct synack_events *set, int line)
{
    struct synack_event ev[4];
    int n = synack_events_wait(set, ev, 4);
    if (n != 0) fail_msg("line %d: %d events (first: bits %#x)", line, n, ev[0].events);
}
#define expect_none(set) expect_none_at(set, __LINE__)

static void listener_level_triggered(void **state)
{
    (void)state;
    struct th_pair p;
    th_pair_init(&p, 1, NULL, NULL, NULL);
    struct synack_events *set = synack_events_new(p.ss);
    assert_non_null(set);
    assert_int_equal(synack_events_add(set, p.lfd, IN, u64(7)), 0);
    expect_none(set);
    th_pair_connect(&p);
    run(&p);
    /* A queued connection makes the listener readable, and level-triggered it stays so. */
    expect_one(set, IN, p.lfd, 7);
    expect_one(set, IN, p.lfd, 7);
    int sfd = synack_accept(p.ss, p.lfd, NULL);
    assert_true(sfd >= 0);
    expect_none(set);
    synack_events_free(set);
    th_pair_free(&p);
}

static void data_level_triggered(void **state)
{
    (void)state;
    struct th_pair p;
    int sfd;
    open_pair(&p, &sfd);
    struct synack_events *set = synack_events_new(p.ss);
    assert_int_equal(synack_events_add(set, sfd, IN, u64(1)), 0);
    expect_none(set);
    send_bytes(&p, 100);
    expect_one(set, IN, sfd, 1);
    expect_one(set, IN, sfd, 1); /* still unread: reported again */
    drain(&p, sfd, 100);
    expect_none(set);
    send_bytes(&p, 10);
    expect_one(set, IN, sfd, 1);
    /* With POLLOUT too, both bits come in one event. */
    assert_int_equal(synack_events_mod(set, sfd, IN | OUT, u64(2)), 0);
    expect_one(set, IN | OUT, sfd, 2);
    drain(&p, sfd, 10);
    expect_one(set, OUT, sfd, 2);
    th_pair_free(&p); /* the set goes with its stack */
}

static void edge_triggered(void **state)
{
    (void)state;
    struct th_pair p;
    int sfd;
    open_pair(&p, &sfd);
    struct synack_events *set = synack_events_new(p.ss);
    assert_int_equal(synack_events_add(set, sfd, IN | OUT | SYNACK_EV_ET, u64(3)), 0);
    /* Registered while writable: reported once. */
    expect_one(set, OUT, sfd, 3);
    expect_none(set);
    send_bytes(&p, 100);
    expect_one(set, IN | OUT, sfd, 3);
    expect_none(set); /* unread, but nothing new */
    send_bytes(&p, 50);
    expect_one(set, IN | OUT, sfd, 3); /* new data: a new edge (Linux wakes on arrival) */
    drain(&p, sfd, 150);
    expect_none(set);
    send_bytes(&p, 20);
    expect_one(set, IN | OUT, sfd, 3);
    /* Data that arrives and is read before the wait: the wait reports what is ready then
     * (as ep_send_events re-polls), and with POLLIN interest alone, nothing. */
    drain(&p, sfd, 20);
    send_bytes(&p, 5);
    drain(&p, sfd, 5);
    expect_one(set, OUT, sfd, 3);
    assert_int_equal(synack_events_mod(set, sfd, IN | SYNACK_EV_ET, u64(3)), 0);
    expect_none(set);
    send_bytes(&p, 5);
    drain(&p, sfd, 5);
    expect_none(set);
    /* The peer's FIN: readable (EOF) again. */
    assert_int_equal(synack_shutdown(p.cs, p.cfd, SYNACK_SHUT_WR), 0);
    run(&p);
    expect_one(set, IN, sfd, 3);
    expect_none(set);
    synack_events_free(set);
    th_pair_free(&p);
}

static void one_shot(void **state)
{
    (void)state;
    struct th_pair p;
    int sfd;
    open_pair(&p, &sfd);
    struct synack_events *set = synack_events_new(p.ss);
    assert_int_equal(synack_events_add(set, sfd, IN | SYNACK_EV_ONESHOT, u64(4)), 0);
    send_bytes(&p, 10);
    expect_one(set, IN, sfd, 4);
    expect_none(set);
    send_bytes(&p, 10);
    expect_none(set); /* disarmed */
    assert_int_equal(synack_events_mod(set, sfd, IN | SYNACK_EV_ONESHOT, u64(5)), 0);
    expect_one(set, IN, sfd, 5); /* re-armed and ready */
    expect_none(set);
    synack_events_free(set);
    th_pair_free(&p);
}

static void errors_and_close(void **state)
{
    (void)state;
    struct th_pair p;
    int sfd;
    open_pair(&p, &sfd);
    struct synack_event ev[2];
    assert_null(synack_events_new(NULL));
    struct synack_events *set = synack_events_new(p.ss);
    assert_int_equal(synack_events_add(NULL, sfd, IN, u64(0)), -EINVAL);
    assert_int_equal(synack_events_add(set, sfd, 0x100, u64(0)), -EINVAL);
    assert_int_equal(synack_events_add(set, 999, IN, u64(0)), -EBADF);
    assert_int_equal(synack_events_add(set, -1, IN, u64(0)), -EBADF);
    assert_int_equal(synack_events_mod(set, sfd, IN, u64(0)), -ENOENT);
    assert_int_equal(synack_events_del(set, sfd), -ENOENT);
    assert_int_equal(synack_events_add(set, sfd, IN, u64(0)), 0);
    assert_int_equal(synack_events_add(set, sfd, IN, u64(0)), -EEXIST);
    assert_int_equal(synack_events_wait(set, NULL, 1), -EINVAL);
    assert_int_equal(synack_events_wait(set, ev, 0), -EINVAL);
    assert_int_equal(synack_events_wait(NULL, ev, 1), -EINVAL);
    send_bytes(&p, 10);
    assert_int_equal(synack_events_del(set, sfd), 0);
    expect_none(set); /* deleted while queued: gone */
    assert_int_equal(synack_events_del(set, sfd), -ENOENT);
    /* Closing a descriptor removes it from the set (as closing a file does for epoll);
     * a new socket that reuses the number starts unregistered. */
    assert_int_equal(synack_events_add(set, sfd, IN, u64(9)), 0);
    assert_int_equal(synack_close(p.ss, sfd), 0); /* unread data: RST */
    expect_none(set);
    int again = synack_socket(p.ss);
    assert_int_equal(again, sfd);
    assert_int_equal(synack_events_del(set, again), -ENOENT);
    synack_events_free(set);
    th_pair_free(&p);
}

static void reset_reports_err_and_hup(void **state)
{
    (void)state;
    struct th_pair p;
    int sfd;
    open_pair(&p, &sfd);
    struct synack_events *set = synack_events_new(p.ss);
    /* No interest bits at all: errors and hang-ups are reported anyway (epoll). */
    assert_int_equal(synack_events_add(set, sfd, 0, u64(6)), 0);
    expect_none(set);
    assert_int_equal(synack_abort(p.cs, p.cfd), 0);
    run(&p);
    expect_one(set, ERR | HUP, sfd, 6);
    expect_one(set, ERR | HUP, sfd, 6);
    assert_int_equal(synack_get_error(p.ss, sfd), -ECONNRESET);
    expect_one(set, HUP, sfd, 6);
    synack_events_free(set);
    th_pair_free(&p);
}

static void connect_completes_writable(void **state)
{
    (void)state;
    struct th_pair p;
    th_pair_init(&p, 1, NULL, NULL, NULL);
    struct synack_events *set = synack_events_new(p.cs);
    assert_int_equal(synack_events_add(set, p.cfd, OUT | SYNACK_EV_ET, u64(8)), 0);
    expect_none(set);
    th_pair_connect(&p);
    expect_none(set); /* SYN-SENT */
    run(&p);
    expect_one(set, OUT, p.cfd, 8);
    expect_none(set);
    synack_events_free(set);
    th_pair_free(&p);
}

/* Three ready sockets, two slots per wait: every socket is served in turn (ready entries
 * go back at the tail, as ep_send_events does). */
static void small_max_round_robin(void **state)
{
    (void)state;
    struct th_pair p;
    th_pair_init(&p, 1, NULL, NULL, NULL);
    struct synack_endpoint srv = {TH_SERVER_ADDR, 80};
    int c[3], s[3];
    for (int i = 0; i < 3; i++) {
        c[i] = i == 0 ? p.cfd : synack_socket(p.cs);
        assert_int_equal(synack_connect(p.cs, c[i], &srv), -EINPROGRESS);
    }
    run(&p);
    struct synack_events *set = synack_events_new(p.ss);
    for (int i = 0; i < 3; i++) {
        s[i] = synack_accept(p.ss, p.lfd, NULL);
        assert_true(s[i] >= 0);
        assert_int_equal(synack_events_add(set, s[i], IN, u64((uint64_t)i)), 0);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(synack_send(p.cs, c[i], "abc", 3), 3);
    run(&p);
    struct synack_event ev[2];
    int seen[3] = {0, 0, 0};
    for (int round = 0; round < 3; round++) {
        assert_int_equal(synack_events_wait(set, ev, 2), 2);
        assert_int_not_equal(ev[0].data.u64, ev[1].data.u64);
        seen[ev[0].data.u64]++;
        seen[ev[1].data.u64]++;
    }
    assert_int_equal(seen[0], 2);
    assert_int_equal(seen[1], 2);
    assert_int_equal(seen[2], 2);
    synack_events_free(set);
    th_pair_free(&p);
}

/* Many idle registered sockets, one active: a wait reports exactly that one. */
static void only_ready_sockets_reported(void **state)
{
    (void)state;
    struct th_pair p;
    th_pair_init(&p, 1, NULL, NULL, NULL);
    struct synack_endpoint srv = {TH_SERVER_ADDR, 80};
    enum { N = 12 };
    int c[N], s[N];
    struct synack_events *set = synack_events_new(p.ss);
    for (int i = 0; i < N; i++) {
        c[i] = i == 0 ? p.cfd : synack_socket(p.cs);
        assert_int_equal(synack_connect(p.cs, c[i], &srv), -EINPROGRESS);
        run(&p);
        s[i] = synack_accept(p.ss, p.lfd, NULL);
        assert_true(s[i] >= 0);
        assert_int_equal(synack_events_add(set, s[i], IN, u64(100 + (uint64_t)i)), 0);
    }
    expect_none(set);
    assert_int_equal(synack_send(p.cs, c[7], "z", 1), 1);
    run(&p);
    expect_one(set, IN, s[7], 107);
    synack_events_free(set);
    th_pair_free(&p);
}

static void two_sets_one_socket(void **state)
{
    (void)state;
    struct th_pair p;
    int sfd;
    open_pair(&p, &sfd);
    struct synack_events *a = synack_events_new(p.ss), *b = synack_events_new(p.ss);
    assert_int_equal(synack_events_add(a, sfd, IN, u64(1)), 0);
    assert_int_equal(synack_events_add(b, sfd, IN | SYNACK_EV_ET, u64(2)), 0);
    send_bytes(&p, 10);
    expect_one(a, IN, sfd, 1);
    expect_one(b, IN, sfd, 2);
    expect_one(a, IN, sfd, 1);
    expect_none(b);
    synack_events_free(a);
    send_bytes(&p, 10);
    expect_one(b, IN, sfd, 2);
    th_pair_free(&p); /* b is freed with the stack */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(listener_level_triggered),
        cmocka_unit_test(data_level_triggered),
        cmocka_unit_test(edge_triggered),
        cmocka_unit_test(one_shot),
        cmocka_unit_test(errors_and_close),
        cmocka_unit_test(reset_reports_err_and_hup),
        cmocka_unit_test(connect_completes_writable),
        cmocka_unit_test(small_max_round_robin),
        cmocka_unit_test(only_ready_sockets_reported),
        cmocka_unit_test(two_sets_one_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
