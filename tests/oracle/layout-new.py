#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""layout.py against a newer QEMU (Debian trixie's 10.0) run from a chroot:
virt-8.0 and later, pc-q35/pc-i440fx 8.0 and later, the aliases, sizes
from 512 MiB to 1.1 TiB, Intel and AMD, <pcihole64>, GICv2/v3, and vIOMMU
widths QEMU itself accepts or refuses. run.sh builds the chroot once
(qemu-chroot.sh ensure) and sets MIGMAP_QEMU_ROOT."""
import os
import runpy

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "layout.py"),
               run_name="__main__")
