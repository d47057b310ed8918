/* SPDX-License-Identifier: MIT */
/* Per-route settings (synack_config.routes): the MSS a connection to an address announces. */
#ifndef SK_TCP_ROUTE_H
#define SK_TCP_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include "synack/config.h"

/* The MSS to announce to remote: the advmss of the longest prefix covering it (Linux
 * dst_metric_advmss), else mss; a socket's own TCP_MAXSEG (user, with value mss) lowers a
 * route's, as Linux tcp_advertise_mss caps it by user_mss. */
uint16_t sk_route_advmss(const struct synack_config *cfg, uint32_t remote, uint16_t mss, bool user);

#endif
