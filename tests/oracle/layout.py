#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU itself as the oracle for `migmap layout`.

For each case: write a libvirt domain XML, ask `migmap layout --json`, start
the same guest in QEMU (TCG, -S: nothing boots, nothing is allocated), and
compare what QEMU reports:

- aarch64 virt: the device tree QEMU generates (-M virt-X,dumpdtb=FILE,
  decoded with dtc): memory nodes (ram, per NUMA node), the PCIe node's reg
  (pcie-ecam) and ranges (pcie-pio, pcie-mmio, pcie-mmio-high), the GIC's
  reg (gic-dist, gic-redist, gic-cpu) and its MSI frames (gic-its,
  gic-v2m); device memory from `info mtree` over QMP;
- x86_64 q35/i440fx: `info mtree` over QMP (ram-below-4g, ram-above-4g,
  device-memory) and the host bridge's pci-hole / pci-hole64 properties.

Usage: layout.py MIGMAP WORKDIR; prints TAP-ish "ok"/"not ok" lines
and exits 1 when a case fails, 77 when QEMU or dtc is missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys

GiB = 1 << 30
MiB = 1 << 20

MIGMAP, WORK = sys.argv[1], sys.argv[2]
# MIGMAP_QEMU_ROOT: a chroot with a newer QEMU (run.sh layout-new), run
# through qemu-chroot.sh with WORK bind-mounted; the cases are then the
# machine versions that QEMU adds (NEW)
QEMU_ROOT = os.environ.get("MIGMAP_QEMU_ROOT")
NEW = bool(QEMU_ROOT)
if QEMU_ROOT:
    wrap = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "qemu-chroot.sh"), "run",
            QEMU_ROOT, os.path.abspath(WORK)]
    QEMU_ARM = wrap + ["qemu-system-aarch64"]
    QEMU_X86 = wrap + ["qemu-system-x86_64"]
else:
    QEMU_ARM = [shutil.which("qemu-system-aarch64")] if shutil.which("qemu-system-aarch64") else None
    QEMU_X86 = [shutil.which("qemu-system-x86_64")] if shutil.which("qemu-system-x86_64") else None
DTC = shutil.which("dtc")

passed = failed = skipped = 0


def ok(desc):
    global passed
    passed += 1
    print(f"ok - {desc}")


def not_ok(desc, why):
    global failed
    failed += 1
    print(f"not ok - {desc}")
    for line in why.splitlines():
        print(f"#   {line}")


def skip(desc, why):
    global skipped
    skipped += 1
    print(f"ok - {desc} # SKIP {why}")


