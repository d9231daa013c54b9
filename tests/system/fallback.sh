#!/bin/bash
# tests/system/fallback.sh - every fallback of probe.h on real traffic across a
# veth pair, on this kernel, by making the probe report the feature
# missing (TCPINSPECT_DISABLE): captures in text, --json and -w pcap
# with each setting and with all at once, the exact loss invariant with
# perf buffers overloaded, -c without atomic fetch, replay and flows, and
# nothing left attached; then `tcpinspect probe` itself, and the errors
# that name a missing feature.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root fallback
BPFFS=$TMP/bpffs
fallback_cleanup() {
	mountpoint -q "$BPFFS" 2>/dev/null && umount "$BPFFS"
	cleanup
}
trap fallback_cleanup EXIT
if ! setup_pair; then
	notok fallback-setup "cannot create namespaces and veth pair"
	exit 1
fi
for t in jq tcpdump prlimit; do
	command -v $t >/dev/null || { notok fallback "$t missing (make check installs it)"; exit 1; }
done

ALL=ringbuf,link,btf,fetch,memlock,load_bytes

written() { awk '/packets captured/ { print $1 }' "$1"; }

# What -v must say for each setting, and the attach kind.
says() {
	case $1 in
	ringbuf) echo "events through perf buffers: the kernel lacks the BPF ring buffer" ;;
	load_bytes) echo "events through perf buffers: the kernel lacks bpf_xdp_load_bytes" ;;
	btf) echo "BTF not loaded" ;;
	fetch) echo "plain atomic adds for -c and --sample: the kernel lacks atomic fetch-add" ;;
	memlock) echo "this kernel charges BPF memory to RLIMIT_MEMLOCK: raised it from" ;;
	link) echo "netlink, prog id" ;;
	*) echo "TCPINSPECT_DISABLE: treating as missing" ;;
	esac
}

