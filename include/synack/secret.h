/* SPDX-License-Identifier: MIT */
/* synack: a random secret for real links. The engine never reads randomness itself (it makes
 * no system call); the caller fills struct synack_config's secret, the key of the RFC 6528
 * ISN hash and of the RFC 6056 ephemeral port choice. This helper is not part of the engine:
 * it calls getrandom(2). */
#ifndef SYNACK_SECRET_H
#define SYNACK_SECRET_H

#include "synack/config.h"

/* Fills config->secret with 16 bytes from getrandom(2) (the kernel's CSPRNG; blocks only
 * until it is seeded, early at boot) and clears config->deterministic. config is unchanged
 * on error. Errors: -ENOSYS (no getrandom in this kernel), -EIO (short read), other -errno
 * from getrandom. */
int synack_config_random_secret(struct synack_config *config);

#endif
