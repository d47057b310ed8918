/* SPDX-License-Identifier: MIT */
/* synack: the link a stack sends its packets through. */
#ifndef SYNACK_LINK_H
#define SYNACK_LINK_H

#include "synack/types.h"

/* A link hands an outgoing IPv4 packet (header included) to whatever carries it: a simulated
 * wire, a TUN device, a test's capture buffer. transmit() is called from inside
 * synack_stack_input(), synack_stack_poll() and never from anywhere else; the packet buffer is
 * only valid during the call (copy it to keep it). now is the time of the call that caused the
 * transmission. A link may drop the packet; TCP recovers as it would from loss. */
struct synack_link {
    void *ctx;
    void (*transmit)(void *ctx, const uint8_t *packet, size_t len, synack_time_t now);
};

#endif
