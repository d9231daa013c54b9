#!/bin/bash
# tests/qemu/qemu.sh [TARGET] - tcpinspect on a second kernel, booted
# under qemu (TCG, no KVM) from an initramfs holding busybox, the static
# tcpinspect, static tests/tools/peer.c and netem.c, veth.ko and the
# kernel's sch_ingress, cls_bpf and sch_netem modules (with those they
# depend on), all of TARGET's architecture, and somebody else's BPF
# programs: build/pass.o (for --replace), fw.o (an XDP firewall to
# capture beside), tc_drop.o and fexit_log.o (load --tc, --to-xdp).
# tests/qemu/init runs the checks in the guest (on lo with nothing
# mounted, across a veth pair into a second network namespace, with the
# link and ringbuf fallbacks forced; beside the firewall, in clsact, under
# netem) and prints "GUEST ok ..." lines on the serial console; they
# become this test's own lines.
#
# TARGET is x86_64 (the default: Debian 12's 6.1 amd64 kernel, the host's
# ./tcpinspect), arm64 (Debian 12's 6.1 arm64 kernel, 4 KiB pages, under
# qemu-system-aarch64, build/arm64/tcpinspect: qemu_arm64.sh), arm64-16k
# (the same binary on Debian 12's 6.12 arm64 kernel with 16 KiB pages:
# qemu_arm64_16k.sh) or armhf (Debian 12's 6.1 armmp kernel under
# qemu-system-arm, build/armhf/tcpinspect: qemu_armhf.sh) or
# armhf-on-arm64 (the armhf binary and busybox on the arm64 kernel, as on
# a 32-bit system with a 64-bit kernel; not in make check).
#
# The kernel package, and for a foreign architecture busybox-static, are
# fetched with apt-get download, not installed: the kernel image (an
# x86 bzImage unpacked to its ELF vmlinux, which boots about twice as
# fast) is kept with veth.ko and the modules (mods/) in
# build/qemu/VERSION/, so later runs need
# no network.  Without qemu, busybox-static, the binaries or the kernel
# (no mirror, nothing cached), the test says skip: it never passes
# without booting.
#
# QEMU_CONSOLE=FILE keeps the serial output; QEMU_DEBUG=1 makes the guest
# print every capture's output and stderr as well; QEMU_INIT=FILE boots
# another guest script instead of tests/qemu/init (experiments);
# QEMU_APPEND adds to the kernel command line (ti_lo=..., ti_veth=...:
# see tests/qemu/init; ti_startup=N: N timed start-ups at the end).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
T0=$(date +%s%N)
QDIR=${QEMU_CACHE:-build/qemu}
TARGET=${1:-x86_64}
# Modules the guest loads besides veth.ko, when the kernel has them as
# modules: clsact (sch_ingress) and cls_bpf for TC before tcx, netem.
# QEMU_NOMODS=1 leaves them out (the guest's checks then say skip).
GUEST_MODS="sch_ingress cls_bpf sch_netem"

# Per target: the test's name, qemu and its machine, the serial console,
# Debian's architecture, the kernel's meta package and flavour, the
# binaries (and the make ARCH that builds them), and which runs the guest
# makes.  x86_64 runs all of them.  Under an emulated ARM CPU a capture
# takes 3 s (arm64) to 6 s (armhf): there every required check runs
# once (on lo; text, JSON and pcap across the veth pair; nothing left
# attached) and the perf-buffer fallback on lo, plus on arm64 the
# run without atomic fetch; on 16 KiB pages only what depends on the page size
# (ring buffer and perf buffers on lo, --buffer 4k among them).
USER_ARCH= LIMIT=120
case $TARGET in
x86_64)
	N=qemu QEMU=qemu-system-x86_64 MACHINE= CONSOLE=ttyS0 QPKG=qemu-system-x86
	DEBARCH=amd64 KMETA=linux-image-amd64 FLAVOUR=amd64 KIMG=vmlinux
	BUILD=x86_64 ELF_MACHINE=X86-64 TI_BIN=$TI PEER_STATIC=build/peer-static
	NETEM_STATIC=build/netem-static
	GUEST_ARGS="ti_startup=3 ti_loadx=1 ti_fentry=yes ti_filters=1"
	LIMIT=180
	;;
