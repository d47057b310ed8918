/* SPDX-License-Identifier: MIT */
/* Local ports in use, by (address, port), so that bind(), listen() and connect()'s choice
 * of an ephemeral port never walk the connections: per entry, how many listeners hold it,
 * how many sockets hold it by bind() (or as a listener's accepted children), and how many
 * by connect()'s automatic choice. */
#ifndef SK_STACK_PORTS_H
#define SK_STACK_PORTS_H

#include <stdbool.h>
#include <stdint.h>

struct synack_stack;
struct sk_tcb;

enum sk_port_hold { SK_PORT_NONE, SK_PORT_BOUND, SK_PORT_LISTEN, SK_PORT_AUTO };

struct sk_port_entry {
    struct sk_port_entry *next;
    uint32_t addr;
    uint16_t port;
    uint32_t holders[4]; /* by enum sk_port_hold */
};

struct sk_ports {
    struct sk_port_entry **buckets;
    unsigned mask;
};

/* Would binding (addr, port) conflict? Linux semantics: a listener on an overlapping
 * address always does; any other holder does unless the binder set SO_REUSEADDR. */
bool sk_ports_bind_conflict(const struct synack_stack *s, uint32_t addr, uint16_t port,
                            bool reuseaddr);
/* Is another listener on exactly this address? (A wildcard listener and one on a specific
 * address may coexist; segments go to the specific one first.) */
bool sk_ports_listen_conflict(const struct synack_stack *s, uint32_t addr, uint16_t port);
/* May connect() take this port automatically? Not if anything holds it by bind() or listen
 * (as Linux skips ports bound explicitly); the 4-tuple is checked by the caller. */
bool sk_ports_auto_ok(const struct synack_stack *s, uint32_t addr, uint16_t port);
/* tcb now holds its local (addr, port) as kind (replacing what it held). 0 or -ENOMEM. */
int sk_ports_hold(struct synack_stack *s, struct sk_tcb *tcb, enum sk_port_hold kind);
/* tcb gives its port back (when it is freed). */
void sk_ports_release(struct synack_stack *s, struct sk_tcb *tcb);
/* A hold on entry of kind ends (SK_PORT_NONE: nothing). */
void sk_ports_drop(struct synack_stack *s, struct sk_port_entry *entry, uint8_t kind);

#endif