def qemu_machines(qemu):
    out = subprocess.run(qemu + ["-machine", "help"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines()[1:] if line.strip()}


# ---- the domain XML -------------------------------------------------------


def domain_xml(c):
    """A libvirt domain as a person would write it for case c."""
    cells = ""
    if c.get("numa"):
        cells = "<numa>" + "".join(
            f"<cell id='{i}' cpus='{i}' memory='{m // MiB}' unit='MiB'/>"
            for i, m in enumerate(c["numa"])) + "</numa>"
    cpu = ""
    if c["arch"] == "x86_64":
        model = c.get("cpu", "qemu64")
        mpa = f"<maxphysaddr mode='emulate' bits='{c['physbits']}'/>" if c.get("physbits") else ""
        cpu = f"<cpu mode='custom' match='exact'><model fallback='forbid'>{model}</model>{mpa}{cells}</cpu>"
    else:
        # no <maxphysaddr> (x86 only): the map's limit is the CPU model's
        # physical address size under TCG, as QEMU takes it
        cpu = f"<cpu mode='custom'><model>{c.get('cpu', 'max')}</model>{cells}</cpu>"
    maxmem = ""
    if c.get("maxmem"):
        maxmem = f"<maxMemory slots='{c.get('slots', 0)}' unit='MiB'>{c['maxmem'] // MiB}</maxMemory>"
    features = f"<features><acpi/><gic version='{c['gic']}'/></features>" if c.get("gic") else ""
    mem = sum(c["numa"]) if c.get("numa") else c["mem"]
    devices = ""
    if c.get("pcihole64") is not None:
        root = "pcie-root" if "q35" in c["machine"] else "pci-root"
        devices = (f"<controller type='pci' index='0' model='{root}'>"
                   f"<pcihole64 unit='MiB'>{c['pcihole64'] // MiB}</pcihole64>"
                   "</controller>")
    if c.get("viommu"):
        model, aw = c["viommu"]
        driver = f"<driver aw_bits='{aw}'/>" if aw else ""
        devices += f"<iommu model='{model}'>{driver}</iommu>"
    if devices:
        devices = f"<devices>{devices}</devices>"
    return f"""<domain type='qemu'>
  <name>{c['name']}</name>
  {maxmem}
  <memory unit='MiB'>{mem // MiB}</memory>
  <vcpu>{c.get('smp', 1)}</vcpu>
  <os><type arch='{c['arch']}' machine='{c['machine']}'>hvm</type></os>
  {features}
  {cpu}
  {devices}
</domain>
"""


def migmap_layout(c):
    path = os.path.join(WORK, c["name"] + ".xml")
    with open(path, "w") as f:
        f.write(domain_xml(c))
    p = subprocess.run([MIGMAP, "layout", "--json", "--domain", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"migmap layout failed: {p.stderr.strip()}")
    return json.loads(p.stdout)


def by_kind(layout, kinds):
    got = {}
    for r in layout["regions"]:
        # x86 RAM is kind "ram" with QEMU's block name (ram-below-4g, …)
        kind = r["block"] if r["kind"] == "ram" and r.get("block", "").startswith("ram-") \
            else r["kind"]
        if kind in kinds:
            got.setdefault(kind, []).append(
                (int(r["start"], 16), int(r["end"], 16), r.get("node")))
    return {k: sorted(v, key=lambda t: t[0]) for k, v in got.items()}


# ---- QEMU -----------------------------------------------------------------


def memory_args(c):
    """-m and, for big guests, RAM backends that reserve nothing."""
    args = []
    size = sum(c["numa"]) if c.get("numa") else c["mem"]
    m = f"{size // MiB}M"
    if c.get("maxmem"):
        m += f",slots={c.get('slots', 0)},maxmem={c['maxmem'] // MiB}M"
    args += ["-m", m]
    if c.get("numa"):
        for i, cell in enumerate(c["numa"]):
            args += ["-object", f"memory-backend-ram,id=m{i},size={cell // MiB}M,reserve=off",
                     "-numa", f"node,nodeid={i},cpus={i},memdev=m{i}"]
    elif size > 8 * GiB:
        args += ["-object", f"memory-backend-ram,id=m0,size={size // MiB}M,reserve=off"]
    return args


def machine_opt(c, extra=""):
    opt = c["machine"]
    if c.get("gic"):
        opt += f",gic-version={c['gic']}"
    if not c.get("numa") and (sum(c["numa"]) if c.get("numa") else c["mem"]) > 8 * GiB:
        opt += ",memory-backend=m0"
    return opt + extra


def run_qmp(qemu, args, commands):
    """Start QEMU stopped with QMP on stdio, run commands, return replies."""
    lines = ['{"execute":"qmp_capabilities"}']
    lines += [json.dumps(cmd) for cmd in commands]
    lines.append('{"execute":"quit"}')
    p = subprocess.run(qemu + ["-S", "-nodefaults", "-display", "none", "-monitor", "none",
                           "-qmp", "stdio", "-accel", "tcg"] + args,
                       input="\n".join(lines) + "\n", capture_output=True, text=True,
                       timeout=60)
    replies = []
    for line in p.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if "return" in msg or "error" in msg:
            replies.append(msg)
    # replies[0] answers qmp_capabilities; the last answers quit
    if len(replies) < len(commands) + 1:
        raise RuntimeError(f"QEMU failed: {p.stderr.strip()}")
    for r in replies[1:len(commands) + 1]:
        if "error" in r:
            raise RuntimeError(f"QMP error: {r['error']}")
    return [r["return"] for r in replies[1:len(commands) + 1]]


def mtree_regions(text, names):
    """First (start, end) of each named region under address-space: memory."""
    found = {}
    in_memory = False
    for line in text.splitlines():
        if line.startswith("address-space:"):
            in_memory = line.strip() == "address-space: memory"
            continue
        if not in_memory:
            continue
        m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) \(prio [-0-9]+, [a-z/-]+\): (alias )?([\w.-]+)",
                     line)
        if m and m.group(4) in names and m.group(4) not in found:
            found[m.group(4)] = (int(m.group(1), 16), int(m.group(2), 16))
    return found


