#!/bin/bash
# tests/system/direction.sh - --direction in, out and both on a veth pair,
# against tcpdump -Q in / -Q out on the same interface (tcpdump sees the
# outgoing half where TC egress does: before segmentation offload, so a
# GSO super-packet is one line in both).
#
#   - text: three captures at once (both, in, out; the ready line names
#     their hooks) each print exactly tcpdump's lines (-S: relative
#     numbers depend on what a tool saw of the other half); both marks
#     each line In or Out, and its In lines are tcpdump -Q in's, its Out
#     lines tcpdump -Q out's; the same at TC over netlink
#     (TCPINSPECT_DISABLE=tcx: a cls_bpf filter at egress);
#   - JSON: "dir" on every object, the counts per direction tcpdump's,
#     and in is to this end's address, out from it;
#   - pcapng (-w --pcapng): tshark reads the EPB flags' direction
#     (frame.packet_flags_direction, 1 inbound, 2 outbound) for every
#     frame, counts per direction tcpdump's, inbound to this end;
#   - loopback: --direction out on lo is refused (status 2, the reason,
#     nothing attached); both on lo attaches XDP alone and captures each
#     packet once, marked In, exactly tcpdump -Q in's lines (and tcpdump
#     -Q out shows none); -i any --direction out leaves lo out;
#   - every run leaves nothing attached on either hook (show, tc, ip,
#     bpftool prog show of the ids it named).
#
# Names of its own (namespaces hd-PID-a/b, interfaces hd-PID-a/b).
# DIRECTION_KEEP=DIR keeps the outputs there.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
trap '[ -n "$DIRECTION_KEEP" ] && rm -rf "$DIRECTION_KEEP" && cp -a "$TMP" "$DIRECTION_KEEP"
      cleanup' EXIT
need_root direction
for t in tcpdump tshark jq bpftool tc; do
	command -v $t >/dev/null || { skip direction "$t missing (make check installs it)"; exit 0; }
done
[ -x "$PEER" ] || { notok direction "$PEER missing (make $PEER)"; exit 1; }
NS_A=hd-$$-a NS_B=hd-$$-b	# removed by cleanup()
IA=hd-$$-a IB=hd-$$-b
A4=10.203.$(($$ % 200)).1 B4=10.203.$(($$ % 200)).2
A6=fd00:6864::1 B6=fd00:6864::2

if ! setup_pair; then
	notok direction-setup "cannot create namespaces and veth pair"
	exit 1
fi

