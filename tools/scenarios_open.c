/* SPDX-License-Identifier: MIT */
/* Scenarios of opening a connection: the handshake, simultaneous open, the lost third ACK
 * in its variants, a closed port and a full backlog. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "scenarios.h"

void scenario_establish(struct world *w)
{
    world_connect(w);
    synack_sim_run_until_done(w->sim, world_server_accepted, w, SYNACK_SEC(10));
    /* Bring both stacks' clocks to now: socket calls are stamped with the time a stack
     * last saw, and the client's is that of its last packet. */
    synack_sim_run_until(w->sim, synack_sim_now(w->sim));
}

static double ms(synack_time_t t)
{
    return (double)t / 1e6;
}

int scenario_handshake(struct world *w)
{
    scenario_establish(w);
    synack_sim_run_for(w->sim, SYNACK_MS(30));
    world_draw(w);
    return world_check(w,
                       w->sfd >= 0 && synack_poll_events(w->c, w->cfd) == SYNACK_POLLOUT &&
                           world_saw_state(w, 0, SYNACK_SYN_SENT) &&
                           world_saw_state(w, 1, SYNACK_SYN_RECEIVED),
                       "SYN-SENT and SYN-RECEIVED, then both sides established");
}

void scenario_simultaneous_open_setup(struct world_opts *o)
{
    o->listen = false;
}

/* RFC 9293 3.5 (figure 8): both ends send SYN; each, in SYN-SENT, receives the other's SYN,
 * goes to SYN-RECEIVED and answers SYN,ACK (3.10.7.3 "fifth"), and each SYN,ACK completes
 * the other's open. */
int scenario_simultaneous_open(struct world *w)
{
    struct synack_endpoint cl = {0, 40000}, sv = {0, WORLD_PORT};
    struct synack_endpoint to_s = {WORLD_SERVER_ADDR, WORLD_PORT},
                           to_c = {WORLD_CLIENT_ADDR, 40000};
    w->sfd = synack_socket(w->s);
    synack_bind(w->c, w->cfd, &cl);
    synack_bind(w->s, w->sfd, &sv);
    synack_connect(w->c, w->cfd, &to_s);
    synack_connect(w->s, w->sfd, &to_c);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    world_draw(w);
    return world_check(w,
                       synack_poll_events(w->c, w->cfd) == SYNACK_POLLOUT &&
                           synack_poll_events(w->s, w->sfd) == SYNACK_POLLOUT &&
                           world_saw_state(w, 0, SYNACK_SYN_RECEIVED) &&
                           world_saw_state(w, 1, SYNACK_SYN_RECEIVED) &&
                           !world_saw_state(w, 1, SYNACK_LISTEN),
                       "both SYN-SENT -> SYN-RECEIVED -> ESTABLISHED, no listener");
}

/* Loses the client's third ACK (its packet 2, after the SYN), sends "hello" at time at and
 * draws; true if the server accepted the connection and read the hello. */
static bool hello_after_lost_ack(struct world *w, synack_time_t at)
{
    synack_sim_drop_nth(w->sim, w->client, w->server, 2);
    world_connect(w);
    synack_sim_run_until(w->sim, at);
    ssize_t n = synack_send(w->c, w->cfd, "hello", 5);
    synack_sim_run_until_done(w->sim, world_server_accepted, w, SYNACK_SEC(10));
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    char b[8];
    ssize_t r = w->sfd >= 0 ? synack_recv(w->s, w->sfd, b, sizeof b) : -1;
    world_draw(w);
    return n == 5 && r == 5 && !memcmp(b, "hello", 5);
}

/* The third ACK lost (RFC 9293 3.10.7.4, SYN-RECEIVED): the server's retransmission timer
 * repeats the SYN,ACK; the client, ESTABLISHED, answers it with an ACK (RFC 5961 4.2: a
 * SYN in a synchronized state gets a challenge ACK). */
int scenario_lost_ack(struct world *w)
{
    bool ok = hello_after_lost_ack(w, SYNACK_MS(1500));
    const struct world_side *s = &w->side[1];
    return world_check(w,
                       ok && s->repeat_count == 1 && s->repeats[0].cause == SYNACK_CAUSE_RTO &&
                           s->entered[SYNACK_ESTABLISHED] < SYNACK_MS(1500),
                       "the SYN,ACK repeated after 1 s completed the handshake; data delivered");
}

/* The third ACK lost, but the client's first data segment carries the same ACK: in
 * SYN-RECEIVED an acceptable ACK moves the server to ESTABLISHED and the text is processed
 * (RFC 9293 3.10.7.4, fifth check), long before the SYN,ACK timer would fire. */
int scenario_lost_ack_data(struct world *w)
{
    bool ok = hello_after_lost_ack(w, SYNACK_MS(50));
    return world_check(w,
                       ok && w->side[1].repeat_count == 0 &&
                           w->side[1].entered[SYNACK_ESTABLISHED] == SYNACK_MS(60),
                       "the data segment's ACK completed the handshake at 60 ms, no SYN,ACK "
                       "repeated");
}

void scenario_lost_ack_classic_setup(struct world_opts *o)
{
    /* RFC 1122 4.2.3.1 and RFC 2988 started the timer at 3 s; RFC 6298 2.1 lowered it to
     * 1 s (Linux's TCP_TIMEOUT_INIT). */
    o->client_cfg.rto_initial = SYNACK_SEC(3);
    o->server_cfg.rto_initial = SYNACK_SEC(3);
}

/* Every ACK of the client is lost until three SYN,ACK retransmissions have left: each waits
 * twice as long as the one before (RFC 6298 5.5), from the initial RTO of the config. */