def dts_cells(value):
    return [int(x, 16) for x in re.findall(r"0x[0-9a-f]+", value)]


def pairs(cells, n_addr=2, n_size=2):
    out = []
    step = n_addr + n_size
    for i in range(0, len(cells), step):
        a = 0
        for x in cells[i:i + n_addr]:
            a = (a << 32) | x
        s = 0
        for x in cells[i + n_addr:i + step]:
            s = (s << 32) | x
        out.append((a, a + s - 1))
    return out


def parse_dts(text):
    """Nodes of a dtc -O dts dump: {path-ish name: {prop: value}}."""
    nodes = {}
    stack = []
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"(/|[\w,.-]+(@[0-9a-f]+)?) \{$", s)
        if m:
            stack.append(m.group(1))
            nodes["/".join(stack)] = {}
            continue
        if s.startswith("};"):
            stack.pop()
            continue
        m = re.match(r"([\w,#.-]+) = (.*);$", s)
        if m and stack:
            nodes["/".join(stack)][m.group(1)] = m.group(2)
    return nodes


def qemu_arm(c):
    dtb = os.path.join(WORK, c["name"] + ".dtb")
    args = ["-cpu", c.get("cpu", "max"), "-smp", str(c.get("smp", 1)), "-nographic",
            "-nodefaults", "-accel", "tcg"] + memory_args(c)
    p = subprocess.run(QEMU_ARM + ["-M", machine_opt(c, f",dumpdtb={os.path.abspath(dtb)}")] + args,
                       capture_output=True, text=True, timeout=60)
    if not os.path.exists(dtb):
        raise RuntimeError(f"QEMU failed: {p.stderr.strip()}")
    dts = subprocess.run([DTC, "-I", "dtb", "-O", "dts", dtb], capture_output=True,
                         text=True).stdout
    nodes = parse_dts(dts)
    got = {}
    for name, props in nodes.items():
        leaf = name.split("/")[-1]
        if leaf.startswith("memory@"):
            node = dts_cells(props["numa-node-id"])[0] if "numa-node-id" in props else None
            for a, e in pairs(dts_cells(props["reg"])):
                got.setdefault("ram", []).append((a, e, node))
        elif leaf.startswith("pcie@"):
            got["pcie-ecam"] = [r + (None,) for r in pairs(dts_cells(props["reg"]))]
            cells = dts_cells(props["ranges"])
            for i in range(0, len(cells), 7):
                flags, cpu = cells[i], (cells[i + 3] << 32) | cells[i + 4]
                size = (cells[i + 5] << 32) | cells[i + 6]
                kind = {0x1000000: "pcie-pio", 0x2000000: "pcie-mmio",
                        0x3000000: "pcie-mmio-high"}[flags]
                got.setdefault(kind, []).append((cpu, cpu + size - 1, None))
        elif leaf.startswith("intc@"):
            regs = pairs(dts_cells(props["reg"]))
            got["gic-dist"] = [regs[0] + (None,)]
            if "gic-v3" in props.get("compatible", ""):
                got["gic-redist"] = [r + (None,) for r in regs[1:]]
            else:
                got["gic-cpu"] = [regs[1] + (None,)]
        elif leaf.startswith("its@"):
            got["gic-its"] = [r + (None,) for r in pairs(dts_cells(props["reg"]))]
        elif leaf.startswith("v2m@"):
            got["gic-v2m"] = [r + (None,) for r in pairs(dts_cells(props["reg"]))]
    if c.get("maxmem"):
        args = ["-M", machine_opt(c), "-cpu", c.get("cpu", "max"),
                "-smp", str(c.get("smp", 1))] + memory_args(c)
        mtree = run_qmp(QEMU_ARM, args, [{"execute": "human-monitor-command",
                                          "arguments": {"command-line": "info mtree"}}])[0]
        dm = mtree_regions(mtree, {"device-memory"})
        if "device-memory" in dm:
            got["device-memory"] = [dm["device-memory"] + (None,)]
    return {k: sorted(v, key=lambda t: t[0]) for k, v in got.items()}