# cap NAME ARGS...: tcpinspect in NS_B in the background up to its ready
# line; $TMP/NAME.out, .err; its pid in P_NAME.
cap() {
	local name=$1
	shift
	start_capture "$TMP/$name.out" "$TMP/$name.err" "$@" ||
		notok "$name: ready" "$(head -2 "$TMP/$name.err")"
	eval "P_$name=\$CAP_PID"
}
# td NAME IF DIR: tcpdump -Q DIR -S -t in NS_B, text, up to "listening"
# (headers only and a large buffer: it must not drop).
td() {
	rm -f "$TMP/$1.td" "$TMP/$1.td.err"
	ip netns exec "$NS_B" tcpdump -n -S -t -l --immediate-mode -s 256 -B 16384 \
		-i "$2" -Q "$3" tcp >"$TMP/$1.td" 2>"$TMP/$1.td.err" &
	eval "T_$1=\$!"
	PIDS="$PIDS $!"
	wait_for "$TMP/$1.td.err" 'listening on' && sleep 0.3
}
stop() {	# stop SIG PID...: signal each, wait for each (bounded)
	local sig=$1 p
	shift
	kill -"$sig" "$@" 2>/dev/null
	for p; do wait_exit "$p" >/dev/null 2>&1; done
}
# listen NS ADDR PORT: peer listen in the background, up to "ready".
listen() {
	rm -f "$TMP/ready.$3"
	ip netns exec "$1" "$PEER" listen "$2" "$3" >"$TMP/ready.$3" 2>/dev/null &
	PIDS="$PIDS $!"
	wait_for "$TMP/ready.$3" ready
}
# traffic: to NS_B (IPv4 60 kB, IPv6 5 kB) and from it (IPv4 200 kB: its
# outgoing half large segments, GSO), all real connections.
traffic() {
	listen "$NS_B" "$B4" 7001 && timeout 5 ip netns exec "$NS_A" "$PEER" connect "$B4" 7001 60000 &&
	listen "$NS_B" "$B6" 7002 && timeout 5 ip netns exec "$NS_A" "$PEER" connect "$B6" 7002 5000 &&
	listen "$NS_A" "$A4" 7003 && timeout 5 ip netns exec "$NS_B" "$PEER" connect "$A4" 7003 200000
}
lines() { grep -c . "$1"; }
sorted() { grep . "$1" | sort; }	# (tcpdump ends with an empty line)
# same A B MIN: the same lines (a multiset), at least MIN of them.
same() { [ "$(lines "$1")" -ge "$3" ] && cmp -s <(sorted "$1") <(sorted "$2"); }
differ() {
	echo "$(lines "$1") and $(lines "$2") lines ($(grep -h "dropped by kernel" "$2.err" 2>/dev/null));$(diff <(sorted "$1") <(sorted "$2") |
		grep '^[<>]' | head -2 | cut -c1-200 | tr '\n' ' ')"
}
cmp_td() {	# cmp_td NAME FILE TDFILE MIN: ok if the same lines
	if same "$2" "$3" "$4"; then
		ok "$1 ($(lines "$2") lines)"
	else
		notok "$1" "$(differ "$2" "$3")"
	fi
}
# split_marks FILE IF: "IF In  X" -> FILE.in "X", "IF Out X" -> FILE.out,
# anything else -> FILE.bad
split_marks() {
	awk -v i="$2" -v f="$1" '
		$1 == i && $2 == "In" { sub(/^[^ ]+ +In  /, ""); print >(f ".in"); next }
		$1 == i && $2 == "Out" { sub(/^[^ ]+ +Out /, ""); print >(f ".out"); next }
		NF { print >(f ".bad") }' "$1"
}
INO_B=$(ip netns exec "$NS_B" stat -L -c %i /proc/self/ns/net)
# left IF: what of ours is on IF of NS_B (show, TC filters, clsact, XDP,
# /run/tcpinspect), one line each.
left() {
	ip netns exec "$NS_B" "$TI" show 2>&1 | sed 's/^/show: /'
	ip netns exec "$NS_B" tc filter show dev "$1" ingress 2>/dev/null | sed 's/^/tc ingress: /'
	ip netns exec "$NS_B" tc filter show dev "$1" egress 2>/dev/null | sed 's/^/tc egress: /'
	ip netns exec "$NS_B" tc qdisc show dev "$1" | grep clsact | sed 's/^/qdisc: /'
	[ -n "$(xdp_id "$1")" ] && echo "xdp: $(xdp_id "$1")"
	ls /run/tcpinspect 2>/dev/null | grep -e "-$INO_B-" -e "-$INO_B\.lock" | sed 's/^/file: /'
}
jqs() { jq -se "$@" >/dev/null; }
ids_of() { sed -n 's/.*prog id \([0-9]*\))$/\1/p' "$@"; }
gone_ids() {	# gone_ids ID...: bpftool knows none of them
	local i
	for i; do bpftool prog show id "$i" >/dev/null 2>&1 && return 1; done
	return 0
}

# --- text: both, in and out at once -------------------------------------------
td rin "$IB" in
td rout "$IB" out
cap both -i "$IB" -S -t --direction both
cap in -i "$IB" -S -t --direction in
cap out -i "$IB" -S -t --direction out
check "text: both's ready line: XDP and tcx egress" grep -q \
	"^listening on $IB (native mode, bpf_link, tcx egress, prog id [0-9]*)$" "$TMP/both.err"
check "text: in's ready line: tcx ingress beside the first capture (XDP program $(xdp_id "$IB"))" grep -q \
	"^listening on $IB (tcx ingress beside another capture (XDP program $(xdp_id "$IB")), prog id [0-9]*)$" "$TMP/in.err"
check "text: out's ready line: tcx egress alone" grep -q \
	"^listening on $IB (tcx egress, prog id [0-9]*)$" "$TMP/out.err"
check "text: while they run, show lists their 3 tcx links and the XDP program" eval \
	'[ "$(ip netns exec "$NS_B" "$TI" show | grep -c " capture pid [0-9]* hook tcx ")" = 3 ] &&
	 ip netns exec "$NS_B" "$TI" show | grep -q " name tcpinspect .* pid $P_both$"'
IDS=$(ids_of "$TMP/both.err" "$TMP/in.err" "$TMP/out.err")
# (the checks after exit are worth something only if they see ours now)
check "text: while they run, the check for what is left sees XDP and 3 tcx links" eval \
	'[ "$(left "$IB" | grep -c -e "^xdp: " -e " hook tcx ")" = 4 ]'
check "traffic: 3 connections, both ways" traffic
sleep 0.3
stop TERM "$P_both" "$P_in" "$P_out"
stop INT "$T_rin" "$T_rout"
split_marks "$TMP/both.out" "$IB"
check "text both: every line marked In or Out after the interface name" \
	eval '[ ! -s "$TMP/both.out.bad" ] && [ -s "$TMP/both.out.in" ] && [ -s "$TMP/both.out.out" ]'
