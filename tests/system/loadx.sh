#!/bin/bash
# tests/system/loadx.sh - what `tcpinspect load` understands beyond the
# basics (tests/objs/ldx.h and the objects built from it): CO-RE against
# struct layouts other than the kernel's, kfuncs and typed ksyms,
# __kconfig, sections named the iproute2 way, xdp.frags, maps sized by
# the loader, compressed DWARF; and `tcpinspect trace`.
#
# Each object is loaded on a veth pair between two namespaces this test
# creates, by tcpinspect and by the peers (ip, xdp-loader, bpftool); where
# both load it, the kernel must hold the same program (`bpftool prog dump
# xlated`, map ids and addresses aside).  Then real traffic crosses the
# pair and what the programs wrote into their ldx_out map is checked
# against what the kernel says of itself (its BTF, /proc/config.gz,
# uname, ip link).  Everything made here is removed on exit.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root loadx
OBJS=build/objs
BPFFS=$TMP/bpffs

for t in bpftool jq xdp-loader; do
	if ! command -v $t >/dev/null; then
		skip loadx "no $t (make test-deps)"
		exit 0
	fi
done
if [ ! -f "$OBJS/core_ctx.o" ]; then
	notok loadx "no $OBJS/core_ctx.o (make objs)"
	exit 1
fi

if ! setup_pair; then
	notok loadx-setup "cannot create namespaces and veth pair"
	exit 1
fi
mount_bpffs || BPFFS=
one_line() { [ "$(wc -l <"$1")" = 1 ]; }
nothing_attached() { [ -z "$(xdp_id)" ]; }
unload() { ti unload -i vb >/dev/null 2>&1; }

# The xlated program of id $1, as it can be compared between loads: the
# instructions only (no source lines), map ids and kernel addresses out.
xlated() {
	bpftool prog dump xlated id "$1" 2>/dev/null | grep -E '^ *[0-9]+: ' |
		sed -E 's/map\[id:[0-9]+\]/map[id:M]/g; s/0x[0-9a-f]{12,16}/ADDR/g'
}

