/* SPDX-License-Identifier: MIT */
/* Trace events match what happened: every dropped segment gives exactly one DROP event
 * naming the counter that counted it (a SYN to a closed port, a SYN to a full listen
 * queue), and a segment's cause is what sent it (the SYN,ACK of a simultaneous open opens;
 * it is not a retransmission). Two simulated hosts, 10 ms apart. */
#include <errno.h>
#include <string.h>
#include "harness.h"
#include "synack/ladder.h"

struct seen {
    unsigned drops[SYNACK_CTR_COUNT];
    unsigned synack_out, synack_open, synack_rtx;
    unsigned rtt, timers[SYNACK_TIMER_COUNT], timers_set[SYNACK_TIMER_COUNT], cwnd;
    synack_time_t reorder_at, reorder_set_at, reorder_fired_at;
    uint32_t first_cwnd, min_ssthresh;
    synack_time_t first_rtt;
};

static void collect(void *ctx, const struct synack_trace_event *ev)
{
    struct seen *s = ctx;
    if (ev->kind == SYNACK_TRACE_RTT && ev->local.port != 80) {
        if (s->rtt++ == 0) s->first_rtt = ev->u.rtt.sample;
        assert_true(ev->u.rtt.srtt > 0 && ev->u.rtt.rto >= SYNACK_MS(200));
    }
    if (ev->kind == SYNACK_TRACE_TIMER && ev->local.port != 80 && ev->u.timer.which >= 0 &&
        ev->u.timer.which < SYNACK_TIMER_COUNT) {
        s->timers[ev->u.timer.which]++;
        if (ev->u.timer.which == SYNACK_TIMER_REORDER) s->reorder_fired_at = ev->time;
    }
    if (ev->kind == SYNACK_TRACE_TIMER_SET && ev->local.port != 80 && ev->u.timer.which >= 0 &&
        ev->u.timer.which < SYNACK_TIMER_COUNT) {
        s->timers_set[ev->u.timer.which]++;
        if (ev->u.timer.which == SYNACK_TIMER_REORDER) {
            s->reorder_at = ev->u.timer.at;
            s->reorder_set_at = ev->time;
        }
    }
    if (ev->kind == SYNACK_TRACE_CWND && ev->local.port != 80) {
        if (s->cwnd++ == 0) s->first_cwnd = ev->u.cwnd.cwnd;
        if (ev->u.cwnd.ssthresh < s->min_ssthresh) s->min_ssthresh = ev->u.cwnd.ssthresh;
    }
    if (ev->kind == SYNACK_TRACE_DROP && ev->u.drop.counter >= 0 &&
        ev->u.drop.counter < SYNACK_CTR_COUNT)
        s->drops[ev->u.drop.counter]++;
    if (ev->kind == SYNACK_TRACE_SEGMENT_OUT && ev->u.segment.flags == (SYNACK_SYN | SYNACK_ACK)) {
        s->synack_out++;
        if (ev->u.segment.cause == SYNACK_CAUSE_OPEN) s->synack_open++;
        if (ev->u.segment.retransmission) s->synack_rtx++;
    }
}

static void traced(void *ctx, int side, struct synack_config *cfg)
{
    (void)side;
    cfg->trace = collect;
    cfg->trace_ctx = ctx;
}

static const struct synack_sim_path ten_ms = {.delay = SYNACK_MS(10)};

/* Each counted drop is traced once, under its counter's name. */
static void assert_drops_traced(struct th_pair *w, const struct seen *s)
{
    for (int c = 0; c < SYNACK_CTR_COUNT; c++) {
        if (c == SYNACK_CTR_TCP_RETRANSMIT || c == SYNACK_CTR_TCP_TIMEOUT) continue;
        if (s->drops[c] == 0) continue;
        assert_int_equal(s->drops[c], synack_stack_counter(w->ss, (enum synack_counter)c) +
                                          synack_stack_counter(w->cs, (enum synack_counter)c));
    }
}

static void closed_port_drop_traced_once(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof s);
    struct th_pair w;
    th_pair_init(&w, 1, &ten_ms, traced, &s);
    struct synack_endpoint closed = {TH_SERVER_ADDR, 81};
    assert_int_equal(synack_connect(w.cs, w.cfd, &closed), -EINPROGRESS);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    /* RFC 9293 3.10.7.1: the SYN is answered with RST (ECONNREFUSED) and dropped once. */
    assert_int_equal(synack_stack_counter(w.ss, SYNACK_CTR_TCP_NO_CONNECTION), 1);
    assert_int_equal(s.drops[SYNACK_CTR_TCP_NO_CONNECTION], 1);
    char c;
    assert_int_equal(synack_recv(w.cs, w.cfd, &c, 1), -ECONNREFUSED);
    assert_drops_traced(&w, &s);
    th_pair_free(&w);
}

