/* SPDX-License-Identifier: MIT */
/* ICMP for a TCP host: echo replies (so ping works), errors about our connections
 * (RFC 1122 4.2.3.9, RFC 5927 checks), and port unreachable for UDP we do not serve. */
#include <errno.h>
#include <string.h>
#include "stack/stack_impl.h"
#include "tcp/pmtu.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "wire/icmp.h"
#include "wire/tcp_header.h"

static void ip_send(struct synack_stack *s, uint32_t src, uint32_t dst, uint8_t type, uint8_t code,
                    uint32_t rest, const uint8_t *payload, size_t len)
{
    struct sk_engine *eng = &s->eng;
    if (SK_IPV4_HDR_LEN + SK_ICMP_HDR_LEN + len > eng->scratch_cap)
        len = eng->scratch_cap - SK_IPV4_HDR_LEN - SK_ICMP_HDR_LEN;
    uint8_t *icmp = eng->scratch + SK_IPV4_HDR_LEN;
    sk_icmp_emit(icmp, type, code, rest, payload, len);
    sk_ipv4_emit(eng->scratch, src, dst, SK_IPPROTO_ICMP, eng->cfg.ttl, eng->ip_id++,
                 (uint16_t)(SK_ICMP_HDR_LEN + len));
    sk_count(eng, SYNACK_CTR_IP_OUT);
    eng->link.transmit(eng->link.ctx, eng->scratch, SK_IPV4_HDR_LEN + SK_ICMP_HDR_LEN + len,
                       eng->now);
}

/* Token bucket for ICMP errors: 1000 per second, bursts of 50 (Linux defaults). */
static bool error_allowed(struct synack_stack *s)
{
    synack_time_t now = s->eng.now;
    if (s->icmp_refill == 0 || now >= s->icmp_refill + SYNACK_MS(50)) {
        s->icmp_tokens = 50;
        s->icmp_refill = now;
    } else {
        unsigned add = (unsigned)((now - s->icmp_refill) / SYNACK_MS(1));
        if (add > 0) {
            s->icmp_tokens = s->icmp_tokens + add > 50 ? 50 : s->icmp_tokens + add;
            s->icmp_refill += SYNACK_MS(add);
        }
    }
    if (s->icmp_tokens == 0) {
        sk_count(&s->eng, SYNACK_CTR_ICMP_RATE_LIMITED);
        return false;
    }
    s->icmp_tokens--;
    return true;
}

void sk_udp_unreachable(struct synack_stack *s, const struct sk_ipv4 *ip, const uint8_t *pkt)
{
    if (!error_allowed(s)) return;
    /* RFC 792: the original IP header and the first 8 bytes of its data. */
    size_t quote = ip->hdr_len + (ip->payload_len < 8 ? ip->payload_len : 8);
    sk_count(&s->eng, SYNACK_CTR_ICMP_UNREACH_SENT);
    ip_send(s, ip->dst, ip->src, SK_ICMP_DEST_UNREACH, SK_ICMP_PORT_UNREACH, 0, pkt, quote);
}

/* An error about a segment we sent: find the connection it names and act. */
static void error_for_connection(struct synack_stack *s, const struct sk_icmp *m)
{
    const uint8_t *q = m->payload;
    size_t n = m->payload_len;
    /* The quoted header's own length and checksum may be altered by routers: read it by
     * hand, only as far as it is there. */
    if (n < SK_IPV4_HDR_LEN + 8 || (q[0] >> 4) != 4 || q[9] != SK_IPPROTO_TCP) goto ignored;
    size_t hl = (size_t)(q[0] & 15) * 4;
    if (hl < SK_IPV4_HDR_LEN || n < hl + 8) goto ignored;
    struct synack_endpoint local = {sk_get32(q + 12), sk_get16(q + hl)};
    struct synack_endpoint remote = {sk_get32(q + 16), sk_get16(q + hl + 2)};
    uint32_t seq = sk_get32(q + hl + 4);
    struct sk_tcb *tcb = sk_conn_lookup(s, &local, &remote);
    /* RFC 5927 4.1: only an error quoting a sequence number in flight is believed. */
    if (!tcb || tcb->state == SYNACK_LISTEN || !seq_in(seq, tcb->snd_una, tcb->snd_max + 1))
        goto ignored;
    sk_count(&s->eng, SYNACK_CTR_ICMP_ERROR_IN);
    static const int errs[] = {-ENETUNREACH, -EHOSTUNREACH, -ENOPROTOOPT, -ECONNREFUSED};
    if (m->code == SK_ICMP_FRAG_NEEDED) {
        /* RFC 1191: the next-hop MTU is in the low 16 bits of the second word; a router of
         * RFC 792's day sends 0, which carries nothing to act on. */
        uint32_t mtu = m->rest & 0xffffu;
        if (mtu >= 68 && sk_tcp_mtu_reduced(&s->eng, tcb, mtu)) sk_sched_touch(s, tcb);
        return;
    }
    int err = m->code < 4 ? errs[m->code] : -EHOSTUNREACH;
    bool hard = m->code == SK_ICMP_PROTO_UNREACH || m->code == SK_ICMP_PORT_UNREACH;
    sk_sched_touch(s, tcb);
    if (tcb->state == SYNACK_SYN_RECEIVED && tcb->passive && !tcb->tfo_passive) {
        /* A half-open child (Linux: a request sock, tcp_v4_err -> tcp_req_err): only an
         * error quoting our ISN counts, and only network or host unreachable drops it,
         * quietly (the application never saw it); others leave it alone. */
        if (seq == tcb->iss && (m->code == SK_ICMP_NET_UNREACH || m->code == SK_ICMP_HOST_UNREACH))
            sk_tcp_close_with(&s->eng, tcb, 0);
        return;
    }
    if (tcb->state == SYNACK_SYN_RECEIVED && tcb->tfo_passive && tcb->listener) {
        /* A Fast Open child not yet accepted (RFC 7413 4.3) fails on any such error, as
         * Linux tcp_v4_err in SYN-RECV: accept() returns it, its data can be read, then
         * the error. Once accepted it is treated as connected (soft errors below). */
        sk_tcp_close_with(&s->eng, tcb, err);
        return;
    }
    if (hard && (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED)) {
        /* RFC 1122 4.2.3.9: hard errors may abort; Linux does so while connecting. */
        sk_tcp_close_with(&s->eng, tcb, err);
        return;
    }
    tcb->soft_error = err; /* soft: kept and reported if the connection times out */
    return;
ignored:
    sk_count(&s->eng, SYNACK_CTR_ICMP_ERROR_IGNORED);
}

void sk_icmp_input(struct synack_stack *s, const struct sk_ipv4 *ip)
{
    struct sk_icmp m;
    if (sk_icmp_parse(ip->payload, ip->payload_len, &m) != 0) {
        sk_count(&s->eng, SYNACK_CTR_ICMP_BAD);
        return;
    }
    sk_count(&s->eng, SYNACK_CTR_ICMP_IN);
    if (m.type == SK_ICMP_ECHO_REQUEST && ip->dst == s->eng.cfg.local_addr) {
        /* RFC 1122 3.2.2.6: echo the identifier, sequence number and data. */
        sk_count(&s->eng, SYNACK_CTR_ICMP_ECHO_REPLIED);
        ip_send(s, ip->dst, ip->src, SK_ICMP_ECHO_REPLY, 0, m.rest, m.payload, m.payload_len);
    } else if (m.type == SK_ICMP_DEST_UNREACH) {
        error_for_connection(s, &m);
    }
}
