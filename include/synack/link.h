/* SPDX-License-Identifier: MIT */
/* synack: the link a stack sends its packets through. */
#ifndef SYNACK_LINK_H
#define SYNACK_LINK_H

#include <stdbool.h>
#include "synack/types.h"

/* A piece of a packet handed to a link: base and length. */
struct synack_iovec {
    const uint8_t *base;
    size_t len;
};

/* Most pieces of one packet passed to transmit_tso: the headers, then the payload in the send
 * buffer's 4 KiB chunks (at most 17 for 64 KiB, one more where the ring wraps). */
#define SYNACK_LINK_MAX_IOV 20

/* A link hands an outgoing IPv4 packet (header included) to whatever carries it: a simulated
 * wire, a TUN device, a test's capture buffer. transmit() is called from inside
 * synack_stack_input(), synack_stack_poll() and never from anywhere else; the packet buffer is
 * only valid during the call (copy it to keep it). now is the time of the call that caused the
 * transmission. A link may drop the packet; TCP recovers as it would from loss. */
struct synack_link {
    void *ctx;
    void (*transmit)(void *ctx, const uint8_t *packet, size_t len, synack_time_t now);
};

/* What a link can do for the engine, declared with synack_stack_set_link_offload(). All zero
 * (the default) means nothing: every TCP segment is at most one MSS, fully checksummed, in
 * one buffer passed to transmit. */
struct synack_link_offload {
    /* The link computes TCP checksums on the way out (Linux CHECKSUM_PARTIAL, virtio
     * VIRTIO_NET_HDR_F_NEEDS_CSUM): the engine stores only the pseudo-header sum (for the
     * whole TCP length), folded and not complemented, in the checksum field of every TCP
     * segment it sends, and the link finishes the sum over the TCP header and payload. */
    bool tx_csum;
    /* Segmentation offload (TSO/GSO): with tso_max > 0, transmit_tso set and tx_csum, the
     * engine may send a TCP segment carrying up to tso_max payload bytes (a multiple of the
     * connection's MSS unless it ends the queued data) through transmit_tso, which cuts it
     * into segments of seg_size payload bytes, each with the same header except SEQ, the IP
     * length, ID and checksum, and PSH/FIN only on the last piece, as a NIC does. The packet
     * (len bytes) comes as pieces: iov[0] holds the IPv4 and TCP headers, the others point
     * into the connection's send buffer (no copy); all are valid only during the call, which
     * happens where transmit's would. ctx is the link's. Segments of one MSS or less still
     * go through transmit. */
    uint32_t tso_max;
    void (*transmit_tso)(void *ctx, const struct synack_iovec *iov, unsigned niov, size_t len,
                         uint16_t seg_size, synack_time_t now);
};

struct synack_stack;

/* Declares what the stack's link can do (see above); call it before any traffic, right after
 * synack_stack_new. A NULL off returns to no offload. Errors: -EINVAL (tso_max without
 * transmit_tso or without tx_csum). */
int synack_stack_set_link_offload(struct synack_stack *stack,
                                  const struct synack_link_offload *off);

#endif
