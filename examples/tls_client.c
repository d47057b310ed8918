/* SPDX-License-Identifier: MIT */
/* tls_client: TLS over a synack connection, with OpenSSL doing the TLS through memory BIOs.
 *
 * synack is not a kernel socket, so OpenSSL cannot read or write it itself. Instead OpenSSL
 * reads ciphertext from one memory BIO (rbio) and writes ciphertext to another (wbio); this
 * program carries bytes between those BIOs and the synack socket:
 *
 *     synack_recv()  ->  BIO_write(rbio)   ...  SSL_read()/SSL_do_handshake()
 *     SSL_write()/SSL_do_handshake()  ...  BIO_read(wbio)  ->  synack_send()
 *
 * The same pattern works for any TLS or QUIC library with a sans-I/O mode. The stack runs on
 * a TUN device under the real-time driver (synack/driver.h); it needs root. It sends
 * "GET / HTTP/1.0" and prints the reply, which is what `openssl s_server -www` answers:
 *
 *   openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
 *       -subj /CN=198.18.0.1 -addext subjectAltName=IP:198.18.0.1
 *   (in a namespace, scripts/netns.sh -- sh -c '...'):
 *   openssl s_server -accept 198.18.0.1:4433 -cert cert.pem -key key.pem -www -naccept 1 &
 *   build/examples/tls_client 198.18.0.1 4433 cert.pem
 *
 * With a third argument the server's certificate is verified against that CA file and the
 * server's IP address; without it, verification is skipped (and a warning printed).
 * Exit status 0 when the handshake completed and a reply arrived. Build: make examples
 * (needs libssl-dev), or cc tls_client.c $(pkg-config --cflags --libs synack openssl). */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <synack/driver.h>
#include <synack/synack.h>

struct tls {
    struct synack_stack *st;
    int fd;
    SSL *ssl;
    BIO *rbio, *wbio; /* network -> OpenSSL, OpenSSL -> network */
    char out[16384];  /* ciphertext taken from wbio, not yet accepted by synack_send */
    size_t out_off, out_len;
    bool tcp_eof;
};

/* Moves ciphertext OpenSSL produced onto the TCP connection, as far as the send buffer
 * takes it. Returns 0 or a negative errno. */
static int flush_out(struct tls *t)
{
    for (;;) {
        if (t->out_len == 0) {
            int n = BIO_read(t->wbio, t->out, sizeof t->out);
            if (n <= 0) return 0; /* nothing pending */
            t->out_off = 0;
            t->out_len = (size_t)n;
        }
        ssize_t n = synack_send(t->st, t->fd, t->out + t->out_off, t->out_len);
        if (n == -EAGAIN) return 0; /* send buffer full: after the next event */
        if (n < 0) return (int)n;
        t->out_off += (size_t)n;
        t->out_len -= (size_t)n;
    }
}