static int lost_ack_backoff(struct world *w, synack_time_t rto)
{
    const synack_time_t sent = SYNACK_MS(10); /* the first SYN,ACK */
    synack_sim_drop_nth(w->sim, w->client, w->server, 2);
    world_connect(w);
    synack_sim_run_for(w->sim, SYNACK_MS(30));
    w->drop_client_until = sent + 5 * rto; /* the ACKs to repeats 1 and 2 are lost too */
    synack_sim_run_until_done(w->sim, world_server_accepted, w, sent + 10 * rto);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    world_draw(w);
    const struct world_side *s = &w->side[1];
    int failed = world_check(w, s->repeat_count == 3, "three SYN,ACK retransmissions");
    for (unsigned i = 0; i < s->repeat_count && i < 3; i++) {
        synack_time_t want = sent + ((2u << i) - 1) * rto; /* 1, 3, 7 times the RTO */
        const struct world_repeat *rp = &s->repeats[i];
        printf("SYN,ACK repeat %u at %.3f s, %.3f s after the one before (rto #%u)\n", i + 1,
               ms(rp->time) / 1000, ms(rp->time - (i ? s->repeats[i - 1].time : sent)) / 1000,
               rp->backoff);
        failed += world_check(w,
                              rp->time == want && rp->cause == SYNACK_CAUSE_RTO &&
                                  rp->backoff == i + 1 && rp->flags == (SYNACK_SYN | SYNACK_ACK),
                              "SYN,ACK repeated at 1, 3 and 7 times the initial RTO");
    }
    printf("\n");
    return failed + world_check(w, w->sfd >= 0, "the fourth ACK got through: established");
}

int scenario_lost_ack_classic(struct world *w)
{
    return lost_ack_backoff(w, SYNACK_SEC(3));
}

int scenario_lost_ack_linux(struct world *w)
{
    return lost_ack_backoff(w, SYNACK_SEC(1));
}

/* The server's half-open connection runs out of SYN,ACK retries (synack_retries 5, Linux)
 * and is dropped; the client, ESTABLISHED all along, sends data to a connection that no
 * longer exists and gets RST (RFC 9293 3.10.7.1). */
int scenario_lost_ack_reset(struct world *w)
{
    synack_sim_drop_nth(w->sim, w->client, w->server, 2);
    world_connect(w);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    w->drop_client_until = SYNACK_SEC(70);
    synack_sim_run_until(w->sim, SYNACK_SEC(70));
    ssize_t n = synack_send(w->c, w->cfd, "late", 4);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    char b[8];
    ssize_t r = synack_recv(w->c, w->cfd, b, sizeof b);
    world_draw(w);
    printf("client recv() -> %zd (%s)\n\n", r, r == -ECONNRESET ? "-ECONNRESET" : "?");
    return world_check(w,
                       n == 4 && r == -ECONNRESET && w->side[1].repeat_count == 5 &&
                           w->side[1].resets_sent == 1,
                       "five SYN,ACK repeats, server gave up at 63 s; late data reset");
}

/* No socket listens on port 81: the server answers the SYN with <SEQ=0><ACK=SEG.SEQ+1>
 * <CTL=RST,ACK> (RFC 9293 3.10.7.1) and the client's connect fails with ECONNREFUSED
 * (3.10.7.3: "connection reset"). */
int scenario_closed_port(struct world *w)
{
    struct synack_endpoint srv = {WORLD_SERVER_ADDR, 81};
    synack_connect(w->c, w->cfd, &srv);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    int err = synack_get_error(w->c, w->cfd);
    world_draw(w);
    printf("client connect() -> %s\n\n", err == -ECONNREFUSED ? "-ECONNREFUSED" : "?");
    return world_check(w,
                       err == -ECONNREFUSED && w->side[1].resets_sent == 1 &&
                           w->side[1].causes[SYNACK_CAUSE_RESET] == 1 &&
                           synack_stack_counter(w->s, SYNACK_CTR_TCP_NO_CONNECTION) == 1,
                       "RST,ACK from the closed port, connect() refused");
}

void scenario_backlog_full_setup(struct world_opts *o)
{
    o->backlog = 1;
}

/* A listener with backlog 1 whose program has not called accept(): the queue is full, so a
 * second SYN is dropped (as Linux's tcp_conn_request, counted tcp_listen_overflow) and the
 * client's SYN timer repeats it (RFC 6298 5.5) until accept() has made room. */
int scenario_backlog_full(struct world *w)
{
    world_connect(w);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    int second = synack_socket(w->c);
    struct synack_endpoint srv = {WORLD_SERVER_ADDR, WORLD_PORT};
    synack_connect(w->c, second, &srv);
    synack_sim_run_until(w->sim, SYNACK_MS(2000));
    int first = synack_accept(w->s, w->lfd, NULL); /* room in the queue again */
    synack_sim_run_until(w->sim, SYNACK_MS(4000));
    int next = synack_accept(w->s, w->lfd, NULL);
    world_draw(w);
    const struct world_side *c = &w->side[0];
    uint64_t overflow = synack_stack_counter(w->s, SYNACK_CTR_TCP_LISTEN_OVERFLOW);
    printf("tcp_listen_overflow = %llu; the second connection accepted: %s\n\n",
           (unsigned long long)overflow, next >= 0 ? "yes" : "no");
    return world_check(w,
                       first >= 0 && next >= 0 && overflow >= 1 && c->repeat_count >= 1 &&
                           c->repeats[0].flags == SYNACK_SYN &&
                           synack_poll_events(w->c, second) == SYNACK_POLLOUT,
                       "the second SYN dropped on a full queue, repeated, then accepted");
}