struct overflow_case {
    struct seen seen;
    int syncookies;
};

static void overflow_config(void *ctx, int side, struct synack_config *cfg)
{
    struct overflow_case *oc = ctx;
    traced(&oc->seen, side, cfg);
    cfg->syncookies = oc->syncookies;
}

/* Three SYNs to a listener with room for one that never accepts: with SYN cookies off the
 * SYN queue overflows (dropped, as Linux with tcp_syncookies = 0); with them on (default)
 * the cookies' ACKs find the accept queue full. Either way each drop is traced. */
static void listen_overflow(int syncookies)
{
    struct overflow_case oc;
    memset(&oc, 0, sizeof oc);
    oc.syncookies = syncookies;
    struct th_pair w;
    th_pair_init(&w, 1, &ten_ms, overflow_config, &oc);
    int l = synack_socket(w.ss);
    assert_int_equal(synack_bind(w.ss, l, &(struct synack_endpoint){0, 8080}), 0);
    assert_int_equal(synack_listen(w.ss, l, 1), 0);
    struct synack_endpoint to = {TH_SERVER_ADDR, 8080};
    for (int i = 0; i < 3; i++)
        assert_int_equal(synack_connect(w.cs, synack_socket(w.cs), &to), -EINPROGRESS);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    uint64_t overflow = synack_stack_counter(w.ss, SYNACK_CTR_TCP_LISTEN_OVERFLOW);
    assert_true(overflow >= 2);
    assert_int_equal(oc.seen.drops[SYNACK_CTR_TCP_LISTEN_OVERFLOW], overflow);
    assert_drops_traced(&w, &oc.seen);
    th_pair_free(&w);
}

static void listen_overflow_traced(void **state)
{
    (void)state;
    listen_overflow(0);
    listen_overflow(1);
}

/* RFC 9293 3.5 (figure 8): both SYNs cross; each side answers SYN,ACK from SYN-SENT. That
 * SYN,ACK opens the connection (cause OPEN) and is not counted as a retransmission (Linux
 * tcp_send_synack). */
static void simultaneous_open_synack_opens(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof s);
    struct th_pair w;
    th_pair_init(&w, 1, &ten_ms, traced, &s);
    int a = w.cfd, b = synack_socket(w.ss);
    assert_int_equal(synack_bind(w.cs, a, &(struct synack_endpoint){0, 5001}), 0);
    assert_int_equal(synack_bind(w.ss, b, &(struct synack_endpoint){0, 5002}), 0);
    assert_int_equal(synack_connect(w.cs, a, &(struct synack_endpoint){TH_SERVER_ADDR, 5002}),
                     -EINPROGRESS);
    assert_int_equal(synack_connect(w.ss, b, &(struct synack_endpoint){TH_CLIENT_ADDR, 5001}),
                     -EINPROGRESS);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    struct synack_conn_info ia, ib;
    assert_int_equal(synack_get_info(w.cs, a, &ia), 0);
    assert_int_equal(synack_get_info(w.ss, b, &ib), 0);
    assert_int_equal(ia.state, SYNACK_ESTABLISHED);
    assert_int_equal(ib.state, SYNACK_ESTABLISHED);
    assert_int_equal(s.synack_out, 2);
    assert_int_equal(s.synack_open, 2);
    assert_int_equal(s.synack_rtx, 0);
    assert_int_equal(ia.retransmissions + ib.retransmissions, 0);
    assert_int_equal(synack_stack_counter(w.cs, SYNACK_CTR_TCP_RETRANSMIT), 0);
    th_pair_free(&w);
}

/* The engine's inner events on the client of a transfer whose last full data segment is
 * lost: the handshake's RTT sample (20 ms), the initial window (10 segments, RFC 6928), the
 * reordering timer RACK sets when the short segment after it is SACKed (RFC 8985 6.3), and
 * the reduction the recovery makes (ssthresh set). */
