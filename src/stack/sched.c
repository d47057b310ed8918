/* SPDX-License-Identifier: MIT */
#include "stack/sched.h"

#include <stdlib.h>
#include "stack/stack_impl.h"
#include "tcp/check.h"
#include "tcp/timers.h"

/* Heap positions are 1-based in tcb->heap_pos (0: not in the heap). */
static void place(struct sk_sched *h, unsigned i, struct sk_timer_slot slot)
{
    h->heap[i] = slot;
    slot.tcb->heap_pos = i + 1;
}

static void sift_up(struct sk_sched *h, unsigned i)
{
    struct sk_timer_slot x = h->heap[i];
    while (i > 0) {
        unsigned parent = (i - 1) / 2;
        if (h->heap[parent].key <= x.key) break;
        place(h, i, h->heap[parent]);
        i = parent;
    }
    place(h, i, x);
}

static void sift_down(struct sk_sched *h, unsigned i)
{
    struct sk_timer_slot x = h->heap[i];
    for (;;) {
        unsigned c = 2 * i + 1;
        if (c >= h->len) break;
        if (c + 1 < h->len && h->heap[c + 1].key < h->heap[c].key) c++;
        if (x.key <= h->heap[c].key) break;
        place(h, i, h->heap[c]);
        i = c;
    }
    place(h, i, x);
}

static void heap_remove(struct sk_sched *h, struct sk_tcb *tcb)
{
    unsigned i = tcb->heap_pos - 1;
    tcb->heap_pos = 0;
    h->len--;
    if (i == h->len) return;
    struct sk_timer_slot last = h->heap[h->len];
    place(h, i, last);
    sift_down(h, i);
    sift_up(h, last.tcb->heap_pos - 1);
}

/* Grows the heap by doubling (memory hooks; once per doubling, never per packet). */
static bool heap_reserve(struct synack_stack *s)
{
    struct sk_sched *h = &s->sched;
    if (h->len < h->cap) return true;
    unsigned cap = h->cap ? 2 * h->cap : 64;
    struct sk_timer_slot *n = sk_mem_alloc(s, (size_t)cap * sizeof *n, false);
    if (!n) return false;
    for (unsigned i = 0; i < h->len; i++)
        n[i] = h->heap[i];
    sk_mem_free(s, h->heap);
    h->heap = n;
    h->cap = cap;
    return true;
}

/* Puts tcb at its current earliest deadline (or takes it out if it has none). */
static void rekey(struct synack_stack *s, struct sk_tcb *tcb)
{
    struct sk_sched *h = &s->sched;
    synack_time_t key = tcb->dead ? SYNACK_TIME_NEVER : sk_tcp_next_deadline(tcb);
    if (tcb->heap_pos) {
        unsigned i = tcb->heap_pos - 1;
        if (key == SYNACK_TIME_NEVER) {
            heap_remove(h, tcb);
        } else if (key != h->heap[i].key) {
            h->heap[i].key = key;
            sift_up(h, i);
            sift_down(h, tcb->heap_pos - 1);
        }
        return;
    }
    if (key == SYNACK_TIME_NEVER) return;
    if (!heap_reserve(s)) {
        /* No memory for one more slot: the connection's timers cannot run, so it is
         * aborted rather than left to hang (counted). */
        sk_count(&s->eng, SYNACK_CTR_TCP_NO_MEMORY);
        tcb->rst_pending = !tcb->dead && tcb->state != SYNACK_CLOSED;
        if (tcb->rst_pending) sk_sched_want_output(s, tcb);
        return;
    }
    h->heap[h->len] = (struct sk_timer_slot){key, tcb};
    tcb->heap_pos = ++h->len;
    sift_up(h, h->len - 1);
}

void sk_sched_touch(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (tcb->touched) return;
    tcb->touched = true;
    tcb->touch_next = s->sched.touched;
    s->sched.touched = tcb;
}

void sk_sched_want_output(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (tcb->out_marked) return;
    tcb->out_marked = true;
    tcb->out_prev = NULL;
    tcb->out_next = s->sched.output;
    if (s->sched.output) s->sched.output->out_prev = tcb;
    s->sched.output = tcb;
}

void sk_sched_settle(struct synack_stack *s)
{
    while (s->sched.touched) {
        struct sk_tcb *t = s->sched.touched;
        s->sched.touched = t->touch_next;
        t->touch_next = NULL;
        t->touched = false;
        /* An orphan in TIME-WAIT with nothing left to read becomes a compact record. */
        if (!t->dead && t->state == SYNACK_TIME_WAIT && t->fd < 0 && t->rcvbuf.len == 0)
            sk_tw_convert(s, t);
        rekey(s, t);
        if (!t->dead) sk_tcp_check(&s->eng, t, !t->out_marked);
        sk_event_touched(s, t);
    }
}

void sk_sched_update(struct synack_stack *s, struct sk_tcb *tcb)
{
    sk_sched_touch(s, tcb);
    sk_sched_settle(s);
}

synack_time_t sk_sched_earliest(const struct synack_stack *s)
{
    return s->sched.len ? s->sched.heap[0].key : SYNACK_TIME_NEVER;
}

struct sk_tcb *sk_sched_pop_due(struct synack_stack *s, synack_time_t now)
{
    struct sk_sched *h = &s->sched;
    if (h->len == 0 || h->heap[0].key > now) return NULL;
    struct sk_tcb *t = h->heap[0].tcb;
    heap_remove(h, t);
    sk_sched_touch(s, t);
    return t;
}

struct sk_tcb *sk_sched_take_output(struct synack_stack *s)
{
    struct sk_tcb *list = s->sched.output;
    s->sched.output = NULL;
    return list;
}

void sk_sched_forget(struct synack_stack *s, struct sk_tcb *tcb)
{
    struct sk_sched *h = &s->sched;
    if (tcb->heap_pos) heap_remove(h, tcb);
    if (tcb->out_marked) {
        if (tcb->out_prev)
            tcb->out_prev->out_next = tcb->out_next;
        else if (h->output == tcb)
            h->output = tcb->out_next;
        if (tcb->out_next) tcb->out_next->out_prev = tcb->out_prev;
        tcb->out_marked = false;
    }
    if (tcb->touched) {
        for (struct sk_tcb **p = &h->touched; *p; p = &(*p)->touch_next) {
            if (*p == tcb) {
                *p = tcb->touch_next;
                break;
            }
        }
        tcb->touched = false;
    }
}

void sk_sched_free(struct synack_stack *s)
{
    sk_mem_free(s, s->sched.heap);
    s->sched.heap = NULL;
    s->sched.len = s->sched.cap = 0;
}
