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

/* Gives the kernel's side of the device the address addr/prefix (host order) and brings it
 * up. Errors: -EADDRINUSE (the address is already on another interface), -EPERM, -errno. */
int synack_tun_configure(const char *name, uint32_t addr, unsigned prefix);

/* A sentence for a negative errno from the two calls above, with what to do about it. */
const char *synack_tun_strerror(int err);

#endif
