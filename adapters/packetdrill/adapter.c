/* SPDX-License-Identifier: MIT */
/* packetdrill adapter: instance life cycle, virtual time, and the packet path. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "instance.h"
#include "synack/ladder.h"

#define PD_DEFAULT_ADDR SYNACK_IPV4(192, 168, 0, 1)
#define PD_START SYNACK_SEC(1000000) /* virtual clock origin */

static void capture(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    struct pd *pd = ctx;
    if (pd->q_len == PD_QUEUE || len > PD_MAX_PKT) {
        pd->q_dropped++;
        return;
    }
    struct pd_packet *p = &pd->queue[(pd->q_head + pd->q_len) % PD_QUEUE];
    memcpy(p->data, pkt, len);
    p->len = len;
    p->time = now;
    pd->q_len++;
}

/* A Linux TCP sysctl of the namespace packetdrill runs in, or def if unreadable. */
static long sysctl_long(const char *name, int index, long def)
{
    char path[128];
    snprintf(path, sizeof path, "/proc/sys/net/%s", name);
    FILE *f = fopen(path, "r");
    if (!f) return def;
    long v = def;
    for (int i = 0; i <= index; i++)
        if (fscanf(f, "%ld", &v) != 1) {
            v = def;
            break;
        }
    fclose(f);
    return v;
}

/* net.ipv4.tcp_fastopen_key reads "%08x-%08x-%08x-%08x" (a backup key may follow); Linux
 * stores each word little-endian (proc_tcp_fastopen_key), and so does the config's key. */
