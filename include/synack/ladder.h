/* SPDX-License-Identifier: MIT */
/* synack: ladder diagrams. Collects the trace events of two hosts (or the segments of a
 * capture) and draws them as a two-column ladder: each host's state changes in its column,
 * each segment as an arrow at the time it left with its options, the window as scaled, why
 * it left when it repeats sequence space, and when it arrived at the other end or that it
 * was lost. As text (80 columns, ASCII or Unicode) or as an SVG picture. */
#ifndef SYNACK_LADDER_H
#define SYNACK_LADDER_H

#include <stdio.h>
#include "synack/config.h"
#include "synack/trace.h"

struct synack_ladder;

/* Drawing options (synack_ladder_set_flags). */
#define SYNACK_LADDER_ABSOLUTE 0x1 /* sequence numbers as on the wire, not from the ISNs */
#define SYNACK_LADDER_CAPTURE 0x2  /* one vantage point (a capture): no arrivals, no "lost" */
#define SYNACK_LADDER_CAUSES 0x4   /* the cause of every segment, not only of repeats */
#define SYNACK_LADDER_UNICODE                                                                      \
    0x8 /* text arrows and host lines drawn with Unicode box                                       \
           drawing (U+2500, U+25B6, U+25C0, U+2715, U+2502, one                                    \
           column each) instead of ASCII - > < x | */

/* A ladder with a left and a right host (names are copied, at most 31 characters).
 * NULL on ENOMEM. */
struct synack_ladder *synack_ladder_new(const char *left_name, const char *right_name);
void synack_ladder_free(struct synack_ladder *ladder);

/* Sets the SYNACK_LADDER_* flags (0 by default). */
void synack_ladder_set_flags(struct synack_ladder *ladder, unsigned flags);

/* Routes a host's trace events into the ladder: side 0 is left, 1 is right. Sets
 * cfg->trace and cfg->trace_ctx; call before creating the host's stack. Returns 0 or
 * -EINVAL. */
int synack_ladder_attach(struct synack_ladder *ladder, int side, struct synack_config *cfg);

/* Adds one event as if host `side` had traced it (a capture's segments: SEGMENT_OUT on
 * the side that sent it). Events must come in time order. Returns 0, -EINVAL or -ENOMEM. */
int synack_ladder_add(struct synack_ladder *ladder, int side, const struct synack_trace_event *ev);

/* For a ladder of one connection's segments as a capture saw them (SEGMENT_OUT events on
 * the side that sent each, as synack ladder adds them): adds each side's state changes as
 * far as the segments show them (RFC 9293 3.10.7): the sender's on a SYN (SYN-SENT), a
 * SYN,ACK (SYN-RECEIVED), a FIN (FIN-WAIT-1, LAST-ACK) or an RST (CLOSED) just before it,
 * the receiver's on the ACK of its SYN (ESTABLISHED) or of its FIN (FIN-WAIT-2, TIME-WAIT,
 * CLOSED), a FIN (CLOSE-WAIT, CLOSING, TIME-WAIT), a SYN in SYN-SENT (a simultaneous open)
 * or an RST just after it, all at the time the segment was seen. A side seen first sending
 * or receiving data was ESTABLISHED (not drawn). Nothing is added to a ladder that holds
 * STATE events. Returns the number of changes added, -EINVAL or -ENOMEM. */
int synack_ladder_infer_states(struct synack_ladder *ladder);

/* Where a capture was taken, from the timing of its first handshake: near the side that
 * sent the SYN if its SYN,ACK came more than three times as long after the SYN as the ACK
 * after the SYN,ACK (the round trip lies before the SYN,ACK), near the other side in the
 * opposite case. Writes a sentence with the two gaps into buf ("taken near client: SYN to
 * SYN,ACK 20.112 ms, SYN,ACK to ACK 0.051 ms (...)"). Returns the side (0 left, 1 right),
 * -1 when it cannot be told (gaps alike, or no complete handshake), -EINVAL. */
int synack_ladder_vantage(const struct synack_ladder *ladder, char *buf, size_t size);

/* The column titles: "      ms client      |...|server", one line. */
void synack_ladder_header(const struct synack_ladder *ladder, FILE *out);

/* Draws every event collected so far, in time order, and forgets them (sequence numbers
 * stay relative to the ISNs already seen). Times are shown in ms from origin. Each line
 * is at most 80 columns (arrival times past 99999 ms may run over); a segment's options
 * follow on lines of their own. */
void synack_ladder_render(struct synack_ladder *ladder, FILE *out, synack_time_t origin);

/* Draws the events collected so far as one SVG document (it keeps them: call before
 * synack_ladder_render to have both). Returns 0 or -EIO if writing failed. */
int synack_ladder_svg(struct synack_ladder *ladder, FILE *out, synack_time_t origin);

/* Which direction synack_ladder_tsg_svg draws: the data side 0 (left) or 1 (right) sent,
 * or one of these. */
#define SYNACK_TSG_MOST (-1)  /* the side that sent the most payload bytes (left on a tie) */
#define SYNACK_TSG_LEAST (-2) /* the other one */

