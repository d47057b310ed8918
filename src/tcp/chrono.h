/* SPDX-License-Identifier: MIT */
/* How long a connection was busy sending, and for how much of it the peer's window or our
 * send buffer held it back (Linux tcp_chrono: tcpi_busy_time, tcpi_rwnd_limited,
 * tcpi_sndbuf_limited). One clock runs at a time, the most telling: a full send buffer over
 * a closed window over plain busy. */
#ifndef SK_TCP_CHRONO_H
#define SK_TCP_CHRONO_H

#include "tcp/engine.h"

enum sk_chrono { SK_CHRONO_NONE, SK_CHRONO_BUSY, SK_CHRONO_RWND, SK_CHRONO_SNDBUF };

/* Starts clock c unless a more telling one runs (Linux tcp_chrono_start). */
void sk_chrono_start(struct sk_engine *eng, struct sk_tcb *tcb, enum sk_chrono c);
/* Stops clock c if it runs; busy goes on while data waits to be sent or acknowledged
 * (Linux tcp_chrono_stop). */
void sk_chrono_stop(struct sk_engine *eng, struct sk_tcb *tcb, enum sk_chrono c);
/* Time spent per clock so far, the running one included, in microseconds. */
uint64_t sk_chrono_total(const struct sk_engine *eng, const struct sk_tcb *tcb, enum sk_chrono c);

#endif
