/* SPDX-License-Identifier: MIT */
/* `synack demo`: each scenario builds a two-host simulation (client 198.18.0.1, server
 * 198.18.0.2, 10 ms each way), runs it in virtual time and draws the ladder. */
#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "synack/ladder.h"
#include "synack/sim.h"
#include "synack/synack.h"

#define CLIENT_ADDR SYNACK_IPV4(198, 18, 0, 1)
#define SERVER_ADDR SYNACK_IPV4(198, 18, 0, 2)
#define PORT 80

struct world {
    struct synack_sim *sim;
    struct synack_ladder *ladder;
    struct synack_stack *c, *s;
    int lfd, cfd, sfd;
    int client, server;
    synack_time_t drop_client_until; /* client -> server packets lost before this time */
    char svg_path[512];              /* "" or where to write the ladder as SVG */
};

static bool drop_until(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)pkt;
    (void)len;
    const struct world *w = ctx;
    return now < w->drop_client_until;
}

static int world_init(struct world *w, const char *pcap_dir, const char *svg_dir, const char *name)
{
    memset(w, 0, sizeof *w);
    w->sim = synack_sim_new(1);
    w->ladder = synack_ladder_new("client", "server");
    if (!w->sim || !w->ladder) return -ENOMEM;
    struct synack_config cc, sc;
    synack_config_init(&cc);
    synack_config_init(&sc);
    cc.local_addr = CLIENT_ADDR;
    sc.local_addr = SERVER_ADDR;
    memcpy(cc.secret, "synack demo key1", 16);
    memcpy(sc.secret, "synack demo key2", 16);
    synack_ladder_attach(w->ladder, 0, &cc);
    synack_ladder_attach(w->ladder, 1, &sc);
    w->client = synack_sim_add_host(w->sim, &cc);
    w->server = synack_sim_add_host(w->sim, &sc);
    struct synack_sim_path p = {.delay = SYNACK_MS(10)};
    if (w->client < 0 || w->server < 0 || synack_sim_link(w->sim, w->client, w->server, &p, &p) < 0)
        return -EINVAL;
    synack_sim_set_filter(w->sim, w->client, w->server, drop_until, w);
    w->c = synack_sim_stack(w->sim, w->client);
    w->s = synack_sim_stack(w->sim, w->server);
    if (pcap_dir) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.pcap", pcap_dir, name);
        int err = synack_sim_capture(w->sim, w->client, path);
        if (err < 0) {
            fprintf(stderr, "synack demo: cannot write %s: %s\n", path, strerror(-err));
            return err;
        }
    }
    if (svg_dir) snprintf(w->svg_path, sizeof w->svg_path, "%s/%s.svg", svg_dir, name);
    w->lfd = synack_socket(w->s);
    struct synack_endpoint any = {0, PORT};
    synack_bind(w->s, w->lfd, &any);
    synack_listen(w->s, w->lfd, 8);
    w->sfd = -1;
    w->cfd = synack_socket(w->c);
    return 0;
}

static void world_free(struct world *w)
{
    synack_sim_free(w->sim);
    synack_ladder_free(w->ladder);
}

static void connect_client(struct world *w)
{
    struct synack_endpoint srv = {SERVER_ADDR, PORT};
    synack_connect(w->c, w->cfd, &srv);
}

static bool server_accepted(void *ctx)
{
    struct world *w = ctx;
    if (w->sfd < 0) w->sfd = synack_accept(w->s, w->lfd, NULL);
    return w->sfd >= 0;
}

static void draw(struct world *w)
{
    if (w->svg_path[0]) {
        FILE *f = fopen(w->svg_path, "w");
        if (!f || synack_ladder_svg(w->ladder, f, 0) < 0 || fclose(f) != 0)
            fprintf(stderr, "synack demo: cannot write %s\n", w->svg_path);
    }
    synack_ladder_header(w->ladder, stdout);
    synack_ladder_render(w->ladder, stdout, 0);
    printf("\n");
}

static int check(bool ok, const char *what)
{
    if (!ok) fprintf(stderr, "synack demo: check failed: %s\n", what);
    return ok ? 0 : 1;
}

