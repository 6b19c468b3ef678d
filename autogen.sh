#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generate the build system: run once after a fresh checkout, then
# ./configure && make.
set -e
cd "$(dirname "$0")"
autoreconf --force --install --verbose