static void inner_events_of_a_transfer(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof s);
    s.min_ssthresh = UINT32_MAX;
    struct th_pair w;
    th_pair_init(&w, 1, &ten_ms, traced, &s);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    int sfd = synack_accept(w.ss, w.lfd, NULL);
    assert_true(sfd >= 0);
    /* 8 segments; the client's 10th packet (SYN, ACK, then data 1..8) is the last one. */
    static uint8_t data[8 * 1460];
    synack_sim_drop_nth(w.sim, w.client, w.server, 10);
    assert_int_equal(synack_send(w.cs, w.cfd, data, sizeof data), (ssize_t)sizeof data);
    synack_sim_run_for(w.sim, SYNACK_SEC(5));
    uint8_t got[sizeof data];
    assert_int_equal(synack_recv(w.ss, sfd, got, sizeof got), (ssize_t)sizeof got);
    assert_true(s.rtt >= 2);
    assert_int_equal(s.first_rtt, SYNACK_MS(20));
    assert_int_equal(s.first_cwnd, 10 * 1448); /* MSS 1460 less the 12 bytes of timestamps */
    assert_int_equal(s.timers[SYNACK_TIMER_REORDER], 1);
    assert_int_equal(s.timers[SYNACK_TIMER_RTO], 0);
    /* Armed as well as fired: the reordering timer armed once, when the short segment's
     * SACK came, for when it then fired; the RTO armed when data first went. */
    assert_int_equal(s.timers_set[SYNACK_TIMER_REORDER], 1);
    assert_int_equal(s.reorder_at, s.reorder_fired_at);
    assert_true(s.reorder_set_at < s.reorder_at);
    assert_true(s.timers_set[SYNACK_TIMER_RTO] >= 1);
    assert_true(s.cwnd >= 2);
    assert_true(s.min_ssthresh < UINT32_MAX); /* the loss set ssthresh */
    th_pair_free(&w);
}

/* One line per inner event, as synack_trace_format writes them. */
static void inner_events_formatted(void **state)
{
    (void)state;
    struct synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time = SYNACK_MS(5);
    ev.local = (struct synack_endpoint){SYNACK_IPV4(198, 18, 0, 1), 40000};
    ev.remote = (struct synack_endpoint){SYNACK_IPV4(198, 18, 0, 2), 80};
    char buf[200];
    ev.kind = SYNACK_TRACE_CWND;
    ev.u.cwnd.cwnd = 14600;
    ev.u.cwnd.ssthresh = UINT32_MAX;
    ev.u.cwnd.in_flight = 2920;
    ev.u.cwnd.algorithm = SYNACK_CC_CUBIC;
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "5.000 ms CWND 198.18.0.1:40000-198.18.0.2:80 cwnd=14600 ssthresh=- "
                        "in_flight=2920 cubic");
    ev.u.cwnd.ssthresh = 10220;
    ev.u.cwnd.in_recovery = true;
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "5.000 ms CWND 198.18.0.1:40000-198.18.0.2:80 cwnd=14600 ssthresh=10220 "
                        "in_flight=2920 cubic recovery");
    memset(&ev.u, 0, sizeof ev.u);
    ev.kind = SYNACK_TRACE_RTT;
    ev.u.rtt.sample = SYNACK_MS(20);
    ev.u.rtt.srtt = SYNACK_MS(20);
    ev.u.rtt.rttvar = SYNACK_MS(10);
    ev.u.rtt.rto = SYNACK_MS(200);
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "5.000 ms RTT 198.18.0.1:40000-198.18.0.2:80 sample=20.000 srtt=20.000 "
                        "rttvar=10.000 rto=200.000");
    memset(&ev.u, 0, sizeof ev.u);
    ev.kind = SYNACK_TRACE_TIMER;
    ev.u.timer.which = SYNACK_TIMER_RTO;
    ev.u.timer.backoff = 2;
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "5.000 ms TIMER 198.18.0.1:40000-198.18.0.2:80 rto (2)");
    ev.kind = SYNACK_TRACE_TIMER_SET;
    ev.u.timer.which = SYNACK_TIMER_REORDER;
    ev.u.timer.at = SYNACK_MS(7) + SYNACK_US(500);
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "5.000 ms TIMER-SET 198.18.0.1:40000-198.18.0.2:80 reorder at 7.500 ms");
    assert_string_equal(synack_timer_name(SYNACK_TIMER_DELACK), "delayed-ack");
    assert_string_equal(synack_timer_name(SYNACK_TIMER_COUNT), "?");
}