cmp_td "text both: its In lines = tcpdump -Q in" "$TMP/both.out.in" "$TMP/rin.td" 50
cmp_td "text both: its Out lines = tcpdump -Q out" "$TMP/both.out.out" "$TMP/rout.td" 50
cmp_td "text --direction in = tcpdump -Q in" "$TMP/in.out" "$TMP/rin.td" 50
cmp_td "text --direction out = tcpdump -Q out" "$TMP/out.out" "$TMP/rout.td" 50
check "text in and out alone: no In/Out marks (one interface, one way)" eval \
	'! grep -q "^$IB " "$TMP/in.out" "$TMP/out.out"'
check "text out: GSO, segments longer than the MTU's (as tcpdump)" \
	grep -Eq 'length ([2-9][0-9]{3}|[0-9]{5})$' "$TMP/out.out"
check "text: the summaries count the lines" eval '
	[ "$(sed -n "s/^\([0-9]*\) packets captured.*/\1/p" "$TMP/both.err")" = "$(lines "$TMP/both.out")" ] &&
	[ "$(sed -n "s/^\([0-9]*\) packets captured.*/\1/p" "$TMP/out.err")" = "$(lines "$TMP/out.out")" ]'
l=$(left "$IB")
check "text: nothing left on $IB (XDP, tcx, TC, /run)${l:+: $l}" [ -z "$l" ]
check "text: their programs are gone ($(echo $IDS))" gone_ids $IDS

# --- both over netlink cls_bpf (no tcx) -----------------------------------------
td tcin "$IB" in
td tcout "$IB" out
export TCPINSPECT_DISABLE=tcx
cap tc -i "$IB" -S -t --direction both
unset TCPINSPECT_DISABLE
check "tc both: ready line: XDP and tc egress" grep -q \
	"^listening on $IB (native mode, bpf_link, tc egress, prog id [0-9]*)$" "$TMP/tc.err"
check "tc both: a cls_bpf filter at egress, named for it" eval \
	'ip netns exec "$NS_B" tc filter show dev "$IB" egress | grep -q "tcpinspect-$P_tc direct-action"'
IDS=$(ids_of "$TMP/tc.err")
check "tc both: traffic" traffic
sleep 0.3
stop TERM "$P_tc"
stop INT "$T_tcin" "$T_tcout"
split_marks "$TMP/tc.out" "$IB"
cmp_td "tc both: In lines = tcpdump -Q in" "$TMP/tc.out.in" "$TMP/tcin.td" 50
cmp_td "tc both: Out lines = tcpdump -Q out" "$TMP/tc.out.out" "$TMP/tcout.td" 50
l=$(left "$IB")
check "tc both: nothing left on $IB (filter and the clsact it made gone)${l:+: $l}" [ -z "$l" ]
check "tc both: its program is gone" gone_ids $IDS

# --- JSON and pcapng ---------------------------------------------------------------
td jin "$IB" in
td jout "$IB" out
cap json -i "$IB" --json --direction both
cap png -i "$IB" --direction both -w "$TMP/both.pcapng" --pcapng
IDS=$(ids_of "$TMP/json.err" "$TMP/png.err")
check "json/pcapng: traffic" traffic
sleep 0.3
stop TERM "$P_json" "$P_png"
stop INT "$T_jin" "$T_jout"
nin=$(lines "$TMP/jin.td") nout=$(lines "$TMP/jout.td")
J=$TMP/json.out
check "json: every object has dir in or out" jqs 'length > 0 and all(.dir == "in" or .dir == "out")' "$J"
check "json: $nin in and $nout out, as tcpdump -Q in and -Q out" eval \
	'[ "$(jq -s "map(select(.dir == \"in\")) | length" "$J")/$(jq -s "map(select(.dir == \"out\")) | length" "$J")" = "$nin/$nout" ]'
check "json: in is to $IB's addresses, out from them" jqs --arg b4 "$B4" --arg b6 "$B6" \
	'all(if .dir == "in" then (.dst == $b4 or .dst == $b6) else (.src == $b4 or .src == $b6) end)' "$J"
tshark -r "$TMP/both.pcapng" -T fields -E separator=, -e frame.packet_flags_direction -e ip.dst -e ipv6.dst \
	2>"$TMP/tshark.err" >"$TMP/png.dir"
check "pcapng: tshark reads every frame's direction flag: $nin inbound (1), $nout outbound (2), as tcpdump" awk -F, \
	-v nin="$nin" -v nout="$nout" '
	{ d = $1 + 0; if (d == 1) i++; else if (d == 2) o++; else bad++ }
	END { exit !(!bad && i == nin && o == nout && i + o > 0) }' "$TMP/png.dir"
