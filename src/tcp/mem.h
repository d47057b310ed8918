/* SPDX-License-Identifier: MIT */
/* Memory for connection data (buffer chunks, chunk tables, range tables), taken as data
 * arrives or is queued and given back as it drains: through the config's memory hooks,
 * counted against the stack-wide limit (config mem_limit). Blocks given back are kept in
 * a small cache by size, so a steady flow of data reuses the same few blocks instead of
 * calling the allocator per packet. */
#ifndef SK_TCP_MEM_H
#define SK_TCP_MEM_H

#include <stddef.h>

#define SK_MEM_CLASSES 4
#define SK_MEM_CACHE_BYTES (1024u * 1024u) /* per size class */

struct sk_mem_class {
    size_t size;
    void *head; /* free blocks, linked through their first bytes */
    unsigned count;
};

struct sk_mem {
    void *(*alloc)(void *ctx, size_t n); /* NULL: malloc */
    void (*dealloc)(void *ctx, void *p); /* NULL: free */
    void *ctx;
    size_t in_use; /* bytes handed out now */
    size_t peak;   /* most ever handed out at once */
    size_t limit;  /* 0: none */
    size_t cached; /* bytes kept for reuse */
    struct sk_mem_class cls[SK_MEM_CLASSES];
};

/* n bytes (not zeroed), or NULL when the limit would be passed or memory ran out. */
void *sk_mem_take(struct sk_mem *m, size_t n);
/* The same, past the limit: for the least a connection needs to make progress. */
void *sk_mem_take_forced(struct sk_mem *m, size_t n);
/* Gives back p, taken with size n (NULL is ignored). */
void sk_mem_give(struct sk_mem *m, void *p, size_t n);
/* Returns the cached blocks to the allocator. */
void sk_mem_trim(struct sk_mem *m);

#endif
