#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""An independent reading of a host's firmware, to check `migmap host --json`.

Decodes the device tree with dtc (device-tree-compiler) and the ACPI tables
with iasl (acpica-tools), then derives the MSI controllers the host map
must list: GICv3 ITS (doorbell base + 0x10040), GICv2m frames (base + 0x40),
the x86 local APIC's interrupt window; and the IOMMU address widths the
kernel's own log (dmesg.txt: "ias NN-bit") and sysfs registers give.
Whether a doorbell is translated is checked by the C suites.

usage: firmware.py SYSROOT MIGMAP_JSON_FILE   (exit 0 if they agree)
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


# ---- device tree: dtc's text, as a tree of nodes ----

def parse_dts(text):
    root = {"name": "/", "props": {}, "children": [], "parent": None}
    node = root
    for line in text.splitlines():
        line = line.strip()
        if line.endswith("{") and not line.startswith("/dts-v1/"):
            name = line[:-1].strip()
            if ":" in name:  # a label
                name = name.split(":", 1)[1].strip()
            child = {"name": name, "props": {}, "children": [], "parent": node}
            if name != "/":
                node["children"].append(child)
                node = child
        elif line == "};":
            node = node["parent"] or root
        elif line.endswith(";") and line != "/dts-v1/;":
            m = re.match(r"^([^=\s]+)\s*(?:=\s*(.*))?;$", line)
            if not m:
                continue
            name, value = m.group(1), m.group(2)
            if value is None:
                node["props"][name] = True
            elif value.startswith("<"):
                node["props"][name] = [int(c, 0) for c in re.findall(r"0x[0-9a-f]+|\d+", value)]
            elif value.startswith('"'):
                node["props"][name] = value.strip('"').split("\\0")
    return root


def cells(node, name, default):
    v = node["props"].get(name) if node else None
    return v[0] if isinstance(v, list) and v else default


def number(cs):
    v = 0
    for c in cs:
        v = (v << 32) | c
    return v


def to_cpu(node, addr):
    """Translate addr (in node's children's space) up through ranges."""
    while node["parent"] is not None:
        parent = node["parent"]
        ranges = node["props"].get("ranges")
        if ranges is None:
            return None
        if ranges is not True:
            cac, csc = cells(node, "#address-cells", 2), cells(node, "#size-cells", 1)
            pac = cells(parent, "#address-cells", 2)
            entry = cac + pac + csc
            for i in range(0, len(ranges) - entry + 1, entry):
                child = number(ranges[i:i + cac])
                to = number(ranges[i + cac:i + cac + pac])
                size = number(ranges[i + cac + pac:i + entry])
                if child <= addr < child + size:
                    addr = to + addr - child
                    break
            else:
                return None
        node = parent
    return addr


def walk(node):
    yield node
    for c in node["children"]:
        yield from walk(c)


def fdt_controllers(root):
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts",
                          os.path.join(root, "sys/firmware/fdt")],
                         capture_output=True, text=True)
    if dts.returncode != 0:
        return []
    out = []
    tree = parse_dts(dts.stdout)
    for node in walk(tree):
        compatible = node["props"].get("compatible", [])
        status = node["props"].get("status", ["okay"])[0]
        kinds = {"arm,gic-v3-its": ("gicv3-its", 0x10040), "arm,gic-v2m-frame": ("gicv2m", 0x40)}
        for compat, (kind, offset) in kinds.items():
            if compat not in compatible or status not in ("okay", "ok"):
                continue
            parent = node["parent"]
            ac, sc = cells(parent, "#address-cells", 2), cells(parent, "#size-cells", 1)
            reg = node["props"]["reg"]
            base = to_cpu(parent, number(reg[:ac]))
            size = number(reg[ac:ac + sc])
            if base is not None:
                out.append({"type": kind, "base": hex(base), "size": hex(size),
                            "doorbell": hex(base + offset), "source": "fdt"})
    return out


# ---- ACPI: iasl's disassembly of the MADT ----

