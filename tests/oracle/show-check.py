#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ranges an SVG of `migmap show` draws equal the host maps' own.

usage: show-check.py PICTURE.svg HOST.xml...
Reads each host map with Python's XML parser (independently of migmap) and
checks that the lane named after the host holds exactly its reserved ranges
(type, start, end), that a "pool" lane exists when there are several hosts,
and that every rectangle lies within the picture.
"""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
svg = ET.parse(sys.argv[1]).getroot()
width = float(svg.get("width"))
names = [t.text for t in svg.findall(f"{SVG}text") if t.get("x") == "4"]
lanes = {}
for r in svg.findall(f"{SVG}rect[@class='range']"):
    lane = names[int(r.get("data-lane"))]
    lanes.setdefault(lane, set()).add((r.get("data-kind"), int(r.get("data-start"), 16),
                                       int(r.get("data-end"), 16)))
    x, w = float(r.get("x")), float(r.get("width"))
    assert 0 <= x and x + w <= width + 0.01, f"rect outside the picture: {x} {w}"
for path in sys.argv[2:]:
    host = ET.parse(path).getroot().find("host/memoryMap")
    want = {(r.get("type"), int(r.get("start"), 16), int(r.get("end"), 16))
            for r in host.findall("reserved")}
    got = lanes.get(host.get("name"), set())
    assert got == want, f"{host.get('name')}: drawn {sorted(got)} != map {sorted(want)}"
if len(sys.argv) > 3:
    assert "pool" in lanes, "no pool lane"
print("ok")
