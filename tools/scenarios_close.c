/* SPDX-License-Identifier: MIT */
/* Scenarios of closing: the four-way close, simultaneous close, half-close and TIME-WAIT
 * absorbing a retransmitted FIN. */
#include <stdio.h>
#include <string.h>
#include "scenarios.h"

static bool all_closed(const struct world *w)
{
    return synack_stack_connection_count(w->c) == 0 && synack_stack_connection_count(w->s) == 0;
}

/* RFC 9293 3.6 (figure 12): the client closes first. */
int scenario_close(struct world *w)
{
    scenario_establish(w);
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    synack_close(w->c, w->cfd);
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    char b[4];
    ssize_t eof = synack_recv(w->s, w->sfd, b, sizeof b); /* 0: the client's FIN */
    synack_close(w->s, w->sfd);
    synack_sim_run_for(w->sim, SYNACK_SEC(61)); /* TIME-WAIT lasts 2 MSL = 60 s */
    world_draw(w);
    return world_check(w,
                       eof == 0 && all_closed(w) && world_saw_state(w, 0, SYNACK_FIN_WAIT_2) &&
                           world_saw_state(w, 0, SYNACK_TIME_WAIT) &&
                           world_saw_state(w, 1, SYNACK_CLOSE_WAIT) &&
                           world_saw_state(w, 1, SYNACK_LAST_ACK),
                       "EOF seen, nothing left after TIME-WAIT");
}

/* RFC 9293 3.6 (figure 13): both close at once; each FIN arrives in FIN-WAIT-1, so both
 * pass through CLOSING (3.10.7.4, eighth check) to TIME-WAIT. */
int scenario_simultaneous_close(struct world *w)
{
    scenario_establish(w);
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    synack_close(w->c, w->cfd);
    synack_close(w->s, w->sfd);
    synack_sim_run_for(w->sim, SYNACK_SEC(61));
    world_draw(w);
    return world_check(w,
                       all_closed(w) && world_saw_state(w, 0, SYNACK_CLOSING) &&
                           world_saw_state(w, 1, SYNACK_CLOSING) &&
                           world_saw_state(w, 1, SYNACK_TIME_WAIT),
                       "both through CLOSING and TIME-WAIT");
}

/* The client sends its request and shuts down its sending side only (RFC 9293 3.6: "CLOSE
 * ... means I have no more to send"); the server reads the request and the end of stream,
 * then answers from CLOSE-WAIT (3.10.4: SEND is allowed there) and closes. */
int scenario_half_close(struct world *w)
{
    scenario_establish(w);
    synack_send(w->c, w->cfd, "request", 7);
    synack_shutdown(w->c, w->cfd, SYNACK_SHUT_WR);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    char req[16] = {0}, resp[16] = {0};
    ssize_t r = synack_recv(w->s, w->sfd, req, sizeof req);
    ssize_t eof = synack_recv(w->s, w->sfd, req + 8, sizeof req - 8);
    ssize_t sent = synack_send(w->s, w->sfd, "response", 8);
    synack_close(w->s, w->sfd);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    ssize_t got = synack_recv(w->c, w->cfd, resp, sizeof resp);
    ssize_t ceof = synack_recv(w->c, w->cfd, resp + 8, sizeof resp - 8);
    synack_close(w->c, w->cfd);
    synack_sim_run_for(w->sim, SYNACK_SEC(61));
    world_draw(w);
    printf("server: recv -> %zd \"%.7s\", then %zd (EOF); send in CLOSE-WAIT -> %zd\n"
           "client (FIN-WAIT-2): recv -> %zd \"%.8s\", then %zd (EOF)\n\n",
           r, req, eof, sent, got, resp, ceof);
    return world_check(w,
                       r == 7 && !memcmp(req, "request", 7) && eof == 0 && sent == 8 && got == 8 &&
                           !memcmp(resp, "response", 8) && ceof == 0 &&
                           world_saw_state(w, 0, SYNACK_FIN_WAIT_2) &&
                           world_saw_state(w, 1, SYNACK_CLOSE_WAIT) && all_closed(w),
                       "the request, then the response sent after the client's FIN");
}

/* The client's ACK of the server's FIN (its packet 4: SYN, ACK, FIN, ACK) is lost; the
 * server's timer (the tail loss probe, RFC 8985 7.3, comes before the RTO) repeats the FIN, and the
 * client in TIME-WAIT acknowledges it again and restarts the 2 MSL timeout (RFC 9293 3.10.7.4,
 * TIME-WAIT). */
int scenario_time_wait_fin(struct world *w)
{
    synack_sim_drop_nth(w->sim, w->client, w->server, 4);
    scenario_establish(w);
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    synack_close(w->c, w->cfd);
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    synack_close(w->s, w->sfd);
    synack_sim_run_for(w->sim, SYNACK_SEC(5));
    const struct world_side *s = &w->side[1];
    synack_time_t tw = w->side[0].entered[SYNACK_TIME_WAIT];
    bool repeated = s->repeat_count == 1 && s->repeats[0].flags == (SYNACK_FIN | SYNACK_ACK);
    /* Past the first 2 MSL but before the restarted one ends: still in TIME-WAIT. */
    synack_sim_run_until(w->sim, tw + SYNACK_SEC(60) + SYNACK_MS(10));
    unsigned left = synack_stack_connection_count(w->c);
    synack_sim_run_for(w->sim, SYNACK_SEC(2));
    world_draw(w);
    printf("client in TIME-WAIT from %.3f ms; 60 s later still there: %s\n\n", (double)tw / 1e6,
           left == 1 ? "yes (restarted by the repeated FIN)" : "no");
    return world_check(
        w, repeated && left == 1 && all_closed(w) && w->side[0].causes[SYNACK_CAUSE_ACK] == 2,
        "the repeated FIN acknowledged from TIME-WAIT, 2 MSL restarted");
}
