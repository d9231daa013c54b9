#!/bin/bash
# tests/qemu/qemu_arm64_16k.sh - build/arm64/tcpinspect on Debian 12's 6.12
# arm64 kernel with 16 KiB pages (qemu-system-aarch64, cortex-a76): the
# ring buffer and the perf buffers are sized and mapped by the page size
# read at run time.  qemu.sh arm64-16k: see there.
exec "$(dirname "$0")/qemu.sh" arm64-16k