# capture NAME DISABLE: text, --json and -w pcap captures of real
# connections with TCPINSPECT_DISABLE=DISABLE, each checked whole.
capture() {
	local n=$1 d=$2 kind=bpf_link w
	export TCPINSPECT_DISABLE=$d
	case ,$d, in *,link,*) kind=netlink ;; esac

	# text, -v: what is used instead, the lines (-v: the IP header's on
	# a line, the TCP header's on the next), the accounting
	start_capture "$TMP/t.out" "$TMP/t.err" -i vb -v ||
		notok "$n: text: ready" "$(cat "$TMP/t.err")"
	tcp_session "$B4" 100
	tcp_session "$B4" 3000
	sleep 0.2
	kill -TERM "$CAP_PID"
	wait_exit "$CAP_PID"
	check "$n: text: exits 0" [ $? = 0 ]
	check "$n: -v says what is used instead" grep -qF "$(says "$d")" "$TMP/t.err"
	check "$n: attached with $kind" grep -Eq "^listening on vb \(.* mode, $kind, prog id [0-9]+\)$" "$TMP/t.err"
	check "$n: text: SYN, payloads of 100 and 3000 bytes" eval \
		'grep -Eq "^[0-9:.]+ IP \(tos 0x0, ttl 64, id [0-9]+, offset 0, flags \[DF\], proto TCP \(6\), length [0-9]+\)$" "$TMP/t.out" &&
		 grep -Eq "^    $A4\.[0-9]+ > $B4\.8080: Flags \[S\], cksum 0x[0-9a-f]{4} \((correct|incorrect -> 0x[0-9a-f]{4})\), seq [0-9]+, win [0-9]+, options \[.*\], length 0$" "$TMP/t.out" &&
		 grep -q "length 100$" "$TMP/t.out" && grep -Eq "length (1[0-9]{3}|2[0-9]{3}|3000)$" "$TMP/t.out"'
	check "$n: text: written = packets, nothing lost, invariant exact" eval \
		'[ "$(written "$TMP/t.err")" = "$(grep -vc "^    " "$TMP/t.out")" ] &&
		 [ "$(field "$TMP/t.err" lost)" = 0 ] && invariant "$TMP/t.err"'
	check "$n: text: nothing attached after exit" [ -z "$(xdp_id)" ]

	# --json, -c 3: the kernel's budget, and the racy one without fetch
	start_capture "$TMP/j.out" "$TMP/j.err" -i vb -c 3 --json ||
		notok "$n: json: ready" "$(cat "$TMP/j.err")"
	tcp_session "$B6" 10
	wait_exit "$CAP_PID"
	check "$n: json: exits 0 after -c 3" [ $? = 0 ]
	check "$n: json: 3 objects, IPv6, SYN first, summary adds up" eval \
		'jq -e -s "length == 3 and all(.[]; .proto == \"IP6\" and .dst == \"$B6\" and .dport == 8080 and .iface == \"vb\") and .[0].flags == \"S\"" "$TMP/j.out" >/dev/null &&
		 grep "^{\"written\":" "$TMP/j.err" | jq -e ".written == 3 and .matched == .written + .lost + .sampled_out + .over_budget + .expired" >/dev/null'
	check "$n: json: nothing attached after exit" [ -z "$(xdp_id)" ]

	# -w pcap: whole frames, read back by tcpdump
	rm -f "$TMP/f.pcap"
	start_capture "$TMP/w.out" "$TMP/w.err" -i vb -w "$TMP/f.pcap" ||
		notok "$n: pcap: ready" "$(cat "$TMP/w.err")"
	tcp_session "$B4" 5000
	sleep 0.2
	kill -INT "$CAP_PID"
	wait_exit "$CAP_PID"
	w=$(written "$TMP/w.err")
	# (bytes by sequence range: a segment the sender sent again, as a
	# loaded machine may make it, counts once)
	check "$n: pcap: tcpdump reads every record, SYN first, 5000 bytes in all" eval \
		'[ "$w" -gt 0 ] && [ "$(tcpdump -nr "$TMP/f.pcap" 2>/dev/null | wc -l)" = "$w" ] &&
		 tcpdump -nr "$TMP/f.pcap" 2>/dev/null | head -1 | grep -Eq " IP $A4\.[0-9]+ > $B4\.8080: Flags \[S\]" &&
		 [ "$(tcpdump -nr "$TMP/f.pcap" "dst port 8080" 2>/dev/null | grep -o "seq [0-9]*:[0-9]*" | sort -u |
		      awk -F"[ :]" "{ s += \$3 - \$2 } END { print s }")" = 5000 ]'
	check "$n: pcap: invariant exact, nothing attached" eval \
		'invariant "$TMP/w.err" && [ -z "$(xdp_id)" ]'
	unset TCPINSPECT_DISABLE
}

# --- each fallback alone, then all of them ------------------------------------
capture ringbuf ringbuf
capture link link
capture btf btf
capture fetch fetch
capture load_bytes load_bytes
capture memlock memlock
capture all "$ALL"

# --- perf buffers: an fd per CPU, the kernel's losses next to ours -------------
export TCPINSPECT_DISABLE=ringbuf
start_capture "$TMP/pf.out" "$TMP/pf.err" -i vb -v ||
	notok "perf: ready" "$(cat "$TMP/pf.err")"
