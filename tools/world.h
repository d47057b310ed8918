/* SPDX-License-Identifier: MIT */
/* The two-host simulation behind `synack demo` and `synack sim`: a client (198.18.0.1) and a
 * server (198.18.0.2) joined by one link, both traced into a ladder and into a record of
 * what each side did (states entered, causes of the segments it sent) that the scenarios
 * check their outcome against. */
#ifndef SYNACK_TOOLS_WORLD_H
#define SYNACK_TOOLS_WORLD_H

#include <stdbool.h>
#include <stdio.h>
#include "synack/ladder.h"
#include "synack/sim.h"
#include "synack/synack.h"

#define WORLD_CLIENT_ADDR SYNACK_IPV4(198, 18, 0, 1)
#define WORLD_SERVER_ADDR SYNACK_IPV4(198, 18, 0, 2)
#define WORLD_PORT 80
#define WORLD_MAX_REPEATS 64

/* How the world is built. world_opts_init() fills in the demo's defaults. */
struct world_opts {
    uint64_t seed;
    struct synack_sim_path path;     /* both directions */
    struct synack_config client_cfg; /* trace and local_addr are set by world_init */
    struct synack_config server_cfg;
    bool listen; /* the server listens on port 80 */
    int backlog;
    unsigned ladder_flags;   /* SYNACK_LADDER_* */
    bool step;               /* draw one row per line read from stdin */
    const char *pcap_path;   /* NULL or where the client's capture goes */
    const char *svg_path;    /* NULL or where the ladder goes as SVG */
    const char *tsg_path;    /* NULL or where the time-sequence graph goes as SVG */
    int tsg_direction;       /* SYNACK_TSG_MOST by default (world_opts_init) */
    const char *cwnd_path;   /* NULL or where the cwnd graph (busier side) goes as SVG */
    const char *rtt_path;    /* NULL or where the RTT graph (busier side) goes as SVG */
    const char *states_path; /* NULL or where the state timeline goes as SVG */
    const char *html_path;   /* NULL or where the HTML report goes */
    const char *trace_path;  /* NULL or where the trace file goes (synack_ladder_save) */
    const char *title;       /* the report's heading: what was run */
    const char *source;      /* the report's source line: the command and its flags */
    const char *tool;        /* "synack demo", for messages */
};

/* A segment a side sent again, or a probe (causes RTO .. KEEPALIVE). */
struct world_repeat {
    synack_time_t time;
    uint8_t cause, backoff, flags;
};

/* What one side did, from its trace events. */
struct world_side {
    unsigned states_seen; /* bit (1 << state) for every state a connection entered */
    synack_time_t entered[SYNACK_TIME_WAIT + 1]; /* when a connection last entered each */
    unsigned causes[SYNACK_CAUSE_COUNT];
    unsigned resets_sent;
    unsigned repeat_count;
    struct world_repeat repeats[WORLD_MAX_REPEATS];
    synack_trace_fn ladder_fn; /* where the events go on to */
    void *ladder_ctx;
};

/* A one-way transfer of a known pattern from the client to the server (world_pump). */
struct world_transfer {
    uint64_t total;          /* bytes to send */
    uint64_t sent, received; /* accepted by send(), taken by recv() */
    bool corrupt;            /* a byte received differs from the pattern */
    bool eof;                /* the server's recv() returned 0 */
    synack_time_t read_from; /* the server reads nothing before this time */
};

struct world {
    struct synack_sim *sim;
    struct synack_ladder *ladder;
    struct synack_stack *c, *s;
    int lfd, cfd, sfd;
    int client, server;
    synack_time_t drop_client_until; /* client -> server packets lost before this time */
    struct world_side side[2];       /* 0 client, 1 server */
    bool step, step_quit, step_tty;
    unsigned ladder_flags;
    char svg_path[512], tsg_path[512], cwnd_path[512], rtt_path[512], states_path[512];
    char html_path[512], trace_path[512];
    char title[256], source[1024];
    int tsg_direction;
    const char *tool;
    struct world_transfer xfer;
};

/* Fills *o with the demo's world: seed 1, 10 ms each way, defaults otherwise, listening
 * with backlog 8. */
void world_opts_init(struct world_opts *o);

/* Builds the world; on failure prints why (prefixed with o->tool) and returns -errno
 * (world_free is still safe to call). */
int world_init(struct world *w, const struct world_opts *o);
void world_free(struct world *w);

/* The client's socket connects to the server's port 80. */
void world_connect(struct world *w);
/* A synack_sim_done_fn: accepts the server's connection, true once it exists. */
bool world_server_accepted(void *ctx);

/* A synack_sim_done_fn for a transfer (w->xfer): accepts, lets the client send what its
 * buffer takes, lets the server read (from xfer.read_from on) and checks every byte. True
 * once the server has received xfer.total bytes. */
bool world_pump(void *ctx);

/* Draws the ladder of everything traced so far (and the SVG, the time-sequence graph, the
 * cwnd and RTT graphs, the state timeline and the HTML report, if asked). With step, one
 * row at a time, each after a line read from stdin ("q" or the end of input stops). */
void world_draw(struct world *w);

/* Prints "TOOL: check failed: what" when !ok; returns 1 if it failed, else 0. */
int world_check(const struct world *w, bool ok, const char *what);

/* Did side (0 client, 1 server) enter state? */
bool world_saw_state(const struct world *w, int side, enum synack_tcp_state state);

/* Parses a duration: "250ms", "3s", "1.5s" or a bare number of milliseconds. Returns 0 or
 * -EINVAL. */
int world_parse_duration(const char *s, synack_time_t *out);

#endif
