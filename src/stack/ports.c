/* SPDX-License-Identifier: MIT */
#include "stack/ports.h"

#include <errno.h>
#include "stack/stack_impl.h"

static unsigned bucket(const struct sk_ports *p, uint16_t port)
{
    return (unsigned)(port * 0x9e37u) & p->mask;
}

static bool overlaps(uint32_t a, uint32_t b)
{
    return a == b || a == 0 || b == 0;
}

/* Sums the holders of kind over the entries of port whose address overlaps addr. */
static uint32_t count(const struct synack_stack *s, uint32_t addr, uint16_t port,
                      enum sk_port_hold kind)
{
    uint32_t n = 0;
    for (const struct sk_port_entry *e = s->ports.buckets[bucket(&s->ports, port)]; e; e = e->next)
        if (e->port == port && overlaps(e->addr, addr)) n += e->holders[kind];
    return n;
}

bool sk_ports_bind_conflict(const struct synack_stack *s, uint32_t addr, uint16_t port,
                            bool reuseaddr)
{
    if (count(s, addr, port, SK_PORT_LISTEN) > 0) return true;
    if (reuseaddr) return false;
    return count(s, addr, port, SK_PORT_BOUND) + count(s, addr, port, SK_PORT_AUTO) > 0;
}

bool sk_ports_listen_conflict(const struct synack_stack *s, uint32_t addr, uint16_t port)
{
    for (const struct sk_port_entry *e = s->ports.buckets[bucket(&s->ports, port)]; e; e = e->next)
        if (e->port == port && e->addr == addr && e->holders[SK_PORT_LISTEN]) return true;
    return false;
}

bool sk_ports_auto_ok(const struct synack_stack *s, uint32_t addr, uint16_t port)
{
    return count(s, addr, port, SK_PORT_LISTEN) + count(s, addr, port, SK_PORT_BOUND) == 0;
}

static struct sk_port_entry *find(struct synack_stack *s, uint32_t addr, uint16_t port, bool create)
{
    struct sk_port_entry **head = &s->ports.buckets[bucket(&s->ports, port)];
    for (struct sk_port_entry *e = *head; e; e = e->next)
        if (e->port == port && e->addr == addr) return e;
    if (!create) return NULL;
    struct sk_port_entry *e = sk_mem_alloc(s, sizeof *e, true);
    if (!e) return NULL;
    e->addr = addr;
    e->port = port;
    e->next = *head;
    *head = e;
    return e;
}

void sk_ports_release(struct synack_stack *s, struct sk_tcb *tcb)
{
    struct sk_port_entry *e = tcb->port_entry;
    uint8_t kind = tcb->port_hold;
    tcb->port_hold = SK_PORT_NONE;
    tcb->port_entry = NULL;
    sk_ports_drop(s, e, kind);
}

void sk_ports_drop(struct synack_stack *s, struct sk_port_entry *e, uint8_t kind)
{
    if (kind == SK_PORT_NONE) return;
    e->holders[kind]--;
    if (e->holders[SK_PORT_BOUND] || e->holders[SK_PORT_LISTEN] || e->holders[SK_PORT_AUTO]) return;
    for (struct sk_port_entry **p = &s->ports.buckets[bucket(&s->ports, e->port)]; *p;
         p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            break;
        }
    }
    sk_mem_free(s, e);
}

int sk_ports_hold(struct synack_stack *s, struct sk_tcb *tcb, enum sk_port_hold kind)
{
    if (tcb->port_hold != SK_PORT_NONE && tcb->port_entry->addr == tcb->local.addr &&
        tcb->port_entry->port == tcb->local.port) {
        struct sk_port_entry *e = tcb->port_entry;
        e->holders[tcb->port_hold]--;
        e->holders[kind]++;
        tcb->port_hold = (uint8_t)kind;
        return 0;
    }
    struct sk_port_entry *e = find(s, tcb->local.addr, tcb->local.port, true);
    if (!e) return -ENOMEM;
    e->holders[kind]++; /* taken before the old hold goes, so e can't be freed under us */
    sk_ports_release(s, tcb);
    tcb->port_entry = e;
    tcb->port_hold = (uint8_t)kind;
    return 0;
}
