/* SPDX-License-Identifier: MIT */
/* synack: an event API for many sockets, shaped like Linux epoll(7).
 *
 * An event set belongs to one stack. Register descriptors in it with the readiness bits you
 * care about (SYNACK_POLLIN, SYNACK_POLLOUT, SYNACK_POLLRDHUP, SYNACK_POLLZEROCOPY; SYNACK_POLLERR
 * and SYNACK_POLLHUP are always reported, as epoll does) and a user value; synack_events_wait()
 * then returns the sockets that are ready. The cost of a wait is proportional to the number of
 * ready sockets, never to the number registered: the stack tells the set which sockets a call
 * touched (input, poll, socket calls), and only those are looked at.
 *
 * Modes (as epoll):
 * - level-triggered (the default): a ready socket is reported by every wait while it stays
 *   ready (recv() until -EAGAIN makes POLLIN go away);
 * - SYNACK_EV_ET, edge-triggered: a socket is reported once when it becomes ready and again
 *   only after something new happened on it (data arrived, data was acknowledged, its state
 *   or error changed, a connection was queued on a listener): what makes Linux wake an
 *   epoll waiter. Read and write until -EAGAIN before waiting again;
 * - SYNACK_EV_ONESHOT: after one report the registration is disarmed until
 *   synack_events_mod() arms it again.
 *
 * Memory: an entry is allocated by synack_events_add() and freed by synack_events_del() or
 * when its descriptor is closed; nothing is allocated per event or per packet. The first set
 * made on a stack also allocates a descriptor table (one pointer per config.max_sockets).
 *
 * Closing a descriptor (synack_close, synack_abort) removes it from every set, as closing
 * the last reference to a file does for epoll. Threads: a set is used from the thread that
 * uses its stack. */
#ifndef SYNACK_EVENT_H
#define SYNACK_EVENT_H

#include <stdint.h>
#include "synack/socket.h"
#include "synack/stack.h"

/* Mode flags, or'ed into the interest bits (values of EPOLLET and EPOLLONESHOT). */
#define SYNACK_EV_ET (1u << 31)
#define SYNACK_EV_ONESHOT (1u << 30)

/* The user value given at registration and returned with each event (epoll_data_t). */
union synack_event_data {
    void *ptr;
    int fd;
    uint32_t u32;
    uint64_t u64;
};

/* One ready socket. */
struct synack_event {
    uint32_t events; /* SYNACK_POLL* bits ready now, within the interest plus ERR and HUP */
    int fd;          /* the descriptor */
    union synack_event_data data;
};

struct synack_events;

/* Makes an empty event set on stack. Several sets may watch one stack (and one descriptor
 * may be in several sets). Returns NULL if stack is NULL or memory runs out. */
struct synack_events *synack_events_new(struct synack_stack *stack);

/* Frees a set and its registrations. Sets still alive when their stack is freed are freed
 * with it (do not use or free them afterwards). NULL is ignored. */
void synack_events_free(struct synack_events *set);

/* Registers fd with interest bits events (SYNACK_POLLIN | SYNACK_POLLOUT, optionally
 * SYNACK_EV_ET / SYNACK_EV_ONESHOT) and a user value. If the socket is ready now it is
 * reported by the next wait (as epoll_ctl(EPOLL_CTL_ADD)). Errors: -EINVAL (set NULL or
 * unknown bits), -EBADF (fd is not a socket), -EEXIST (fd is already in this set),
 * -ENOMEM. */
int synack_events_add(struct synack_events *set, int fd, uint32_t events,
                      union synack_event_data data);

/* Changes fd's interest bits, mode and user value; re-arms a one-shot registration and
 * reports the socket by the next wait if it is ready for the new interest (as
 * EPOLL_CTL_MOD). Errors: -EINVAL (set NULL or unknown bits), -EBADF (fd is not a socket),
 * -ENOENT (fd is not in this set). */
int synack_events_mod(struct synack_events *set, int fd, uint32_t events,
                      union synack_event_data data);

/* Removes fd from the set. Errors: -EINVAL (set NULL), -EBADF (fd is not a socket),
 * -ENOENT (fd is not in this set). */
int synack_events_del(struct synack_events *set, int fd);

/* Fills out[0..max) with ready sockets and returns how many (0 if none; it never blocks:
 * with nothing ready, run the stack until synack_stack_next_deadline() or the next packet
 * and wait again). Each socket appears at most once per call; level-triggered sockets that
 * stay ready are reported again by later calls, after the others that were waiting (so a
 * small max still serves every socket in turn). O(reported + sockets that stopped being
 * ready since they were queued). Errors: -EINVAL (set NULL, out NULL or max <= 0). */
int synack_events_wait(struct synack_events *set, struct synack_event *out, int max);

#endif
