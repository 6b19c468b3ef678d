#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""plan.py against a newer QEMU (Debian trixie's 10.0) run from a chroot:
QEMU 10.0 accepts what `migmap plan` proposes for virt-10.0, pc-q35-10.0,
pc-q35-8.2 and the aliases, with the DIMMs and the RAM where the plan
says. run.sh builds the chroot once (qemu-chroot.sh ensure) and sets
MIGMAP_QEMU_ROOT."""
import os
import runpy

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "plan.py"),
               run_name="__main__")