arm64)
	N=qemu-arm64 QEMU=qemu-system-aarch64 CONSOLE=ttyAMA0 QPKG=qemu-system-arm
	MACHINE="-M virt -cpu cortex-a57"
	DEBARCH=arm64 KMETA=linux-image-arm64 FLAVOUR=arm64 KIMG=Image
	BUILD=arm64 ELF_MACHINE=AArch64
	GUEST_ARGS="ti_lo=default,ringbuf ti_veth=default ti_startup=3 ti_guard=0"
	GUEST_ARGS="$GUEST_ARGS ti_fentry=yes ti_beside=fentry,toxdp ti_tc=both,load ti_health=delay"
	;;
arm64-16k)
	# A cortex-a57 has no 16 KiB translation granule; a cortex-a76 has.
	N=qemu-arm64-16k QEMU=qemu-system-aarch64 CONSOLE=ttyAMA0 QPKG=qemu-system-arm
	MACHINE="-M virt -cpu cortex-a76"
	DEBARCH=arm64 KMETA=linux-image-6.12-arm64-16k FLAVOUR=arm64-16k KIMG=Image
	BUILD=arm64 ELF_MACHINE=AArch64
	GUEST_ARGS="ti_lo=default,ringbuf ti_veth=none ti_pagesize=16"
	;;
armhf)
	N=qemu-armhf QEMU=qemu-system-arm CONSOLE=ttyAMA0 QPKG=qemu-system-arm
	MACHINE="-M virt -cpu cortex-a15"
	DEBARCH=armhf KMETA=linux-image-armmp FLAVOUR=armmp KIMG=zImage
	BUILD=armhf ELF_MACHINE=ARM
	GUEST_ARGS="ti_lo=default,ringbuf ti_veth=default ti_nofetch=0 ti_startup=3 ti_guard=0"
	GUEST_ARGS="$GUEST_ARGS ti_fentry=no ti_beside=fentry,tc,toxdp ti_tc=none ti_health=none"
	;;
armhf-on-arm64)
	N=qemu-armhf-on-arm64 QEMU=qemu-system-aarch64 CONSOLE=ttyAMA0 QPKG=qemu-system-arm
	MACHINE="-M virt -cpu cortex-a57"
	DEBARCH=arm64 KMETA=linux-image-arm64 FLAVOUR=arm64 KIMG=Image USER_ARCH=armhf
	BUILD=armhf ELF_MACHINE=ARM
	GUEST_ARGS="ti_lo=default,ringbuf ti_veth=default ti_guard=0"
	GUEST_ARGS="$GUEST_ARGS ti_beside=none ti_tc=none ti_health=none"
	;;
*)
	notok "qemu $TARGET" "unknown target (x86_64, arm64, arm64-16k, armhf, armhf-on-arm64)"
	exit 1
	;;
esac
USER_ARCH=${USER_ARCH:-$DEBARCH}
if [ "$BUILD" != x86_64 ]; then
	TI_BIN=build/$BUILD/tcpinspect PEER_STATIC=build/$BUILD/peer-static
	NETEM_STATIC=build/$BUILD/netem-static
fi

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

# arm_image KIMG VMLINUZ OUT: Debian's arm64 vmlinuz is the plain Image
# ("ARMd" at byte 56; a gzip'd one is unpacked), its armhf one a zImage
# (0x016f2818 at byte 36), which qemu boots as it is.
arm_image() {
	if [ "$1" = Image ] && [ "$(head -c 2 "$2" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		gzip -dc <"$2" >"$3" && echo gzip
	else
		cp "$2" "$3" && echo "as it is"
	fi || return 1
	case $1 in
	Image) [ "$(tail -c +57 "$3" | head -c 4)" = ARMd ] ;;
	zImage) [ "$(od -An -tx4 -j 36 -N 4 "$3" | tr -d ' ')" = 016f2818 ] ;;
	esac
}

