/* SPDX-License-Identifier: MIT */
/* synack: pcap writer. Nanosecond-resolution pcap (magic 0xa1b23c4d), link type
 * LINKTYPE_RAW / IPv4 (228), readable by tcpdump, tshark and Wireshark. */
#ifndef SYNACK_PCAP_H
#define SYNACK_PCAP_H

#include <stdio.h>
#include "synack/types.h"

struct synack_pcap;

/* Creates (truncates) path and writes the file header. NULL on failure (errno set). */
struct synack_pcap *synack_pcap_open(const char *path);
/* Writes over an open stream instead (not closed by synack_pcap_close). NULL on ENOMEM. */
struct synack_pcap *synack_pcap_open_stream(FILE *stream);
/* Appends one packet stamped with time (nanoseconds, written as seconds + nanoseconds).
 * Returns 0 or -EIO. */
int synack_pcap_write(struct synack_pcap *pcap, synack_time_t time, const uint8_t *packet,
                      size_t len);
/* Flushes and closes; NULL is accepted. */
void synack_pcap_close(struct synack_pcap *pcap);

#endif