/* Socket calls (SYNACK_TRACE_CALL): every call that changes something, with what it was
 * asked and what it returned, one trace line each; queries (getsockopt, poll_events) are
 * not traced. */
struct call_log {
    char text[4096];
    size_t len;
    bool on;
};

static void log_calls(void *ctx, const struct synack_trace_event *ev)
{
    struct call_log *log = ctx;
    char line[256];
    if (!log->on || ev->kind != SYNACK_TRACE_CALL) return;
    int n = snprintf(log->text + log->len, sizeof log->text - log->len, "%s\n",
                     synack_trace_format(ev, line, sizeof line));
    if (n > 0) log->len += (size_t)n;
}

static void calls_traced(void *ctx, int side, struct synack_config *cfg)
{
    (void)side;
    cfg->trace = log_calls;
    cfg->trace_ctx = ctx;
}

static void socket_calls_traced(void **state)
{
    (void)state;
    struct call_log log = {.on = true};
    struct th_pair w;
    th_pair_init(&w, 1, &ten_ms, calls_traced, &log);
    struct synack_endpoint srv = {TH_SERVER_ADDR, 80};
    char buf[4096] = "request";
    int v;
    assert_int_equal(synack_setsockopt(w.cs, w.cfd, SYNACK_TCP_NODELAY, 1), 0);
    assert_int_equal(synack_getsockopt(w.cs, w.cfd, SYNACK_TCP_NODELAY, &v), 0);
    assert_int_equal(synack_connect(w.cs, w.cfd, &srv), -EINPROGRESS);
    assert_int_equal(synack_connect(w.cs, w.cfd, &srv), -EALREADY);
    synack_poll_events(w.cs, w.cfd);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    int sfd = synack_accept(w.ss, w.lfd, NULL);
    assert_true(sfd >= 0);
    assert_int_equal(synack_send(w.cs, w.cfd, buf, 1000), 1000);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    assert_int_equal(synack_recv_flags(w.ss, sfd, buf, sizeof buf, SYNACK_MSG_PEEK), 1000);
    assert_int_equal(synack_recv(w.ss, sfd, buf, sizeof buf), 1000);
    assert_int_equal(synack_recv(w.ss, sfd, buf, sizeof buf), -EAGAIN);
    assert_int_equal(synack_shutdown(w.cs, w.cfd, SYNACK_SHUT_WR), 0);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    assert_int_equal(synack_recv(w.ss, sfd, buf, 10), 0);
    assert_int_equal(synack_close(w.ss, sfd), 0);
    assert_int_equal(synack_recv(w.ss, sfd, buf, 10), -EBADF);
    assert_int_equal(synack_abort(w.cs, w.cfd), 0);
    assert_int_equal(synack_setsockopt(w.ss, w.lfd, SYNACK_TCP_KEEPCNT, 0), -EINVAL);
    log.on = false;
    th_pair_free(&w);
    const char *want =
        "0.000 ms CALL 0.0.0.0:0-0.0.0.0:0 fd -1 socket() = 0\n"
        "0.000 ms CALL 0.0.0.0:80-0.0.0.0:0 fd 0 bind(0.0.0.0:80) = 0\n"
        "0.000 ms CALL 0.0.0.0:80-0.0.0.0:0 fd 0 listen(16) = 0\n"
        "0.000 ms CALL 0.0.0.0:0-0.0.0.0:0 fd -1 socket() = 0\n"
        "0.000 ms CALL 0.0.0.0:0-0.0.0.0:0 fd 0 setsockopt(TCP_NODELAY, 1) = 0\n"
        "0.000 ms CALL 198.18.0.1:46692-198.18.0.2:80 fd 0 connect(198.18.0.2:80) = -EINPROGRESS\n"
        "0.000 ms CALL 198.18.0.1:46692-198.18.0.2:80 fd 0 connect(198.18.0.2:80) = -EALREADY\n"
        "100.000 ms CALL 198.18.0.2:80-198.18.0.1:46692 fd 0 accept() = 1 (198.18.0.1:46692)\n"
        "100.000 ms CALL 198.18.0.1:46692-198.18.0.2:80 fd 0 send(1000) = 1000\n"
        "200.000 ms CALL 198.18.0.2:80-198.18.0.1:46692 fd 1 recv(4096, MSG_PEEK) = 1000\n"
        "200.000 ms CALL 198.18.0.2:80-198.18.0.1:46692 fd 1 recv(4096) = 1000\n"
        "200.000 ms CALL 198.18.0.2:80-198.18.0.1:46692 fd 1 recv(4096) = -EAGAIN\n"
        "200.000 ms CALL 198.18.0.1:46692-198.18.0.2:80 fd 0 shutdown(SHUT_WR) = 0\n"
        "300.000 ms CALL 198.18.0.2:80-198.18.0.1:46692 fd 1 recv(10) = 0\n"
        "300.000 ms CALL 198.18.0.2:80-198.18.0.1:46692 fd 1 close() = 0\n"
        "300.000 ms CALL 0.0.0.0:0-0.0.0.0:0 fd 1 recv(10) = -EBADF\n"
        "300.000 ms CALL 198.18.0.1:46692-198.18.0.2:80 fd 0 abort() = 0\n"
        "300.000 ms CALL 0.0.0.0:80-0.0.0.0:0 fd 0 setsockopt(TCP_KEEPCNT, 0) = -EINVAL\n";
    if (strcmp(log.text, want) != 0) {
        fprintf(stderr, "calls traced:\n%s\nwanted:\n%s", log.text, want);
        fail();
    }
}

