#!/bin/bash
# tests/qemu/qemu_armhf.sh - build/armhf/tcpinspect (32-bit ARM) on Debian 12's
# armmp kernel under qemu-system-arm, with the same guest script as the
# x86 and arm64 tests.  qemu.sh armhf: see there.
exec "$(dirname "$0")/qemu.sh" armhf