# vals ID: ldx_out of program ID, one decimal number per line, by key.
vals() {
	local m
	for m in $(bpftool prog show id "$1" -j | jq -r '.map_ids[]?'); do
		[ "$(bpftool map show id "$m" -j | jq -r .name)" = ldx_out ] || continue
		bpftool map dump id "$m" -j | jq -r '.[] | .value | reverse | join("") | gsub("0x"; "")' |
			while read -r h; do echo $((16#$h)); done
		return 0
	done
	return 1
}
# val I: entry I of the ldx_out read last (by get_vals).
get_vals() { vals "$1" >"$TMP/vals"; }
val() { sed -n "$(($1 + 1))p" "$TMP/vals"; }

VB_IFINDEX=$(ip -n "$NS_B" -o link show dev vb 2>/dev/null | cut -d: -f1)
# The kernel's own view: struct net_device's BTF id and size, ifindex's offset.
bpftool btf dump file /sys/kernel/btf/vmlinux >"$TMP/vmlinux.btf"
ND_LINE=$(grep -m1 "STRUCT 'net_device' size=" "$TMP/vmlinux.btf")
ND_ID=$(echo "$ND_LINE" | sed -n 's/^\[\([0-9]*\)\].*/\1/p')
ND_SIZE=$(echo "$ND_LINE" | sed -n 's/.* size=\([0-9]*\) .*/\1/p')
IFX_OFF=$(awk -v id="[$ND_ID]" '$1 == id { p = 1; next } /^\[/ { p = 0 }
	p && $1 == "'"'ifindex'"'" { sub("bits_offset=", "", $3); print $3 / 8; exit }' "$TMP/vmlinux.btf")

# --- every object, by tcpinspect and by the peers -------------------------------
# NAME SECTION: the program each loader is asked for.
OBJ_LIST="core_ctx:xdp core_kern:xdp core_kern.gz:xdp core_enum:xdp core_bad:xdp core_mod:xdp
	kfunc:xdp ksym_var:xdp kconfig:xdp kconfig_bad:xdp sec_names:xdp_pass
	sec_prog:prog sec_other:my_filter sec_frags:xdp.frags sec_devmap:xdp perf_nosize:xdp
	nosize:xdp printk:xdp_printk"
n_obj=0 n_ti=0 n_ip=0 n_xl=0 n_bt=0 missed= differ=
for e in $OBJ_LIST; do
	name=${e%%:*} sec=${e#*:} f=$OBJS/$name.o
	n_obj=$((n_obj + 1))
	ti_ok=0 ip_ok=0 xl_ok=0 bt_ok=0
	if ti load "$f" -i vb --section "$sec" >"$TMP/l.out" 2>"$TMP/l.err"; then
		ti_ok=1
		xlated "$(xdp_id)" >"$TMP/x.ti"
	fi
	unload
	if ip -n "$NS_B" link set dev vb xdp obj "$f" sec "$sec" 2>"$TMP/ip.err"; then
		ip_ok=1
		xlated "$(xdp_id)" >"$TMP/x.ip"
		ip -n "$NS_B" link set dev vb xdp off
	fi
	# ip netns exec mounts a fresh /sys: no bpffs there, so xdp-loader
	# loads the program itself (no dispatcher) and the xlated compare.
	if ip netns exec "$NS_B" xdp-loader load -s "$sec" vb "$f" >"$TMP/xl.err" 2>&1 &&
	   [ -n "$(xdp_id)" ]; then
		xl_ok=1
		xlated "$(xdp_id)" >"$TMP/x.xl"
	fi
	ip netns exec "$NS_B" xdp-loader unload -a vb >/dev/null 2>&1
	unload
	# (a bpffs takes no '.' in a name: core_kern.gz pins as core_kern_gz)
	pins=$BPFFS/${name//./_}
	if [ -n "$BPFFS" ] && bpftool prog loadall "$f" "$pins" type xdp >"$TMP/bt.err" 2>&1; then
		prog=$(ls "$pins" | head -1)
		# the program of that section (bpftool pins each by its function's name)
		for p in $(ls "$pins"); do
			[ "$(bpftool prog show pinned "$pins/$p" -j | jq -r .name)" = \
			  "$(sed -n 's/^loaded prog id [0-9]* (\(.*\)) on .*/\1/p' "$TMP/l.out" | head -1)" ] && prog=$p
		done
		bt_ok=1
		xlated "$(bpftool prog show pinned "$pins/$prog" -j | jq -r .id)" >"$TMP/x.bt"
	fi
	rm -rf "$pins"
	n_ti=$((n_ti + ti_ok)) n_ip=$((n_ip + ip_ok)) n_xl=$((n_xl + xl_ok)) n_bt=$((n_bt + bt_ok))
	echo "# $name ($sec): tcpinspect $ti_ok ip $ip_ok xdp-loader $xl_ok bpftool $bt_ok"
	[ $((ip_ok + xl_ok + bt_ok)) -gt 0 ] && [ $ti_ok = 0 ] && missed="$missed $name"
	for p in ip xl bt; do
		eval "ok=\$${p}_ok"
		if [ "$ti_ok$ok" = 11 ] && ! cmp -s "$TMP/x.ti" "$TMP/x.$p"; then
			differ="$differ $name/$p"
			diff "$TMP/x.ti" "$TMP/x.$p" | head -6 | sed 's/^/#   /'
		fi
	done
done
echo "# loaded, of $n_obj objects: tcpinspect $n_ti, ip $n_ip, xdp-loader $n_xl, bpftool $n_bt"
check "tcpinspect loads every object that ip, xdp-loader or bpftool loads${missed:+ (not:$missed)}" \
	[ -z "$missed" ]
check "where both load an object, the kernel holds the same program${differ:+ (differs:$differ)}" \
	[ -z "$differ" ]
check "nothing attached after the peers" nothing_attached

# --- CO-RE: the context in another layout -------------------------------------------
run cc load $OBJS/core_ctx.o -i vb
id=$(xdp_id)
reach 8081 >/dev/null
get_vals "$id"
check "core_ctx: loads (xdp_md fields reordered, one missing)" [ "$rc" = 0 -a -n "$id" ]
check "core_ctx: data_end - data is a frame's length ($(val 0))" eval '[ "$(val 0)" -ge 54 ] && [ "$(val 0)" -le 1514 ]'
check "core_ctx: ingress_ifindex is vb's ($VB_IFINDEX)" [ "$(val 1)" = "$VB_IFINDEX" ]
check "core_ctx: rx_queue_index 0, a missing field does not exist, data is 4 bytes" \
	[ "$(val 2):$(val 3):$(val 4)" = 0:0:4 ]
unload

# --- CO-RE: kernel structs through a kfunc ------------------------------------------------
for f in core_kern core_kern.gz; do
	run ck load $OBJS/$f.o -i vb
	id=$(xdp_id)
	reach 8081 >/dev/null
	get_vals "$id"
	check "$f: loads" [ "$rc" = 0 -a -n "$id" ]
	check "$f: frame length through xdp_buff ($(val 0))" eval '[ "$(val 0)" -ge 54 ] && [ "$(val 0)" -le 1514 ]'
	check "$f: rxq->dev->ifindex, loaded and read by bpf_probe_read_kernel, is vb's" \
		[ "$(val 1):$(val 2)" = "$VB_IFINDEX:$VB_IFINDEX" ]
	check "$f: queue 0, netns_immutable (a 1-bit field) 0 on a veth, a missing field 0" \
		[ "$(val 3):$(val 4):$(val 5)" = 0:0:0 ]
	check "$f: ifindex 4 bytes, signed" [ "$(val 6):$(val 7)" = 4:1 ]
	check "$f: sizeof and BTF id of struct net_device as the kernel's BTF has them ($ND_SIZE, $ND_ID)" \
		[ "$(val 8):$(val 9)" = "$ND_SIZE:$ND_ID" ]
	check "$f: struct net_device exists, struct no_such does not" [ "$(val 10):$(val 11)" = 1:0 ]
	check "$f: the xlated program loads ifindex at the kernel's offset ($IFX_OFF)" \
		eval 'xlated "$id" | grep -q "(u32 \*)(r[0-9] +$IFX_OFF)"'
	unload
done
grep -q "C " <(llvm-readelf -S $OBJS/core_kern.gz.o 2>/dev/null | grep debug_info) &&
	ok "core_kern.gz: its DWARF is compressed (clang -gz)" ||
	skip "core_kern.gz: its DWARF is compressed (clang -gz)" "llvm-readelf cannot say"
# On lo, netns_immutable is set: the bitfield is read where the kernel has it.
run lo load $OBJS/core_kern.o -i lo --mode generic
id=$(ip -n "$NS_B" -d link show dev lo 2>/dev/null | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
ip netns exec "$NS_B" "$PEER" listen 127.0.0.1 8085 >"$TMP/lo.ready" 2>/dev/null &
PIDS="$PIDS $!"
wait_for "$TMP/lo.ready" ready && timeout 3 ip netns exec "$NS_B" "$PEER" connect 127.0.0.1 8085 10 >/dev/null 2>&1
get_vals "$id"
check "core_kern on lo: ifindex 1, netns_immutable 1" [ "$rc:$(val 1):$(val 4)" = 0:1:1 ]
ti unload -i lo >/dev/null

# --- CO-RE: enum values ------------------------------------------------------------------
run ce load $OBJS/core_enum.o -i vb
id=$(xdp_id)
check "core_enum: returns XDP_PASS___mine (12 here, 2 in the kernel): traffic passes" reach 8086
get_vals "$id"
check "core_enum: XDP_PASS exists, XDP_MADE_UP does not, XDP_DROP is 1" [ "$(val 0):$(val 1):$(val 2)" = 1:0:1 ]
unload

# --- CO-RE: a type of veth (a module on most kernels, built in here or not) -----------
run cm load $OBJS/core_mod.o -i vb -v
id=$(xdp_id)
VP_LINE=$(grep -m1 "STRUCT 'veth_priv' size=" "$TMP/vmlinux.btf")
if [ -n "$VP_LINE" ]; then
	where="vmlinux" vp_size=$(echo "$VP_LINE" | sed -n 's/.* size=\([0-9]*\) .*/\1/p')
	vp_id=$(echo "$VP_LINE" | sed -n 's/^\[\([0-9]*\)\].*/\1/p')
else
	where="module veth" vp_size= vp_id=
	[ -e /sys/kernel/btf/veth ] && bpftool btf dump file /sys/kernel/btf/veth \
		base /sys/kernel/btf/vmlinux >"$TMP/veth.btf" 2>/dev/null &&
		VP_LINE=$(grep -m1 "STRUCT 'veth_priv' size=" "$TMP/veth.btf") &&
		vp_size=$(echo "$VP_LINE" | sed -n 's/.* size=\([0-9]*\) .*/\1/p') &&
		vp_id=$(echo "$VP_LINE" | sed -n 's/^\[\([0-9]*\)\].*/\1/p')
fi
check "core_mod: struct veth_priv found ($where): traffic passes" eval '[ "$rc" = 0 ] && reach 8087'
get_vals "$id"
check "core_mod: its size and BTF id as $where has them ($vp_size, $vp_id)" \
	[ "$(val 0):$(val 1)" = "$vp_size:$vp_id" ]
unload

# --- CO-RE: a relocation the kernel cannot satisfy, reached -------------------------------
run cb load $OBJS/core_bad.o -i vb
check "core_bad: refused, status 1, naming the instruction, kind and access string" eval \
	'[ "$rc" = 1 ] && head -1 "$TMP/cb.err" | grep -q "its instruction [0-9]* needs CO-RE relocation xdp+[0-9]* (field_byte_offset struct net_device___bad.no_such_field (access 0:1))"'
check "core_bad: nothing attached" nothing_attached

# --- no kernel BTF: an object with CO-RE relocations is refused -------------------------------
ip netns exec "$NS_B" sh -c "mount -t tmpfs none /sys/kernel/btf && exec $TI load $OBJS/core_ctx.o -i vb" \
	>"$TMP/nb.out" 2>"$TMP/nb.err"
r=$?
check "no kernel BTF: CO-RE object refused, one line naming its first relocation" eval \
	'[ $r = 1 ] && one_line "$TMP/nb.err" && grep -q "CO-RE relocations (the first at xdp+[0-9]* (field_byte_offset struct xdp_md___old" "$TMP/nb.err" && grep -q "no BTF" "$TMP/nb.err"'
check "no kernel BTF: nothing attached" nothing_attached
ip netns exec "$NS_B" sh -c "mount -t tmpfs none /sys/kernel/btf && exec $TI load $OBJS/sec_other.o -i vb" \
	>/dev/null 2>&1
check "no kernel BTF: an object without CO-RE or ksyms still loads" [ -n "$(xdp_id)" ]
unload

# --- kfuncs and ksyms --------------------------------------------------------------------
run kf load $OBJS/kfunc.o -i vb -v
id=$(xdp_id)
reach 8081 >/dev/null
get_vals "$id"
kid=$(sed -n "s/^\[\([0-9]*\)\] FUNC 'bpf_cast_to_kern_ctx' .*/\1/p" "$TMP/vmlinux.btf")
check "kfunc: loads; -v says the kfunc's BTF id in the kernel ($kid)" eval \
	'[ "$rc" = 0 ] && grep -qx "tcpinspect: extern bpf_cast_to_kern_ctx: kernel function, BTF id $kid" "$TMP/kf.err"'
check "kfunc: bpf_cast_to_kern_ctx exists, the missing __weak kfunc and symbol are 0" \
	[ "$(val 0):$(val 1):$(val 3)" = 1:0:0 ]
check "kfunc: the frame's length through the kfunc ($(val 4))" eval '[ "$(val 4)" -ge 54 ]'
unload
run kv load $OBJS/ksym_var.o -i vb
if zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_KALLSYMS_ALL=y'; then
	id=$(xdp_id)
	reach 8081 >/dev/null
	get_vals "$id"
	check "ksym_var: this CPU's runqueues (typed ksym, CO-RE struct rq) says this CPU" \
		[ "$rc:$(val 0)" = 0:1 ]
else
	check "ksym_var: without CONFIG_KALLSYMS_ALL the kernel finds no variable: refused naming runqueues" \
		eval '[ "$rc" = 1 ] && grep -q "kernel symbol .runqueues" "$TMP/kv.err" && nothing_attached'
fi
unload

# --- __kconfig ---------------------------------------------------------------------------
zcat /proc/config.gz >"$TMP/config" 2>/dev/null || cp "/boot/config-$(uname -r)" "$TMP/config"
cfg() { sed -n "s/^$1=//p" "$TMP/config"; }
IFS=.- read -r ka kb kc _ <<<"$(uname -r)"
[ "$kc" -gt 255 ] && kc=255
run kc load $OBJS/kconfig.o -i vb
id=$(xdp_id)
reach 8081 >/dev/null
get_vals "$id"
host=$(cfg CONFIG_DEFAULT_HOSTNAME | tr -d '"' | head -c 8)
hostval=0
for ((i = ${#host} - 1; i >= 0; i--)); do hostval=$((hostval * 256 + $(printf %d "'${host:i:1}"))); done
check "kconfig: loads" [ "$rc" = 0 -a -n "$id" ]
check "kconfig: LINUX_KERNEL_VERSION of uname -r" [ "$(val 0)" = $(((ka << 16) + (kb << 8) + kc)) ]
check "kconfig: CONFIG_HZ (int) $(cfg CONFIG_HZ)" [ "$(val 1)" = "$(cfg CONFIG_HZ)" ]
check "kconfig: CONFIG_BPF_SYSCALL (bool) 1, CONFIG_NET (tristate) 1 (y)" [ "$(val 2):$(val 3)" = 1:1 ]
check "kconfig: CONFIG_DEFAULT_HOSTNAME (string) '$host'" [ "$(val 4)" = "$hostval" ]
check "kconfig: a missing __weak option is 0; LINUX_HAS_BPF_COOKIE 1" [ "$(val 5):$(val 6)" = 0:1 ]
check "kconfig: CONFIG_BPF_JIT as a char: 'y'" [ "$(val 7)" = 121 ]
[ "$(cfg CONFIG_MODULES)" = y ] && want=1 || want=0
check "kconfig: CONFIG_MODULES (__weak bool) $want" [ "$(val 8)" = $want ]
unload
run kb load $OBJS/kconfig_bad.o -i vb
check "kconfig_bad: refused, one line naming CONFIG_TCPINSPECT_NO_SUCH, nothing attached" eval \
	'[ "$rc" = 1 ] && one_line "$TMP/kb.err" && grep -q "extern CONFIG_TCPINSPECT_NO_SUCH (__kconfig): not in the kernel" "$TMP/kb.err" && nothing_attached'
ip netns exec "$NS_B" sh -c "mount --bind /dev/null /proc/config.gz 2>/dev/null; mount -t tmpfs none /boot; exec $TI load $OBJS/kconfig.o -i vb" \
	>"$TMP/nc.out" 2>"$TMP/nc.err"
r=$?
check "no kernel configuration: a non-weak CONFIG_ extern is refused by name" eval \
	'[ $r = 1 ] && one_line "$TMP/nc.err" && grep -q "extern CONFIG_.* (__kconfig): no kernel configuration to read" "$TMP/nc.err" && nothing_attached'

# --- sections --------------------------------------------------------------------------------
run sn load $OBJS/sec_names.o -i vb
id=$(xdp_id)
check "sec_names: without --section, the first in an XDP section (pass_all in xdp_pass), said on stderr" eval \
	'[ "$rc" = 0 ] && grep -q "(pass_all) on vb" "$TMP/sn.out" && grep -q "has 3 programs: taking pass_all (section xdp_pass)" "$TMP/sn.err"'
check "sec_names: pass_all passes traffic" reach 8082
get_vals "$id"
check "sec_names: its calls into section static work (41)" [ "$(val 0)" = 41 ]
unload
run sd load $OBJS/sec_names.o -i vb --section xdp_drop_port
check "sec_names --section xdp_drop_port: loaded, nothing said" eval \
	'[ "$rc" = 0 ] && grep -q "(xdp_drop_8082) on vb" "$TMP/sd.out" && [ ! -s "$TMP/sd.err" ]'
check "sec_names --section xdp_drop_port: port 8082 dropped" eval '! reach 8082'
check "sec_names --section xdp_drop_port: port 8083 passes" reach 8083
unload
run sp load $OBJS/sec_prog.o -i vb
id=$(xdp_id)
reach 8081 >/dev/null
get_vals "$id"
check "sec_prog: section prog taken before a classifier section, and said" eval \
	'[ "$rc" = 0 ] && grep -q "taking prog_count (section prog)" "$TMP/sp.err" && [ "$(val 0)" -gt 0 ]'
unload
run so load $OBJS/sec_other.o -i vb
id=$(xdp_id)
reach 8081 >/dev/null
get_vals "$id"
check "sec_other: the only program, in section my_filter, taken silently and run" eval \
	'[ "$rc" = 0 ] && [ ! -s "$TMP/so.err" ] && [ "$(val 0)" -gt 0 ]'
unload
run sx load $OBJS/sec_names.o -i vb --section static
check "--section static: its global function twice is a program like any other" eval \
	'[ "$rc" = 0 ] && grep -q "(twice) on vb" "$TMP/sx.out"'
unload
run sy load $OBJS/sec_names.o -i vb --section nosuch
check "--section with no program: exit 2, the programs listed, nothing attached" eval \
	'[ "$rc" = 2 ] && one_line "$TMP/sy.err" && nothing_attached &&
	 grep -q "no program in section .nosuch. in .*; it has: " "$TMP/sy.err" &&
	 grep -q "pass_all (section xdp_pass)" "$TMP/sy.err" && grep -q "twice (section static)" "$TMP/sy.err" &&
	 grep -q "xdp_drop_8082 (section xdp_drop_port)" "$TMP/sy.err"'

# xdp/devmap: loaded with the attach type that lets it read
# egress_ifindex, beside the program that is attached.
run dm load $OBJS/sec_devmap.o -i vb -v
check "sec_devmap: loads both programs (xdp/devmap as BPF_XDP_DEVMAP), attaches the first" eval \
	'[ "$rc" = 0 ] && grep -q "^tcpinspect: program on_egress: " "$TMP/dm.err" && grep -q "(redirect_or_pas) on vb" "$TMP/dm.out"'
check "sec_devmap: traffic passes (an empty devmap slot: XDP_PASS)" reach 8088
unload
run dn load $OBJS/sec_devmap.o -i vb --section xdp/devmap
check "sec_devmap --section xdp/devmap: the kernel's refusal, one line, nothing attached" eval \
	'[ "$rc" = 1 ] && one_line "$TMP/dn.err" && grep -q "BPF_XDP_DEVMAP programs can not be attached" "$TMP/dn.err" && nothing_attached'

# xdp.frags: on a veth whose MTU is above a page, native XDP takes only
# programs loaded with BPF_F_XDP_HAS_FRAGS.
ip -n "$NS_A" link set dev va mtu 9000 && ip -n "$NS_B" link set dev vb mtu 9000
run fr0 load build/pass.o -i vb --mode native
check "xdp.frags: a program without frags is refused on a 9000-byte MTU veth" \
	eval '[ "$rc" = 1 ] && nothing_attached'
run fr load $OBJS/sec_frags.o -i vb --mode native
id=$(xdp_id)
check "xdp.frags: sec_frags is taken there (BPF_F_XDP_HAS_FRAGS)" eval '[ "$rc" = 0 ] && [ -n "$id" ]'
[ -n "$id" ] && tcp_session "$B4" 40000 >/dev/null 2>&1
[ -n "$id" ] && get_vals "$id"
check "xdp.frags: it saw frames longer than a page ($(val 0) bytes)" eval '[ "$(val 0)" -gt 4096 ]'
unload
ip -n "$NS_A" link set dev va mtu 1500 && ip -n "$NS_B" link set dev vb mtu 1500

# --- maps sized by the loader --------------------------------------------------------------------
run pn load $OBJS/perf_nosize.o -i vb
m=$(sed -n 's/^map id \([0-9]*\) name events type 4$/\1/p' "$TMP/pn.out")
ncpu=$(awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-"); n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }' /sys/devices/system/cpu/possible)
check "perf_nosize: a perf event array without max_entries gets the possible CPUs ($ncpu)" eval \
	'[ "$rc" = 0 ] && [ -n "$m" ] && [ "$(bpftool map show id "$m" -j | jq .max_entries)" = "$ncpu" ]'
unload
run ns load $OBJS/nosize.o -i vb
check "nosize: refused, one line naming map unsized and max_entries 0" eval \
	'[ "$rc" = 1 ] && one_line "$TMP/ns.err" && grep -q "map unsized.*max_entries 0" "$TMP/ns.err" && nothing_attached'

# --- tcpinspect trace ---------------------------------------------------------------------------------
run pk load $OBJS/printk.o -i vb
check "printk: loaded (section xdp_printk)" [ "$rc" = 0 ]
# trace_in NAME ARGS...: tcpinspect trace in NS_B (ip netns exec: a
# private mount namespace with a fresh /sys, so no tracefs mounted there).
trace_in() {
	local name=$1
	shift
	rm -f "$TMP/$name.out" "$TMP/$name.err"
	ip netns exec "$NS_B" "$TI" trace "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	TR_PID=$!
	PIDS="$PIDS $TR_PID"
	wait_for "$TMP/$name.err" '^tcpinspect: tracing '
}
if trace_in tr -c 2 --duration 20; then
	awk '$5 == "/sys/kernel/tracing" && / - tracefs / { f = 1 } END { exit !f }' \
		/proc/$TR_PID/mountinfo && mounted=1 || mounted=0
	for i in 1 2 3; do reach 8084 >/dev/null; done
	wait_exit "$TR_PID"
	r=$?
	check "trace: mounts tracefs where none is, and says so" eval \
		'[ $mounted = 1 ] && grep -q "(tracefs mounted for this run)" "$TMP/tr.err"'
	check "trace -c 2: exit 0 after two lines of the program's bpf_printk" eval \
		'[ $r = 0 ] && [ "$(grep -c "bpf_trace_printk: tcpinspect-test len [0-9]*$" "$TMP/tr.out")" = 2 ] &&
		 [ "$(wc -l <"$TMP/tr.out")" = 2 ] && tail -1 "$TMP/tr.err" | grep -qx "tcpinspect: 2 lines"'
else
	notok "trace: ready" "$(cat "$TMP/tr.err")"
fi
# What it made is gone: no instance left (tracefs mounted privately to look).
ip netns exec "$NS_B" sh -c 'mount -t tracefs none /sys/kernel/tracing && ls /sys/kernel/tracing/instances' >"$TMP/inst" 2>&1
check "trace: its tracing instance is removed at exit" eval '! grep -q "^tcpinspect-" "$TMP/inst"'
if trace_in trp -c 1 --duration 20 --prog printk_len; then
	reach 8084 >/dev/null
	wait_exit "$TR_PID"
	r=$?
	check "trace --prog printk_len: its line, found by the program's symbol in the stack" eval \
		'[ $r = 0 ] && grep -q "tcpinspect-test len" "$TMP/trp.out" && [ "$(wc -l <"$TMP/trp.out")" = 1 ]'
fi
if trace_in tro --duration 1.5 --prog other_prog; then
	reach 8084 >/dev/null
	wait_exit "$TR_PID"
	r=$?
	check "trace --prog of another program: no line" eval '[ $r = 0 ] && [ ! -s "$TMP/tro.out" ]'
fi
# Which process an XDP program runs in is the kernel's choice (the
# sender's softirq, ksoftirqd when busy): a few tries for a line of peer.
for try in 1 2 3 4 5; do
	trace_in trc -c 1 --duration 3 --comm peer || break
	for i in 1 2 3; do reach 8084 >/dev/null; done
	wait_exit "$TR_PID"
	[ -s "$TMP/trc.out" ] && break
done
check "trace --comm peer: only lines printed while a process called peer ran (tries: $try)" eval \
	'grep -q "^ *peer-[0-9]* .*tcpinspect-test len" "$TMP/trc.out" && ! grep -vq "^ *peer-[0-9]* " "$TMP/trc.out"'
if trace_in trn --duration 1.5 --comm no_such_comm; then
	reach 8084 >/dev/null
	wait_exit "$TR_PID"
	check "trace --comm of a process that sends nothing: no line" [ ! -s "$TMP/trn.out" ]
fi
if trace_in trs --duration 20; then
	kill -INT "$TR_PID"
	wait_exit "$TR_PID"
	r=$?
	check "trace: SIGINT ends it with status 0" [ $r = 0 ]
fi
unload
ti trace -i vb >"$TMP/tb.out" 2>"$TMP/tb.err"
r=$?
check "trace -i: a usage error (status 2, one line)" eval '[ $r = 2 ] && one_line "$TMP/tb.err"'
ti trace --prog 999999999 >"$TMP/tb.out" 2>"$TMP/tb.err"
r=$?
check "trace --prog with an id no program has: status 1, one line" eval \
	'[ $r = 1 ] && one_line "$TMP/tb.err" && grep -q "no BPF program with id 999999999" "$TMP/tb.err"'

check "nothing left attached at the end" nothing_attached
