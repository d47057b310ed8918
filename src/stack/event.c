/* SPDX-License-Identifier: MIT */
/* The event API (include/synack/event.h), shaped like Linux epoll (fs/eventpoll.c).
 *
 * Each registration is an entry found through a per-stack table indexed by descriptor.
 * The stack calls sk_event_touched() for every connection a call touched; only then is a
 * socket's readiness computed, and a ready entry goes on its set's ready list. A wait
 * takes entries from that list, checks each once more (as ep_send_events re-polls an item)
 * and keeps level-triggered ones that are still ready at the tail: its cost follows the
 * ready sockets, never the registered ones. Entries are allocated at registration only. */
#include "synack/event.h"

#include <errno.h>
#include <string.h>
#include "stack/stack_impl.h"
#include "tcp/listen.h"

#define EV_MODES (SYNACK_EV_ET | SYNACK_EV_ONESHOT)
#define EV_KNOWN                                                                                   \
    (SYNACK_POLLIN | SYNACK_POLLOUT | SYNACK_POLLERR | SYNACK_POLLHUP | SYNACK_POLLRDHUP |         \
     SYNACK_POLLZEROCOPY | EV_MODES)
/* As epoll: errors and hang-ups are reported whatever the interest. */
#define EV_ALWAYS (SYNACK_POLLERR | SYNACK_POLLHUP)

/* What changes when Linux would wake an epoll waiter on a socket: data in order (or FIN)
 * arrived, data was acknowledged, the state or the pending error changed, a connection
 * joined a listener's queue. Edge-triggered entries are reported again after it moves. */
struct ev_sig {
    uint32_t rcv_nxt, snd_una;
    unsigned accept_len;
    int error;
    int state;
};

struct ev_entry {
    struct synack_events *set;
    struct ev_entry *fd_next;             /* other sets' entries for the same descriptor */
    struct ev_entry *set_prev, *set_next; /* every entry of the set */
    struct ev_entry *rd_prev, *rd_next;   /* the set's ready list */
    union synack_event_data data;
    uint32_t interest; /* SYNACK_POLL* bits and mode flags */
    int fd;
    bool queued;       /* on the ready list */
    bool armed;        /* false: a one-shot entry already reported */
    struct ev_sig sig; /* edge-triggered: what was seen at the last touch or report */
};

struct synack_events {
    struct synack_stack *stack;
    struct synack_events *prev, *next; /* the stack's sets */
    struct ev_entry *entries;
    struct ev_entry *rd_head, *rd_tail;
};

/* Per stack: the sets, and the entries by descriptor. */
struct sk_events {
    struct synack_events *sets;
    struct ev_entry **by_fd;
    unsigned nfd;
};

static void sig_of(const struct sk_tcb *tcb, struct ev_sig *out)
{
    out->rcv_nxt = tcb->rcv_nxt;
    out->snd_una = tcb->snd_una;
    out->accept_len = tcb->listen ? tcb->listen->accept_len : 0;
    out->error = tcb->error;
    out->state = (int)tcb->state;
}

static bool sig_equal(const struct ev_sig *a, const struct ev_sig *b)
{
    return a->rcv_nxt == b->rcv_nxt && a->snd_una == b->snd_una && a->accept_len == b->accept_len &&
           a->error == b->error && a->state == b->state;
}

static void rd_push(struct synack_events *set, struct ev_entry *e)
{
    if (e->queued) return;
    e->queued = true;
    e->rd_next = NULL;
    e->rd_prev = set->rd_tail;
    if (set->rd_tail)
        set->rd_tail->rd_next = e;
    else
        set->rd_head = e;
    set->rd_tail = e;
}

static void rd_remove(struct synack_events *set, struct ev_entry *e)
{
    if (!e->queued) return;
    e->queued = false;
    if (e->rd_prev)
        e->rd_prev->rd_next = e->rd_next;
    else
        set->rd_head = e->rd_next;
    if (e->rd_next)
        e->rd_next->rd_prev = e->rd_prev;
    else
        set->rd_tail = e->rd_prev;
    e->rd_prev = e->rd_next = NULL;
}

