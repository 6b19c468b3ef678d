#!/bin/sh
# Generate the build system: run once after a fresh checkout, then
# ./configure && make.
set -e
cd "$(dirname "$0")"
autoreconf --force --install --verbose