/* Moves ciphertext that arrived on the TCP connection into OpenSSL. */
static int fill_in(struct tls *t)
{
    char buf[16384];
    for (;;) {
        ssize_t n = synack_recv(t->st, t->fd, buf, sizeof buf);
        if (n == -EAGAIN) return 0;
        if (n < 0) return (int)n;
        if (n == 0) {
            t->tcp_eof = true;
            return 0;
        }
        if (BIO_write(t->rbio, buf, (int)n) != (int)n) return -ENOMEM;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: tls_client A.B.C.D PORT [CA-FILE]   (as root; see the source)\n");
        return 2;
    }
    struct in_addr ia;
    long port = strtol(argv[2], NULL, 10);
    if (inet_pton(AF_INET, argv[1], &ia) != 1 || port < 1 || port > 65535) {
        fprintf(stderr, "tls_client: need an IPv4 address and a port\n");
        return 2;
    }

    /* TLS context: verify the peer against the CA file and its IP address, if given. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return 1;
    if (argc == 4) {
        if (SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1) {
            fprintf(stderr, "tls_client: cannot load %s\n", argv[3]);
            return 1;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx), argv[1]);
    } else {
        fprintf(stderr, "tls_client: warning: no CA file, the server is not authenticated\n");
    }

    /* The stack on a TUN device: the driver opens synack0 (kernel side 198.18.0.1/24,
     * synack 198.18.0.2), fills the secret from getrandom(2) and owns the clock. */
    struct synack_driver_config dcfg;
    synack_driver_config_init(&dcfg);
    struct synack_driver *d;
    const char *msg;
    int err = synack_driver_new(&dcfg, NULL, &d, &msg);
    if (err < 0) {
        fprintf(stderr, "tls_client: %s: %s\n", dcfg.tun, msg ? msg : strerror(-err));
        return 1;
    }
    struct tls t = {.st = synack_driver_stack(d)};
    t.fd = synack_socket(t.st);
    struct synack_endpoint server = {ntohl(ia.s_addr), (uint16_t)port};
    err = synack_connect(t.st, t.fd, &server);
    if (err != -EINPROGRESS) {
        fprintf(stderr, "tls_client: connect: %s\n", strerror(-err));
        return 1;
    }

    /* OpenSSL on memory BIOs; the SSL object owns them from here on. */
    t.ssl = SSL_new(ctx);
    t.rbio = BIO_new(BIO_s_mem());
    t.wbio = BIO_new(BIO_s_mem());
    if (!t.ssl || !t.rbio || !t.wbio) return 1;
    SSL_set_bio(t.ssl, t.rbio, t.wbio);
    SSL_set_connect_state(t.ssl);

    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    enum { CONNECTING, HANDSHAKE, REQUEST, REPLY, DONE } phase = CONNECTING;
    size_t reply = 0;
    int rc = 1;
    synack_time_t give_up = synack_driver_now(d) + SYNACK_SEC(30);
    while (phase != DONE) {
        int ev = synack_poll_events(t.st, t.fd);
        if (ev & SYNACK_POLLERR) {
            fprintf(stderr, "tls_client: %s\n", strerror(-synack_get_error(t.st, t.fd)));
            break;
        }
        if (phase == CONNECTING && (ev & SYNACK_POLLOUT)) phase = HANDSHAKE;
        if ((err = fill_in(&t)) < 0) {
            fprintf(stderr, "tls_client: receive: %s\n", strerror(-err));
            break;
        }
        if (phase == HANDSHAKE) {
            int r = SSL_do_handshake(t.ssl);
            if (r == 1) {
                fprintf(stderr, "tls_client: %s, %s, certificate %s\n", SSL_get_version(t.ssl),
                        SSL_get_cipher_name(t.ssl), argc == 4 ? "verified" : "not verified");
                phase = REQUEST;
            } else if (SSL_get_error(t.ssl, r) != SSL_ERROR_WANT_READ) {
                fprintf(stderr, "tls_client: handshake failed: ");
                ERR_print_errors_fp(stderr);
                break;
            }
        }
        if (phase == REQUEST) {
            if (SSL_write(t.ssl, request, (int)strlen(request)) <= 0) break;
            phase = REPLY;
        }
        if (phase == REPLY) {
            char buf[4096];
            int r;
            while ((r = SSL_read(t.ssl, buf, sizeof buf)) > 0) {
                fwrite(buf, 1, (size_t)r, stdout);
                reply += (size_t)r;
            }
            int e = SSL_get_error(t.ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_WANT_READ && t.tcp_eof)) {
                phase = DONE; /* close_notify, or the server just closed the connection */
                rc = reply > 0 ? 0 : 1;
            } else if (e != SSL_ERROR_WANT_READ) {
                fprintf(stderr, "tls_client: read failed: ");
                ERR_print_errors_fp(stderr);
                break;
            }
        }
        if (t.tcp_eof && phase != DONE) {
            fprintf(stderr, "tls_client: the server closed the connection early\n");
            break;
        }
        if ((err = flush_out(&t)) < 0) {
            fprintf(stderr, "tls_client: send: %s\n", strerror(-err));
            break;
        }
        if (phase == DONE) break;
        if (synack_driver_now(d) > give_up) {
            fprintf(stderr, "tls_client: timed out\n");
            break;
        }
        /* Sleep until a packet arrives or a timer of the stack is due (at most 1 s). */
        synack_driver_run_once(d, NULL, 0, 1000);
    }
    fflush(stdout);
    if (phase == DONE) {
        SSL_shutdown(t.ssl); /* our close_notify, then our FIN */
        flush_out(&t);
        synack_shutdown(t.st, t.fd, SYNACK_SHUT_WR);
        for (int i = 0; i < 50; i++) { /* up to about 500 ms for the FIN to be acknowledged */
            struct synack_conn_info ci;
            if (synack_get_info(t.st, t.fd, &ci) < 0 || ci.state == SYNACK_TIME_WAIT ||
                ci.state == SYNACK_CLOSED)
                break;
            synack_driver_run_once(d, NULL, 0, 10);
        }
    }
    synack_close(t.st, t.fd);
    SSL_free(t.ssl);
    SSL_CTX_free(ctx);
    synack_driver_free(d);
    return rc;
}