/* Each call as a person writes it, from its event alone. */
static void socket_calls_formatted(void **state)
{
    (void)state;
    static const struct {
        int call, fd;
        int64_t arg;
        int arg2;
        uint16_t port;
        int64_t result;
        const char *want;
    } cases[] = {
        {SYNACK_CALL_SENDTO, 3, 1000, SYNACK_FASTOPEN_QUEUE_ALL, 80, 1000,
         "sendto(198.18.0.2:80, 1000, FASTOPEN_QUEUE_ALL) = 1000"},
        {SYNACK_CALL_SENDTO, 3, 10, 0, 0, -EDESTADDRREQ,
         "sendto(198.18.0.2:0, 10) = -EDESTADDRREQ"},
        {SYNACK_CALL_RECV, 3, 100, SYNACK_MSG_TRUNC | SYNACK_MSG_DONTWAIT, 0, 100,
         "recv(100, MSG_TRUNC, MSG_DONTWAIT) = 100"},
        {SYNACK_CALL_SHUTDOWN, 3, SYNACK_SHUT_RDWR, 0, 0, -ENOTCONN,
         "shutdown(SHUT_RDWR) = -ENOTCONN"},
        {SYNACK_CALL_SETSOCKOPT, 3, 7, 999, 0, -ENOPROTOOPT, "setsockopt(999, 7) = -ENOPROTOOPT"},
        {SYNACK_CALL_SETSOCKOPT, 3, 0, SYNACK_TCP_USER_TIMEOUT, 0, 0,
         "setsockopt(TCP_USER_TIMEOUT, 0) = 0"},
        {SYNACK_CALL_CLOSE, 3, 0, 0, 0, -4095, "close() = -4095"}, /* an errno without a name */
        {SYNACK_CALL_COUNT, 3, 0, 0, 0, 0, "?() = 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct synack_trace_event ev = {.kind = SYNACK_TRACE_CALL};
        ev.u.call.call = cases[i].call;
        ev.u.call.fd = cases[i].fd;
        ev.u.call.arg = cases[i].arg;
        ev.u.call.arg2 = cases[i].arg2;
        ev.u.call.addr = (struct synack_endpoint){TH_SERVER_ADDR, cases[i].port};
        ev.u.call.result = cases[i].result;
        char buf[160];
        assert_string_equal(synack_trace_call_str(&ev, buf, sizeof buf), cases[i].want);
    }
    struct synack_trace_event seg = {.kind = SYNACK_TRACE_SEGMENT_OUT};
    char buf[16] = "x";
    assert_string_equal(synack_trace_call_str(&seg, buf, sizeof buf), ""); /* not a call */
    assert_string_equal(synack_call_name(SYNACK_CALL_SETSOCKOPT), "setsockopt");
    assert_string_equal(synack_call_name(-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closed_port_drop_traced_once),
        cmocka_unit_test(listen_overflow_traced),
        cmocka_unit_test(simultaneous_open_synack_opens),
        cmocka_unit_test(inner_events_of_a_transfer),
        cmocka_unit_test(inner_events_formatted),
        cmocka_unit_test(socket_calls_traced),
        cmocka_unit_test(socket_calls_formatted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