static int scenario_handshake(struct world *w)
{
    connect_client(w);
    synack_sim_run_until_done(w->sim, server_accepted, w, SYNACK_SEC(10));
    synack_sim_run_for(w->sim, SYNACK_MS(30));
    draw(w);
    return check(w->sfd >= 0 && synack_poll_events(w->c, w->cfd) == SYNACK_POLLOUT,
                 "both sides established");
}

static int scenario_transfer(struct world *w)
{
    connect_client(w);
    synack_sim_run_until_done(w->sim, server_accepted, w, SYNACK_SEC(10));
    static uint8_t data[5000], got[6000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    ssize_t n = synack_send(w->c, w->cfd, data, sizeof data);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    ssize_t r = synack_recv(w->s, w->sfd, got, sizeof got);
    synack_send(w->s, w->sfd, "thanks", 6);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    char reply[16];
    ssize_t rr = synack_recv(w->c, w->cfd, reply, sizeof reply);
    draw(w);
    return check(n == (ssize_t)sizeof data && r == (ssize_t)sizeof data &&
                     !memcmp(data, got, sizeof data) && rr == 6 && !memcmp(reply, "thanks", 6),
                 "5000 bytes delivered intact and a reply");
}

static int scenario_close(struct world *w)
{
    connect_client(w);
    synack_sim_run_until_done(w->sim, server_accepted, w, SYNACK_SEC(10));
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    synack_close(w->c, w->cfd);
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    char b[4];
    ssize_t eof = synack_recv(w->s, w->sfd, b, sizeof b); /* 0: the client's FIN */
    synack_close(w->s, w->sfd);
    synack_sim_run_for(w->sim, SYNACK_SEC(61)); /* TIME-WAIT lasts 2 MSL = 60 s */
    draw(w);
    return check(eof == 0 && synack_stack_connection_count(w->c) == 0 &&
                     synack_stack_connection_count(w->s) == 0,
                 "EOF seen, nothing left after TIME-WAIT");
}

static int scenario_lost_ack(struct world *w)
{
    /* The client's third ACK is its second packet: drop it. */
    synack_sim_drop_nth(w->sim, w->client, w->server, 2);
    connect_client(w);
    synack_sim_run_for(w->sim, SYNACK_MS(1500));
    ssize_t n = synack_send(w->c, w->cfd, "hello", 5);
    synack_sim_run_until_done(w->sim, server_accepted, w, SYNACK_SEC(10));
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    char b[8];
    ssize_t r = w->sfd >= 0 ? synack_recv(w->s, w->sfd, b, sizeof b) : -1;
    draw(w);
    return check(n == 5 && r == 5 && !memcmp(b, "hello", 5),
                 "handshake completed after the SYN-ACK retransmission, data delivered");
}

static int scenario_lost_ack_reset(struct world *w)
{
    /* Everything the client sends after its SYN is lost for 70 s. */
    synack_sim_drop_nth(w->sim, w->client, w->server, 2);
    connect_client(w);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    w->drop_client_until = SYNACK_SEC(70);
    synack_sim_run_until(w->sim, SYNACK_SEC(70));
    ssize_t n = synack_send(w->c, w->cfd, "late", 4);
    synack_sim_run_for(w->sim, SYNACK_MS(100));
    char b[8];
    ssize_t r = synack_recv(w->c, w->cfd, b, sizeof b);
    draw(w);
    printf("client recv() -> %zd (%s)\n\n", r, r == -ECONNRESET ? "-ECONNRESET" : "?");
    return check(n == 4 && r == -ECONNRESET, "server gave up at 63 s; late data reset");
}

static int scenario_simultaneous_close(struct world *w)
{
    connect_client(w);
    synack_sim_run_until_done(w->sim, server_accepted, w, SYNACK_SEC(10));
    synack_sim_run_for(w->sim, SYNACK_MS(50));
    synack_close(w->c, w->cfd);
    synack_close(w->s, w->sfd);
    synack_sim_run_for(w->sim, SYNACK_SEC(61));
    draw(w);
    return check(synack_stack_connection_count(w->c) == 0 &&
                     synack_stack_connection_count(w->s) == 0,
                 "both through CLOSING and TIME-WAIT");
}

struct scenario {
    const char *name, *title, *story;
    int (*run)(struct world *w);
};

static const struct scenario scenarios[] = {
    {"handshake", "Three-way handshake",
     "The client sends SYN, the server answers SYN,ACK, the client ACKs: both ESTABLISHED.\n"
     "Watch the MSS and window scale options travel in the SYNs only.",
     scenario_handshake},
    {"transfer", "A small transfer",
     "5000 bytes leave in MSS-sized segments within the initial window; the server ACKs each\n"
     "and answers with 6 bytes. Sequence numbers are relative to each side's ISN.",
     scenario_transfer},
    {"close", "Four-way close",
     "The client closes first: FIN-WAIT-1, FIN-WAIT-2, then TIME-WAIT for 2 MSL (60 s); the\n"
     "server passes through CLOSE-WAIT and LAST-ACK. Watch the 60 s gap before CLOSED.",
     scenario_close},
    {"lost-ack", "The lost third ACK",
     "The client's ACK of the SYN,ACK is lost: the client is ESTABLISHED, the server is not.\n"
     "The server retransmits SYN,ACK after 1 s; the client's ACK completes the handshake.",
     scenario_lost_ack},
    {"lost-ack-reset", "The lost third ACK, server gives up",
     "Nothing from the client gets through: the server retransmits SYN,ACK at 1, 3, 7, 15 and\n"
     "31 s, drops the half-open connection at 63 s, and answers the client's late data with RST.",
     scenario_lost_ack_reset},
    {"simultaneous-close", "Simultaneous close",
     "Both sides close at once: FINs cross, both go through CLOSING to TIME-WAIT.",
     scenario_simultaneous_close},
};

static void demo_usage(FILE *out)
{
    fprintf(out, "usage: synack demo [--scenario NAME] [--pcap DIR] [--svg DIR]\n\n"
                 "Replays TCP scenarios in the simulator (virtual time, fixed seeds) and prints\n"
                 "each as a ladder: state changes in each host's column, each segment as an\n"
                 "arrow with relative sequence numbers and the time it arrived (or LOST).\n\n"
                 "  --scenario NAME  run one scenario:");
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        fprintf(out, " %s", scenarios[i].name);
    fprintf(out,
            "\n  --pcap DIR       write the client's capture of each scenario to DIR/NAME.pcap\n"
            "  --svg DIR        write each scenario's ladder as a picture to DIR/NAME.svg\n");
}

int demo_main(int argc, char **argv)
{
    const char *only = NULL, *pcap_dir = NULL, *svg_dir = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            demo_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--scenario") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--pcap") && i + 1 < argc) {
            pcap_dir = argv[++i];
        } else if (!strcmp(argv[i], "--svg") && i + 1 < argc) {
            svg_dir = argv[++i];
        } else {
            fprintf(stderr, "synack demo: unknown argument '%s'\n", argv[i]);
            demo_usage(stderr);
            return 2;
        }
    }
    struct stat pst;
    if (pcap_dir && stat(pcap_dir, &pst) < 0) {
        fprintf(stderr, "synack demo: --pcap %s: %s\n", pcap_dir, strerror(errno));
        return 1;
    }
    if (pcap_dir && !S_ISDIR(pst.st_mode)) {
        fprintf(stderr, "synack demo: --pcap %s: not a directory\n", pcap_dir);
        return 1;
    }
    if (svg_dir && (stat(svg_dir, &pst) < 0 || !S_ISDIR(pst.st_mode))) {
        fprintf(stderr, "synack demo: --svg %s: not a directory\n", svg_dir);
        return 1;
    }
    int failures = 0, ran = 0;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const struct scenario *sc = &scenarios[i];
        if (only && strcmp(only, sc->name)) continue;
        struct world w;
        int err = world_init(&w, pcap_dir, svg_dir, sc->name);
        if (err < 0) {
            if (err == -ENOMEM || err == -EINVAL)
                fprintf(stderr, "synack demo: cannot set up the simulation: %s\n", strerror(-err));
            world_free(&w);
            return 1;
        }
        printf("=== %s (%s) ===\n%s\n\n", sc->title, sc->name, sc->story);
        failures += sc->run(&w);
        ran++;
        world_free(&w);
    }
    if (ran == 0) {
        fprintf(stderr, "synack demo: no scenario named '%s'\n", only);
        return 2;
    }
    return failures ? 1 : 0;
}
