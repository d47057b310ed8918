/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the wire parsers (src/wire) and the stack's input path.
 *
 * The input after the first byte is one packet. It goes through sk_ipv4_parse, sk_tcp_parse
 * and sk_icmp_parse, which must stay inside the buffer and return fields that agree with it;
 * a TCP header that parses is emitted again and must parse to the same fields; the checksum
 * is compared with a plain RFC 1071 sum, also in even pieces. Then (first byte bit 0) the
 * packet, with its IP and TCP/ICMP checksums made valid when bit 1 is set, is handed to a
 * stack with a listener, a connection in SYN-SENT and (bit 2) accept_any_addr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_peer.h"
#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_wire: check failed: %s (line %d)\n", #c, __LINE__);              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
static uint32_t ref_sum(const uint8_t *p, size_t len)
{
    uint64_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1) s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static void check_checksum(const uint8_t *p, size_t len)
{
    uint16_t want = (uint16_t)~ref_sum(p, len);
    /* 0x0000 and 0xffff are both zero in one's complement; sk_csum_finish may give either
     * for an all-zero sum. */
    uint16_t got = sk_csum_finish(sk_csum_add(0, p, len));
    CHECK(got == want || (fold(ref_sum(p, len)) == 0xffff && got == 0xffff) ||
          (fold(ref_sum(p, len)) == 0 && (got == 0 || got == 0xffff)));
    /* In even pieces chosen by the data. */
    uint32_t sum = 0;
    size_t off = 0;
    while (off < len) {
        size_t piece = len - off;
        size_t cut = (size_t)(p[off] % 64) * 2 + 2;
        if (cut < piece) piece = cut;
        sum = sk_csum_add(sum, p + off, piece);
        off += piece;
    }
    CHECK(fold(sum) == fold(ref_sum(p, len)) || (fold(sum) == 0xffff && ref_sum(p, len) == 0) ||
          (fold(sum) == 0 && fold(ref_sum(p, len)) == 0xffff));
}

static void check_tcp(const uint8_t *seg, size_t len)
{
    struct sk_tcp_header h;
    if (sk_tcp_parse(seg, len, &h) != SK_TCP_OK) return;
    CHECK(h.hdr_len >= 20 && h.hdr_len <= 60 && h.hdr_len <= len && h.hdr_len % 4 == 0);
    CHECK(h.opts.sack_count <= SK_TCP_MAX_SACK_BLOCKS);
    CHECK(h.opts.fo_len <= SK_TCP_FO_COOKIE_MAX);
    CHECK(h.sport == sk_get16(seg) && h.dport == sk_get16(seg + 2));
    CHECK(h.seq == sk_get32(seg + 4) && h.ack == sk_get32(seg + 8));
    CHECK(h.window == sk_get16(seg + 14));
    /* Emitted again, it parses to the same header. */
    uint8_t buf[60];
    size_t n = sk_tcp_emit(buf, sizeof buf, &h);
    if (n == 0) return; /* more options than 40 bytes hold in Linux's layout */
    struct sk_tcp_header g;
    CHECK(sk_tcp_parse(buf, n, &g) == SK_TCP_OK);
    CHECK(g.sport == h.sport && g.dport == h.dport && g.seq == h.seq && g.ack == h.ack);
    CHECK(g.flags == h.flags && g.window == h.window && g.urgent == h.urgent);
    const struct sk_tcp_options *a = &h.opts, *b = &g.opts;
    CHECK(a->has_mss == b->has_mss && (!a->has_mss || a->mss == b->mss));
    CHECK(a->has_wscale == b->has_wscale && (!a->has_wscale || a->wscale == b->wscale));
    CHECK(a->sack_permitted == b->sack_permitted);
    CHECK(a->has_timestamp == b->has_timestamp);
    CHECK(!a->has_timestamp || (a->ts_val == b->ts_val && a->ts_ecr == b->ts_ecr));
    CHECK(a->sack_count == b->sack_count);
    for (unsigned i = 0; i < a->sack_count; i++)
        CHECK(a->sack[i].start == b->sack[i].start && a->sack[i].end == b->sack[i].end);
    CHECK(a->has_fastopen == b->has_fastopen);
    CHECK(!a->has_fastopen ||
          (a->fo_len == b->fo_len && memcmp(a->fo_cookie, b->fo_cookie, a->fo_len) == 0));
}

