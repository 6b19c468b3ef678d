#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Inputs that once stalled migmap (issue 14): a libvirt domain with 400,000
NUMA cells (cells as libvirt's schema has them: <cpu><numa><cell id memory>)
and a host map whose 600,000 IOMMU groups come in descending order under one
reserved range (migmap-xml(5)). An optional third argument sets the count
(tests/bus/daemon.sh uses smaller ones)."""
import sys

kind, out = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else None
with open(out, "w") as f:
    if kind == "cells":
        n = count or 400000
        f.write("<domain type='kvm'><name>cells</name>"
                "<memory unit='KiB'>%d</memory><vcpu>1</vcpu>"
                "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
                "<cpu><numa>\n" % (n * 4))
        for i in range(n):
            f.write("<cell id='%d' memory='4'/>\n" % i)
        f.write("</numa></cpu></domain>\n")
    elif kind == "groups":
        n = count or 600000
        f.write("<capabilities><host><memoryMap name='groups' iommuGroups='%d'>\n" % n)
        f.write("<reserved type='msi' start='0xfee00000' end='0xfeefffff' source='kernel'>\n")
        for i in range(n - 1, -1, -1):
            f.write("<group id='%d'/>\n" % i)
        f.write("</reserved></memoryMap></host></capabilities>\n")
    else:
        sys.exit("usage: gen-big.py cells|groups OUT [COUNT]")
