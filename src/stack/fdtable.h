/* SPDX-License-Identifier: MIT */
/* Descriptors: the lowest free one, as POSIX wants, found through a two-level bitmap in
 * O(max_sockets / 4096) word reads at worst, never by walking the sockets. */
#ifndef SK_STACK_FDTABLE_H
#define SK_STACK_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sk_fdtable {
    uint64_t *used; /* bit per descriptor */
    uint64_t *full; /* bit per word of used that has all 64 bits set */
    unsigned words, n;
};

/* Words of storage the table needs for n descriptors (used, then full). */
size_t sk_fdtable_words(unsigned n);
/* Sets the table up over storage of sk_fdtable_words(n) zeroed words. */
void sk_fdtable_init(struct sk_fdtable *t, uint64_t *storage, unsigned n);
/* Takes the lowest free descriptor; -1 if all are in use. */
int sk_fdtable_take(struct sk_fdtable *t);
void sk_fdtable_give(struct sk_fdtable *t, int fd);

#endif