def qemu_x86(c):
    cpu = c.get("cpu", "qemu64")
    if c.get("physbits"):
        cpu += f",phys-bits={c['physbits']}"
    args = ["-M", machine_opt(c), "-cpu", cpu] + memory_args(c)
    if c.get("pcihole64") is not None:
        # what libvirt gives QEMU for <pcihole64> (qemuBuildGlobalControllerCommandLine)
        bridge = "q35-pcihost" if "q35" in c["machine"] else "i440FX-pcihost"
        args += ["-global", f"{bridge}.pci-hole64-size={c['pcihole64'] // MiB}M"]
    host = "/machine/q35" if "q35" in c["machine"] else "/machine/i440fx"
    cmds = [{"execute": "human-monitor-command", "arguments": {"command-line": "info mtree"}}]
    for prop in ("pci-hole-start", "pci-hole-end", "pci-hole64-start", "pci-hole64-end"):
        cmds.append({"execute": "qom-get", "arguments": {"path": host, "property": prop}})
    mtree, h_start, h_end, h64_start, h64_end = run_qmp(QEMU_X86, args, cmds)
    got = {k: [v + (None,)] for k, v in
           mtree_regions(mtree, {"ram-below-4g", "ram-above-4g", "device-memory"}).items()}
    got["pci-hole"] = [(h_start, h_end - 1, None)]
    if c.get("hole64", True) and h64_end > h64_start:  # <pcihole64>0: an empty hole
        got["pci-hole64"] = [(h64_start, h64_end - 1, None)]
    return got


def migmap_x86(layout, c):
    pci = "pcie-mmio" if "q35" in c["machine"] else "pci-mmio"
    got = by_kind(layout, {"ram-below-4g", "ram-above-4g", "device-memory", pci,
                           pci + "-high", "pcie-ecam"})
    # the 32-bit hole spans the PCI windows and MMCONFIG cut out of them
    low = got.pop(pci, []) + got.pop("pcie-ecam", [])
    if low:
        got["pci-hole"] = [(min(r[0] for r in low), max(r[1] for r in low), None)]
    if pci + "-high" in got:
        got["pci-hole64"] = got.pop(pci + "-high")
    return got


# ---- the cases ------------------------------------------------------------

ARM_KINDS = {"ram", "device-memory", "pcie-ecam", "pcie-mmio", "pcie-mmio-high", "pcie-pio",
             "gic-dist", "gic-redist", "gic-cpu", "gic-its", "gic-v2m"}


