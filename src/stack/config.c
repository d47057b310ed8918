#include "synack/config.h"

#include <string.h>

void synack_config_init(struct synack_config *c)
{
    memset(c, 0, sizeof *c);
    c->local_addr = SYNACK_IPV4(198, 18, 0, 2);
    c->mss = 1460;
    c->default_peer_mss = 536; /* RFC 9293 3.7.1 */
    c->ttl = 64;
    c->rto_initial = SYNACK_SEC(1); /* RFC 6298 2.1 */
    c->rto_min = SYNACK_MS(200);    /* Linux TCP_RTO_MIN */
    c->rto_max = SYNACK_SEC(120);   /* Linux TCP_RTO_MAX */
    c->syn_retries = 6;
    c->synack_retries = 5;
    c->data_retries = 15;
    c->msl = SYNACK_SEC(30); /* TIME-WAIT = 2 MSL = 60 s, Linux TCP_TIMEWAIT_LEN */
    c->fin_wait2_timeout = SYNACK_SEC(60);
    c->persist_min = SYNACK_MS(200);
    c->persist_max = SYNACK_SEC(120);
    c->challenge_ack_interval = SYNACK_MS(500);
    c->sndbuf = 256 * 1024;
    c->rcvbuf = 256 * 1024;
    c->ooo_max_ranges = 32;
    c->window_scale = -1;
    c->timestamps = true;
    c->sack = true;
    c->tail_loss_probe = true;
    c->delayed_ack = SYNACK_MS(40);
    c->fastopen_client = true;
    c->keepalive_idle = SYNACK_SEC(7200);
    c->keepalive_interval = SYNACK_SEC(75);
    c->keepalive_probes = 9;
    c->initial_cwnd_segments = 10; /* RFC 6928 */
    c->max_sockets = 1024;
    c->max_connections = 1024;
    c->ephemeral_first = 32768;
    c->ephemeral_last = 60999;
}