ncpu=$(awk '/possible cpus/ { print $3 }' <<<"$("$TI" probe -i lo 2>/dev/null)")
check "perf: a perf event fd per CPU ($ncpu), a buffer on each" eval \
	'[ "$(ls -l /proc/$CAP_PID/fd | grep -c "anon_inode:\[perf_event\]")" = "$ncpu" ] &&
	 grep -Eq "perf buffers: [0-9]+ bytes on each of $ncpu CPUs" "$TMP/pf.err"'
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
# Connections at once, their senders on CPU 0 and on CPU 1, over a veth
# pair with two queues (each queue's receive runs where its sender is,
# so each CPU's perf buffer holds some of them), read while the reader
# was stopped and every buffer filled: the records come out oldest first
# all the same, as from the one ring buffer.
if [ "$ncpu" -ge 2 ] && ip link add qa netns "$NS_A" numtxqueues 2 numrxqueues 2 type veth \
	peer name qb netns "$NS_B" numtxqueues 2 numrxqueues 2 2>/dev/null; then
	ip -n "$NS_A" addr add 198.51.100.1/24 dev qa && ip -n "$NS_B" addr add 198.51.100.2/24 dev qb &&
		ip -n "$NS_A" link set qa up && ip -n "$NS_B" link set qb up
	start_capture "$TMP/po.out" "$TMP/po.err" -i qb -tt ||
		notok "perf: ready" "$(cat "$TMP/po.err")"
	for p in 8091 8092 8093 8094 8095 8096; do
		inb "$PEER" listen 198.51.100.2 $p >"$TMP/po.ready.$p" &
		PIDS="$PIDS $!"
		wait_for "$TMP/po.ready.$p" ready
	done
	kill -STOP "$CAP_PID"
	cs=
	for p in 8091 8092 8093 8094 8095 8096; do
		ina taskset -c $((p % 2)) "$PEER" connect 198.51.100.2 $p 200000 &
		cs="$cs $!"
	done
	wait $cs
	kill -CONT "$CAP_PID"
	sleep 0.3
	kill -TERM "$CAP_PID"
	wait_exit "$CAP_PID"
	check "perf: records of two CPUs in time order ($(wc -l <"$TMP/po.out") lines, $(grep -o '\.809[1-6]: ' "$TMP/po.out" | sort -u | wc -l) connections)" eval \
		'[ "$(grep -o "\.809[1-6]: " "$TMP/po.out" | sort -u | wc -l)" = 6 ] &&
		 awk "{ if (\$1 + 0 < last) bad++; last = \$1 + 0 } END { exit bad > 0 }" "$TMP/po.out"'
	ip -n "$NS_A" link del qa 2>/dev/null
fi
unset TCPINSPECT_DISABLE

# --- perf buffers overloaded: a small buffer, a stalled reader ------------------
overload() {
	local n=$1
	export TCPINSPECT_DISABLE=$2
	start_capture "$TMP/o.out" "$TMP/o.err" -i vb --buffer 8k -s 1500 -v ||
		notok "$n: ready" "$(cat "$TMP/o.err")"
	kill -STOP "$CAP_PID"
	tcp_session "$B4" 3000000
	kill -CONT "$CAP_PID"
	tcp_session "$B4" 100	# after the drain: the kernel reports what it lost
	sleep 0.3
	kill -TERM "$CAP_PID"
	wait_exit "$CAP_PID"
	unset TCPINSPECT_DISABLE
	lost=$(field "$TMP/o.err" lost)
	klost=$(sed -n 's/.*the kernel reported \([0-9]*\) samples lost.*/\1/p' "$TMP/o.err")
	check "$n: events were lost (perf buffers of 8 KiB in all)" eval '[ "$lost" -gt 0 ]'
	check "$n: invariant holds exactly" invariant "$TMP/o.err"
	check "$n: written = packets printed" [ "$(grep -vc "^    " "$TMP/o.out")" = "$(written "$TMP/o.err")" ]
	check "$n: PERF_RECORD_LOST counted $klost of the program's $lost (not added: the same losses)" \
		eval '[ -n "$klost" ] && [ "$klost" -gt 0 ] && [ "$klost" -le "$lost" ]'
	check "$n: nothing attached" [ -z "$(xdp_id)" ]
}
overload "perf overload" ringbuf
overload "all overload" "$ALL"

# --- RLIMIT_MEMLOCK raised when the kernel charges it ---------------------------
# Started with a soft limit of 64 KiB: raised to the hard limit (unlimited
# needs CAP_SYS_RESOURCE or an unlimited hard limit); left alone otherwise.
hard=$(prlimit --memlock -o HARD --noheadings --pid $$ | tr -d ' ')
limit_of() { awk '/Max locked memory/ { print $4 }' "/proc/$1/limits"; }
ulimit -S -l 64
export TCPINSPECT_DISABLE=memlock
start_capture "$TMP/m.out" "$TMP/m.err" -i vb -v ||
	notok "memlock: ready" "$(cat "$TMP/m.err")"
got=$(limit_of "$CAP_PID")
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "memlock: soft limit 64 KiB raised to $hard while running" eval \
	'grep -q "raised it from 64 KiB to" "$TMP/m.err" &&
	 { [ "$hard" = unlimited ] || [ "$got" = "$hard" ]; } && [ "$got" != 65536 ]'
