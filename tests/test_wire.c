/* SPDX-License-Identifier: MIT */
/* Wire formats: checksums (RFC 1071), IPv4 (RFC 791), TCP header and options (RFC 9293 3.1,
 * RFC 7323, RFC 2018). Every parse is done on a heap buffer of exactly the input's size, so
 * AddressSanitizer reports any read past the end. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

/* A SYN from 198.18.0.1:40000 to 198.18.0.2:80 as Linux sends it: MSS 1460, SACK-permitted,
 * timestamps, NOP, window scale 7; checksums computed by hand (and verified below). */
static const uint8_t linux_syn[60] = {
    0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, /* csum later */
    0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8,
    0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
    0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static uint8_t *exact(const uint8_t *src, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, src, n);
    return p;
}

static void fill_checksums(uint8_t *pkt)
{
    pkt[10] = pkt[11] = 0;
    uint16_t c = sk_csum_finish(sk_csum_add(0, pkt, 20));
    pkt[10] = (uint8_t)(c >> 8);
    pkt[11] = (uint8_t)c;
    sk_tcp_set_checksum(pkt + 20, 40, 0xc6120001, 0xc6120002);
}

static void rfc1071_example(void **state)
{
    (void)state;
    /* RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (folded). */
    static const uint8_t b[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(sk_csum_finish(sk_csum_add(0, b, 8)), (uint16_t)~0xddf2);
    /* Split on an even boundary gives the same sum; an odd tail is padded with zero. */
    assert_int_equal(sk_csum_finish(sk_csum_add(sk_csum_add(0, b, 4), b + 4, 4)),
                     (uint16_t)~0xddf2);
    static const uint8_t odd[3] = {0x01, 0x02, 0x03};
    assert_int_equal(sk_csum_finish(sk_csum_add(0, odd, 3)), (uint16_t) ~(0x0102 + 0x0300));
}

/* The word-at-a-time sum agrees with the plain RFC 1071 definition for every length and
 * alignment, and for a running sum carried in. */
static void checksum_matches_reference(void **state)
{
    (void)state;
    static uint8_t buf[2100];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t align = 0; align < 8; align++) {
        for (size_t len = 0; len < 2048; len += (len < 80 ? 1 : 37)) {
            uint64_t ref = 0xfffe;
            for (size_t i = 0; i + 1 < len; i += 2)
                ref += (uint32_t)(buf[align + i] << 8 | buf[align + i + 1]);
            if (len % 2) ref += (uint32_t)(buf[align + len - 1] << 8);
            uint8_t *p = exact(buf + align, len);
            assert_int_equal(
                sk_csum_finish(sk_csum_add(0xfffe, p, len)),
                sk_csum_finish((uint32_t)(ref % 0xffffffffu) + (uint32_t)(ref / 0xffffffffu)));
            free(p);
        }
    }
}

