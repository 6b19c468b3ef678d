#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""An independent reading of a host sysroot, to check `migmap host --json`.

Reads the kernel's own files the simplest way Python can and derives what
the host map must say: reserved ranges merged per type (overlapping or
touching ranges of one type become one, with the union of their groups and
devices), the IOMMU group count, RAM, PCI host bridge windows and ECAM from
/proc/iomem, arch and physical address bits from /proc/cpuinfo.

usage: host.py SYSROOT MIGMAP_JSON_FILE   (exit 0 if they agree)
"""
import json
import os
import re
import sys


def merge(ranges):
    """Sort (start, end, payload-set) and merge overlapping or touching."""
    out = []
    for start, end, payload in sorted(ranges, key=lambda r: (r[0], r[1])):
        if out and start <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], end)
            out[-1][2] |= payload
        else:
            out.append([start, end, set(payload)])
    return out


def expected(root):
    exp = {}
    gdir = os.path.join(root, "sys/kernel/iommu_groups")
    groups = sorted(int(g) for g in os.listdir(gdir) if g.isdigit()) if os.path.isdir(gdir) else []
    exp["iommuGroups"] = len(groups)
    by_type, devices = {}, {}
    for g in groups:
        ddir = os.path.join(gdir, str(g), "devices")
        devices[g] = sorted(os.listdir(ddir)) if os.path.isdir(ddir) else []
        path = os.path.join(gdir, str(g), "reserved_regions")
        if not os.path.exists(path):
            continue
        for line in open(path):
            start, end, rtype = line.split()
            by_type.setdefault(rtype, []).append((int(start, 16), int(end, 16), {g}))
    reserved = []
    for rtype, ranges in by_type.items():
        for start, end, gs in merge(ranges):
            reserved.append({"type": rtype, "start": hex(start), "end": hex(end),
                             "groups": sorted(gs),
                             "devices": sorted(d for g in gs for d in devices[g])})
    reserved.sort(key=lambda r: (int(r["start"], 16), r["type"]))
    exp["reserved"] = reserved

    ram, windows, ecam, zero = [], [], [], True
    iomem = os.path.join(root, "proc/iomem")
    lines = open(iomem).read().splitlines() if os.path.exists(iomem) else []
    for line in lines:
        m = re.match(r"^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$", line)
        depth, start, end, name = len(m.group(1)) // 2, int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        if start or end:
            zero = False
        if depth == 0 and name == "System RAM":
            ram.append((start, end, set()))
        elif depth == 0 and (name.startswith("PCI Bus ") or name.startswith("pcie@") or name.startswith("pci@")):
            windows.append((start, end, set()))
        elif name.startswith("PCI ECAM") or name.startswith("PCI MMCONFIG"):
            ecam.append((start, end, set()))
    if lines and zero:
        ram, windows, ecam = [], [], []
    as_json = lambda rs: [{"start": hex(s), "end": hex(e)} for s, e, _ in merge(rs)]
    exp["ram"], exp["pciWindows"], exp["ecam"] = as_json(ram), as_json(windows), as_json(ecam)

    cpuinfo = open(os.path.join(root, "proc/cpuinfo")).read()
    m = re.search(r"^address sizes\s*:\s*(\d+) bits physical", cpuinfo, re.M)
    exp["physBits"] = int(m.group(1)) if m else None
    if re.search(r"^flags\s*:.*\blm\b", cpuinfo, re.M):
        exp["arch"] = "x86_64"
    elif re.search(r"^CPU architecture\s*:\s*8", cpuinfo, re.M):
        exp["arch"] = "aarch64"
    return exp


def main():
    root, out = sys.argv[1], sys.argv[2]
    got = json.load(open(out))["host"]
    # The kernel's files say nothing of ranges migmap took from the firmware
    # (IORT RMRs the kernel did not report): tests/unit/test-acpi checks those.
    got["reserved"] = [{k: v for k, v in r.items() if k != "source"}
                       for r in got.get("reserved", []) if r.get("source") == "kernel"]
    want = expected(root)
    bad = [k for k in want if got.get(k) != want[k]]
    for k in bad:
        print(f"{root}: {k}:\n  migmap: {json.dumps(got.get(k))}\n  kernel: {json.dumps(want[k])}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
