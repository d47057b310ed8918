/* SPDX-License-Identifier: MIT */
/* Initial sequence numbers (RFC 6528) and ephemeral port choice (RFC 6056 algorithm 3),
 * both from a keyed hash (SipHash-2-4) of the connection's endpoints. */
#ifndef SK_TCP_ISN_H
#define SK_TCP_ISN_H

#include <stdint.h>
#include "synack/types.h"

/* SipHash-2-4 of len bytes with a 16-byte key. */
uint64_t sk_siphash(const uint8_t key[16], const uint8_t *data, uint32_t len);

/* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
 * M a 4-microsecond timer derived from now. */
uint32_t sk_isn(const uint8_t key[16], const struct synack_endpoint *local,
                const struct synack_endpoint *remote, synack_time_t now);

/* RFC 7323 7.1 / Linux secure_tcp_ts_off: a per-connection offset for TSval, so that
 * timestamps reveal nothing across connections. */
uint32_t sk_ts_offset(const uint8_t key[16], const struct synack_endpoint *local,
                      const struct synack_endpoint *remote);

/* RFC 6056 3.3.3: the starting offset of the ephemeral port search for a destination. */
uint32_t sk_port_offset(const uint8_t key[16], uint32_t local_addr,
                        const struct synack_endpoint *remote);

#endif