check "pcapng: inbound frames are to $IB's addresses, outbound from elsewhere" awk -F, \
	-v b4="$B4" -v b6="$B6" '
	{ to = ($2 == b4 || $3 == b6); if (($1 + 0 == 1) != to) bad++ } END { exit bad }' "$TMP/png.dir"
l=$(left "$IB")
check "json/pcapng: nothing left on $IB${l:+: $l}" [ -z "$l" ]
check "json/pcapng: their programs are gone" gone_ids $IDS

# --- loopback -------------------------------------------------------------------------
# (lo of NS_B: lo's traffic, from NS_B to itself)
lo_traffic() {
	listen "$NS_B" 127.0.0.1 7004 && timeout 5 ip netns exec "$NS_B" "$PEER" connect 127.0.0.1 7004 30000
}
ip netns exec "$NS_B" "$TI" -i lo --direction out -c 1 >"$TMP/lo_out.out" 2>"$TMP/lo_out.err"
rc=$?
check "lo --direction out: refused, status 2, saying why" eval \
	'[ $rc = 2 ] && grep -q "^tcpinspect: lo is a loopback interface: every packet on it arrives there too, and is captured as incoming (tcpdump -Q out shows none either); use --direction in or both$" "$TMP/lo_out.err" && [ ! -s "$TMP/lo_out.out" ]'
l=$(left lo)
check "lo --direction out: nothing attached to lo${l:+: $l}" [ -z "$l" ]
td loin lo in
td loout lo out
cap lo -i lo -S -t --direction both
cap loj -i lo --json --direction both
IDS=$(ids_of "$TMP/lo.err" "$TMP/loj.err")
check "lo both: the first XDP alone, the second tcx ingress beside it: no egress hook" eval \
	'grep -q "^listening on lo (generic mode, bpf_link, prog id [0-9]*)$" "$TMP/lo.err" &&
	 grep -q "^listening on lo (tcx ingress beside another capture (XDP program [0-9]*), prog id [0-9]*)$" "$TMP/loj.err"'
check "lo both: nothing at lo's egress meanwhile (show, tc)" eval \
	'[ -z "$(ip netns exec "$NS_B" tc filter show dev lo egress 2>/dev/null)" ] &&
	 ip netns exec "$NS_B" "$TI" show | grep -q " hook tcx ingress " &&
	 ! ip netns exec "$NS_B" "$TI" show | grep -q " hook tcx* egress"'
check "lo: traffic" lo_traffic
sleep 0.3
stop TERM "$P_lo" "$P_loj"
stop INT "$T_loin" "$T_loout"
split_marks "$TMP/lo.out" lo
check "lo both: every line marked In" eval '[ ! -s "$TMP/lo.out.bad" ] && [ ! -e "$TMP/lo.out.out" ]'
check "lo: tcpdump -Q out shows nothing" eval '[ "$(lines "$TMP/loout.td")" = 0 ]'
cmp_td "lo both: each packet once, = tcpdump -Q in" "$TMP/lo.out.in" "$TMP/loin.td" 10
check "lo both: every packet is in the --json capture too, dir in" eval \
	'[ "$(jq -s "map(select(.dir == \"in\")) | length" "$TMP/loj.out")" = "$(lines "$TMP/loin.td")" ]'
check "lo both: JSON dir in on every object" jqs 'length > 0 and all(.dir == "in")' "$TMP/loj.out"
l=$(left lo)
check "lo both: nothing left on lo${l:+: $l}" [ -z "$l" ]
check "lo both: its programs are gone" gone_ids $IDS

# -i any --direction out: IB's outgoing half, not lo's
cap any -i any -S -t --direction out
check "any out: nothing on lo (its packets all arrive), tcx egress on $IB" eval \
	'grep -q "^listening on .*lo (nothing: its packets all arrive)" "$TMP/any.err" &&
	 grep -q "^listening on .*$IB (tcx egress)" "$TMP/any.err"'
check "any out: nothing attached to lo meanwhile" eval \
	'[ -z "$(xdp_id lo)" ] && ! ip netns exec "$NS_B" "$TI" show | grep -q "^lo "'
IDS=$(ids_of "$TMP/any.err")
listen "$NS_B" "$B4" 7005 && timeout 5 ip netns exec "$NS_A" "$PEER" connect "$B4" 7005 3000
lo_traffic
sleep 0.3
stop TERM "$P_any"
check "any out: $IB's Out lines, none of lo's (as tcpdump -i any -Q out)" eval \
	'grep -q "^$IB Out .*\.7005 > " "$TMP/any.out" && ! grep -qv "^$IB Out " <(grep . "$TMP/any.out")'
l=$(left "$IB")$(left lo)
check "any out: nothing left on $IB and lo${l:+: $l}" [ -z "$l" ]
