/* SPDX-License-Identifier: MIT */
/* synack: a user-space TCP/IP stack. Include this for the whole public API. */
#ifndef SYNACK_SYNACK_H
#define SYNACK_SYNACK_H

#include "synack/config.h"
#include "synack/event.h"
#include "synack/link.h"
#include "synack/secret.h"
#include "synack/socket.h"
#include "synack/stack.h"
#include "synack/trace.h"
#include "synack/types.h"

#endif