def arm_cases():
    cases = []
    for ver in ("2.11", "3.0", "4.2", "6.2", "7.0", "7.1", "7.2"):
        cases.append(dict(machine=f"virt-{ver}", mem=4 * GiB, gic=3))
        cases.append(dict(machine=f"virt-{ver}", mem=300 * GiB, gic=3))
        # a 40-bit CPU (cortex-a53: PARange 40 bits) and a guest too big for the
        # 64-bit PCIe window
        cases.append(dict(machine=f"virt-{ver}", mem=600 * GiB, gic=3, cpu="cortex-a53"))
    for ver in ("2.12", "7.1", "7.2"):
        cases.append(dict(machine=f"virt-{ver}", mem=2 * GiB, gic=2))
        # device memory pushing the high regions up, with a 40-bit CPU
        cases.append(dict(machine=f"virt-{ver}", mem=8 * GiB, maxmem=520 * GiB, slots=4,
                          gic=3, cpu="cortex-a53"))
        cases.append(dict(machine=f"virt-{ver}", mem=16 * GiB, maxmem=1024 * GiB, slots=8,
                          gic=3))
    # QEMU makes NUMA node 0 itself for hotpluggable memory from 4.2 (slots)
    # and 5.1 (maxmem alone) on
    for ver in ("4.1", "4.2", "5.0", "5.1"):
        for slots in (0, 2):
            cases.append(dict(machine=f"virt-{ver}", mem=2 * GiB, maxmem=4 * GiB, slots=slots,
                              gic=3))
    # the IPA limit: the high regions QEMU drops, the RAM it refuses (the
    # CPU model's PARange under TCG; the hosts' KVM IPA limit under KVM
    # goes through the same virt_set_memmap)
    for cpu, maxmem in (("cortex-a57", 16000 * GiB), ("cortex-a72", 15800 * GiB),
                        ("cortex-a76", 1000 * GiB), ("max", 250 * 1024 * GiB)):
        cases.append(dict(machine="virt-7.2", mem=4 * GiB, maxmem=maxmem, slots=1, gic=3,
                          cpu=cpu))
    cases.append(dict(machine="virt-7.2", mem=1100 * GiB, gic=3, cpu="cortex-a53",
                      refused=True))
    cases.append(dict(machine="virt-7.2", mem=4 * GiB, maxmem=17000 * GiB, slots=1, gic=3,
                      cpu="cortex-a57", refused=True))
    cases.append(dict(machine="virt-7.2", numa=[2 * GiB, 6 * GiB, 1 * GiB], gic=3, smp=3))
    cases.append(dict(machine="virt-3.0", numa=[1 * GiB, 3 * GiB], gic=3, smp=2))
    cases.append(dict(machine="virt-7.2", mem=1 * GiB, gic=3, smp=130))
    cases.append(dict(machine="virt-2.11", mem=1 * GiB, gic=3, smp=130))
    for c in cases:
        c["arch"] = "aarch64"
    return cases


def x86_cases():
    cases = []
    for family in ("pc-q35", "pc-i440fx"):
        for ver in ("2.12", "4.2", "6.2", "7.0", "7.1", "7.2"):
            for mem in (1 * GiB, 2816 * MiB, 3 * GiB, 3584 * MiB, 16 * GiB):
                cases.append(dict(machine=f"{family}-{ver}", mem=mem))
            cases.append(dict(machine=f"{family}-{ver}", mem=6 * GiB, maxmem=64 * GiB,
                              slots=4))
        cases.append(dict(machine=f"{family}-2.11", mem=6 * GiB, hole64=False))
        # the AMD HyperTransport hole: relocation from 7.1 on, AMD only
        for ver in ("7.0", "7.1", "7.2"):
            for cpu in ("EPYC", "Skylake-Server"):
                cases.append(dict(machine=f"{family}-{ver}", mem=1536 * GiB, cpu=cpu,
                                  physbits=48))
        cases.append(dict(machine=f"{family}-7.2", mem=980 * GiB, cpu="EPYC", physbits=48))
        cases.append(dict(machine=f"{family}-7.2", mem=900 * GiB, cpu="EPYC", physbits=48))
        cases.append(dict(machine=f"{family}-7.2", mem=4 * GiB, maxmem=1100 * GiB, slots=2,
                          cpu="EPYC", physbits=48))
        # <pcihole64>: its size moves the hole's end, and with it the AMD
        # decision (900 GiB: kept below 1 TiB with the default hole, moved
        # above it with a 256 GiB hole)
        for hole in (0, 1 * GiB, 256 * GiB):
            for cpu in ("EPYC", "Skylake-Server"):
                cases.append(dict(machine=f"{family}-7.2", mem=900 * GiB, cpu=cpu, physbits=48,
                                  pcihole64=hole))
        cases.append(dict(machine=f"{family}-4.2", mem=6 * GiB, pcihole64=64 * GiB))
    for c in cases:
        c["arch"] = "x86_64"
    return cases


