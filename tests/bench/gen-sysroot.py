#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gen-sysroot.py GROUPS DIR: a synthetic arm64 host with GROUPS IOMMU groups
of one PCI device each (the shape of a real capture: reserved_regions, type,
devices/BDF, the device's vendor, device, class and iommu_group), plus
proc/cpuinfo, proc/iomem and proc/version copied from a fixture."""
import os
import shutil
import sys

groups, root = int(sys.argv[1]), sys.argv[2]
fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "hosts",
                       "arm64-virt-smmuv3")
os.makedirs(os.path.join(root, "proc"))
for f in ("cpuinfo", "iomem", "version"):
    shutil.copy(os.path.join(fixture, "proc", f), os.path.join(root, "proc", f))
for g in range(groups):
    bdf = "%04x:%02x:%02x.%x" % (g >> 11, (g >> 3) & 0xff, 0, g & 7)
    gdir = os.path.join(root, "sys/kernel/iommu_groups", str(g))
    os.makedirs(os.path.join(gdir, "devices"))
    with open(os.path.join(gdir, "reserved_regions"), "w") as f:
        f.write("0x0000000008000000 0x00000000080fffff msi\n")
        if g % 16 == 0:
            f.write("0x%016x 0x%016x direct\n" % (0xf0000000 + g * 0x10000,
                                                  0xf0000000 + g * 0x10000 + 0xffff))
    with open(os.path.join(gdir, "type"), "w") as f:
        f.write("DMA\n")
    os.symlink("../../../../devices/pci%04x:00/%s" % (g >> 11, bdf),
               os.path.join(gdir, "devices", bdf))
    ddir = os.path.join(root, "sys/bus/pci/devices", bdf)
    os.makedirs(ddir)
    for name, value in (("vendor", "0x1b36"), ("device", "0x000c"), ("class", "0x060400")):
        with open(os.path.join(ddir, name), "w") as f:
            f.write(value + "\n")
    os.symlink("../../../../kernel/iommu_groups/%d" % g, os.path.join(ddir, "iommu_group"))