static void ipv4_parse_fields_and_errors(void **state)
{
    (void)state;
    uint8_t pkt[60];
    memcpy(pkt, linux_syn, 60);
    fill_checksums(pkt);
    uint8_t *p = exact(pkt, 60);
    struct sk_ipv4 ip;
    assert_int_equal(sk_ipv4_parse(p, 60, &ip), SK_IPV4_OK);
    assert_int_equal(ip.src, 0xc6120001);
    assert_int_equal(ip.dst, 0xc6120002);
    assert_int_equal(ip.proto, SK_IPPROTO_TCP);
    assert_int_equal(ip.ttl, 64);
    assert_int_equal(ip.id, 0x1234);
    assert_int_equal(ip.hdr_len, 20);
    assert_int_equal(ip.payload_len, 40);
    assert_ptr_equal(ip.payload, p + 20);
    free(p);
    /* Padding past the total length is ignored. */
    uint8_t padded[64] = {0};
    memcpy(padded, pkt, 60);
    p = exact(padded, 64);
    assert_int_equal(sk_ipv4_parse(p, 64, &ip), SK_IPV4_OK);
    assert_int_equal(ip.payload_len, 40);
    free(p);
    struct {
        int byte;
        uint8_t value;
        enum sk_ipv4_result want;
    } cases[] = {
        {0, 0x65, SK_IPV4_BAD_VERSION},  {0, 0x44, SK_IPV4_BAD_IHL},
        {2, 0x01, SK_IPV4_BAD_LENGTH},   {3, 0x10, SK_IPV4_BAD_LENGTH},
        {8, 0x3f, SK_IPV4_BAD_CHECKSUM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t bad[60];
        memcpy(bad, pkt, 60);
        bad[cases[i].byte] = cases[i].value;
        p = exact(bad, 60);
        assert_int_equal(sk_ipv4_parse(p, 60, &ip), cases[i].want);
        free(p);
    }
    /* A header longer than the packet (IHL 15 = 60 bytes, 40 given). */
    uint8_t longhdr[40];
    memcpy(longhdr, pkt, 40);
    longhdr[0] = 0x4f;
    p = exact(longhdr, 40);
    assert_int_equal(sk_ipv4_parse(p, 40, &ip), SK_IPV4_BAD_IHL);
    free(p);
    /* Fragments (MF, or an offset) with a correct checksum. */
    for (int k = 0; k < 2; k++) {
        uint8_t frag[60];
        memcpy(frag, pkt, 60);
        frag[6] = k == 0 ? 0x20 : 0x00;
        frag[7] = k == 0 ? 0x00 : 0x08;
        frag[10] = frag[11] = 0;
        uint16_t c = sk_csum_finish(sk_csum_add(0, frag, 20));
        frag[10] = (uint8_t)(c >> 8);
        frag[11] = (uint8_t)c;
        p = exact(frag, 60);
        assert_int_equal(sk_ipv4_parse(p, 60, &ip), SK_IPV4_FRAGMENT);
        free(p);
    }
    /* Every truncation is an error, never OK, and never reads past the end. */
    for (size_t n = 0; n < 60; n++) {
        p = exact(pkt, n);
        assert_int_not_equal(sk_ipv4_parse(p, n, &ip), SK_IPV4_OK);
        free(p);
    }
}

static void ipv4_emit_roundtrip(void **state)
{
    (void)state;
    uint8_t b[40] = {0};
    sk_ipv4_emit(b, 0x0a000001, 0x0a000002, SK_IPPROTO_TCP, 64, 7, 20);
    static const uint8_t want[12] = {0x45, 0, 0, 40, 0, 7, 0x40, 0, 64, 6};
    assert_memory_equal(b, want, 10);
    struct sk_ipv4 ip;
    assert_int_equal(sk_ipv4_parse(b, 40, &ip), SK_IPV4_OK);
    assert_int_equal(ip.total_len, 40);
}

static void tcp_parse_linux_syn(void **state)
{
    (void)state;
    uint8_t pkt[60];
    memcpy(pkt, linux_syn, 60);
    fill_checksums(pkt);
    uint8_t *p = exact(pkt + 20, 40);
    struct sk_tcp_header h;
    assert_int_equal(sk_tcp_parse(p, 40, &h), SK_TCP_OK);
    assert_int_equal(h.sport, 40000);
    assert_int_equal(h.dport, 80);
    assert_int_equal(h.seq, 1000);
    assert_int_equal(h.flags, SYNACK_SYN);
    assert_int_equal(h.window, 64240);
    assert_int_equal(h.hdr_len, 40);
    assert_true(h.opts.has_mss);
    assert_int_equal(h.opts.mss, 1460);
    assert_true(h.opts.sack_permitted);
    assert_true(h.opts.has_timestamp);
    assert_int_equal(h.opts.ts_val, 100);
    assert_int_equal(h.opts.ts_ecr, 0);
    assert_true(h.opts.has_wscale);
    assert_int_equal(h.opts.wscale, 7);
    assert_true(sk_tcp_checksum_ok(p, 40, 0xc6120001, 0xc6120002));
    assert_false(sk_tcp_checksum_ok(p, 40, 0xc6120001, 0xc6120003));
    free(p);
    for (size_t n = 0; n < 40; n++) {
        p = exact(pkt + 20, n);
        assert_int_not_equal(sk_tcp_parse(p, n, &h), SK_TCP_OK);
        free(p);
    }
}

/* A 20-byte header followed by the given option bytes (padded with EOL to 4). */
static enum sk_tcp_result parse_opts(const uint8_t *opt, size_t n, struct sk_tcp_header *h)
{
    uint8_t seg[60] = {0};
    size_t len = 20 + ((n + 3) / 4) * 4;
    memcpy(seg + 20, opt, n);
    seg[12] = (uint8_t)((len / 4) << 4);
    uint8_t *p = exact(seg, len);
    enum sk_tcp_result r = sk_tcp_parse(p, len, h);
    free(p);
    return r;
}

static void tcp_options_rules(void **state)
{
    (void)state;
    struct sk_tcp_header h;
    /* Unknown kind 30 (len 4) skipped; SACK with two blocks. */
    static const uint8_t a[] = {30, 4, 1, 2, 1, 1, 5, 18, 0, 0, 0, 1,
                                0,  0, 0, 2, 0, 0, 0, 3,  0, 0, 0, 4};
    assert_int_equal(parse_opts(a, sizeof a, &h), SK_TCP_OK);
    assert_int_equal(h.opts.sack_count, 2);
    assert_int_equal(h.opts.sack[1].start, 3);
    assert_int_equal(h.opts.sack[1].end, 4);
    /* EOL ends the list: what follows is not parsed, even if malformed. */
    static const uint8_t b[] = {0, 2, 99, 1};
    assert_int_equal(parse_opts(b, sizeof b, &h), SK_TCP_OK);
    assert_false(h.opts.has_mss);
    static const struct {
        uint8_t bytes[12];
        size_t n;
    } bad[] = {
        {{2, 3, 5}, 3},     /* MSS length 3 */
        {{3, 4, 7, 0}, 4},  /* window scale length 4 */
        {{8, 9, 0}, 3},     /* timestamp length 9 */
        {{4, 3, 0}, 3},     /* SACK-permitted length 3 */
        {{5, 9, 0}, 3},     /* SACK length not 2 + 8n */
        {{30, 1}, 2},       /* length < 2 */
        {{30, 9, 0, 0}, 4}, /* runs past the header */
        {{1, 1, 1, 30}, 4}, /* no room for the length byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_opts(bad[i].bytes, bad[i].n, &h), SK_TCP_BAD_OPTION);
    /* Data offset below 5 words or past the segment. */
    uint8_t seg[20] = {0};
    seg[12] = 4 << 4;
    assert_int_equal(sk_tcp_parse(seg, 20, &h), SK_TCP_BAD_OFFSET);
    seg[12] = 6 << 4;
    assert_int_equal(sk_tcp_parse(seg, 20, &h), SK_TCP_BAD_OFFSET);
}

static void tcp_emit_layout_like_linux(void **state)
{
    (void)state;
    struct sk_tcp_header h;
    memset(&h, 0, sizeof h);
    h.sport = 40000;
    h.dport = 80;
    h.seq = 1000;
    h.flags = SYNACK_SYN;
    h.window = 64240;
    h.opts.has_mss = true;
    h.opts.mss = 1460;
    h.opts.sack_permitted = true;
    h.opts.has_timestamp = true;
    h.opts.ts_val = 100;
    h.opts.has_wscale = true;
    h.opts.wscale = 7;
    uint8_t out[60];
    assert_int_equal(sk_tcp_emit(out, sizeof out, &h), 40);
    assert_memory_equal(out, linux_syn + 20, 16); /* checksum field is 0 in both */
    assert_memory_equal(out + 18, linux_syn + 38, 22);
    /* MSS + window scale only (what synack sends): MSS, NOP, WS. */
    h.opts.sack_permitted = h.opts.has_timestamp = false;
    assert_int_equal(sk_tcp_emit(out, sizeof out, &h), 28);
    static const uint8_t ws[8] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7};
    assert_memory_equal(out + 20, ws, 8);
    /* Round trip with SACK blocks. */
    h.opts.has_mss = h.opts.has_wscale = false;
    h.opts.sack_count = 3;
    for (int i = 0; i < 3; i++) {
        h.opts.sack[i].start = 100u * (uint32_t)i;
        h.opts.sack[i].end = 100u * (uint32_t)i + 50;
    }
    size_t n = sk_tcp_emit(out, sizeof out, &h);
    assert_int_equal(n, 20 + 28);
    struct sk_tcp_header back;
    assert_int_equal(sk_tcp_parse(out, n, &back), SK_TCP_OK);
    assert_int_equal(back.opts.sack_count, 3);
    assert_int_equal(back.opts.sack[2].end, 250);
    /* Too small a buffer. */
    assert_int_equal(sk_tcp_emit(out, 30, &h), 0);
}

/* Fast Open's experimental option (RFC 6994: kind 254, ExID 0xF989), as Linux reads it:
 * a request (length 4) or a cookie of 4..16 even bytes; other lengths and other ExIDs are
 * ignored, not errors. Written back in the same form. */
static void tcp_fastopen_experimental_option(void **state)
{
    (void)state;
    struct sk_tcp_header h;
    static const uint8_t req[] = {254, 4, 0xf9, 0x89};
    assert_int_equal(parse_opts(req, sizeof req, &h), SK_TCP_OK);
    assert_true(h.opts.has_fastopen && h.opts.fo_exp);
    assert_int_equal(h.opts.fo_len, 0);
    static const uint8_t cookie[] = {254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(parse_opts(cookie, sizeof cookie, &h), SK_TCP_OK);
    assert_true(h.opts.has_fastopen && h.opts.fo_exp);
    assert_int_equal(h.opts.fo_len, 8);
    assert_memory_equal(h.opts.fo_cookie, cookie + 4, 8);
    static const uint8_t odd[] = {254, 7, 0xf9, 0x89, 1, 2, 3};
    assert_int_equal(parse_opts(odd, sizeof odd, &h), SK_TCP_OK);
    assert_false(h.opts.has_fastopen);
    static const uint8_t other[] = {254, 4, 0x12, 0x34};
    assert_int_equal(parse_opts(other, sizeof other, &h), SK_TCP_OK);
    assert_false(h.opts.has_fastopen);
    /* The RFC 7413 form alike: a 2-byte cookie is no cookie, and the MSS before it holds. */
    static const uint8_t short_cookie[] = {2, 4, 0x03, 0xac, 34, 4, 0x11, 0x22};
    assert_int_equal(parse_opts(short_cookie, sizeof short_cookie, &h), SK_TCP_OK);
    assert_false(h.opts.has_fastopen);
    assert_int_equal(h.opts.mss, 940);
    memset(&h, 0, sizeof h);
    h.flags = SYNACK_SYN | SYNACK_ACK;
    h.opts.has_fastopen = true;
    h.opts.fo_exp = true;
    h.opts.fo_len = 8;
    memcpy(h.opts.fo_cookie, cookie + 4, 8);
    uint8_t out[60];
    assert_int_equal(sk_tcp_emit(out, sizeof out, &h), 32);
    assert_memory_equal(out + 20, cookie, sizeof cookie);
}

/* The other Linux layouts, the 40-byte limit, and TS + SACK together. */
static void tcp_emit_other_layouts(void **state)
{
    (void)state;
    struct sk_tcp_header h;
    memset(&h, 0, sizeof h);
    h.flags = SYNACK_ACK;
    h.opts.has_timestamp = true;
    h.opts.ts_val = 0x01020304;
    h.opts.ts_ecr = 0x05060708;
    uint8_t out[60];
    assert_int_equal(sk_tcp_emit(out, sizeof out, &h), 32);
    static const uint8_t ts[12] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8}; /* NOP NOP TS */
    assert_memory_equal(out + 20, ts, 12);
    memset(&h.opts, 0, sizeof h.opts);
    h.opts.sack_permitted = true;
    assert_int_equal(sk_tcp_emit(out, sizeof out, &h), 24);
    static const uint8_t sp[4] = {1, 1, 4, 2}; /* NOP NOP SACK-permitted */
    assert_memory_equal(out + 20, sp, 4);
    /* Timestamps with 3 SACK blocks fit exactly (12 + 28 = 40 bytes); with 4 they do not. */
    memset(&h.opts, 0, sizeof h.opts);
    h.opts.has_timestamp = true;
    h.opts.ts_val = 77;
    h.opts.sack_count = 3;
    for (unsigned i = 0; i < 4; i++) {
        h.opts.sack[i].start = 1000 * i;
        h.opts.sack[i].end = 1000 * i + 500;
    }
    size_t n = sk_tcp_emit(out, sizeof out, &h);
    assert_int_equal(n, 60);
    struct sk_tcp_header back;
    assert_int_equal(sk_tcp_parse(out, n, &back), SK_TCP_OK);
    assert_true(back.opts.has_timestamp);
    assert_int_equal(back.opts.ts_val, 77);
    assert_int_equal(back.opts.sack_count, 3);
    assert_int_equal(back.opts.sack[2].start, 2000);
    h.opts.sack_count = 4;
    assert_int_equal(sk_tcp_emit(out, sizeof out, &h), 0);
}

/* The pseudo-header checksum over an odd-length payload, and exact IPv4 header bytes. */
static void checksums_exact(void **state)
{
    (void)state;
    uint8_t seg[20 + 5] = {0};
    seg[12] = 5 << 4;
    memcpy(seg + 20, "abcde", 5);
    sk_tcp_set_checksum(seg, sizeof seg, 0xc6120001, 0xc6120002);
    /* By hand: the pseudo-header (addresses, protocol 6, length 25), the header words with
     * 0x5000 and the payload "ab" "cd" "e\0". */
    uint32_t sum = 0xc612 + 0x0001 + 0xc612 + 0x0002 + 6 + 25 + 0x5000 + 0x6162 + 0x6364 + 0x6500;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    assert_int_equal(sk_get16(seg + 16), (uint16_t)~sum);
    uint8_t *p = exact(seg, sizeof seg);
    assert_true(sk_tcp_checksum_ok(p, sizeof seg, 0xc6120001, 0xc6120002));
    p[24] ^= 0x01;
    assert_false(sk_tcp_checksum_ok(p, sizeof seg, 0xc6120001, 0xc6120002));
    free(p);
    uint8_t ip[20];
    sk_ipv4_emit(ip, 0xc6120001, 0xc6120002, SK_IPPROTO_TCP, 64, 0x1234, 40);
    static const uint8_t want[20] = {0x45, 0, 0,    60,   0x12, 0x34, 0x40, 0,    64, 6,
                                     0,    0, 0xc6, 0x12, 0,    1,    0xc6, 0x12, 0,  2};
    uint32_t isum = 0;
    for (int i = 0; i < 20; i += 2)
        isum += (uint32_t)(want[i] << 8 | want[i + 1]);
    while (isum >> 16)
        isum = (isum & 0xffff) + (isum >> 16);
    uint8_t expect[20];
    memcpy(expect, want, 20);
    expect[10] = (uint8_t)(~isum >> 8);
    expect[11] = (uint8_t)~isum;
    assert_memory_equal(ip, expect, 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc1071_example),
        cmocka_unit_test(checksum_matches_reference),
        cmocka_unit_test(ipv4_parse_fields_and_errors),
        cmocka_unit_test(ipv4_emit_roundtrip),
        cmocka_unit_test(tcp_parse_linux_syn),
        cmocka_unit_test(tcp_options_rules),
        cmocka_unit_test(tcp_emit_layout_like_linux),
        cmocka_unit_test(tcp_emit_other_layouts),
        cmocka_unit_test(tcp_fastopen_experimental_option),
        cmocka_unit_test(checksums_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