unset TCPINSPECT_DISABLE
start_capture "$TMP/m.out" "$TMP/m.err" -i vb -v ||
	notok "memlock control: ready" "$(cat "$TMP/m.err")"
got=$(limit_of "$CAP_PID")
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "memlock: left at 64 KiB where the kernel does not charge it" eval \
	'[ "$got" = 65536 ] && ! grep -q RLIMIT_MEMLOCK "$TMP/m.err"'
ulimit -S -l "$( [ "$hard" = unlimited ] && echo unlimited || echo $((hard / 1024)) )"

# --- a filter without BTF: ti_filter verified as a static subprogram ----------
export TCPINSPECT_DISABLE=btf
start_capture "$TMP/f.out" "$TMP/f.err" -i vb -v "tcp dst port 8081 and tcp[tcpflags] & tcp-syn != 0" ||
	notok "btf filter: ready" "$(cat "$TMP/f.err")"
tcp_session "$B4" 100
inb "$PEER" listen "$B4" 8081 >"$TMP/r81" &
PIDS="$PIDS $!"
wait_for "$TMP/r81" ready && ina "$PEER" connect "$B4" 8081 100
sleep 0.2
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
unset TCPINSPECT_DISABLE
check "btf filter: loaded without BTF, only the SYN to 8081" eval \
	'grep -q "BTF not loaded" "$TMP/f.err" && ! grep -q "^tcpinspect: BTF loaded" "$TMP/f.err" &&
	 [ "$(grep -vc "^    " "$TMP/f.out")" = 1 ] && grep -q "> $B4\.8081: Flags \[S\]" "$TMP/f.out"'

# --- replay: the same output through every path ----------------------------------
# Also with filters that read the frame's bytes (copied by
# bpf_xdp_load_bytes, or by the perf path's direct copy: the payload of
# these frames is within its 256 bytes) and the record's length.
if ./build/mkpcap >"$TMP/r.pcap" 2>/dev/null; then
	for f in "" 'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420 or ip[6:2] & 0x1fff != 0' \
		 'ip6[40 + 13] & 2 != 0 or tcp[20] = 2 or len > 300 or vlan 100'; do
		"$TI" replay -X "$TMP/r.pcap" ${f:+"$f"} >"$TMP/r0.out" 2>"$TMP/r0.err"
		for d in ringbuf fetch btf load_bytes "$ALL"; do
			TCPINSPECT_DISABLE=$d "$TI" replay -X "$TMP/r.pcap" ${f:+"$f"} \
				>"$TMP/r1.out" 2>"$TMP/r1.err"
			check "replay${f:+ '$f'}, $d off: output and counters as with everything" eval \
				'[ -s "$TMP/r0.out" ] && cmp -s "$TMP/r0.out" "$TMP/r1.out" &&
				 [ "$(grep -v "^reading" "$TMP/r0.err")" = "$(grep -v "^reading" "$TMP/r1.err")" ]'
		done
	done
else
	notok replay "cannot build the test capture (build/mkpcap)"
fi

# --- flows ------------------------------------------------------------------------
export TCPINSPECT_DISABLE=$ALL
start_capture "$TMP/fl.out" "$TMP/fl.err" flows -i vb --json ||
	notok "flows: ready" "$(cat "$TMP/fl.err")"
unset TCPINSPECT_DISABLE
tcp_session "$B4" 100
sleep 0.2
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "flows, all off: the connection counted, nothing attached" eval \
	'jq -e -s "any(.[]; .dport == 8080 and .syn == 1)" "$TMP/fl.out" >/dev/null && [ -z "$(xdp_id)" ]'

# --- errors that name the missing feature --------------------------------------
refuse() {	# refuse NAME DISABLE WANT-RC PATTERN ARGS...
	local n=$1 d=$2 want=$3 pat=$4
	shift 4
	inb env TCPINSPECT_DISABLE="$d" "$TI" "$@" >/dev/null 2>"$TMP/e.err"
	local rc=$?
	if [ $rc = "$want" ] && grep -q "$pat" "$TMP/e.err" && [ -z "$(xdp_id)" ]; then
		ok "$n"
	else
		notok "$n" "rc=$rc: $(cat "$TMP/e.err")"
	fi
}
refuse "no event output: capture refused, both named" ringbuf,perf 1 \
	"no BPF ring buffer (needs Linux 5.8) and no perf event array output from XDP (needs Linux 4.10 with CONFIG_BPF_EVENTS)" -i vb
