#!/bin/bash
# tests/fuzz/btf-seeds.sh DIR - fuzz_btf's seeds into DIR: a 16-bit
# little-endian length, an object's .BTF, another object's .BTF (the
# "kernel"), for pairs of the objects in build/objs.  Needs llvm-objcopy.
cd "$(dirname "$0")/../.." || exit 1
dir=$1
tmp=$(mktemp -d /tmp/ti-btfseeds.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"
for a in build/objs/core_kern.o build/objs/core_ctx.o build/objs/core_enum.o \
	 build/objs/kfunc.o build/objs/kconfig.o; do
	for b in build/objs/core_kern.o build/objs/core_enum.o build/objs/sec_names.o; do
		llvm-objcopy --dump-section .BTF="$tmp/a.btf" "$a" /dev/null 2>/dev/null &&
		llvm-objcopy --dump-section .BTF="$tmp/b.btf" "$b" /dev/null 2>/dev/null || continue
		n=$(stat -c %s "$tmp/a.btf")
		{ printf "\\x$(printf %02x $((n & 255)))\\x$(printf %02x $((n >> 8 & 255)))"
		  cat "$tmp/a.btf" "$tmp/b.btf"; } >"$dir/${a##*/}-${b##*/}"
	done
done
