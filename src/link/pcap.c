/* SPDX-License-Identifier: MIT */
/* pcap writer: classic format, nanosecond timestamps (magic 0xa1b23c4d), LINKTYPE_IPV4. */
#include "synack/pcap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_NS 0xa1b23c4du
#define LINKTYPE_IPV4 228
#define SNAPLEN 65535

struct synack_pcap {
    FILE *f;
    bool owned;
};

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* host byte order: readers detect it from the magic */
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static struct synack_pcap *start(FILE *f, bool owned)
{
    struct synack_pcap *p = malloc(sizeof *p);
    if (!p) return NULL;
    p->f = f;
    p->owned = owned;
    uint8_t h[24];
    put32(h, PCAP_MAGIC_NS);
    put16(h + 4, 2); /* version 2.4 */
    put16(h + 6, 4);
    put32(h + 8, 0);  /* thiszone */
    put32(h + 12, 0); /* sigfigs */
    put32(h + 16, SNAPLEN);
    put32(h + 20, LINKTYPE_IPV4);
    if (fwrite(h, sizeof h, 1, f) != 1) {
        free(p);
        return NULL;
    }
    return p;
}

struct synack_pcap *synack_pcap_open(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    struct synack_pcap *p = start(f, true);
    if (!p) {
        fclose(f);
        errno = EIO;
    }
    return p;
}

struct synack_pcap *synack_pcap_open_stream(FILE *stream)
{
    return start(stream, false);
}

int synack_pcap_write(struct synack_pcap *p, synack_time_t time, const uint8_t *packet, size_t len)
{
    uint32_t caplen = len > SNAPLEN ? SNAPLEN : (uint32_t)len;
    uint8_t h[16];
    put32(h, (uint32_t)(time / 1000000000ull));
    put32(h + 4, (uint32_t)(time % 1000000000ull));
    put32(h + 8, caplen);
    put32(h + 12, (uint32_t)len);
    if (fwrite(h, sizeof h, 1, p->f) != 1 || (caplen && fwrite(packet, caplen, 1, p->f) != 1))
        return -EIO;
    return 0;
}

void synack_pcap_close(struct synack_pcap *p)
{
    if (!p) return;
    fflush(p->f);
    if (p->owned) fclose(p->f);
    free(p);
}