static void fastopen_sysctl_key(struct synack_config *cfg)
{
    FILE *f = fopen("/proc/sys/net/ipv4/tcp_fastopen_key", "r");
    if (!f) return;
    unsigned w[8];
    int n = fscanf(f, "%x-%x-%x-%x,%x-%x-%x-%x", &w[0], &w[1], &w[2], &w[3], &w[4], &w[5], &w[6],
                   &w[7]);
    if (n >= 4) {
        for (int i = 0; i < 16; i++)
            cfg->fastopen_key[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
        cfg->fastopen_key_set = true;
    }
    cfg->fastopen_backup_key_set = n == 8; /* "primary,backup" */
    for (int i = 0; n == 8 && i < 16; i++)
        cfg->fastopen_backup_key[i] = (uint8_t)(w[4 + i / 4] >> (8 * (i % 4)));
    fclose(f);
}

/* The Linux TCP sysctls a script may set (`defaults.sh`, set_sysctls.py, or a `sysctl`
 * command mid-script), mapped onto synack's config: timestamps, SACK, window scale from
 * tcp_rmem, SYN retries, Fast Open, tail loss probes, ECN, keepalive. */
static void config_from_sysctls(struct synack_config *cfg)
{
    cfg->timestamps = sysctl_long("ipv4/tcp_timestamps", 0, 1) != 0;
    cfg->sack = sysctl_long("ipv4/tcp_sack", 0, 1) != 0;
    cfg->syn_retries = (unsigned)sysctl_long("ipv4/tcp_syn_retries", 0, 6);
    cfg->synack_retries = (unsigned)sysctl_long("ipv4/tcp_synack_retries", 0, 5);
    cfg->data_retries = (unsigned)sysctl_long("ipv4/tcp_retries2", 0, 15);
    long tfo = sysctl_long("ipv4/tcp_fastopen", 0, 1);
    cfg->fastopen_client = (tfo & 1) != 0;
    cfg->fastopen_client_no_cookie = (tfo & 4) != 0; /* TFO_CLIENT_NO_COOKIE */
    cfg->fastopen_server = (tfo & 2) != 0;           /* TFO_SERVER_ENABLE */
    cfg->fastopen_no_cookie = (tfo & 0x200) != 0;    /* TFO_SERVER_COOKIE_NOT_REQD */
    cfg->fastopen_any_listener = (tfo & 0x400) != 0; /* TFO_SERVER_WO_SOCKOPT1 */
    fastopen_sysctl_key(cfg);
    cfg->keepalive_idle = SYNACK_SEC(sysctl_long("ipv4/tcp_keepalive_time", 0, 7200));
    cfg->keepalive_interval = SYNACK_SEC(sysctl_long("ipv4/tcp_keepalive_intvl", 0, 75));
    cfg->keepalive_probes = (unsigned)sysctl_long("ipv4/tcp_keepalive_probes", 0, 9);
    long ecn = sysctl_long("ipv4/tcp_ecn", 0, 2);
    /* Linux's 3 and up (AccECN and its variants) ask as 1 does. */
    cfg->ecn = ecn < 0 ? 2 : ecn > 2 ? 1 : (int)ecn;
    long lowat = sysctl_long("ipv4/tcp_notsent_lowat", 0, -1);
    cfg->notsent_lowat = lowat > 0 && lowat < UINT32_MAX ? (uint32_t)lowat : UINT32_MAX;
    long er = sysctl_long("ipv4/tcp_early_retrans", 0, 3);
    cfg->tail_loss_probe = er == 3 || er == 4;
    cfg->frto = sysctl_long("ipv4/tcp_frto", 0, 2) != 0;
    /* Linux tcp_select_initial_window: wscale = log2(max(tcp_rmem[2], rmem_max)) - 15. */
    long space = sysctl_long("ipv4/tcp_rmem", 2, 6291456);
    long rmax = sysctl_long("core/rmem_max", 0, 212992);
    if (rmax > space) space = rmax;
    int ws = 0;
    while (ws < 30 && (1L << (ws + 1)) <= space)
        ws++;
    ws -= 15;
    cfg->window_scale = (int8_t)(ws < 0 ? 0 : ws > 14 ? 14 : ws);
}

/* SYNACK_PD_TRACE=1 in the environment: every trace event of the stack, one line each on
 * stderr (synack_trace_format), to see why a script fails. */
static void trace_to_stderr(void *ctx, const struct synack_trace_event *ev)
{
    (void)ctx;
    char line[512];
    fprintf(stderr, "synack: %s\n", synack_trace_format(ev, line, sizeof line));
}

/* The stack is made at the first socket call or packet, after the script's init command
 * ran, so that it mirrors the kernel settings the script chose; after each later shell
 * command (a script may run `sysctl` mid-way) the next call reads them again, as Linux reads
 * a sysctl where it uses it. */
void pd_ensure_stack(struct pd *pd)
{
    if (pd->stack) {
        if (!pd->sysctls_stale) return;
        pd->sysctls_stale = false;
        struct synack_config cfg = *synack_stack_config(pd->stack);
        config_from_sysctls(&cfg);
        synack_stack_reconfigure(pd->stack, &cfg, NULL);
        return;
    }
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = pd->local_addr;
    cfg.accept_any_addr = true; /* answer for whatever address a script binds to */
    cfg.max_sockets = PD_MAX_FDS;
    for (int i = 0; i < 16; i++) /* reproducible runs */
        cfg.secret[i] = (uint8_t)(0x5a + i);
    config_from_sysctls(&cfg);
    const char *trace = getenv("SYNACK_PD_TRACE");
    if (trace && *trace && *trace != '0') cfg.trace = trace_to_stderr;
    struct synack_link link = {pd, capture};
    pd->stack = synack_stack_new(&cfg, &link);
    if (!pd->stack) {
        fprintf(stderr, "synack-packetdrill: cannot create the stack\n");
        exit(1);
    }
}

struct pd *pd_lock(void *ud)
{
    struct pd *pd = ud;
    pthread_mutex_lock(&pd->mu);
    pd_ensure_stack(pd);
    return pd;
}

int pd_unlock_ret(struct pd *pd, int r)
{
    pd_kick(pd);
    pthread_mutex_unlock(&pd->mu);
    return pd_ret(r);
}

void pd_kick(struct pd *pd)
{
    if (pd->stack) synack_stack_poll(pd->stack, pd->now);
    pd->woken = pd->blocked;
    pthread_cond_broadcast(&pd->changed);
}

void pd_settle(struct pd *pd)
{
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += 1;
    while (pd->woken > 0 || pd->rtn_pending) {
        if (pthread_cond_timedwait(&pd->settled, &pd->mu, &end) != 0) break;
    }
}

void pd_advance_to(struct pd *pd, synack_time_t t)
{
    pd_settle(pd);
    for (; pd->stack;) {
        synack_time_t d = synack_stack_next_deadline(pd->stack);
        if (d > t) break;
        if (d > pd->now) pd->now = d;
        synack_stack_poll(pd->stack, pd->now);
        if (d <= pd->now && synack_stack_next_deadline(pd->stack) <= pd->now &&
            synack_stack_next_deadline(pd->stack) == d)
            break; /* nothing moved: never spin */
    }
    if (t > pd->now) pd->now = t;
    pd_kick(pd);
}

void pd_wait(struct pd *pd)
{
    if (pd->rtn_pending && pthread_equal(pd->rtn_thread, pthread_self()))
        pd->rtn_pending = false; /* looked, and goes back to sleep */
    pd->blocked++;
    pthread_cond_broadcast(&pd->settled);
    pthread_cond_wait(&pd->changed, &pd->mu);
    pd->blocked--;
    if (pd->woken > 0) pd->woken--;
    /* Until this thread sleeps again or reads the clock, time must not move. */
    pd->rtn_pending = true;
    pd->rtn_thread = pthread_self();
    pthread_cond_broadcast(&pd->settled);
}

static int netdev_send(void *ud, const void *buf, size_t count)
{
    struct pd *pd = ud;
    pthread_mutex_lock(&pd->mu);
    pd_ensure_stack(pd);
    synack_stack_input(pd->stack, buf, count, pd->now);
    pd_kick(pd);
    pthread_mutex_unlock(&pd->mu);
    return 0;
}

/* packetdrill calls this only when the script expects an outbound packet, and waits on it
 * without a timeout of its own: when nothing is queued, move time to the stack's next
 * deadline; when no timer is pending either, the packet will never come. */
static int netdev_receive(void *ud, void *buf, size_t *count, long long *time_usecs)
{
    struct pd *pd = ud;
    pthread_mutex_lock(&pd->mu);
    unsigned grace = 0;
    pd_ensure_stack(pd);
    while (pd->q_len == 0) {
        synack_time_t d = synack_stack_next_deadline(pd->stack);
        if (d != SYNACK_TIME_NEVER) {
            pd_advance_to(pd, d > pd->now ? d : pd->now);
            continue;
        }
        if (grace++ == 0) {
            /* A blocking call may be about to act on what just changed. */
            pd_settle(pd);
            continue;
        }
        fprintf(stderr, "synack-packetdrill: the script expects an outbound packet, but synack "
                        "has nothing to send and no timer pending: it will never come\n");
        exit(1);
    }
    struct pd_packet *p = &pd->queue[pd->q_head];
    size_t n = p->len < *count ? p->len : *count;
    memcpy(buf, p->data, n);
    *count = n;
    *time_usecs = (long long)((p->time - PD_START) / 1000) + 1000000000LL;
    pd->q_head = (pd->q_head + 1) % PD_QUEUE;
    pd->q_len--;
    pthread_mutex_unlock(&pd->mu);
    return 0;
}

static int pd_usleep(void *ud, useconds_t usec)
{
    struct pd *pd = ud;
    pthread_mutex_lock(&pd->mu);
    bool yield = pd->rtn_recording;
    pd->rtn_recording = false;
    pthread_mutex_unlock(&pd->mu);
    if (yield) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    pthread_mutex_lock(&pd->mu);
    pd_advance_to(pd, pd->now + SYNACK_US(usec));
    pthread_mutex_unlock(&pd->mu);
    return 0;
}

/* Virtual time; each reading moves it 1 us so that packetdrill's final spin-wait before an
 * event (it spins on gettimeofday for the last 20 us) ends. */
static int pd_gettimeofday(void *ud, struct timeval *tv, struct timezone *tz)
{
    (void)tz;
    struct pd *pd = ud;
    pthread_mutex_lock(&pd->mu);
    if (pd->rtn_pending && pthread_equal(pd->rtn_thread, pthread_self())) {
        /* A blocking call that completed reads its end time: now, before anything moves. */
        pd->rtn_pending = false;
        pd->rtn_recording = true;
        pthread_cond_broadcast(&pd->settled);
        long long us0 = (long long)((pd->now - PD_START) / 1000) + 1000000000LL;
        pthread_mutex_unlock(&pd->mu);
        tv->tv_sec = (time_t)(us0 / 1000000);
        tv->tv_usec = (suseconds_t)(us0 % 1000000);
        return 0;
    }
    pd_advance_to(pd, pd->now + SYNACK_US(1));
    long long us = (long long)((pd->now - PD_START) / 1000) + 1000000000LL;
    pthread_mutex_unlock(&pd->mu);
    tv->tv_sec = (time_t)(us / 1000000);
    tv->tv_usec = (suseconds_t)(us % 1000000);
    return 0;
}

static void pd_free(void *ud)
{
    struct pd *pd = ud;
    if (!pd) return;
    synack_stack_free(pd->stack);
    pd_epoll_free_all(pd);
    free(pd->queue);
    pthread_cond_destroy(&pd->changed);
    pthread_cond_destroy(&pd->settled);
    pthread_mutex_destroy(&pd->mu);
    if (pd_current == pd) pd_current = NULL;
    free(pd);
}

/* --so_flags: an IPv4 address ("192.168.0.1" or "local_ip=192.168.0.1"). */
static uint32_t parse_flags(const char *flags)
{
    if (!flags || !*flags) return PD_DEFAULT_ADDR;
    const char *v = strchr(flags, '=');
    v = v ? v + 1 : flags;
    struct in_addr a;
    if (inet_pton(AF_INET, v, &a) != 1) {
        fprintf(stderr, "synack-packetdrill: --so_flags '%s' is not an IPv4 address\n", flags);
        exit(1);
    }
    return ntohl(a.s_addr);
}

void packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc)
{
    struct pd *pd = calloc(1, sizeof *pd);
    if (!pd) {
        fprintf(stderr, "synack-packetdrill: out of memory\n");
        exit(1);
    }
    pthread_mutex_init(&pd->mu, NULL);
    pthread_cond_init(&pd->changed, NULL);
    pthread_cond_init(&pd->settled, NULL);
    pd->queue = calloc(PD_QUEUE, sizeof *pd->queue);
    pd->now = PD_START;
    pd->local_addr = parse_flags(flags);
    if (!pd->queue) {
        fprintf(stderr, "synack-packetdrill: out of memory\n");
        exit(1);
    }
    memset(ifc, 0, sizeof *ifc);
    pd_current = pd;
    ifc->userdata = pd;
    ifc->free = pd_free;
    ifc->netdev_send = netdev_send;
    ifc->netdev_receive = netdev_receive;
    ifc->usleep = pd_usleep;
    ifc->gettimeofday = pd_gettimeofday;
    pd_fill_calls(ifc);
    pd_fill_options(ifc);
    pd_fill_epoll(ifc);
}