def acpi_controllers(root):
    apic = os.path.join(root, "sys/firmware/acpi/tables/APIC")
    if not os.path.exists(apic):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(apic, os.path.join(tmp, "apic.dat"))
        subprocess.run(["iasl", "-d", "apic.dat"], cwd=tmp, capture_output=True)
        path = os.path.join(tmp, "apic.dsl")
        if not os.path.exists(path):
            return []
        dsl = open(path, errors="replace").read()
    out, subtable, lapic, x86 = [], None, None, False
    for line in dsl.splitlines():
        m = re.search(r"Subtable Type : ([0-9A-F]{2})", line)
        if m:
            subtable = int(m.group(1), 16)
            x86 |= subtable in (0x0, 0x9)
            continue
        m = re.search(r"\] *Local Apic Address : ([0-9A-F]+)", line)
        if m:
            lapic = int(m.group(1), 16)
            continue
        m = re.search(r"\] *(?:Base Address|Apic Address) : ([0-9A-F]+)", line)
        if not m:
            continue
        base = int(m.group(1), 16)
        if subtable == 0xF:
            out.append({"type": "gicv3-its", "base": hex(base), "size": hex(0x20000),
                        "doorbell": hex(base + 0x10040), "source": "acpi"})
        elif subtable == 0xD:
            out.append({"type": "gicv2m", "base": hex(base), "size": hex(0x1000),
                        "doorbell": hex(base + 0x40), "source": "acpi"})
        elif subtable == 0x5:
            lapic = base
        subtable = None
    if x86 and lapic:
        out.append({"type": "x86-lapic", "base": hex(lapic), "size": hex(0x100000),
                    "doorbell": hex(lapic), "source": "acpi"})
    return out


# ---- IOMMU address widths ----

def iommu_bits(root):
    widths = []
    dmesg = os.path.join(root, "dmesg.txt")
    if os.path.exists(dmesg):
        smmus = [int(b) for b in re.findall(r"arm-smmu-v3 \S+: ias (\d+)-bit",
                                             open(dmesg, errors="replace").read())]
        # with the kernel config at hand, an SMMUv3's stage-1 input range:
        # min(48, VA_BITS) (arm-smmu-v3.c arm_smmu_domain_finalise(), VAX unknown)
        va = None
        boot = os.path.join(root, "boot")
        for name in sorted(os.listdir(boot)) if os.path.isdir(boot) else []:
            m = re.search(r"^CONFIG_ARM64_VA_BITS=(\d+)$", open(os.path.join(boot, name)).read(),
                          re.M) if name.startswith("config-") else None
            va = int(m.group(1)) if m else va
        # the running kernel's own config (CONFIG_IKCONFIG_PROC) comes first
        ikconfig = os.path.join(root, "proc/config.gz")
        if os.path.exists(ikconfig):
            m = re.search(r"^CONFIG_ARM64_VA_BITS=(\d+)$",
                          gzip.open(ikconfig).read().decode(errors="replace"), re.M)
            va = int(m.group(1)) if m else va
        widths += [min(48, va) for _ in smmus] if va else smmus
    cls = os.path.join(root, "sys/class/iommu")
    for name in sorted(os.listdir(cls)) if os.path.isdir(cls) else []:
        cap = os.path.join(cls, name, "intel-iommu/cap")
        features = os.path.join(cls, name, "amd-iommu/features")
        if name.startswith("dmar") and os.path.exists(cap):
            # VT-d: CAP_REG.MGAW, bits 21:16, is the width minus one
            widths.append(((int(open(cap).read(), 16) >> 16) & 0x3f) + 1)
        elif name.startswith("ivhd") and os.path.exists(features):
            # AMD-Vi: EFR.HATS, bits 11:10, levels beyond 4 of 9 bits each
            # "EFR2:EFR" up to Linux 6.6, "EFR:EFR2" from 6.7 (6.12 captures)
            words = open(features).read().strip().split(":")
            release = open(os.path.join(root, "proc/version")).read().split()[2]
            newer = tuple(int(x) for x in re.findall(r"\d+", release)[:2]) >= (6, 7)
            efr = int(words[0] if newer else words[-1], 16)
            widths.append(min(64, 12 + 9 * (4 + ((efr >> 10) & 3))))
    return min(widths) if widths else None


def key(c):
    return (int(c["base"], 16), c["type"], c["source"])


def main():
    root, out = sys.argv[1], sys.argv[2]
    got = json.load(open(out))["host"]
    want = {"msiControllers": sorted(fdt_controllers(root) + acpi_controllers(root), key=key),
            "iommuAddressBits": iommu_bits(root)}
    have = {"msiControllers": sorted(({k: v for k, v in c.items() if k != "translated"}
                                      for c in got["msiControllers"]), key=key),
            "iommuAddressBits": got.get("iommuAddressBits")}
    bad = [k for k in want if have[k] != want[k]]
    for k in bad:
        print(f"{root}: {k}:\n  migmap:   {json.dumps(have[k])}\n  decoders: {json.dumps(want[k])}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