/* Draws a time-sequence graph of the events collected so far as one SVG document, as
 * Stevens and tcptrace draw it, for the data one side sent on one connection (the first it
 * sent data on): time across in ms from origin, sequence numbers from the sender's ISN up;
 * each data segment a vertical bar from seq to seq+len when it left (retransmissions red
 * and marked R, the cause in its <title>; a segment lost in the simulator dashed); the
 * receiver's cumulative ACK as a step line, ACK plus its window (scaled as in the ladder)
 * above it, SACK blocks as ranges at their ACK's time, SYN and FIN labelled, probes
 * without data (zero window, keepalive) as rings. ACKs are
 * taken as they reached the sender when the ladder has its arrivals (both hosts traced),
 * else as the receiver sent them (a capture). Keeps the events, as synack_ladder_svg.
 * Returns 0, -EINVAL (a direction not listed), -EIO if writing failed. */
int synack_ladder_tsg_svg(struct synack_ladder *ladder, FILE *out, int direction,
                          synack_time_t origin);

/* Draws what the stack of one side knew about one connection over time as one SVG
 * document, from its CWND events: time across in ms from origin, bytes up; the congestion
 * window as a step line, ssthresh as a dashed one (absent while unset), the bytes in flight
 * as a thin one, the periods in recovery shaded; the expiries of the RTO, TLP and persist
 * timers (TIMER events) marked under the time axis, each with a <title>. direction as for
 * synack_ladder_tsg_svg: a side (0 left, 1 right), SYNACK_TSG_MOST (the default of the
 * tools) or SYNACK_TSG_LEAST; the connection is the first the side sent data on. With no
 * such event (a capture has none) a line in the picture says so. Keeps the events, as
 * synack_ladder_svg. Returns 0, -EINVAL (a direction not listed), -EIO if writing failed. */
int synack_ladder_cwnd_svg(struct synack_ladder *ladder, FILE *out, int direction,
                           synack_time_t origin);

/* The same for round-trip times, from RTT events: ms up; each sample a dot (its values in
 * its <title>), SRTT and the RTO as step lines, the timers marked as in
 * synack_ladder_cwnd_svg. Returns as synack_ladder_cwnd_svg. */
int synack_ladder_rtt_svg(struct synack_ladder *ladder, FILE *out, int direction,
                          synack_time_t origin);

/* Draws the state timeline as one SVG document: one bar per host, coloured by the state of
 * its connection (the first it traced a state change of; a listener's states lead up to
 * it) from each STATE event to the next, named where it fits and in each stretch's <title>;
 * CLOSED blank. Time across in ms from origin. Keeps the events. Returns 0, -EINVAL, -EIO. */
int synack_ladder_states_svg(struct synack_ladder *ladder, FILE *out, synack_time_t origin);

/* Writes one self-contained HTML page about the events collected so far (no network needed
 * to view it: inline CSS and SVG, no script, font or <link>; its only links lead within
 * the page): `title` as its heading (a default if NULL), `source` under it (what the events
 * came from: a capture file, a scenario, the flags of a run; may be NULL), the connections'
 * endpoints, the ladder and the time-sequence graph of the side that sent the most data
 * (and of the other, if it sent data) as SVG, its cwnd and RTT graphs if any CWND or RTT
 * event was traced, the state timeline if any STATE event was, a table of every segment
 * (time, direction, flags, seq and ack as the ladder numbers them, length, scaled window,
 * options, cause, arrival; each ladder arrow links to its row, highlighted by CSS :target,
 * and the row back to it), a table of segments, bytes, retransmissions by cause, drops by
 * counter and socket calls for each side, the socket calls side by side, the ladder as
 * text and every event's trace line in a <details>. Keeps the events, as
 * synack_ladder_svg. Returns 0, -EINVAL, -ENOMEM or -EIO. */
int synack_ladder_html(struct synack_ladder *ladder, FILE *out, synack_time_t origin,
                       const char *title, const char *source);

/* Writes every event collected so far as a trace file (it keeps them): a text file of one
 * line per event with every field of it, which synack_ladder_load reads back into a ladder
 * that draws exactly the same pictures (src/trace/file.c describes the format). The
 * drawing flags are not saved. Returns 0, -EINVAL or -EIO if writing failed. */
int synack_ladder_save(const struct synack_ladder *ladder, FILE *out);

/* Reads a trace file written by synack_ladder_save into a new ladder with the side names
 * it holds (free it with synack_ladder_free). NULL if it is not one, is damaged or memory
 * ran out; then err (if not NULL) says why and on which line. */
struct synack_ladder *synack_ladder_load(FILE *in, char *err, size_t err_size);

/* One line for one event ("12.345 ms OUT 198.18.0.1:80 > 198.18.0.2:40000 SYN,ACK seq=...").
 * Writes at most size bytes including the terminating NUL; returns buf. */
char *synack_trace_format(const struct synack_trace_event *ev, char *buf, size_t size);

#endif