/* Readiness within the entry's interest: 0 if none or if fd is no socket. */
static uint32_t ready_bits(struct synack_stack *s, const struct ev_entry *e)
{
    int ev = synack_poll_events(s, e->fd);
    if (ev < 0) return 0;
    return (uint32_t)ev & (e->interest | EV_ALWAYS) & ~EV_MODES;
}

/* The socket behind e may have changed: queue e if it should be reported. */
static void check(struct synack_stack *s, struct sk_tcb *tcb, struct ev_entry *e, bool fresh)
{
    if (!e->armed) return;
    uint32_t ready = ready_bits(s, e);
    if (!(e->interest & SYNACK_EV_ET)) {
        if (ready) rd_push(e->set, e);
        return;
    }
    /* Edge-triggered (EPOLLET): report when something happened, and only if there is
     * something to report; a fresh registration reports what is ready now. */
    struct ev_sig now;
    sig_of(tcb, &now);
    bool moved = fresh || !sig_equal(&now, &e->sig);
    e->sig = now;
    if (moved && ready) rd_push(e->set, e);
}

void sk_event_touched(struct synack_stack *s, struct sk_tcb *tcb)
{
    struct sk_events *x = s->events;
    if (!x || tcb->fd < 0 || (unsigned)tcb->fd >= x->nfd) return;
    for (struct ev_entry *e = x->by_fd[tcb->fd]; e; e = e->fd_next)
        check(s, tcb, e, false);
}

static void entry_free(struct synack_stack *s, struct ev_entry *e)
{
    struct synack_events *set = e->set;
    rd_remove(set, e);
    if (e->set_prev)
        e->set_prev->set_next = e->set_next;
    else
        set->entries = e->set_next;
    if (e->set_next) e->set_next->set_prev = e->set_prev;
    sk_mem_free(s, e);
}

/* Unlinks e from its descriptor's chain. */
static void fd_unlink(struct sk_events *x, struct ev_entry *e)
{
    for (struct ev_entry **p = &x->by_fd[e->fd]; *p; p = &(*p)->fd_next) {
        if (*p == e) {
            *p = e->fd_next;
            return;
        }
    }
}

void sk_event_forget(struct synack_stack *s, int fd)
{
    struct sk_events *x = s->events;
    if (!x || fd < 0 || (unsigned)fd >= x->nfd) return;
    struct ev_entry *e = x->by_fd[fd];
    x->by_fd[fd] = NULL;
    while (e) {
        struct ev_entry *next = e->fd_next;
        entry_free(s, e);
        e = next;
    }
}

static void set_release(struct synack_events *set)
{
    struct synack_stack *s = set->stack;
    struct sk_events *x = s->events;
    while (set->entries) {
        struct ev_entry *e = set->entries;
        fd_unlink(x, e);
        entry_free(s, e);
    }
    if (set->prev)
        set->prev->next = set->next;
    else
        x->sets = set->next;
    if (set->next) set->next->prev = set->prev;
    sk_mem_free(s, set);
}

void sk_event_free(struct synack_stack *s)
{
    struct sk_events *x = s->events;
    if (!x) return;
    while (x->sets)
        set_release(x->sets);
    sk_mem_free(s, x->by_fd);
    sk_mem_free(s, x);
    s->events = NULL;
}

struct synack_events *synack_events_new(struct synack_stack *s)
{
    if (!s) return NULL;
    if (!s->events) {
        s->events = sk_mem_alloc(s, sizeof *s->events, true);
        if (!s->events) return NULL;
    }
    struct synack_events *set = sk_mem_alloc(s, sizeof *set, true);
    if (!set) return NULL;
    set->stack = s;
    set->next = s->events->sets;
    if (set->next) set->next->prev = set;
    s->events->sets = set;
    return set;
}

void synack_events_free(struct synack_events *set)
{
    if (set) set_release(set);
}

/* Makes room in the descriptor table for fd (doubling: registration time only). */
static int reserve_fd(struct synack_stack *s, int fd)
{
    struct sk_events *x = s->events;
    if ((unsigned)fd < x->nfd) return 0;
    unsigned n = x->nfd ? x->nfd : 64;
    while (n <= (unsigned)fd)
        n *= 2;
    struct ev_entry **t = sk_mem_alloc(s, (size_t)n * sizeof *t, true);
    if (!t) return -ENOMEM;
    if (x->nfd) memcpy(t, x->by_fd, (size_t)x->nfd * sizeof *t);
    sk_mem_free(s, x->by_fd);
    x->by_fd = t;
    x->nfd = n;
    return 0;
}

