#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus fuzz/corpus/<target>/ for the fuzz targets: the segments of the
scenario tests (handshake, data, out-of-order data, SACK, FIN, RST, SYN in the window, zero
window, timestamps, ICMP errors) in each target's input format (see the comment at the top of
each fuzz/fuzz_*.c and fz_read_seg in fuzz/fuzz_peer.c). Usage: fuzz/seeds.py [DIR]."""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")


def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


# ---- fuzz_wire: one byte of mode, then an IPv4 packet ---------------------------------------
def csum(b):
    if len(b) % 2:
        b = b + b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


PEER, LOCAL = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])


def ip(proto, payload, src=PEER, dst=LOCAL, frag=0x4000, ihl_opts=b""):
    hl = 20 + len(ihl_opts)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload), 1, frag, 64, proto, 0,
                    src, dst) + ihl_opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(sport, dport, seq, ack, flags, win=65535, opts=b"", data=b"", src=PEER, dst=LOCAL):
    while len(opts) % 4:
        opts += b"\x01"
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (5 + len(opts) // 4) << 4, flags, win, 0,
                    0) + opts + data
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(h))
    c = csum(pseudo + h)
    return h[:16] + struct.pack("!H", c) + h[18:]


SYN, ACK, FIN, RST, PSH = 2, 0x10, 1, 4, 8
MSS = b"\x02\x04\x05\xb4"
SYNOPTS = MSS + b"\x04\x02\x08\x0a\x00\x00\x03\xe8\x00\x00\x00\x00\x01\x03\x03\x07"
TS = b"\x01\x01\x08\x0a\x00\x00\x03\xe9\x00\x00\x00\x01"
SACK = b"\x01\x01\x05\x12" + struct.pack("!IIII", 1000, 2000, 3000, 4000)
FO = b"\x22\x0a" + bytes(range(8))

wire = {
    "syn": ip(6, tcp(40000, 80, 1000, 0, SYN, opts=SYNOPTS)),
    "syn-closed-port": ip(6, tcp(40000, 81, 1000, 0, SYN, opts=MSS)),
    "syn-fastopen": ip(6, tcp(40001, 80, 5000, 0, SYN, opts=MSS + FO, data=b"GET /")),
    "synack": ip(6, tcp(80, 32768, 7000, 1, SYN | ACK, opts=SYNOPTS)),
    "ack-data": ip(6, tcp(40000, 80, 1001, 1, ACK | PSH, opts=TS, data=b"hello world")),
    "sack": ip(6, tcp(40000, 80, 1001, 1, ACK, opts=SACK)),
    "fin": ip(6, tcp(40000, 80, 1001, 1, ACK | FIN)),
    "rst": ip(6, tcp(40000, 80, 1001, 0, RST)),
    "bad-option": ip(6, tcp(40000, 80, 1001, 1, ACK, opts=b"\x02\x01\x00\x00")),
    "ip-options": ip(6, tcp(40000, 80, 1000, 0, SYN), ihl_opts=b"\x01\x01\x01\x00"),
    "fragment": ip(6, tcp(40000, 80, 1000, 0, SYN), frag=0x2000),
    "udp": ip(17, struct.pack("!HHHH", 5000, 53, 12, 0) + b"abcd"),
    "icmp-echo": ip(1, b"\x08\x00" + b"\0\0" + b"\x12\x34\x00\x01" + b"ping" * 4),
    "icmp-unreach": ip(1, b"\x03\x03\0\0\0\0\0\0" +
                       ip(6, tcp(80, 40000, 1, 1001, ACK), src=LOCAL, dst=PEER)[:28]),
    "icmp-frag-needed": ip(1, b"\x03\x04\0\0\0\0\x02\x40" +
                           ip(6, tcp(32768, 80, 1, 7001, ACK), src=LOCAL, dst=PEER)[:28]),
}
for name, pkt in wire.items():
    if pkt[9] == 1:  # ICMP checksum
        icmp = bytearray(pkt[20:])
        icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
        pkt = pkt[:20] + bytes(icmp)
    write("fuzz_wire", name, [3] + list(pkt))  # parsers, then the stack with checksums fixed
    write("fuzz_wire", name + "-raw", [1] + list(pkt))

# ---- fuzz_stack: 3 config bytes, then records [target, segment, step] ---------------------
# Segment (fz_read_seg): flag index (0 ACK, 1 ACK|PSH, 3 ACK|FIN, 4 SYN, 5 SYN|ACK, 6 RST,
# 7 RST|ACK, 8 FIN, 9 none) or 0x80+raw flags; seq and ack as [mode, arg] (0 exact, 3 int8,
# 4 int16, 6 minus one, 7 any u32); window (0: 65535, 0xf0|n: n); options byte; length byte
# (0x40|n: n pattern bytes); then the time step (0 none, 3 ms u8, 6 ms u16, 7 10 s * u8).
def seg(flag=0, seq=(0,), ack=(0,), win=0, opts=(0,), ln=0, step=(0,)):
    return [flag, *seq, *ack, win, *opts, ln, *step]


def i8(v):
    return v & 0xFF


def i16(v):
    return [(v >> 8) & 0xFF, v & 0xFF]


P, C, NEW = 0, 1, 2  # targets: passive connection, active connection, new peer port
stack = {
    "ack-all": [0x03, 0x04, 0] + [P] + seg() + [C] + seg(),
    "data-in-order": [0x03, 0x03, 0] + [P] + seg(1, ln=0x40 | 20) + [P] + seg(1, seq=(3, 20),
                                                                           ln=0x40 | 30),
    "out-of-order": [0x03, 0x03, 0] + [P] + seg(1, seq=(4, *i16(3000)), ln=0x40 | 40) +
    [P] + seg(1, seq=(4, *i16(1000)), ln=0x40 | 40) + [P] + seg(1, ln=0x80 | 15, step=(3, 50)),
    "dupacks-sack": [0x03, 0x05, 0] + [C] + seg(ack=(4, *i16(-4000)), opts=(0x02, *i16(1000),
                                                                             *i16(1000))) * 4,
    "fin-both": [0x01, 0x0c, 0] + [P] + seg(3) + [C] + seg(3, step=(7, 10)),
    "rst-exact": [0x00, 0x04, 0] + [P] + seg(6) + [C] + seg(7, ack=(4, *i16(-100))),
    "rst-in-window": [0x40, 0x04, 0] + [P] + seg(6, seq=(3, 10)) * 3,
    "syn-in-window": [0x00, 0x04, 0] + [P] + seg(4, seq=(3, 5)) + [C] + seg(5),
    "zero-window": [0x05, 0x05, 0] + [C] + seg(win=0xf0, step=(6, *i16(5000))) +
    [C] + seg(win=0, step=(3, 200)),
    "timestamps-paws": [0x83, 0x04, 0] + [P] + seg(1, opts=(0x41, 0, 7, 0, 0, 0, 1, 0, 0, 0, 5),
                                                   ln=0x40 | 8) +
    [P] + seg(1, opts=(0x01, 4, *i16(-50)), ln=0x40 | 8),
    "new-syns": [0x00, 0x00, 0] + [NEW] + seg(4, opts=(0x08, 0x87)) + [NEW | 4] + seg(4) +
    [NEW | 0x20] + seg(4),
    "retransmit-timeout": [0x00, 0x05, 0] + [C] + seg(step=(7, 3)) + [P] + seg(step=(7, 30)),
    "small-buffers-ooo": [0x3f, 0x12, 1] + [P] + seg(1, seq=(4, *i16(2000)), ln=0x80 | 0x10, step=(0,))
    + [P] + seg(1, seq=(4, *i16(500)), ln=0x40 | 60) + [P] + seg(1, ln=0xc0, step=(0,)),
    "raw-options": [0x03, 0x03, 0] + [P] + seg(opts=(0x88, 2, 3, 0, 5, 6, 1, 2, 3, 4, 0, 8)),
}
for name, data in stack.items():
    write("fuzz_stack", name, data)

# ---- fuzz_socket: 2 config bytes, then operations (opcode % 24) ----------------------------
# 0 socket, 1 bind(fd, ep), 2 listen(fd, backlog), 3 connect(fd, ep), 4 accept(fd, b),
# 5 send(fd, n), 7 recv(fd, n), 9 shutdown(fd, how), 10 close(fd), 11 abort(fd),
# 12 setsockopt(fd, opt, v), 13 getters(fd, opt), 14 sendto_fastopen(fd, ep, n/8),
# 15 peer segment(b, seg), 18 time step, 20 raw packet(n, bytes), 21 events(fd, m),
# 22 poll, 23 peer ACKs everything (answers a SYN with SYN-ACK)(conn).
# Endpoints: bits 0-1 address (local: 0 any, 1 ours), bits 2-4 port (0: 80, 1: 81, 3: 5000).
SOCK, BIND, LISTEN, CONNECT, ACCEPT, SEND, RECV, SHUT, CLOSE, ABORT, SETOPT, GET, TFO, SEG, \
    STEP, RAW, EV, POLL, ACKALL = 0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 18, 20, 21, 22, 23
server = [SOCK, BIND, 0, 0, LISTEN, 0, 8]
sock = {
    "server-accept-echo": [0, 0] + server + [SEG, 0x01] + seg(4, opts=(0x08, 0x87)) +
    [ACKALL, 0, SEG, 0x00] + seg(1, ln=0x40 | 10) + [ACCEPT, 0, 1, RECV, 1, 64, SEND, 1, 10,
                                                      POLL, ACKALL, 0, CLOSE, 1, STEP, 7, 10],
    "client-transfer": [0, 0] + [SOCK, CONNECT, 0, 0x0e, POLL, ACKALL, 0, SEND, 0, 0x80, 0x20,
                                  0x00, POLL, ACKALL, 0, STEP, 3, 50, ACKALL, 0, SHUT, 0, 1, POLL,
                                  ACKALL, 0, SEG, 0x00] + seg(3) + [STEP, 7, 7, GET, 0, 0],
    "fastopen": [0, 0] + [SOCK, SETOPT, 0, 9, 1, TFO, 0, 0x0e, 4, POLL, ACKALL, 0, TFO, 0, 0x0e,
                          4, ABORT, 0, SOCK, TFO, 0, 0x0e, 4, POLL, GET, 0, 9],
    "simultaneous-open": [0, 0] + [SOCK, CONNECT, 0, 0x0e, POLL, SEG, 0x00] + seg(4) +
    [POLL, ACKALL, 0, CLOSE, 0, STEP, 3, 100],
    "events": [0, 0] + server + [EV, 0, 0x01, SEG, 0x01] + seg(4) + [ACKALL, 0, EV, 0, 0x30,
                                                                      ACCEPT, 0, 0, EV, 1, 0x07,
                                                                      EV, 1, 0xf0, EV, 1, 0x20],
    "limits": [0x74, 0x1f] + server + [SOCK, SOCK, SOCK, SOCK, SOCK] +
    sum(([SEG, 0x01 | (i << 1)] + seg(4) for i in range(4)), []) + [ACCEPT, 0, 0] * 3,
    "options": [0, 0] + [SOCK] + sum(([SETOPT, 0, o, 1] for o in range(11)), []) +
    sum(([GET, 0, o] for o in range(11)), []),
    "raw": [0, 0] + server + [RAW, 40] + list(wire["syn"][:40]),
}
for name, data in sock.items():
    write("fuzz_socket", name, data)

# ---- fuzz_pair: 4 config bytes, then one decision byte per packet ---------------------------
# Decision: bits 0-2: 0-3 deliver, 4 drop, 5 duplicate (+ delay byte), 6 hold back (reorder),
# 7 flip a bit (+ u16 bit index); bits 3-7: extra delay in ms.
pair = {
    "clean": [0, 0x2d, 0xed, 5],
    "drop-every-third": [0, 0x2d, 0xed, 5] + [0, 0, 4] * 60,
    "duplicates": [0, 0x24, 0xed, 5] + [5, 30] * 40,
    "reorder": [0, 0x2d, 0xed, 2] + [0, 6, 0, 0, 0x3e] * 30,
    "corrupt": [0, 0x24, 0xed, 5] + [7, 0, 40, 0] * 20,
    "lost-syn-and-fin": [0, 0x12, 0xed, 5, 4, 4, 0, 0, 0, 0, 0, 0, 4, 4],
    "small-mss-no-sack": [0x07, 0x1b, 0x12, 3] + [0, 4, 0, 0, 0, 6] * 30,
    "tiny-buffers": [0x10, 0x1b, 0x08, 1] + [0, 0, 0, 4] * 40,
    "burst-loss": [0x40, 0x2d, 0xed, 10] + [0] * 10 + [4] * 12 + [0] * 30,
}
for name, data in pair.items():
    write("fuzz_pair", name, data)
print("seeds: wrote %d files under %s" % (len(wire) * 2 + len(stack) + len(sock) + len(pair), out))
