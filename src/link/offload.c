/* SPDX-License-Identifier: MIT */
/* A link's offloads (checksum, segmentation), as the engine sees them. */
#include <errno.h>
#include <string.h>
#include "stack/stack_impl.h"

int synack_stack_set_link_offload(struct synack_stack *stack, const struct synack_link_offload *off)
{
    if (!off) {
        memset(&stack->eng.offload, 0, sizeof stack->eng.offload);
        return 0;
    }
    if (off->tso_max > 0 && (!off->transmit_tso || !off->tx_csum)) return -EINVAL;
    stack->eng.offload = *off;
    return 0;
}
