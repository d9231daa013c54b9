#!/bin/bash
# tests/qemu.sh - tcpinspect on a second kernel: Debian 12's 6.1, booted
# under qemu (TCG, no KVM) from an initramfs holding busybox, the static
# tcpinspect, a static tests/peer.c and veth.ko.  tests/qemu/init runs the
# checks in the guest (on lo with nothing mounted, across a veth pair into
# a second network namespace, with the link and ringbuf fallbacks forced)
# and prints "GUEST ok ..." lines on the serial console; they become this
# test's own lines.
#
# The kernel package is fetched with apt-get download, not installed: its
# bzImage is unpacked to an ELF vmlinux (boots about twice as fast) and
# kept with veth.ko in build/qemu/VERSION/, so later runs need no network.
# Without qemu, busybox-static, or the kernel (no mirror, nothing cached),
# the test says skip: it never passes without booting.
#
# QEMU_CONSOLE=FILE keeps the serial output; QEMU_DEBUG=1 makes the guest
# print every capture's output and stderr as well; QEMU_INIT=FILE boots
# another guest script instead of tests/qemu/init (experiments).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
T0=$(date +%s%N)
QDIR=${QEMU_CACHE:-build/qemu}
PEER_STATIC=build/peer-static

# ms_since T: milliseconds since date +%s%N said T, as "S.SS s".
ms_since() {
	local ms=$((($(date +%s%N) - $1) / 1000000))
	printf '%d.%02d s' $((ms / 1000)) $((ms % 1000 / 10))
}