static struct ev_entry *find(struct synack_events *set, int fd)
{
    struct sk_events *x = set->stack->events;
    if (fd < 0 || (unsigned)fd >= x->nfd) return NULL;
    struct ev_entry *e = x->by_fd[fd];
    while (e && e->set != set)
        e = e->fd_next;
    return e;
}

/* The socket's control block, for a descriptor synack_poll_events() accepts. */
static struct sk_tcb *tcb_of(struct synack_stack *s, int fd)
{
    if (synack_poll_events(s, fd) < 0) return NULL;
    return s->fds[fd];
}

int synack_events_add(struct synack_events *set, int fd, uint32_t events,
                      union synack_event_data data)
{
    if (!set || (events & ~EV_KNOWN)) return -EINVAL;
    struct synack_stack *s = set->stack;
    struct sk_tcb *tcb = tcb_of(s, fd);
    if (!tcb) return -EBADF;
    if (find(set, fd)) return -EEXIST;
    if (reserve_fd(s, fd)) return -ENOMEM;
    struct ev_entry *e = sk_mem_alloc(s, sizeof *e, true);
    if (!e) return -ENOMEM;
    e->set = set;
    e->fd = fd;
    e->interest = events;
    e->data = data;
    e->armed = true;
    e->fd_next = s->events->by_fd[fd];
    s->events->by_fd[fd] = e;
    e->set_next = set->entries;
    if (e->set_next) e->set_next->set_prev = e;
    set->entries = e;
    check(s, tcb, e, true); /* ep_insert: queued at once if ready */
    return 0;
}

int synack_events_mod(struct synack_events *set, int fd, uint32_t events,
                      union synack_event_data data)
{
    if (!set || (events & ~EV_KNOWN)) return -EINVAL;
    struct synack_stack *s = set->stack;
    struct sk_tcb *tcb = tcb_of(s, fd);
    if (!tcb) return -EBADF;
    struct ev_entry *e = find(set, fd);
    if (!e) return -ENOENT;
    e->interest = events;
    e->data = data;
    e->armed = true;
    rd_remove(set, e);
    check(s, tcb, e, true); /* ep_modify: re-polled, queued if ready */
    return 0;
}

int synack_events_del(struct synack_events *set, int fd)
{
    if (!set) return -EINVAL;
    struct synack_stack *s = set->stack;
    if (!tcb_of(s, fd)) return -EBADF;
    struct ev_entry *e = find(set, fd);
    if (!e) return -ENOENT;
    fd_unlink(s->events, e);
    entry_free(s, e);
    return 0;
}

int synack_events_wait(struct synack_events *set, struct synack_event *out, int max)
{
    if (!set || !out || max <= 0) return -EINVAL;
    struct synack_stack *s = set->stack;
    sk_sched_settle(s); /* socket calls' touches reach the ready lists */
    /* Take what is queued now; level-triggered entries still ready go back at the tail,
     * after the rest (ep_send_events), so each appears once per call. */
    struct ev_entry *requeue = NULL, **requeue_end = &requeue;
    int got = 0;
    while (got < max && set->rd_head) {
        struct ev_entry *e = set->rd_head;
        rd_remove(set, e);
        uint32_t ready = e->armed ? ready_bits(s, e) : 0;
        if (!ready) continue; /* no longer ready: dropped until touched again */
        out[got].events = ready;
        out[got].fd = e->fd;
        out[got].data = e->data;
        got++;
        if (e->interest & SYNACK_EV_ONESHOT) {
            e->armed = false; /* EPOLLONESHOT: disarmed until synack_events_mod */
        } else if (!(e->interest & SYNACK_EV_ET)) {
            *requeue_end = e;
            e->rd_next = NULL;
            requeue_end = &e->rd_next;
        }
    }
    while (requeue) {
        struct ev_entry *e = requeue;
        requeue = e->rd_next;
        rd_push(set, e);
    }
    return got;
}
