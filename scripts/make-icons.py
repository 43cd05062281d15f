#!/usr/bin/env python3
"""Draws Berth's icon (containers stacked on a quay, over water) as PNGs, with no image library.

Run once when the design changes: python3 scripts/make-icons.py
"""
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "src-tauri", "icons")
NAVY = (18, 42, 74)
QUAY = (60, 84, 116)
WATER = (56, 150, 214)
COLORS = [(242, 140, 40), (40, 170, 150), (230, 75, 80), (245, 200, 60)]


def rounded_square_alpha(x, y, r):
    """Coverage of the unit rounded square at (x, y) in [0,1]^2, corner radius r, with AA."""
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    d = ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5
    return max(0.0, min(1.0, (r - d) * 400 + 0.5))


def pixel(x, y):
    a = rounded_square_alpha(x, y, 0.2)
    if a == 0:
        return (0, 0, 0, 0)
    color = NAVY
    # Water: two bands with a gentle wave.
    import math
    wave = 0.80 + 0.015 * math.sin(x * 6 * math.pi)
    if y > wave:
        color = WATER
    elif 0.70 < y <= 0.76 and 0.12 < x < 0.88:
        color = QUAY
    else:
        # Containers: 3 in the bottom row, 2 above, 1 on top.
        rows = [(0.54, 0.68, [(0.16, 0.37), (0.395, 0.605), (0.63, 0.84)]),
                (0.38, 0.52, [(0.28, 0.49), (0.51, 0.72)]),
                (0.22, 0.36, [(0.395, 0.605)])]
        for ri, (top, bottom, boxes) in enumerate(rows):
            if top < y < bottom:
                for bi, (left, right) in enumerate(boxes):
                    if left < x < right:
                        c = COLORS[(ri * 2 + bi) % len(COLORS)]
                        # Corrugation: darker vertical ribs.
                        rib = int((x - left) / (right - left) * 7) % 2 == 1
                        color = tuple(int(v * 0.85) for v in c) if rib else c
    return (*color, int(255 * a))


def png(size):
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            row.extend(pixel((i + 0.5) / size, (j + 0.5) / size))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


for name, size in [
    ("32x32.png", 32),
    ("64x64.png", 64),
    ("128x128.png", 128),
    ("128x128@2x.png", 256),
    ("256x256.png", 256),
    ("icon.png", 512),
]:
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(png(size))
    print("wrote", name)
