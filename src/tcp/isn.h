/* SPDX-License-Identifier: MIT */
/* Initial sequence numbers (RFC 6528) and ephemeral port choice (RFC 6056 algorithm 3),
 * both from a keyed hash (SipHash-2-4) of the connection's endpoints. */
#ifndef SK_TCP_ISN_H
#define SK_TCP_ISN_H

#include <stdbool.h>
#include <stdint.h>
#include "synack/types.h"

/* SipHash-2-4 of len bytes with a 16-byte key. */
uint64_t sk_siphash(const uint8_t key[16], const uint8_t *data, uint32_t len);

/* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
 * M a 4-microsecond timer derived from now. */
uint32_t sk_isn(const uint8_t key[16], const struct synack_endpoint *local,
                const struct synack_endpoint *remote, synack_time_t now);

/* The key of the stack's ISNs (sk_engine_isn). RFC 6528 3 leaves the secret's lifetime open: with
 * interval 0 (the default, as Linux, which never changes net_secret) it is the stack's secret;
 * otherwise a key derived from the secret and now / interval, so that it changes every interval (as
 * FreeBSD's net.inet.tcp.isn_reseed_interval) and an observer who learns one key learns
 * nothing of the next. The derived key is cached in *cache. A 4-tuple reused across a
 * change still gets an ISN past its previous incarnation's from the TIME-WAIT record
 * (tw.c, isn_hint), and timestamps (sk_ts_offset, keyed by the secret) stay monotonic. */
struct sk_isn_key {
    uint8_t key[16];
    uint64_t epoch;
    bool valid;
};
struct sk_engine;
/* The ISN for a new connection local<->remote now: sk_isn with the current key (derived
 * from cfg.secret every cfg.isn_rekey_interval, cached in eng->isn_key). */
uint32_t sk_engine_isn(struct sk_engine *eng, const struct synack_endpoint *local,
                       const struct synack_endpoint *remote);

/* RFC 7323 7.1 / Linux secure_tcp_ts_off: a per-connection offset for TSval, so that
 * timestamps reveal nothing across connections. */
uint32_t sk_ts_offset(const uint8_t key[16], const struct synack_endpoint *local,
                      const struct synack_endpoint *remote);

/* RFC 6056 3.3.3: the starting offset of the ephemeral port search for a destination. */
uint32_t sk_port_offset(const uint8_t key[16], uint32_t local_addr,
                        const struct synack_endpoint *remote);

#endif