def new_arm_cases():
    """virt-8.0 and later, and the alias, on the newer QEMU: sampled sizes."""
    cases = []
    for ver in ("8.0", "8.2", "9.0", "9.2", "10.0", None):
        m = f"virt-{ver}" if ver else "virt"
        cases.append(dict(machine=m, mem=512 * MiB, gic=3))
        cases.append(dict(machine=m, mem=300 * GiB, gic=3))
        cases.append(dict(machine=m, mem=2 * GiB, gic=2))
    for ver in ("8.0", "10.0"):
        cases.append(dict(machine=f"virt-{ver}", mem=16 * GiB, maxmem=1024 * GiB, slots=8,
                          gic=3))
    # virt-7.2 (compact high regions since QEMU 7.2) and the IPA limit, on
    # this QEMU as layout.py does on QEMU 7.2: the same answers
    for ver in ("7.1", "7.2", "10.0"):
        cases.append(dict(machine=f"virt-{ver}", mem=600 * GiB, gic=3, cpu="cortex-a53"))
        cases.append(dict(machine=f"virt-{ver}", mem=8 * GiB, maxmem=520 * GiB, slots=4,
                          gic=3, cpu="cortex-a53"))
        cases.append(dict(machine=f"virt-{ver}", mem=600 * GiB, gic=3, cpu="cortex-a53",
                          smp=130))
    for cpu, maxmem in (("neoverse-n1", 261900 * GiB), ("max", 261900 * GiB)):
        cases.append(dict(machine="virt-10.0", mem=1 * GiB, maxmem=maxmem, slots=1, gic=3,
                          cpu=cpu))
    cases.append(dict(machine="virt-10.0", mem=1100 * GiB, gic=3, cpu="cortex-a53",
                      refused=True))
    for c in cases:
        c["arch"] = "aarch64"
    return cases


def new_x86_cases():
    """pc-q35 and pc-i440fx 8.0 and later, and the aliases, on the newer QEMU."""
    cases = []
    for family, alias in (("pc-q35", "q35"), ("pc-i440fx", "pc")):
        for ver in ("8.0", "8.2", "9.0", "9.2", "10.0", None):
            m = f"{family}-{ver}" if ver else alias
            for mem in (512 * MiB, 3584 * MiB, 16 * GiB):
                cases.append(dict(machine=m, mem=mem))
        for ver in ("8.0", "10.0"):
            for cpu in ("EPYC", "Skylake-Server"):
                cases.append(dict(machine=f"{family}-{ver}", mem=1126 * GiB, cpu=cpu,
                                  physbits=48))
        cases.append(dict(machine=f"{family}-10.0", mem=900 * GiB, cpu="EPYC", physbits=48,
                          pcihole64=256 * GiB))
        cases.append(dict(machine=f"{family}-9.0", mem=6 * GiB, maxmem=64 * GiB, slots=4))
    for c in cases:
        c["arch"] = "x86_64"
    return cases


def viommu_cases():
    """vIOMMU widths: QEMU's default per machine, and what QEMU refuses."""
    cases = []
    for ver in ("8.0", "9.1", "9.2", "10.0"):
        cases.append(dict(machine=f"pc-q35-{ver}", viommu=("intel", None)))
    cases.append(dict(machine="pc-q35-8.0", viommu=("intel", 48)))
    cases.append(dict(machine="pc-q35-10.0", viommu=("intel", 52)))
    for ver in ("8.2", "9.0"):
        cases.append(dict(machine=f"pc-q35-{ver}", viommu=("virtio", None)))
        cases.append(dict(machine=f"virt-{ver}", viommu=("virtio", None), gic=3))
    cases.append(dict(machine="virt-10.0", viommu=("virtio", 30), gic=3))
    cases.append(dict(machine="virt-10.0", viommu=("virtio", 40), gic=3))
    for c in cases:
        c["arch"] = "x86_64" if c["machine"].startswith("pc") else "aarch64"
        c["mem"] = 1 * GiB
    return cases


def viommu_check(c):
    """(width or "refused") as migmap says, and as QEMU says."""
    path = os.path.join(WORK, c["name"] + ".xml")
    with open(path, "w") as f:
        f.write(domain_xml(c))
    p = subprocess.run([MIGMAP, "layout", "--json", "--domain", path],
                       capture_output=True, text=True)
    got = json.loads(p.stdout).get("viommuBits") if p.returncode == 0 else "refused"
    model, aw = c["viommu"]
    dev = {"intel": "intel-iommu", "virtio": "virtio-iommu-pci"}[model]
    dev += ",id=vi" + (f",aw-bits={aw}" if aw else "")
    qemu = QEMU_X86 if c["arch"] == "x86_64" else QEMU_ARM
    args = ["-M", machine_opt(c), "-m", f"{c['mem'] // MiB}M", "-device", dev]
    try:
        want = run_qmp(qemu, args, [{"execute": "qom-get", "arguments": {
            "path": "/machine/peripheral/vi", "property": "aw-bits"}}])[0]
    except RuntimeError:
        want = "refused"
    return got, want


