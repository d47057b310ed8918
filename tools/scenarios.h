/* SPDX-License-Identifier: MIT */
/* The catalogue of `synack demo`: each scenario sets up its world, runs it in virtual time,
 * draws the ladder and checks its own outcome. Grouped by concern: opening
 * (scenarios_open.c), moving data (scenarios_data.c), closing (scenarios_close.c). */
#ifndef SYNACK_TOOLS_SCENARIOS_H
#define SYNACK_TOOLS_SCENARIOS_H

#include <stddef.h>
#include "world.h"

struct scenario {
    const char *name;
    const char *summary; /* one sentence, for --list */
    const char *story;   /* printed above the ladder */
    /* Changes the world's options before it is built (NULL: the defaults). */
    void (*setup)(struct world_opts *o);
    /* Runs the scenario, draws it, returns the number of failed checks. */
    int (*run)(struct world *w);
};

extern const struct scenario scenario_catalogue[];
extern const size_t scenario_count;

/* Connects the client and runs until the server has accepted (at most 10 s). */
void scenario_establish(struct world *w);

int scenario_handshake(struct world *w);
int scenario_simultaneous_open(struct world *w);
void scenario_simultaneous_open_setup(struct world_opts *o);
int scenario_lost_ack(struct world *w);
int scenario_lost_ack_data(struct world *w);
int scenario_lost_ack_classic(struct world *w);
void scenario_lost_ack_classic_setup(struct world_opts *o);
int scenario_lost_ack_linux(struct world *w);
int scenario_lost_ack_reset(struct world *w);
int scenario_closed_port(struct world *w);
int scenario_backlog_full(struct world *w);
void scenario_backlog_full_setup(struct world_opts *o);

int scenario_transfer(struct world *w);
int scenario_retransmit(struct world *w);
int scenario_fast_retransmit(struct world *w);
int scenario_rto_backoff(struct world *w);
int scenario_zero_window(struct world *w);
void scenario_zero_window_setup(struct world_opts *o);

int scenario_close(struct world *w);
int scenario_simultaneous_close(struct world *w);
int scenario_half_close(struct world *w);
int scenario_time_wait_fin(struct world *w);

#endif
