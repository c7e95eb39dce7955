#!/usr/bin/env python3
"""Draws the Desmigratif mark (a house under a roof, on the accent blue) into
static/icons/: icon-192.png, icon-512.png and favicon.ico (16, 32, 48 px PNGs).
Standard library only; run once when the mark changes, the outputs are committed."""
import struct, zlib, pathlib

BLUE, WHITE, GOLD = (11, 92, 173), (255, 255, 255), (232, 163, 61)

def inside(x, y):
    """Colour (or None) of the point (x, y) in a 64 x 64 design."""
    # rounded square background, radius 12
    cx, cy = min(max(x, 12), 52), min(max(y, 12), 52)
    if (x - cx) ** 2 + (y - cy) ** 2 > 144:
        return None
    if (x - 32) ** 2 + (y - 43) ** 2 <= 16:
        return GOLD
    if 20 <= x <= 44 and 34 <= y <= 52:
        return WHITE
    # roof: two thick strokes from (12,36) to (32,18) to (52,36)
    for (ax, ay, bx, by) in ((12, 36, 32, 18), (32, 18, 52, 36)):
        dx, dy = bx - ax, by - ay
        t = max(0, min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        if (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= 9:
            return WHITE
    return BLUE

def render(size, ss=4):
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc, n = [0, 0, 0, 0], ss * ss
            for sy in range(ss):
                for sx in range(ss):
                    c = inside((px + (sx + .5) / ss) * 64 / size, (py + (sy + .5) / ss) * 64 / size)
                    if c:
                        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255
            a = acc[3] // n
            cover = acc[3] // 255 or 1
            row += bytes([acc[0] // cover, acc[1] // cover, acc[2] // cover, a])
        rows.append(bytes(row))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")

def ico(sizes):
    pngs = [render(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    for s, p in zip(sizes, pngs):
        out += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(p), offset)
        offset += len(p)
    return out + b"".join(pngs)

out = pathlib.Path(__file__).resolve().parent.parent / "static" / "icons"
out.mkdir(exist_ok=True)
for s in (192, 512):
    (out / f"icon-{s}.png").write_bytes(render(s))
(out / "favicon.ico").write_bytes(ico([16, 32, 48]))
