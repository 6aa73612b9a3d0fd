#!/usr/bin/env python3
"""Tiles an OSM XML extract N times side by side (benchmark input only).

usage: make_tiles.py IN.osm N OUT.osm

Copy k is shifted east/north by whole extents (so copies never overlap) and every node and way
id gets k * 10^10 added. Relations are dropped (the walking graph does not use them). Tiles
are not joined: each copy is its own network, so N copies have N times the nodes.
"""
import math
import re
import sys

FIELD = re.compile(r'(\b(?:id|ref)=")(-?\d+)(")|(\blat=")(-?[\d.]+)(")|(\blon=")(-?[\d.]+)(")')


def main():
    src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    text = open(src, encoding="utf-8").read()
    rel = text.find("<relation")
    body_start = text.find("<node")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="gongjian bench tiler">\n'
    body = text[body_start:rel if rel >= 0 else text.rfind("</osm>")]
    # Split the body once into literal pieces and (kind, value) fields.
    pieces, fields, pos = [], [], 0
    lats, lons = [], []
    for m in FIELD.finditer(body):
        pieces.append(body[pos:m.start()])
        if m.group(2) is not None:
            pieces.append(m.group(1))
            fields.append(("id", int(m.group(2))))
            pieces.append(None)
            pieces.append(m.group(3))
        elif m.group(5) is not None:
            pieces.append(m.group(4))
            fields.append(("lat", float(m.group(5))))
            lats.append(float(m.group(5)))
            pieces.append(None)
            pieces.append(m.group(6))
        else:
            pieces.append(m.group(7))
            fields.append(("lon", float(m.group(8))))
            lons.append(float(m.group(8)))
            pieces.append(None)
            pieces.append(m.group(9))
        pos = m.end()
    pieces.append(body[pos:])
    slots = [i for i, p in enumerate(pieces) if p is None]
    dlat = max(lats) - min(lats) + 0.01
    dlon = max(lons) - min(lons) + 0.01
    cols = math.ceil(math.sqrt(n))
    with open(dst, "w", encoding="utf-8") as out:
        out.write(head)
        for k in range(n):
            oid = k * 10**10
            olat, olon = (k // cols) * dlat, (k % cols) * dlon
            vals = []
            for kind, v in fields:
                if kind == "id":
                    vals.append(str(v + oid))
                elif kind == "lat":
                    vals.append(f"{v + olat:.7f}")
                else:
                    vals.append(f"{v + olon:.7f}")
            copy = list(pieces)
            for i, s in zip(slots, vals):
                copy[i] = s
            out.write("".join(copy))
        out.write("</osm>\n")


if __name__ == "__main__":
    main()