refuse "ring buffer without load_bytes, no perf: refused" load_bytes,perf 1 \
	"no bpf_xdp_load_bytes (needs Linux 5.18)" -i vb
refuse "no global data: refused" global 1 "no BPF global data (needs Linux 5.2)" -i vb
refuse "no per-CPU arrays: refused" percpu 1 "no per-CPU array maps (needs Linux 4.6)" -i vb
refuse "no JMP32: refused" alu32 1 "no JMP32 instructions (needs Linux 5.1)" -i vb
refuse "no LRU hash: flows refused" lru 1 "no LRU hash maps (needs Linux 4.10)" flows -i vb
refuse "unknown TCPINSPECT_DISABLE name: usage error" ringbuf,bogus 2 "unknown feature 'bogus'" -i vb
mkdir -p "$BPFFS"
if mount -t bpf bpf "$BPFFS" 2>"$TMP/mnt.err"; then
	refuse "no XDP link: load --pin refused" link 1 "needs XDP bpf_link (Linux 5.9)" \
		load build/pass.o -i vb --pin "$BPFFS"
	check "no XDP link: no link pinned" [ ! -e "$BPFFS/xdp-link-vb" ]
else
	skip "no XDP link: load --pin refused" "cannot mount a bpffs: $(cat "$TMP/mnt.err")"
fi
# No LRU hash: captures still work (a stand-in for the flow table).
export TCPINSPECT_DISABLE=lru
start_capture "$TMP/l.out" "$TMP/l.err" -i vb -c 1 ||
	notok "lru off: ready" "$(cat "$TMP/l.err")"
tcp_session "$B4" 10
wait_exit "$CAP_PID"
rc=$?
check "no LRU hash: a capture still works" eval '[ $rc = 0 ] && [ "$(wc -l <"$TMP/l.out")" = 1 ]'
unset TCPINSPECT_DISABLE

# --- tcpinspect probe ---------------------------------------------------------------
ROWS=("ring buffer" "perf event output" "xdp bpf_link" "btf upload" "global data"
      "jmp32/alu32 (v3)" "atomic fetch-add" "bpf_xdp_load_bytes" "per-cpu arrays"
      "lru hash" "memcg accounting")
"$TI" probe -i lo >"$TMP/p.out" 2>"$TMP/p.err"
check "probe: exits 0 here" [ $? = 0 ]
for r in "${ROWS[@]}"; do
	check "probe: '$r' yes on this kernel" grep -Eq "^$(sed 's/[()/]/\\&/g' <<<"$r") +yes$" "$TMP/p.out"
done
check "probe: lo has generic XDP, no native (names the fallback and says why)" eval \
	'grep -Eq "^generic xdp on lo +yes$" "$TMP/p.out" &&
	 grep -Eq "^native xdp on lo +no  -> generic xdp \(.*does not support XDP in native mode\)$" "$TMP/p.out"'
check "probe: possible cpus" grep -Eq "^possible cpus +[1-9][0-9]*$" "$TMP/p.out"
check "probe: one line per feature, aligned" eval \
	'[ "$(wc -l <"$TMP/p.out")" = 16 ] && ! grep -Ev "^.{23}(yes|no  -> .+|[0-9]+)$" "$TMP/p.out"'
# The hooks beside an XDP program (issue 19): this host refuses tracing
# programs (REFERENCE.md), the 6.1 guests have them (tests/qemu).
check "probe: tcx and fentry/fexit rows, the fallback named when there is none" eval \
	'grep -Eq "^tcx bpf_link +(yes|no  -> TC hooks through netlink: a clsact qdisc and cls_bpf filters.*)$" "$TMP/p.out" &&
	 grep -Eq "^fentry/fexit on xdp +(yes|no  -> beside an XDP program, tcx ingress: what it drops is not seen .*)$" "$TMP/p.out"'

