#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""QEMU accepts what `migmap plan` proposes, with the RAM where it says.

For each case: plan a domain against a pool, start the planned guest in
QEMU (TCG, -S: nothing boots; RAM backends with reserve=off allocate
nothing) with the same -m/slots/maxmem, NUMA cell and pc-dimm devices at
the planned addresses that libvirt would pass, then ask QEMU (QMP) where
the DIMMs and the RAM are, and compare with the plan.

With MIGMAP_QEMU_ROOT set (run.sh plan-new: a chroot with a newer QEMU,
Debian trixie's 10.0, run through qemu-chroot.sh with WORKDIR bind-mounted)
the cases are the newest machine versions and the aliases instead.

usage: plan.py MIGMAP SRCDIR WORKDIR (exit 77 when QEMU is missing)
"""
import json
import os
import re
import shutil
import subprocess
import sys

MiB = 1 << 20
MIGMAP, SRC, WORK = sys.argv[1:4]
passed = failed = 0
QEMU_ROOT = os.environ.get("MIGMAP_QEMU_ROOT")
if QEMU_ROOT:
    WRAP = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "qemu-chroot.sh"), "run",
            QEMU_ROOT, os.path.abspath(WORK)]
    QEMU_ARM, QEMU_X86 = WRAP + ["qemu-system-aarch64"], WRAP + ["qemu-system-x86_64"]
else:
    QEMU_ARM = [shutil.which("qemu-system-aarch64")] if shutil.which("qemu-system-aarch64") else None
    QEMU_X86 = [shutil.which("qemu-system-x86_64")] if shutil.which("qemu-system-x86_64") else None


def report(ok, desc, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {desc}")
    else:
        failed += 1
        print(f"not ok - {desc}\n#   {why}")


def qmp(qemu, args, commands):
    lines = ['{"execute":"qmp_capabilities"}'] + [json.dumps(c) for c in commands]
    lines.append('{"execute":"quit"}')
    p = subprocess.run(qemu + ["-S", "-nodefaults", "-display", "none", "-monitor", "none",
                        "-qmp", "stdio", "-accel", "tcg"] + args,
                       input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60)
    replies = [m for m in (json.loads(l) for l in p.stdout.splitlines() if l.startswith("{"))
               if "return" in m or "error" in m]
    if len(replies) < len(commands) + 1:
        raise RuntimeError(p.stderr.strip() or "QEMU did not answer")
    return replies[1:len(commands) + 1]


def mtree_first(text, name):
    in_memory = False
    for line in text.splitlines():
        if line.startswith("address-space:"):
            in_memory = line.strip() == "address-space: memory"
            continue
        m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) \(prio [-0-9]+, [a-z/-]+\): (alias )?([\w.-]+)", line)
        if in_memory and m and m.group(4) == name:
            return int(m.group(1), 16), int(m.group(2), 16)
    return None


def run_case(desc, qemu, machine, cpu, vcpus, domain, hosts, ram_regions, firmware=()):
    out = subprocess.run([MIGMAP, "plan", "--json", "--domain", domain] + hosts,
                         capture_output=True, text=True)
    if out.returncode != 0:
        report(False, desc, f"migmap plan failed: {out.stderr.strip()}")
        return
    plan = json.loads(out.stdout)
    initial = int(plan["initialMemory"], 16)
    maxmem = int(plan["maxMemory"], 16)
    # libvirt turns <maxphysaddr mode='emulate' bits='N'/> into phys-bits=N
    mpa = re.search(r"<maxphysaddr mode=\"emulate\" bits=\"(\d+)\"", plan["domain"])
    if mpa:
        cpu += f",phys-bits={mpa.group(1)}"
    args = list(firmware) + ["-M", machine, "-cpu", cpu, "-smp", str(vcpus),
            "-m", f"{initial // MiB}M,slots={plan['slots']},maxmem={maxmem // MiB}M",
            "-object", f"memory-backend-ram,id=m0,size={initial // MiB}M,reserve=off",
            "-numa", f"node,nodeid=0,cpus=0-{vcpus - 1},memdev=m0"]
    for i, d in enumerate(plan["dimms"]):
        args += ["-object", f"memory-backend-ram,id=d{i},size={int(d['size'], 16) // MiB}M,reserve=off",
                 "-device", f"pc-dimm,id=dimm{i},memdev=d{i},node=0,addr={d['base']}"]
    try:
        devices, mtree = qmp(qemu, args, [
            {"execute": "query-memory-devices"},
            {"execute": "human-monitor-command", "arguments": {"command-line": "info mtree"}}])
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        report(False, desc, f"QEMU refused the plan: {e}")
        return
    if "error" in devices:
        report(False, desc, f"QMP: {devices['error']}")
        return
    got = sorted((d["data"]["addr"], d["data"]["size"]) for d in devices["return"])
    want = sorted((int(d["base"], 16), int(d["size"], 16)) for d in plan["dimms"])
    report(got == want, f"{desc}: QEMU puts the DIMMs at the planned bases", f"{got} != {want}")
    text = mtree["return"]
    total = 0
    for name, start in ram_regions:
        r = mtree_first(text, name)
        if r is None:
            continue
        report(r[0] == start, f"{desc}: {name} starts at {start:#x}", f"got {r}")
        total += r[1] - r[0] + 1
    report(total == initial, f"{desc}: QEMU maps {initial:#x} bytes of initial RAM", f"got {total:#x}")


def machines(qemu):
    out = subprocess.run(qemu + ["-machine", "help"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines()[1:] if line.strip()}


def main():
    qemu_arm, qemu_x86 = QEMU_ARM, QEMU_X86
    if not qemu_arm and not qemu_x86:
        print("SKIP: no qemu-system-aarch64 or qemu-system-x86_64")
        sys.exit(77)
    pool = [f"{SRC}/examples/pool/{h}.xml" for h in "abc"]
    # the newer QEMU: its newest machines and the aliases (libvirt keeps
    # what the user wrote; QEMU resolves the alias to its newest)
    arm_versions = ["virt-10.0", "virt"] if QEMU_ROOT else ["virt-7.2"]
    x86_versions = (["pc-q35-10.0", "q35", "pc-q35-8.2"] if QEMU_ROOT else ["pc-q35-7.2"])
    if qemu_arm:
        # DIMMs on virt need ACPI, which QEMU builds only with firmware
        # loaded: the plan sets UEFI for that reason (a copy in WORK, which
        # the chroot sees)
        code = "/usr/share/AAVMF/AAVMF_CODE.fd"
        have = machines(qemu_arm)
        if not os.path.exists(code):
            print("# SKIP aarch64 case: no AAVMF firmware (qemu-efi-aarch64)")
            arm_versions = []
        else:
            shutil.copyfile(code, os.path.join(WORK, "code.fd"))
            code = os.path.abspath(os.path.join(WORK, "code.fd"))
        for m in arm_versions:
            if m not in have:
                report(False, f"aarch64 {m}", "this QEMU lacks the machine type")
                continue
            dom = f"{WORK}/arm64-{m}.xml"
            open(dom, "w").write(f"""<domain type='kvm'>
  <name>g1</name>
  <memory unit='GiB'>8</memory>
  <vcpu>4</vcpu>
  <os><type arch='aarch64' machine='{m}'>hvm</type></os>
  <features><gic version='3'/></features>
</domain>
""")
            run_case(f"aarch64 {m}, 8 GiB on the example pool", qemu_arm,
                     f"{m},gic-version=3", "cortex-a57", 4, dom, pool,
                     [("mach-virt.ram", 0x40000000)],
                     ["-drive", f"if=pflash,format=raw,readonly=on,file={code}"])
    if qemu_x86:
        # an EPYC host (48 physical bits, as such a CPU has) with the HT hole
        host = open(f"{WORK}/epyc.xml", "w")
        xml = subprocess.run([MIGMAP, "host", "--name", "epyc", "--sysroot",
                              f"{SRC}/tests/data/hosts/x86-q35-amdvi"],
                             capture_output=True, text=True, check=True).stdout
        host.write(re.sub(r"(physBits|bits)='40'", r"\1='48'", xml))
        host.close()
        xeon = f"{WORK}/xeon.xml"
        open(xeon, "w").write(subprocess.run(
            [MIGMAP, "host", "--name", "xeon", "--sysroot", f"{SRC}/tests/data/hosts/x86-rmrr"],
            capture_output=True, text=True, check=True).stdout)
        have = machines(qemu_x86)
        for m in x86_versions:
            if m not in have:
                report(False, f"x86_64 {m}", "this QEMU lacks the machine type")
                continue
            dom = f"{WORK}/x86-{m}.xml"
            open(dom, "w").write(f"""<domain type='kvm'>
  <name>big</name>
  <memory unit='GiB'>1536</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='{m}'>hvm</type></os>
  <cpu mode='custom'><model>Skylake-Server</model></cpu>
</domain>
""")
            run_case(f"x86_64 {m}, 1.5 TiB around the HyperTransport hole", qemu_x86,
                     m, "Skylake-Server", 2, dom, [f"{WORK}/epyc.xml", xeon],
                     [("ram-below-4g", 0), ("ram-above-4g", 0x100000000)])
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
