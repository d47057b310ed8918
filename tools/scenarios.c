/* SPDX-License-Identifier: MIT */
/* The catalogue of `synack demo`, in the order a course would meet them. */
#include "scenarios.h"

const struct scenario scenario_catalogue[] = {
    {"handshake", "The three-way handshake: SYN, SYN,ACK, ACK.",
     "The client sends SYN, the server answers SYN,ACK, the client ACKs: both ESTABLISHED.\n"
     "Watch the MSS and window scale options travel in the SYNs only.",
     NULL, scenario_handshake},
    {"simultaneous-open", "Both ends send SYN at once; the SYNs cross.",
     "No listener: each host connects to the other's port at the same moment. Each SYN\n"
     "arrives in SYN-SENT; both go to SYN-RECEIVED and answer SYN,ACK (RFC 9293 3.5).",
     scenario_simultaneous_open_setup, scenario_simultaneous_open},
    {"transfer", "A small transfer: 5000 bytes one way, a short reply the other.",
     "5000 bytes leave in MSS-sized segments within the initial window; the server ACKs each\n"
     "and answers with 6 bytes. Sequence numbers are relative to each side's ISN.",
     NULL, scenario_transfer},
    {"retransmit", "A data segment is lost and sent again.",
     "The second of four data segments is lost. Two duplicate ACKs are too few for fast\n"
     "retransmit; the tail loss probe or the timer sends the missing data again.",
     NULL, scenario_retransmit},
    {"fast-retransmit", "A loss repaired by fast retransmit with SACK, without a timeout.",
     "Twenty segments, the second lost: every later one brings a duplicate ACK whose SACK\n"
     "block says what arrived; the third makes the sender resend the hole at once.",
     NULL, scenario_fast_retransmit},
    {"rto-backoff", "Retransmission timeouts double while the path is down.",
     "Everything the client sends is lost for 6 s: each timeout doubles the timer (RFC 6298\n"
     "5.5) until a retransmission gets through.",
     NULL, scenario_rto_backoff},
    {"zero-window", "A full receiver advertises a zero window; persist probes keep asking.",
     "The server's program reads nothing for 4 s and its 4096-byte buffer fills. The client\n"
     "probes the zero window with backoff until the program reads and the window opens.",
     scenario_zero_window_setup, scenario_zero_window},
    {"close", "The four-way close, then TIME-WAIT for 2 MSL.",
     "The client closes first: FIN-WAIT-1, FIN-WAIT-2, then TIME-WAIT for 2 MSL (60 s); the\n"
     "server passes through CLOSE-WAIT and LAST-ACK. Watch the 60 s gap before CLOSED.",
     NULL, scenario_close},
    {"simultaneous-close", "Both ends close at once; the FINs cross.",
     "Both sides close at once: FINs cross, both go through CLOSING to TIME-WAIT.", NULL,
     scenario_simultaneous_close},
    {"half-close", "The client shuts down its sending side and still reads the answer.",
     "The client sends a request and shutdown(SHUT_WR): its FIN says it has no more to send.\n"
     "The server reads the request, then answers from CLOSE-WAIT before it closes.",
     NULL, scenario_half_close},
    {"time-wait-fin", "TIME-WAIT acknowledges a retransmitted FIN and restarts 2 MSL.",
     "The client's ACK of the server's FIN is lost; the server repeats its FIN and the client,\n"
     "in TIME-WAIT, acknowledges it again and waits another 2 MSL from then.",
     NULL, scenario_time_wait_fin},
    {"lost-ack", "The lost third ACK, completed by the SYN,ACK's retransmission.",
     "The client's ACK of the SYN,ACK is lost: the client is ESTABLISHED, the server is not.\n"
     "The server retransmits SYN,ACK after 1 s; the client's ACK completes the handshake.",
     NULL, scenario_lost_ack},
    {"lost-ack-data", "The lost third ACK, completed by the client's first data.",
     "The client's third ACK is lost, but it sends data at once: the data segment carries\n"
     "the same ACK and the server becomes ESTABLISHED long before its timer fires.",
     NULL, scenario_lost_ack_data},
    {"lost-ack-classic", "The lost third ACK with SYN,ACK repeated at 3, 6 and 12 s intervals.",
     "The classic figures: with an initial RTO of 3 s (RFC 1122, config rto_initial) the\n"
     "server repeats SYN,ACK 3, 6 and 12 s apart while the client's ACKs are lost.",
     scenario_lost_ack_classic_setup, scenario_lost_ack_classic},
    {"lost-ack-linux", "The lost third ACK with SYN,ACK repeated at 1, 2 and 4 s intervals.",
     "Today's figures (RFC 6298, Linux): an initial RTO of 1 s, so the server repeats\n"
     "SYN,ACK 1, 2 and 4 s apart while the client's ACKs are lost.",
     NULL, scenario_lost_ack_linux},
    {"lost-ack-reset", "The half-open server gives up; the client's late data gets RST.",
     "Nothing from the client gets through: the server retransmits SYN,ACK at 1, 3, 7, 15 and\n"
     "31 s, drops the half-open connection at 63 s, and answers the client's late data with RST.",
     NULL, scenario_lost_ack_reset},
    {"closed-port", "A connect to a port nobody listens on is refused with RST.",
     "The client connects to port 81, where nothing listens: the server answers RST,ACK and\n"
     "connect() fails with ECONNREFUSED.",
     NULL, scenario_closed_port},
    {"backlog-full", "A SYN to a listener whose accept queue is full is dropped and repeated.",
     "The server listens with backlog 1 and does not accept: a second client's SYN is\n"
     "dropped, its timer repeats it, and once accept() makes room the repeat gets in.",
     scenario_backlog_full_setup, scenario_backlog_full},
};

const size_t scenario_count = sizeof scenario_catalogue / sizeof scenario_catalogue[0];