disabled_row() {	# disabled_row DISABLE ROW FALLBACK
	TCPINSPECT_DISABLE=$1 "$TI" probe -i lo >"$TMP/pd.out" 2>/dev/null
	check "probe, $1 off: '$2' says no and names the fallback" \
		grep -qF "$(printf '%-23sno  -> %s' "$2" "$3")" "$TMP/pd.out"
}
disabled_row ringbuf "ring buffer" "perf event array, per-CPU perf buffers (TCPINSPECT_DISABLE)"
disabled_row link "xdp bpf_link" "netlink attach, detached on exit (TCPINSPECT_DISABLE)"
disabled_row btf "btf upload" "maps and programs loaded without BTF (TCPINSPECT_DISABLE)"
disabled_row alu32 "jmp32/alu32 (v3)" "none: the program and filters use JMP32 (TCPINSPECT_DISABLE)"
disabled_row fetch "atomic fetch-add" "plain atomic adds: -c and --sample may race across CPUs (TCPINSPECT_DISABLE)"
disabled_row load_bytes "bpf_xdp_load_bytes" "perf buffers: the kernel appends the frame (TCPINSPECT_DISABLE)"
disabled_row memlock "memcg accounting" "RLIMIT_MEMLOCK raised from "
disabled_row lru "lru hash" "captures work; tcpinspect flows does not (TCPINSPECT_DISABLE)"
disabled_row tcx "tcx bpf_link" "TC hooks through netlink: a clsact qdisc and cls_bpf filters (TCPINSPECT_DISABLE)"
TCPINSPECT_DISABLE=$ALL "$TI" probe -i lo >"$TMP/pa.out" 2>/dev/null
rc=$?
check "probe, all off: exactly the six say no, exit 0" eval \
	'[ $rc = 0 ] && [ "$(grep -c "  no  -> .*(TCPINSPECT_DISABLE)$" "$TMP/pa.out")" = 6 ]'
TCPINSPECT_DISABLE=ringbuf,perf "$TI" probe -i lo >"$TMP/pe.out" 2>"$TMP/pe.err"
rc=$?
check "probe, no event output at all: still lists all, exit 1, says why" eval \
	'[ $rc = 1 ] && [ "$(wc -l <"$TMP/pe.out")" = 16 ] &&
	 grep -q "^tcpinspect: this kernel has no BPF ring buffer .*: no way to send events$" "$TMP/pe.err"'

inb "$TI" probe >"$TMP/pn.out" 2>&1
check "probe without -i: XDP modes not tried, 15 lines" eval \
	'grep -Eq "^xdp modes +not tried: -i IFACE tries native and generic there$" "$TMP/pn.out" &&
	 [ "$(wc -l <"$TMP/pn.out")" = 15 ] && ! grep -q "xdp on" "$TMP/pn.out"'
# Native XDP tried on a veth with nothing attached, and removed at once.
inb "$TI" probe -i vb >"$TMP/pv.out" 2>"$TMP/pv.err"
check "probe -i vb: native and generic, nothing left attached" eval \
	'grep -Eq "^native xdp on vb +yes$" "$TMP/pv.out" &&
	 grep -Eq "^generic xdp on vb +yes$" "$TMP/pv.out" && [ -z "$(xdp_id)" ]'
# With a program attached: not tried, the program untouched.
start_capture "$TMP/c.out" "$TMP/c.err" -i vb --mode generic ||
	notok "probe busy: ready" "$(cat "$TMP/c.err")"
id=$(xdp_id)
inb "$TI" probe -i vb >"$TMP/pb.out" 2>"$TMP/pb.err"
check "probe -i vb beside a capture: generic yes, native not tried, program $id kept" eval \
	'grep -Eq "^generic xdp on vb +yes$" "$TMP/pb.out" &&
	 grep -Eq "^native xdp on vb +\?   -> not tried: program $id is attached in generic mode$" "$TMP/pb.out" &&
	 [ "$(xdp_id)" = "$id" ]'
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "probe: nothing attached at the end" [ -z "$(xdp_id)" ]
