/* SPDX-License-Identifier: MIT */
/* TCP Fast Open (RFC 7413). Client side (section 4.2, as Linux's tcp_fastopen=1): a cache of
 * the cookies servers gave us, filled on SYN-ACKs; the SYN that carries a cookie request or
 * a cookie with data is built by output.c. Server side (sections 4.1.2 and 4.3, as Linux's
 * tcp_fastopen=2): the cookie, and what a listener does with a SYN's Fast Open option. */
#ifndef SK_TCP_FASTOPEN_H
#define SK_TCP_FASTOPEN_H

#include <stdbool.h>
#include <stdint.h>
#include "wire/tcp_header.h"

struct sk_engine;
struct sk_tcb;
struct sk_segment;

#define SK_TFO_CACHE 16

struct sk_tfo_entry {
    uint32_t addr;   /* server address; 0 = free */
    uint16_t mss;    /* the server's MSS, to size the next SYN's data (0: none seen) */
    uint8_t len;     /* cookie length (0: none yet) */
    bool exp;        /* the cookie came in the experimental option (kind 254) */
    uint8_t try_exp; /* Linux's try_exp: 1 after a request in the RFC option went
                        unanswered (ask in the experimental one next), 2 after both did */
    uint8_t cookie[SK_TCP_FO_COOKIE_MAX];
    uint64_t used; /* for replacement: oldest first */
};

struct sk_tfo_cache {
    struct sk_tfo_entry e[SK_TFO_CACHE];
    uint64_t tick;
};

/* What is cached for addr (a cookie, or only the server's MSS), or NULL. */
const struct sk_tfo_entry *sk_tfo_lookup(const struct sk_tfo_cache *c, uint32_t addr);

/* What a client's first SYN carries (RFC 7413 4.2.1, as Linux tcp_send_syn_data and
 * tcp_fastopen_cookie_check): the Fast Open option (a cookie, or an empty one asking for
 * it), and whether data may ride in the SYN, at most room bytes. Without a cookie only the
 * request goes, unless cookie-less mode is on (Linux tcp_fastopen bit 0x4 or the socket's
 * TCP_FASTOPEN_NO_COOKIE), which sends data and no option. */
struct sk_tfo_syn {
    bool option;   /* the SYN has a Fast Open option */
    bool exp;      /* ... in the experimental format (kind 254, RFC 6994) */
    bool data;     /* data may go in the SYN */
    uint8_t len;   /* cookie length (0: a request) */
    uint32_t room; /* the most data the SYN carries */
    const uint8_t *cookie;
};
void sk_tfo_client_syn(const struct sk_engine *eng, const struct sk_tcb *tcb,
                       struct sk_tfo_syn *out);

/* What a client learns from the SYN-ACK (Linux tcp_rcv_fastopen_synack and
 * tcp_fastopen_cache_set): the server's MSS always; the cookie only if our SYN asked with
 * the option (an unsolicited cookie is ignored); when a request got no cookie, the next
 * request tries the other option format. */
void sk_tfo_client_synack(struct sk_engine *eng, const struct sk_tcb *tcb,
                          const struct sk_segment *seg);

/* Server side. The cookie is 8 bytes (RFC 7413 4.1.2: a MAC of the client's address under a
 * secret key). As Linux since 5.4 (__tcp_fastopen_cookie_gen_cipher), it is SipHash-2-4
 * keyed with the 16-byte key over the SYN's source then destination IPv4 address (network
 * order), stored little-endian: the same key gives the same cookie as Linux's, so scripts
 * written against Linux (packetdrill's TFO_COOKIE) hold for synack too. */
#define SK_TFO_COOKIE_LEN 8
void sk_tfo_cookie(const uint8_t key[16], uint32_t saddr, uint32_t daddr,
                   uint8_t out[SK_TFO_COOKIE_LEN]);

/* The key a listener's cookies use: its own (SYNACK_TCP_FASTOPEN_KEY), else the config's
 * fastopen_key, else one derived from the config's secret (deterministic per secret). */
void sk_tfo_key(const struct sk_engine *eng, const struct sk_tcb *listener, uint8_t out[16]);
/* The backup key (cookies still taken, not given out), if there is one. */
bool sk_tfo_backup_key(const struct sk_engine *eng, const struct sk_tcb *listener, uint8_t out[16]);

/* What a listener does with a SYN (RFC 7413 4.3, Linux tcp_try_fastopen). */
enum sk_tfo_verdict {
    SK_TFO_NONE,   /* an ordinary handshake; reply->len says whether a cookie goes back */
    SK_TFO_ACCEPT, /* a Fast Open child: take the SYN's data now, queue it for accept() */
};
struct sk_tfo_reply {
    bool send;   /* the SYN-ACK carries a cookie */
    bool exp;    /* in the experimental option (as the SYN's) */
    uint8_t len; /* SK_TFO_COOKIE_LEN when send */
    uint8_t cookie[SK_TFO_COOKIE_LEN];
};
enum sk_tfo_verdict sk_tfo_server_syn(struct sk_engine *eng, const struct sk_tcb *listener,
                                      const struct sk_segment *seg, struct sk_tfo_reply *reply);

#endif
