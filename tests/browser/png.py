#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What a browser's screenshot shows, read with the standard library only (PNG, 8-bit RGB
or RGBA, not interlaced: what Chromium writes).

  png.py lines FILE    the number of long vertical dark lines (a ladder's two host lines)
  png.py colour FILE R G B
                       how many pixels have exactly that colour (a highlighted row)
"""
import struct
import sys
import zlib


def read(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG" % path)
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit("%s: not 8-bit RGB(A), non-interlaced" % path)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    lo, hi = int.from_bytes(b"\x7f" * stride, "big"), int.from_bytes(b"\x80" * stride, "big")
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 2:  # Up: bytewise sums with the row above, all at once (SWAR)
            x, p = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
            line = bytearray((((x & lo) + (p & lo)) ^ ((x ^ p) & hi)).to_bytes(stride, "big"))
            f = 0
        for i in range(stride if f else 0):  # undo the row's filter (PNG specification 9.2)
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def main():
    width, height, ch, rows = read(sys.argv[2])
    if sys.argv[1] == "lines":
        # A column dark (each channel < 96) for at least a third of the picture's height
        # without a break longer than a few pixels: a drawn line, not text.
        found, x = 0, 0
        while x < width:
            run = best = gap = 0
            for y in range(height):
                p = rows[y][x * ch:x * ch + 3]
                if max(p) < 96:
                    run, gap = run + 1, 0
                else:
                    gap += 1
                    if gap > 4:
                        run = 0
                best = max(best, run)
            if best >= height // 3:
                found += 1
                x += 4  # one line is a few pixels wide
            else:
                x += 1
        print(found)
    elif sys.argv[1] == "colour":
        # Per channel a table turning the wanted value into 1 and any other into 0; a
        # pixel counts where all three give 1 (whole rows at once, as big integers).
        tables = [bytes(int(i == int(v)) for i in range(256)) for v in sys.argv[3:6]]
        n = 0
        for r in rows:
            m = -1
            for c in range(3):
                m &= int.from_bytes(bytes(r[c::ch]).translate(tables[c]), "big")
            n += bin(m).count("1")
        print(n)
    else:
        sys.exit(__doc__)


main()
