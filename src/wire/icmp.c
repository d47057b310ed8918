/* SPDX-License-Identifier: MIT */
#include "wire/icmp.h"

#include <string.h>
#include "wire/checksum.h"
#include "wire/tcp_header.h"

int sk_icmp_parse(const uint8_t *msg, size_t len, struct sk_icmp *out)
{
    if (len < SK_ICMP_HDR_LEN || sk_csum_finish(sk_csum_add(0, msg, len)) != 0) return -1;
    out->type = msg[0];
    out->code = msg[1];
    out->rest = sk_get32(msg + 4);
    out->payload = msg + SK_ICMP_HDR_LEN;
    out->payload_len = len - SK_ICMP_HDR_LEN;
    return 0;
}

void sk_icmp_emit(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest, const uint8_t *payload,
                  size_t payload_len)
{
    buf[0] = type;
    buf[1] = code;
    buf[2] = buf[3] = 0;
    sk_put32(buf + 4, rest);
    if (payload_len) memmove(buf + SK_ICMP_HDR_LEN, payload, payload_len);
    sk_put16(buf + 2, sk_csum_finish(sk_csum_add(0, buf, SK_ICMP_HDR_LEN + payload_len)));
}