static void parsers(const uint8_t *p, size_t len)
{
    check_checksum(p, len);
    struct sk_ipv4 ip;
    enum sk_ipv4_result r = sk_ipv4_parse(p, len, &ip);
    if (r == SK_IPV4_OK) {
        CHECK(ip.hdr_len >= 20 && ip.hdr_len <= ip.total_len && ip.total_len <= len);
        CHECK(ip.payload == p + ip.hdr_len && ip.payload_len == (size_t)ip.total_len - ip.hdr_len);
        CHECK(sk_csum_finish(sk_csum_add(0, p, ip.hdr_len)) == 0 ||
              sk_csum_finish(sk_csum_add(0, p, ip.hdr_len)) == 0xffff);
        check_tcp(ip.payload, ip.payload_len);
        struct sk_icmp m;
        if (sk_icmp_parse(ip.payload, ip.payload_len, &m) == 0)
            CHECK(m.payload == ip.payload + 8 && m.payload_len == ip.payload_len - 8);
    }
    /* The TCP and ICMP parsers on their own, at the start of the input. */
    check_tcp(p, len);
    struct sk_icmp m;
    if (sk_icmp_parse(p, len, &m) == 0) CHECK(m.payload_len + 8 == len);
}

/* Makes the IP header checksum and the TCP or ICMP checksum valid, when the header allows. */
static void fix_checksums(uint8_t *p, size_t len)
{
    if (len < 20) return;
    size_t ihl = (size_t)(p[0] & 15) * 4;
    size_t total = sk_get16(p + 2);
    if (ihl < 20 || ihl > len) return;
    if (total > len || total < ihl) {
        total = len;
        sk_put16(p + 2, (uint16_t)len);
    }
    p[10] = p[11] = 0;
    sk_put16(p + 10, sk_csum_finish(sk_csum_add(0, p, ihl)));
    uint8_t *l4 = p + ihl;
    size_t l4len = total - ihl;
    if (p[9] == SK_IPPROTO_TCP && l4len >= 20) {
        sk_tcp_set_checksum(l4, l4len, sk_get32(p + 12), sk_get32(p + 16));
    } else if (p[9] == SK_IPPROTO_ICMP && l4len >= 8) {
        l4[2] = l4[3] = 0;
        sk_put16(l4 + 2, sk_csum_finish(sk_csum_add(0, l4, l4len)));
    }
}

static void discard(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)ctx;
    (void)now;
    parsers(pkt, len); /* what the stack sends must parse too */
}

static void stack_input(uint8_t mode, uint8_t *p, size_t len)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = FZ_LOCAL_ADDR;
    cfg.deterministic = true;
    cfg.accept_any_addr = mode & 4;
    struct synack_link link = {NULL, discard};
    struct synack_stack *st = synack_stack_new(&cfg, &link);
    if (!st) abort();
    int l = synack_socket(st);
    struct synack_endpoint ep = {0, 80};
    synack_bind(st, l, &ep);
    synack_listen(st, l, 8);
    int c = synack_socket(st);
    struct synack_endpoint r = {FZ_PEER_ADDR, 80};
    synack_connect(st, c, &r);
    synack_stack_poll(st, SYNACK_MS(1));
    if (mode & 2) fix_checksums(p, len);
    synack_stack_input(st, p, len, SYNACK_MS(2));
    int fd = synack_accept(st, l, NULL);
    if (fd >= 0) synack_close(st, fd);
    synack_stack_poll(st, SYNACK_SEC(1000));
    synack_stack_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t mode = data[0];
    size_t len = size - 1;
    uint8_t *p = malloc(len ? len : 1); /* exact size: ASan sees any read past the end */
    if (!p) return 0;
    memcpy(p, data + 1, len);
    parsers(p, len);
    if (mode & 1) stack_input(mode, p, len);
    free(p);
    return 0;
}