def describe(c):
    parts = [c["machine"]]
    mem = sum(c["numa"]) if c.get("numa") else c["mem"]
    parts.append(f"{mem // MiB}M" + (f" numa={len(c['numa'])}" if c.get("numa") else ""))
    for k in ("maxmem", "slots", "gic", "smp", "cpu", "physbits", "pcihole64", "viommu",
              "refused"):
        if c.get(k) is not None:
            v = c[k]
            parts.append(f"{k}={v // GiB}G" if k in ("maxmem", "pcihole64") else f"{k}={v}")
    return " ".join(parts)


def fmt(regions):
    return ", ".join(f"{k}:" + " ".join(f"{a:#x}-{e:#x}" + (f"@{n}" if n is not None else "")
                                        for a, e, n in v) for k, v in sorted(regions.items()))


def main():
    if not QEMU_ARM and not QEMU_X86:
        print("SKIP: neither qemu-system-aarch64 nor qemu-system-x86_64 is installed")
        return 77
    cases = []
    if QEMU_ARM and DTC:
        arm_machines = qemu_machines(QEMU_ARM)
        cases += new_arm_cases() if NEW else arm_cases()
    elif QEMU_ARM:
        skip("aarch64 cases", "dtc (device-tree-compiler) is not installed")
        arm_machines = set()
    else:
        skip("aarch64 cases", "qemu-system-aarch64 is not installed")
        arm_machines = set()
    x86_machines = qemu_machines(QEMU_X86) if QEMU_X86 else set()
    if QEMU_X86:
        cases += new_x86_cases() if NEW else x86_cases()
    else:
        skip("x86_64 cases", "qemu-system-x86_64 is not installed")
    if NEW:
        cases += viommu_cases()

    for i, c in enumerate(cases):
        c["name"] = f"case{i}"
        desc = describe(c)
        machines = arm_machines if c["arch"] == "aarch64" else x86_machines
        if c["machine"] not in machines:
            skip(desc, "this QEMU lacks the machine type")
            continue
        try:
            if c.get("refused"):
                # both refuse: migmap naming the IPA limit, QEMU exiting
                try:
                    migmap_layout(c)
                    got = "accepted"
                except RuntimeError as e:
                    got = "refused" if "IPA limit" in str(e) else str(e)
                try:
                    qemu_arm(c)
                    want = "accepted"
                except RuntimeError as e:
                    want = "refused" if "Addressing limited" in str(e) else str(e)
                if got == want == "refused":
                    ok(desc)
                else:
                    not_ok(desc, f"QEMU: {want}, migmap: {got}")
                continue
            if c.get("viommu"):
                got, want = viommu_check(c)
                if got == want:
                    ok(desc)
                else:
                    not_ok(desc, f"QEMU: {want}, migmap: {got}")
                continue
            layout = migmap_layout(c)
            if c["arch"] == "aarch64":
                want = qemu_arm(c)
                got = by_kind(layout, ARM_KINDS)
                major, minor = (map(int, c["machine"][len("virt-"):].split("."))
                                if c["machine"] != "virt" else (99, 0))
                if (major, minor) < (6, 2) and "gic-its" not in want:
                    got.pop("gic-its", None)  # TCG has an ITS only from virt-6.2 on
            else:
                want = qemu_x86(c)
                got = migmap_x86(layout, c)
        except (RuntimeError, subprocess.TimeoutExpired, KeyError, ValueError) as e:
            not_ok(desc, str(e))
            continue
        if got == want:
            ok(desc)
        else:
            not_ok(desc, f"QEMU:   {fmt(want)}\nmigmap: {fmt(got)}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