# deb_fetch PKG DIR PATTERN...: Debian package PKG (apt-get download,
# not installed) unpacked into DIR/deb/, only the paths matching the tar
# wildcards.  Otherwise WHY says why not.
deb_fetch() {
	local pkg=$1 dir=$2 deb
	shift 2
	rm -rf "$dir/deb" && mkdir -p "$dir/deb" || return 1
	if ! (cd "$dir/deb" && apt-get download -q "$pkg" >download.log 2>&1); then
		WHY="apt-get download $pkg failed: $(grep -E '^(E|Err):' "$dir/deb/download.log" | head -1)"
		return 1
	fi
	deb=$(ls "$dir"/deb/*.deb | head -1)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/deb" --wildcards "$@" ||
		{ WHY="$deb: none of $*"; return 1; }
}

# get_kernel: KVER, and KERNEL, VETH and MODS under build/qemu/KVER/:
# the kernel KMETA depends on, from the cache (one made before the
# modules were kept is fetched again) or downloaded, else the newest one
# of this flavour cached.  Otherwise WHY says why not.
get_kernel() {
	local pkg dir
	pkg=$(apt-cache depends "$KMETA:$DEBARCH" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9].*-$FLAVOUR\)\(:$DEBARCH\)\?$/\1/p" | head -1)
	if [ -z "$pkg" ]; then
		WHY="no $KMETA:$DEBARCH in the package lists (apt-get update? dpkg --add-architecture $DEBARCH?)"
	elif [ -s "$QDIR/${pkg#linux-image-}/$KIMG" ] && [ -f "$QDIR/${pkg#linux-image-}/mods/order" ]; then
		KERNEL_HOW=cached
	else
		fetch_kernel "$pkg"
	fi
	if [ -z "$KERNEL_HOW" ]; then
		dir=$(ls -d "$QDIR"/*-"$FLAVOUR"/ 2>/dev/null | sort -V | tail -1)
		[ -n "$dir" ] && [ -s "$dir/$KIMG" ] || { WHY="$WHY; none cached in $QDIR"; return 1; }
		pkg=linux-image-$(basename "$dir")
		KERNEL_HOW="cached; $WHY"
	fi
	KVER=${pkg#linux-image-}
	KERNEL=$QDIR/$KVER/$KIMG VETH=$QDIR/$KVER/veth.ko MODS=$QDIR/$KVER/mods
}

# unpack_ko FILE OUT: a module as busybox insmod takes it (uncompressed:
# 6.12's are .ko.xz).
unpack_ko() {
	case $1 in
	*.xz) xz -dc <"$1" ;;
	*.zst) zstd -dc <"$1" ;;
	*) cat "$1" ;;
	esac >"$2"
}

# ko_depends FILE: the modules FILE needs loaded first, from its .modinfo
# ("depends=a,b"), one a line.
ko_depends() {
	tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | head -1 | tr ',' '\n' | grep .
}

# fetch_mods DEB DIR: GUEST_MODS and the modules they depend on, out of
# the kernel package DEB, unpacked into DIR/mods/, with DIR/mods/order
# listing them dependencies first.  A module not in the package (built
# in, or not built) is left out: the guest finds out what it lacks.
fetch_mods() {
	local deb=$1 dir=$2 want=$GUEST_MODS got= round name ko pats left
	mkdir -p "$dir/mods" "$dir/modx" || return 1
	for round in 1 2 3 4; do
		pats=
		for name in $want; do
			# modinfo names use '_', file names may use '-'
			pats="$pats ./lib/modules/*/$(echo "$name" | sed 's/[-_]/[-_]/g').ko*"
		done
		[ -n "$pats" ] || break
		# A pattern that matches nothing makes tar fail: the rest is
		# unpacked all the same.  (set -f: the patterns are tar's.)
		# shellcheck disable=SC2086
		(set -f; dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$dir/modx" --wildcards --wildcards-match-slash $pats 2>/dev/null)
		got="$got $want"
		left=
		for name in $want; do
			ko=$(find "$dir/modx" -name "$(echo "$name" | sed 's/[-_]/[-_]/g').ko*" | head -1)
			[ -n "$ko" ] || continue
			unpack_ko "$ko" "$dir/mods/$name.ko" || return 1
			for dep in $(ko_depends "$dir/mods/$name.ko"); do
				case " $got $left " in *" $dep "*) ;; *) left="$left $dep" ;; esac
			done
		done
		want=$left
	done
	rm -rf "$dir/modx"
	# Dependencies first: a module once every one it needs is listed.
	: >"$dir/mods/order"
	for round in 1 2 3 4 5; do
		for ko in "$dir"/mods/*.ko; do
			[ -e "$ko" ] || continue
			name=$(basename "$ko" .ko)
			grep -qx "$name" "$dir/mods/order" && continue
			left=
			for dep in $(ko_depends "$ko"); do
				[ -e "$dir/mods/$dep.ko" ] && ! grep -qx "$dep" "$dir/mods/order" && left=1
			done
			[ -n "$left" ] || echo "$name" >>"$dir/mods/order"
		done
	done
}

# fetch_kernel PKG: its kernel image, veth.ko and GUEST_MODS into
# build/qemu/VERSION/.
fetch_kernel() {
	local pkg=$1 dir=$QDIR/${1#linux-image-} how ko
	rm -rf "$dir"
	if ! deb_fetch "$pkg:$DEBARCH" "$dir" './boot/vmlinuz-*' \
		'./lib/modules/*/kernel/drivers/net/veth.ko*'; then
		:
	elif ! ko=$(ls "$dir"/deb/lib/modules/*/kernel/drivers/net/veth.ko* 2>/dev/null | head -1) ||
		! unpack_ko "$ko" "$dir/veth.ko"; then
		WHY="no veth.ko in $pkg, or it could not be unpacked"
	elif ! fetch_mods "$(ls "$dir"/deb/*.deb | head -1)" "$dir"; then
		WHY="the modules of $pkg could not be unpacked"
	elif [ "$KIMG" = vmlinux ] &&
		! how=$(extract_vmlinux "$dir"/deb/boot/vmlinuz-* "$dir/$KIMG"); then
		WHY="no compressed ELF kernel found in the bzImage of $pkg"
	elif [ "$KIMG" != vmlinux ] &&
		! how=$(arm_image "$KIMG" "$dir"/deb/boot/vmlinuz-* "$dir/$KIMG"); then
		WHY="the vmlinuz of $pkg is no $DEBARCH $KIMG"
	else
		rm -rf "$dir/deb"
		KERNEL_HOW="downloaded $pkg, $KIMG: $how"
		return 0
	fi
	rm -rf "$dir"
	return 1
}

# get_busybox: BUSYBOX, a static busybox for the guest's user space: the
# host's (busybox-static) for x86_64, else busybox-static:ARCH downloaded
# into build/qemu/busybox-ARCH/ once.  Otherwise WHY says why not.
get_busybox() {
	local dir=$QDIR/busybox-$USER_ARCH
	if [ "$USER_ARCH" = "$(dpkg --print-architecture)" ]; then
		BUSYBOX=$(command -v busybox)
		# busybox-static, not Debian's dynamic busybox: no program interpreter.
		if [ -z "$BUSYBOX" ] || LC_ALL=C grep -qa '/ld-linux' "$BUSYBOX"; then
			WHY="no busybox-static"
			return 1
		fi
		return 0
	fi
	BUSYBOX=$dir/busybox
	[ -s "$BUSYBOX" ] && return 0
	if deb_fetch "busybox-static:$USER_ARCH" "$dir" ./bin/busybox &&
		mv "$dir/deb/bin/busybox" "$BUSYBOX"; then
		rm -rf "$dir/deb"
		return 0
	fi
	rm -rf "$dir"
	return 1
}

# is_static_elf FILE: an executable of the target's machine without a
# program interpreter (readelf, from binutils, reads every machine).
is_static_elf() {
	readelf -hl "$1" >"$TMP/readelf" 2>&1 &&
		grep -q "Machine:.*$ELF_MACHINE" "$TMP/readelf" &&
		! grep -q "^ *INTERP " "$TMP/readelf"
}

missing=
for tool in "$QEMU" cpio gzip readelf; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	skip "$N" "missing:$missing (Debian: $QPKG, cpio, binutils)"
	exit 0
fi
if ! get_busybox; then
	skip "$N" "no static busybox for $USER_ARCH: $WHY (Debian: busybox-static)"
	exit 0
fi
# The binaries: built here if they are not (plain make does not build
# another architecture's; `make check` does).
for f in "$TI_BIN" "$PEER_STATIC" "$NETEM_STATIC"; do
	[ -x "$f" ] || make -s ARCH="$BUILD" "$f" >/dev/null 2>&1
	if [ ! -x "$f" ]; then
		skip "$N" "no $f, and 'make ARCH=$BUILD $f' failed (make deps ARCH=$BUILD installs the compiler)"
		exit 0
	fi
done
check "$N: $TI_BIN is a static $ELF_MACHINE executable ($(stat -c %s "$TI_BIN") bytes)" \
	is_static_elf "$TI_BIN"
if ! get_kernel; then
	skip "$N" "no kernel: $WHY"
	exit 0
fi
ok "$N: kernel $KVER ($KERNEL_HOW)"

# --- the initramfs ------------------------------------------------------------
root=$TMP/root
# The loader's objects for ti_loadx (CO-RE against veth's module BTF, a
# typed ksym): the same BPF for every architecture.
LDX_OBJS="build/objs/core_mod.o build/objs/ksym_var.o"
# Somebody else's programs: pass.o (replaced by --replace), fw.o (an XDP
# firewall to capture beside), tc_drop.o and fexit_log.o (load --tc,
# load --to-xdp).
for f in $LDX_OBJS build/pass.o build/fw.o build/tc_drop.o build/fexit_log.o; do
	[ -f "$f" ] || make -s "$f" >/dev/null 2>&1
done
mkdir -p "$root/bin" "$root/lib/modules" "$root/lib/objs" "$root/tmp" &&
	cp "$BUSYBOX" "$root/bin/busybox" && ln -s busybox "$root/bin/sh" &&
	cp "$TI_BIN" "$root/bin/tcpinspect" &&
	cp "$PEER_STATIC" "$root/bin/peer" &&
	cp "$NETEM_STATIC" "$root/bin/netem" &&
	cp "$VETH" "$root/lib/modules/veth.ko" &&
	{ [ ! -f "$MODS/order" ] || [ -n "$QEMU_NOMODS" ] ||
		cp "$MODS"/order "$MODS"/*.ko "$root/lib/modules/"; } &&
	{ [ ! -f build/pass.o ] || cp build/pass.o "$root/lib/pass.o"; } &&
	{ for o in fw tc_drop fexit_log; do
		[ ! -f build/$o.o ] || cp build/$o.o "$root/lib/$o.o" || exit 1; done; } &&
	{ cp $LDX_OBJS "$root/lib/objs/" 2>/dev/null || :; } &&
	cp "${QEMU_INIT:-tests/qemu/init}" "$root/init" &&
	chmod 755 "$root/init" "$root/bin/busybox" &&
	(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$TMP/initramfs.gz"
if [ $? != 0 ] || [ ! -s "$TMP/initramfs.gz" ]; then
	notok "$N: initramfs" "could not build it"
	exit 1
fi
mods=$(tr '\n' ' ' <"$root/lib/modules/order" 2>/dev/null)
ok "$N: initramfs with busybox, tcpinspect, peer, netem, veth.ko, ${mods:-no other module }($(stat -c %s "$TMP/initramfs.gz") bytes)"
for m in $GUEST_MODS; do
	[ -f "$MODS/$m.ko" ] ||
		echo "# $N: no $m.ko in the kernel package (built in, or not built: the guest finds out)"
done

# --- boot ---------------------------------------------------------------------
B0=$(date +%s%N)
# Two CPUs: the perf buffers of the ringbuf fallback are per CPU.
# Unknown words with "=" on the kernel command line reach /init as
# environment variables: that is how the guest learns what to run.
# shellcheck disable=SC2086
timeout "$LIMIT" "$QEMU" $MACHINE -nographic -no-reboot -m 512 -nic none -smp "${QEMU_SMP:-2}" \
	-kernel "$KERNEL" -initrd "$TMP/initramfs.gz" \
	-append "console=$CONSOLE panic=-1 quiet${QEMU_DEBUG:+ tidebug}${GUEST_ARGS:+ $GUEST_ARGS}${QEMU_APPEND:+ $QEMU_APPEND}" \
	</dev/null >"$TMP/console" 2>&1
qrc=$?
BOOT_TIME=$(ms_since "$B0")
tr -d '\r' <"$TMP/console" >"$TMP/console.txt"
[ -n "$QEMU_CONSOLE" ] && cp "$TMP/console.txt" "$QEMU_CONSOLE"

# The guest's lines become ours, "$N: " in front of each name.
# "GUEST | " lines are logs (a failing command's stderr): shown as comments.
sed -n -e "s/^GUEST \(ok\|not ok\|skip\) /\1 $N: /p" -e 's/^GUEST | /#   /p' "$TMP/console.txt"
end=$(grep -m1 '^GUEST end ' "$TMP/console.txt")
if [ -z "$end" ]; then
	why="qemu exited with status $qrc"
	[ "$qrc" = 124 ] && why="killed after $LIMIT s"
	notok "$N: guest ran to the end and powered off" \
		"$why; last console lines: $(tail -5 "$TMP/console.txt" | tr '\n' '|')"
	exit 1
fi
set -- $end
# The guest's own count must agree with the lines that came through.
if [ "$(grep -c '^GUEST ok ' "$TMP/console.txt")" = "$3" ] &&
	[ "$(grep -c '^GUEST not ok ' "$TMP/console.txt")" = "$4" ]; then
	ok "$N: guest ran to the end and powered off ($3 passed, $4 failed, $5 skipped)"
else
	notok "$N: guest ran to the end and powered off" \
		"the guest counted $3 passed, $4 failed, but other lines came through (console garbled?)"
fi
check "$N: qemu exited by itself (status $qrc)" [ "$qrc" = 0 ]
check "$N: guest kernel is $KVER" grep -q "^GUEST ok uname -r: $KVER$" "$TMP/console.txt"
# Figures, not assertions: TCG speed depends on what else the host runs.
sed -n "s/^GUEST # /# $N: /p" "$TMP/console.txt"
echo "# $N: boot to power-off $BOOT_TIME, whole test $(ms_since "$T0")"