# extract_vmlinux BZIMAGE OUT: the kernel's ELF image out of a bzImage,
# as the kernel tree's scripts/extract-vmlinux does: find the compressed
# payload by its magic, decompress from there (trailing bytes make the
# tool complain: ignored), keep the first result that is an ELF file.
extract_vmlinux() {
	local img=$1 out=$2 magic tool off
	for magic_tool in '\xfd7zXZ\x00:xz' '\x1f\x8b\x08:gzip' '\x28\xb5\x2f\xfd:zstd'; do
		magic=${magic_tool%:*} tool=${magic_tool##*:}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -obaP "$magic" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | "$tool" -dc >"$out.tmp" 2>/dev/null
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				echo "$tool"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}

# get_kernel: KVER, and VMLINUX and VETH under build/qemu/KVER/: the
# kernel linux-image-amd64 depends on, from the cache or downloaded, else
# the newest one cached.  Otherwise WHY says why not.
get_kernel() {
	local pkg dir
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
	if [ -z "$pkg" ]; then
		WHY="no linux-image-amd64 in the package lists (apt-get update?)"
	elif [ -s "$QDIR/${pkg#linux-image-}/vmlinux" ]; then
		KERNEL_HOW=cached
	else
		fetch_kernel "$pkg"
	fi
	if [ -z "$KERNEL_HOW" ]; then
		dir=$(ls -d "$QDIR"/*/ 2>/dev/null | sort -V | tail -1)
		[ -n "$dir" ] || { WHY="$WHY; none cached in $QDIR"; return 1; }
		pkg=linux-image-$(basename "$dir")
		KERNEL_HOW="cached; $WHY"
	fi
	KVER=${pkg#linux-image-}
	VMLINUX=$QDIR/$KVER/vmlinux VETH=$QDIR/$KVER/veth.ko
}

# fetch_kernel PKG: its vmlinux and veth.ko into build/qemu/VERSION/.
fetch_kernel() {
	local pkg=$1 dir=$QDIR/${1#linux-image-} deb how
	rm -rf "$dir" && mkdir -p "$dir/deb" || return 1
	if ! (cd "$dir/deb" && apt-get download -q "$pkg" >download.log 2>&1); then
		WHY="apt-get download $pkg failed: $(grep -E '^(E|Err):' "$dir/deb/download.log" | head -1)"
		rm -rf "$dir"
		return 1
	fi
	deb=$(ls "$dir"/deb/"$pkg"_*.deb | head -1)
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$dir/deb" --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/net/veth.ko'
	if ! cp "$dir"/deb/lib/modules/*/kernel/drivers/net/veth.ko "$dir/veth.ko"; then
		WHY="no veth.ko in $deb"
	elif ! how=$(extract_vmlinux "$dir"/deb/boot/vmlinuz-* "$dir/vmlinux"); then
		WHY="no compressed ELF kernel found in the bzImage of $deb"
	else
		rm -rf "$dir/deb"
		KERNEL_HOW="downloaded $pkg, vmlinux unpacked with $how"
		return 0
	fi
	rm -rf "$dir"
	return 1
}

missing=
for tool in qemu-system-x86_64 cpio gzip; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
# busybox-static, not Debian's dynamic busybox: no program interpreter.
BUSYBOX=$(command -v busybox)
if [ -z "$BUSYBOX" ] || LC_ALL=C grep -qa '/ld-linux' "$BUSYBOX"; then
	missing="$missing busybox-static"
fi
if [ -n "$missing" ]; then
	skip qemu "missing:$missing (Debian: qemu-system-x86, cpio, busybox-static)"
	exit 0
fi
if ! get_kernel; then
	skip qemu "no kernel: $WHY"
	exit 0
fi
ok "qemu: kernel $KVER ($KERNEL_HOW)"

# --- the initramfs ------------------------------------------------------------
[ -x "$PEER_STATIC" ] || make -s "$PEER_STATIC" >/dev/null 2>&1
root=$TMP/root
mkdir -p "$root/bin" "$root/lib/modules" "$root/tmp" &&
	cp "$BUSYBOX" "$root/bin/busybox" && ln -s busybox "$root/bin/sh" &&
	cp "$TI" "$root/bin/tcpinspect" &&
	cp "$PEER_STATIC" "$root/bin/peer" &&
	cp "$VETH" "$root/lib/modules/veth.ko" &&
	cp "${QEMU_INIT:-tests/qemu/init}" "$root/init" &&
	chmod 755 "$root/init" &&
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$TMP/initramfs.gz"
if [ $? != 0 ] || [ ! -s "$TMP/initramfs.gz" ]; then
	notok "qemu: initramfs" "could not build it (tcpinspect, $PEER_STATIC built?)"
	exit 1
fi
ok "qemu: initramfs with busybox, tcpinspect, peer, veth.ko ($(stat -c %s "$TMP/initramfs.gz") bytes)"

# --- boot ---------------------------------------------------------------------
B0=$(date +%s%N)
# Two CPUs: the perf buffers of the ringbuf fallback are per CPU.
timeout 120 qemu-system-x86_64 -nographic -no-reboot -m 512 -nic none -smp "${QEMU_SMP:-2}" \
	-kernel "$VMLINUX" -initrd "$TMP/initramfs.gz" \
	-append "console=ttyS0 panic=-1 quiet${QEMU_DEBUG:+ tidebug}" </dev/null >"$TMP/console" 2>&1
qrc=$?
BOOT_TIME=$(ms_since "$B0")
tr -d '\r' <"$TMP/console" >"$TMP/console.txt"
[ -n "$QEMU_CONSOLE" ] && cp "$TMP/console.txt" "$QEMU_CONSOLE"

# The guest's lines become ours, "qemu: " in front of each name.
# "GUEST | " lines are logs (a failing command's stderr): shown as comments.
sed -n -e 's/^GUEST \(ok\|not ok\|skip\) /\1 qemu: /p' -e 's/^GUEST | /#   /p' "$TMP/console.txt"
end=$(grep -m1 '^GUEST end ' "$TMP/console.txt")
if [ -z "$end" ]; then
	why="qemu exited with status $qrc"
	[ "$qrc" = 124 ] && why="killed after 120 s"
	notok "qemu: guest ran to the end and powered off" \
		"$why; last console lines: $(tail -5 "$TMP/console.txt" | tr '\n' '|')"
	exit 1
fi
set -- $end
# The guest's own count must agree with the lines that came through.
if [ "$(grep -c '^GUEST ok ' "$TMP/console.txt")" = "$3" ] &&
	[ "$(grep -c '^GUEST not ok ' "$TMP/console.txt")" = "$4" ]; then
	ok "qemu: guest ran to the end and powered off ($3 passed, $4 failed, $5 skipped)"
else
	notok "qemu: guest ran to the end and powered off" \
		"the guest counted $3 passed, $4 failed, but other lines came through (console garbled?)"
fi
check "qemu: qemu exited by itself (status $qrc)" [ "$qrc" = 0 ]
check "qemu: guest kernel is $KVER" grep -q "^GUEST ok uname -r: $KVER$" "$TMP/console.txt"
# Figures, not assertions: TCG speed depends on what else the host runs.
echo "# qemu: boot to power-off $BOOT_TIME, whole test $(ms_since "$T0")"
