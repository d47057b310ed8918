/* SPDX-License-Identifier: MIT */
#include "tcp/mem.h"

#include <stdlib.h>
#include <string.h>

static struct sk_mem_class *class_of(struct sk_mem *m, size_t n, int create)
{
    if (n < sizeof(void *)) return NULL;
    struct sk_mem_class *empty = NULL;
    for (int i = 0; i < SK_MEM_CLASSES; i++) {
        if (m->cls[i].size == n) return &m->cls[i];
        if (!empty && m->cls[i].count == 0) empty = &m->cls[i];
    }
    if (!create || !empty) return NULL;
    empty->size = n; /* an idle class is taken over by a new size */
    return empty;
}

static void *take(struct sk_mem *m, size_t n)
{
    void *p = NULL;
    struct sk_mem_class *c = class_of(m, n, 0);
    if (c && c->head) {
        p = c->head;
        memcpy(&c->head, p, sizeof c->head);
        c->count--;
        m->cached -= n;
    } else {
        p = m->alloc ? m->alloc(m->ctx, n) : malloc(n);
        if (!p) return NULL;
    }
    m->in_use += n;
    if (m->in_use > m->peak) m->peak = m->in_use;
    return p;
}

void *sk_mem_take(struct sk_mem *m, size_t n)
{
    if (m->limit && m->in_use + n > m->limit) return NULL;
    return take(m, n);
}

void *sk_mem_take_forced(struct sk_mem *m, size_t n)
{
    return take(m, n);
}

static void release(struct sk_mem *m, void *p)
{
    if (m->dealloc)
        m->dealloc(m->ctx, p);
    else
        free(p);
}

void sk_mem_give(struct sk_mem *m, void *p, size_t n)
{
    if (!p) return;
    m->in_use -= n;
    struct sk_mem_class *c = class_of(m, n, 1);
    if (c && (size_t)(c->count + 1) * n <= SK_MEM_CACHE_BYTES) {
        memcpy(p, &c->head, sizeof c->head);
        c->head = p;
        c->count++;
        m->cached += n;
        return;
    }
    release(m, p);
}

void sk_mem_trim(struct sk_mem *m)
{
    for (int i = 0; i < SK_MEM_CLASSES; i++) {
        struct sk_mem_class *c = &m->cls[i];
        while (c->head) {
            void *p = c->head;
            memcpy(&c->head, p, sizeof c->head);
            release(m, p);
        }
        c->count = 0;
    }
    m->cached = 0;
}
