/* SPDX-License-Identifier: MIT */
/* A multi-queue TUN device (synack_tun_open_queue): two queues of one device, each its own
 * descriptor; the kernel's packets of one flow come out of one queue, and after we send on
 * the other queue for that flow, out of that one (the kernel steers a flow to the queue its
 * packets last came from). A device made without IFF_MULTI_QUEUE takes no queue. Needs
 * root: the test process moves into a private network namespace of its own (skipped
 * otherwise; no child process, so valgrind sees one heap), with addresses of 198.18.0.0/15
 * only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness.h"
#include "synack/tun.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

#define KERNEL SYNACK_IPV4(198, 18, 9, 1)
#define OURS SYNACK_IPV4(198, 18, 9, 2)

/* Which of the two queues the next packet the kernel sends comes out of (0 or 1), -1 if
 * none within a second. The packet is drained. */
static int queue_of_next(const int fd[2])
{
    struct pollfd p[2] = {{fd[0], POLLIN, 0}, {fd[1], POLLIN, 0}};
    if (poll(p, 2, 1000) <= 0) return -1;
    int q = (p[0].revents & POLLIN) ? 0 : 1;
    uint8_t buf[2048];
    return read(fd[q], buf, sizeof buf) > 0 ? q : -1;
}

/* A UDP datagram of the flow ours:5000 -> kernel:port, written on queue q (with an empty
 * virtio_net_hdr in front): it tells the kernel which queue the flow lives on. */
static int send_on(int fd, uint16_t port)
{
    uint8_t pkt[SYNACK_TUN_VNET_HDR_LEN + 28 + 4];
    memset(pkt, 0, sizeof pkt);
    uint8_t *ip = pkt + SYNACK_TUN_VNET_HDR_LEN, *udp = ip + 20;
    sk_ipv4_emit(ip, OURS, KERNEL, 17, 64, 1, 8 + 4);
    sk_put16(udp, 5000);
    sk_put16(udp + 2, port);
    sk_put16(udp + 4, 8 + 4);
    memcpy(udp + 8, "ping", 4); /* checksum 0: none (RFC 768) */
    return write(fd, pkt, sizeof pkt) == (ssize_t)sizeof pkt ? 0 : -1;
}

/* The checks, in the namespace; which failed (0: all passed). fd and s are closed by the
 * caller. */
static int steer(int fd[2], int *s)
{
    bool off[2] = {true, true};
    fd[0] = synack_tun_open_queue("mq0", &off[0]);
    fd[1] = synack_tun_open_queue("mq0", &off[1]);
    if (fd[0] < 0 || fd[1] < 0) return 1;
    bool plain_off = false;
    int plain = synack_tun_open_vnet("mq0", &plain_off);
    if (plain >= 0) close(plain);
    if (plain != -EINVAL) return 2; /* not a queue */
    if (synack_tun_configure("mq0", KERNEL, 24)) return 3;
    *s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(7000)};
    me.sin_addr.s_addr = htonl(KERNEL);
    if (*s < 0 || bind(*s, (struct sockaddr *)&me, sizeof me)) return 4;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5000)};
    to.sin_addr.s_addr = htonl(OURS);
    /* The flow's packets come out of one queue; then we speak on the other. */
    while (queue_of_next(fd) >= 0) {
    } /* drain what the kernel sent as the device came up */
    if (sendto(*s, "a", 1, 0, (struct sockaddr *)&to, sizeof to) != 1) return 5;
    int first = queue_of_next(fd);
    if (first < 0) return 6;
    int other = !first;
    if (send_on(fd[other], 7000)) return 7;
    for (int i = 0; i < 3; i++) {
        if (sendto(*s, "b", 1, 0, (struct sockaddr *)&to, sizeof to) != 1) return 8;
        if (queue_of_next(fd) != other) return 9;
    }
    return 0;
}

static void two_queues_and_flow_steering(void **state)
{
    (void)state;
    if (unshare(CLONE_NEWNET)) {
        print_message("skipped: needs root (a private network namespace)\n");
        return;
    }
    int fd[2] = {-1, -1}, s = -1;
    int failed = steer(fd, &s);
    for (int i = 0; i < 2; i++)
        if (fd[i] >= 0) close(fd[i]);
    if (s >= 0) close(s);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_queues_and_flow_steering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
