/* SPDX-License-Identifier: MIT */
/* synack: Linux TUN devices (IFF_TUN | IFF_NO_PI): raw IPv4 packets to and from the kernel. */
#ifndef SYNACK_TUN_H
#define SYNACK_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opens (creating if absent) the TUN device `name` and returns a non-blocking descriptor.
 * Errors: -EPERM / -EACCES (not root: needs CAP_NET_ADMIN), -ENOENT (/dev/net/tun missing:
 * load the tun module), -EINVAL (bad name), -EBUSY (in use by another process), other
 * -errno. */
int synack_tun_open(const char *name);

/* Each packet read from or written to a device opened with synack_tun_open_vnet() starts
 * with this many bytes of struct virtio_net_hdr (linux/virtio_net.h, host byte order). */
#define SYNACK_TUN_VNET_HDR_LEN 10

/* Opens the device as synack_tun_open() does, but with IFF_VNET_HDR: every packet is
 * preceded by a virtio_net_hdr saying how it is to be segmented and checksummed. When
 * *offload is true on entry, also asks the kernel (TUNSETOFFLOAD) to hand over TCP/IPv4
 * segments of up to 64 KiB that it has not checksummed or segmented (CSUM, TSO4) and to
 * take such segments from us; *offload says on return whether it agreed. Errors: those of
 * synack_tun_open. */
int synack_tun_open_vnet(const char *name, bool *offload);

/* Opens one more queue of the multi-queue device `name` (IFF_MULTI_QUEUE; created by the
 * first call), with IFF_VNET_HDR and offloads as synack_tun_open_vnet() (*offload in and
 * out). Each call returns a descriptor of its own queue: the kernel spreads the flows it
 * sends over the queues and keeps each flow on the queue our packets of it last came from,
 * so one stack per queue, each on its own core, can serve disjoint connections. Errors: those
 * of synack_tun_open; -EINVAL also when `name` exists without IFF_MULTI_QUEUE. */
int synack_tun_open_queue(const char *name, bool *offload);

/* Gives the kernel's side of the device the address addr/prefix (host order) and brings it
 * up. Errors: -EADDRINUSE (the address is already on another interface), -EPERM, -errno. */
int synack_tun_configure(const char *name, uint32_t addr, unsigned prefix);

/* A sentence for a negative errno from the two calls above, with what to do about it. */
const char *synack_tun_strerror(int err);

#endif
