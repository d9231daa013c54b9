#!/bin/bash
# tests/qemu/qemu_arm64.sh - qemu.sh for arm64: build/arm64/tcpinspect on
# Debian 12's arm64 kernel under qemu-system-aarch64 (TCG), with the same
# guest script (tests/qemu/init) as the x86 second-kernel test.
exec "$(dirname "$0")/qemu.sh" arm64
