/* SPDX-License-Identifier: MIT */
/* A listener's own state: its SYN and accept queues, their limit, its SYN cookies and its
 * Fast Open server settings. Only a socket that listens (or was given a Fast Open setting
 * for listening, which may come before listen()) has one: the stack takes it then, through
 * the memory hooks as it takes the control block (stack_impl.h sk_conn_listen_state), and
 * frees it with the block. A child keeps only its link to the listener (tcb.h: listener,
 * queue_next, queue_prev). */
#ifndef SK_TCP_LISTEN_H
#define SK_TCP_LISTEN_H

#include <stdbool.h>
#include <stdint.h>
#include "synack/types.h"

struct sk_tcb;

/* A listener's own Fast Open keys: primary, backup, and a byte saying if the backup is set. */
#define SK_TFO_KEYS_SIZE 33

struct sk_listen {
    struct sk_tcb *accept_head, *accept_tail, *syn_head; /* the queues (stack/conn.c) */
    synack_time_t cookie_at;               /* the last SYN cookie sent (syncookie.c) */
    unsigned accept_len, syn_len, backlog; /* their lengths, and the limit of each */
    /* TCP Fast Open server (RFC 7413 4.3): the limit on Fast Open children still in
     * SYN-RECEIVED (Linux TCP_FASTOPEN qlen; 0: no Fast Open) and how many there are. */
    unsigned tfo_qlen, tfo_pending;
    bool cookie_sent; /* cookie_at is set */
    bool tfo_keyed;   /* tfo_key holds the listener's own keys (else the stack's are used) */
    uint8_t tfo_key[SK_TFO_KEYS_SIZE];
};

#endif
