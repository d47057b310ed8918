/* SPDX-License-Identifier: MIT */
/* zerocopy_sim: the zero-copy API, both ways, in the simulator.
 *
 * The client sends from a small pool of buffers with SYNACK_MSG_ZEROCOPY: the stack reads
 * each buffer for every segment (retransmissions too, over a path losing 2% of packets) until
 * the server acknowledges it, so a buffer is refilled only once synack_zerocopy_completed
 * has counted its send: zero-copy sends complete in the order they were made, so a FIFO of
 * buffers and that count say which ones are free. The server reads with
 * synack_recv_borrow, checking the bytes where they lie in the receive buffer, then gives
 * them back with synack_recv_return. No byte is copied by either application.
 *
 *   build:  make examples              (or: cc zerocopy_sim.c $(pkg-config --cflags --libs synack))
 *   run:    build/examples/zerocopy_sim [MESSAGES]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <synack/link.h>
#include <synack/sim.h>
#include <synack/synack.h>

#define CLIENT_ADDR SYNACK_IPV4(198, 18, 0, 1)
#define SERVER_ADDR SYNACK_IPV4(198, 18, 0, 2)
#define PORT 9000
#define POOL 4              /* buffers the client owns */
#define MSG_LEN (48 * 1024) /* bytes per message (one zero-copy send each, or a few) */

struct zc {
    struct synack_stack *cs, *ss;
    int listener, server_fd, client_fd;
    unsigned char pool[POOL][MSG_LEN];
    uint64_t messages, filled;   /* messages to send; buffers filled so far */
    uint64_t sends;              /* zero-copy sends made (each queued > 0 bytes) */
    uint64_t send_of_fill[POOL]; /* the count of sends once buffer i's message was queued */
    size_t off;                  /* bytes of the current message queued */
    uint64_t received;           /* bytes the server checked */
    int error;
};

/* Byte k of the whole stream. */
static unsigned char pattern(uint64_t k)
{
    return (unsigned char)(k * 2654435761u >> 11);
}

/* The client: fill a free buffer with the next message, send it without copying, and only
 * refill a buffer whose sends have all completed. */
static void client(struct zc *z)
{
    int64_t done = synack_zerocopy_completed(z->cs, z->client_fd);
    if (done < 0) {
        z->error = (int)done;
        return;
    }
    while (z->filled <= z->messages) {
        if (z->filled == z->messages) {
            synack_shutdown(z->cs, z->client_fd, SYNACK_SHUT_WR); /* all queued: FIN */
            z->filled++;
            return;
        }
        unsigned i = (unsigned)(z->filled % POOL);
        if (z->off == 0) {
            /* Buffer i last held message filled - POOL: free once its sends completed. */
            if (z->filled >= POOL && (uint64_t)done < z->send_of_fill[i]) return;
            for (size_t k = 0; k < MSG_LEN; k++)
                z->pool[i][k] = pattern(z->filled * MSG_LEN + k);
        }
        ssize_t n = synack_send_flags(z->cs, z->client_fd, z->pool[i] + z->off, MSG_LEN - z->off,
                                      SYNACK_MSG_ZEROCOPY);
        if (n == -EAGAIN) return; /* not connected yet, or the send buffer is full */
        if (n < 0) {
            z->error = (int)n;
            return;
        }
        z->sends++;
        z->off += (size_t)n;
        if (z->off == MSG_LEN) {
            z->send_of_fill[i] = z->sends;
            z->off = 0;
            z->filled++;
        }
    }
}

/* The server: borrow what has arrived, check it in place, give it back. */
static void server(struct zc *z)
{
    if (z->server_fd < 0) {
        int fd = synack_accept(z->ss, z->listener, NULL);
        if (fd < 0) {
            if (fd != -EAGAIN) z->error = fd;
            return;
        }
        z->server_fd = fd;
    }
    for (;;) {
        struct synack_iovec views[8];
        unsigned count = 0;
        ssize_t n = synack_recv_borrow(z->ss, z->server_fd, views, 8, &count);
        if (n == -EAGAIN || n == 0) return; /* nothing yet, or the client's FIN */
        if (n < 0) {
            z->error = (int)n;
            return;
        }
        for (unsigned v = 0; v < count; v++)
            for (size_t k = 0; k < views[v].len; k++)
                if (views[v].base[k] != pattern(z->received++)) z->error = -EIO;
        synack_recv_return(z->ss, z->server_fd, (size_t)n);
    }
}

static bool step(void *ctx)
{
    struct zc *z = ctx;
    client(z);
    server(z);
    return z->error != 0 || z->received == z->messages * MSG_LEN;
}

int main(int argc, char **argv)
{
    static struct zc z;
    z.messages = argc > 1 ? strtoull(argv[1], NULL, 10) : 64;
    struct synack_sim *sim = synack_sim_new(7);
    if (!sim) return 1;
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = CLIENT_ADDR;
    int c = synack_sim_add_host(sim, &cfg);
    cfg.local_addr = SERVER_ADDR;
    int s = synack_sim_add_host(sim, &cfg);
    struct synack_sim_path path = {.delay = SYNACK_MS(5), .loss = 0.02};
    if (c < 0 || s < 0 || synack_sim_link(sim, c, s, &path, &path) < 0) return 1;
    z.cs = synack_sim_stack(sim, c);
    z.ss = synack_sim_stack(sim, s);
    z.listener = synack_socket(z.ss);
    struct synack_endpoint any = {0, PORT}, to = {SERVER_ADDR, PORT};
    int err = synack_bind(z.ss, z.listener, &any);
    if (!err) err = synack_listen(z.ss, z.listener, 4);
    z.server_fd = -1;
    z.client_fd = synack_socket(z.cs);
    if (!err) err = synack_connect(z.cs, z.client_fd, &to);
    if (err != -EINPROGRESS) {
        fprintf(stderr, "zerocopy_sim: setup: %s\n", strerror(-err));
        return 1;
    }
    bool done = synack_sim_run_until_done(sim, step, &z, SYNACK_SEC(600));
    struct synack_conn_info ci = {0};
    synack_get_info(z.cs, z.client_fd, &ci);
    if (!done || z.error || z.received != z.messages * MSG_LEN) {
        fprintf(stderr, "zerocopy_sim: FAILED: %s, %llu of %llu bytes\n",
                z.error ? strerror(-z.error) : "incomplete", (unsigned long long)z.received,
                (unsigned long long)(z.messages * MSG_LEN));
        return 1;
    }
    printf("zerocopy_sim: %llu messages of %d bytes from %d buffers, checked in place, in %.3f s "
           "of virtual time (%llu zero-copy sends, %llu retransmissions)\n",
           (unsigned long long)z.messages, MSG_LEN, POOL, (double)synack_sim_now(sim) / 1e9,
           (unsigned long long)z.sends, (unsigned long long)ci.retransmissions);
    synack_sim_free(sim);
    return 0;
}
