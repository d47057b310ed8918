/* SPDX-License-Identifier: MIT */
/* A simulated network card with offloads (synack_sim_set_offload): it finishes the TCP
 * checksums a stack leaves partial, cuts TCP segments of up to 64 KiB into packets of the
 * MSS the stack names (TSO, as a NIC or virtio does), and verifies the checksums of what
 * arrives so the stack need not. IPv4 without options, as the stacks send it. */
#ifndef SK_SIM_NIC_H
#define SK_SIM_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stores the full TCP checksum of the IPv4 packet pkt (len bytes) in place of the partial
 * one; packets that are not TCP are left alone. */
void sk_nic_finish_csum(uint8_t *pkt, size_t len);

/* Whether pkt is a TCP packet whose checksum verifies. */
bool sk_nic_csum_ok(const uint8_t *pkt, size_t len);

/* Cuts the TCP super-segment pkt (headers, then the payload) into packets carrying at most
 * seg_size payload bytes, written one at a time to out (room for the headers and seg_size)
 * and handed to emit: each with its own SEQ, IP total length, IP ID (counting up) and
 * checksums; PSH and FIN only on the last, CWR only on the first, as TSO does. */
void sk_nic_segment(const uint8_t *pkt, size_t len, uint16_t seg_size, uint8_t *out,
                    void (*emit)(void *ctx, const uint8_t *pkt, size_t len), void *ctx);

#endif
