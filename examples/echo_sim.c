/* SPDX-License-Identifier: MIT */
/* echo_sim: an echo server and a client, two synack stacks in the simulator.
 *
 * The simulator (synack/sim.h) owns a virtual clock and the wires between hosts: here 10 ms
 * each way and 1% loss, from a fixed seed, so every run is the same. Nothing touches the
 * network and no root is needed. The program checks every byte that comes back.
 *
 *   build:  make examples              (or: cc echo_sim.c $(pkg-config --cflags --libs synack))
 *   run:    build/examples/echo_sim [BYTES]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <synack/sim.h>
#include <synack/synack.h>

#define CLIENT_ADDR SYNACK_IPV4(198, 18, 0, 1)
#define SERVER_ADDR SYNACK_IPV4(198, 18, 0, 2)
#define ECHO_PORT 7 /* RFC 862 */

struct echo {
    struct synack_stack *cs, *ss; /* client and server stacks */
    int listener, server_fd, client_fd;
    unsigned char *out, *back; /* what the client sends, what it gets back */
    size_t len, sent, received;
    size_t held, held_off; /* server: bytes read but not yet echoed */
    unsigned char buf[8192];
    int error;
};

/* The server side: accept once, then echo whatever arrives; close after the client's FIN. */
static void serve(struct echo *e)
{
    if (e->server_fd < 0) {
        int fd = synack_accept(e->ss, e->listener, NULL);
        if (fd == -EAGAIN) return;
        if (fd < 0) {
            e->error = fd;
            return;
        }
        e->server_fd = fd;
    }
    for (;;) {
        if (e->held == 0) {
            ssize_t n = synack_recv(e->ss, e->server_fd, e->buf, sizeof e->buf);
            if (n == -EAGAIN) return;
            if (n == 0) { /* the client half-closed: all echoed, so close our side too */
                synack_close(e->ss, e->server_fd);
                e->server_fd = -2;
                return;
            }
            if (n < 0) {
                e->error = (int)n;
                return;
            }
            e->held = (size_t)n;
            e->held_off = 0;
        }
        ssize_t n = synack_send(e->ss, e->server_fd, e->buf + e->held_off, e->held);
        if (n == -EAGAIN) return; /* send buffer full: try again after the next event */
        if (n < 0) {
            e->error = (int)n;
            return;
        }
        e->held_off += (size_t)n;
        e->held -= (size_t)n;
    }
}

/* The client side: send everything, half-close, read everything back. */
static void client(struct echo *e)
{
    while (e->sent < e->len) {
        ssize_t n = synack_send(e->cs, e->client_fd, e->out + e->sent, e->len - e->sent);
        if (n == -EAGAIN) break; /* not connected yet, or the send buffer is full */
        if (n < 0) {
            e->error = (int)n;
            return;
        }
        e->sent += (size_t)n;
        if (e->sent == e->len) synack_shutdown(e->cs, e->client_fd, SYNACK_SHUT_WR);
    }
    for (;;) {
        ssize_t n = synack_recv(e->cs, e->client_fd, e->back + e->received, e->len - e->received);
        if (n == -EAGAIN || n == 0) return;
        if (n < 0) {
            e->error = (int)n;
            return;
        }
        e->received += (size_t)n;
    }
}

/* Called by the simulator after every event: run both applications, stop when done. */
static bool step(void *ctx)
{
    struct echo *e = ctx;
    serve(e);
    client(e);
    return e->error != 0 || (e->received == e->len && e->server_fd == -2);
}

int main(int argc, char **argv)
{
    size_t len = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    struct synack_sim *sim = synack_sim_new(42); /* the seed of every random impairment */
    if (!sim) return 1;

    /* Two hosts. The simulator runs them in deterministic mode (config.deterministic), so
     * the default all-zero secret is accepted; real links need a random one. */
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = CLIENT_ADDR;
    int c = synack_sim_add_host(sim, &cfg);
    cfg.local_addr = SERVER_ADDR;
    int s = synack_sim_add_host(sim, &cfg);
    struct synack_sim_path path = {.delay = SYNACK_MS(10), .loss = 0.01};
    if (c < 0 || s < 0 || synack_sim_link(sim, c, s, &path, &path) < 0) {
        fprintf(stderr, "echo_sim: cannot build the simulation\n");
        return 1;
    }

    struct echo e = {.cs = synack_sim_stack(sim, c), .ss = synack_sim_stack(sim, s)};
    e.len = len;
    e.out = malloc(len + 1);
    e.back = malloc(len + 1);
    if (!e.out || !e.back) return 1;
    for (size_t i = 0; i < len; i++)
        e.out[i] = (unsigned char)(i * 7 + i / 251);

    /* Server: socket, bind to port 7 on its own address, listen. */
    e.listener = synack_socket(e.ss);
    struct synack_endpoint any = {0, ECHO_PORT};
    int err = synack_bind(e.ss, e.listener, &any);
    if (!err) err = synack_listen(e.ss, e.listener, 8);
    e.server_fd = -1;
    /* Client: connect returns -EINPROGRESS; the SYN leaves when the stack is polled. */
    e.client_fd = synack_socket(e.cs);
    struct synack_endpoint server = {SERVER_ADDR, ECHO_PORT};
    if (!err) err = synack_connect(e.cs, e.client_fd, &server);
    if (err != -EINPROGRESS) {
        fprintf(stderr, "echo_sim: setup: %s\n", strerror(-err));
        return 1;
    }

    /* Run virtual time until the echo is complete, at most 10 virtual minutes. */
    bool done = synack_sim_run_until_done(sim, step, &e, SYNACK_SEC(600));
    synack_time_t took = synack_sim_now(sim);
    struct synack_conn_info ci;
    int have_info = synack_get_info(e.cs, e.client_fd, &ci) == 0;
    if (!done || e.error || e.received != len || memcmp(e.out, e.back, len) != 0) {
        fprintf(stderr, "echo_sim: FAILED: %s, %zu of %zu bytes back\n",
                e.error ? strerror(-e.error) : "incomplete", e.received, len);
        return 1;
    }
    printf("echo_sim: %zu bytes echoed intact in %.3f s of virtual time", len, (double)took / 1e9);
    if (have_info)
        printf(" (%llu retransmissions, srtt %.1f ms)", (unsigned long long)ci.retransmissions,
               (double)ci.srtt / 1e6);
    printf("\n");
    synack_close(e.cs, e.client_fd);
    synack_sim_free(sim);
    free(e.out);
    free(e.back);
    return 0;
}
