#!/bin/bash
# tests/system/beside.sh - a capture beside somebody else's XDP program.
#
# build/fw.o (tests/objs/fw.c: drops TCP to port 5001, passes the rest)
# is loaded on the capturing end of a veth pair by `tcpinspect load`
# (netlink, as `ip link set dev X xdp obj` would).  On this kernel
# fentry/fexit is refused (lockdown; docs/hooks.md), so a plain capture
# must go to TC ingress, after the firewall, and never take its place:
#
#   - the ready line names tcx ingress (tc ingress with
#     TCPINSPECT_DISABLE=tcx) and warns that what fw drops is not seen;
#   - what it captures equals what tcpdump -Q in sees on the same
#     interface (tcpdump sits after XDP too), line for line; the SYNs to
#     port 5001 were sent (tcpdump on the other end) and neither saw them;
#   - fw's program id stays attached during and after; after exit no tcx
#     link (tcpinspect show), cls_bpf filter or clsact qdisc (tc), program
#     (bpftool prog show id), nor a file of ours in /run/tcpinspect stays;
#   - SIGKILL: a tcx link goes with the process; a cls_bpf filter
#     (TCPINSPECT_DISABLE=tcx) is removed by the guardian, with the qdisc
#     it made;
#   - --replace replaces fw and puts the same id back at exit (SIGTERM
#     and SIGKILL), and meanwhile sees port 5001;
#   - three captures started at once on one interface all start (the
#     attach lock in session.c) and each sees all the traffic: beside fw
#     (all at tcx ingress), and on an interface with no XDP program (one
#     attaches XDP, the others go beside it).
#
# Names of its own (namespaces hb-PID-a/b, interfaces hb-PID-a/b), so it
# can run beside other tests; everything goes at exit (lib.sh's trap).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root beside
for t in tcpdump bpftool tc; do
	command -v $t >/dev/null || { skip beside "$t missing (make check installs it)"; exit 0; }
done
for b in build/fw.o "$PEER"; do
	[ -e "$b" ] || { notok beside "$b missing (make $b)"; exit 1; }
done
NS_A=hb-$$-a NS_B=hb-$$-b	# removed by cleanup()
IA=hb-$$-a IB=hb-$$-b
A4=10.202.$(($$ % 200)).1 B4=10.202.$(($$ % 200)).2
A6=fd00:6862::1 B6=fd00:6862::2

if ! setup_pair; then
	notok beside-setup "cannot create namespaces and veth pair"
	exit 1
fi

# bgcap NS OUT ERR ARGS...: tcpinspect in NS in the background (not
# waited for); its pid appended to STARTED.
bgcap() {
	local ns=$1 out=$2 err=$3
	shift 3
	rm -f "$out" "$err"
	ip netns exec "$ns" "$TI" "$@" >"$out" 2>"$err" &
	PIDS="$PIDS $!"
	STARTED="$STARTED $!"
}
# td_start NS IF DIR FILE: tcpdump -Q DIR, text without time stamps, up
# to its "listening" (headers only and a large buffer: it must not
# drop); TD_PID.
td_start() {
	rm -f "$4" "$4.err"
	ip netns exec "$1" tcpdump -n -t -l --immediate-mode -s 256 -B 16384 -i "$2" -Q "$3" tcp \
		>"$4" 2>"$4.err" &
	TD_PID=$!
	PIDS="$PIDS $TD_PID"
	wait_for "$4.err" 'listening on' && sleep 0.3
}
stop() {	# stop SIG PID...: signal each, wait for each (bounded)
	local sig=$1 p
	shift
	kill -"$sig" "$@" 2>/dev/null
	for p; do wait_exit "$p" >/dev/null 2>&1; done
}
# traffic: through fw: 3000 bytes to 5002 over IPv4, 2000 over IPv6
# (passed), and one attempt each on 5001 (its SYN dropped: the client
# gives up after 1.2 s, before its second retransmission).
traffic() {
	local r
	rm -f "$TMP/l4" "$TMP/l6"
	ip netns exec "$NS_B" "$PEER" listen "$B4" 5002 >"$TMP/l4" 2>/dev/null &
	PIDS="$PIDS $!"
	ip netns exec "$NS_B" "$PEER" listen "$B6" 5002 >"$TMP/l6" 2>/dev/null &
	PIDS="$PIDS $!"
	wait_for "$TMP/l4" ready && wait_for "$TMP/l6" ready || return 1
	timeout 5 ip netns exec "$NS_A" "$PEER" connect "$B4" 5002 3000 &&
		timeout 5 ip netns exec "$NS_A" "$PEER" connect "$B6" 5002 2000 || return 1
	timeout 1.2 ip netns exec "$NS_A" "$PEER" connect "$B4" 5001 100 2>/dev/null
	r=$?
	timeout 1.2 ip netns exec "$NS_A" "$PEER" connect "$B6" 5001 100 2>/dev/null
	r="$r/$?"
	[ "$r" = 124/124 ]	# both timed out: dropped
}
lines() { grep -c . "$1"; }
# sorted FILE: its lines that are not empty (tcpdump ends with one), sorted
sorted() { grep . "$1" | sort; }
# same A B [MIN]: the two texts hold the same lines (a multiset), at
# least MIN (10).
same() { [ "$(lines "$1")" -ge "${3:-10}" ] && cmp -s <(sorted "$1") <(sorted "$2"); }
differ() {
	echo "$(lines "$1") and $(lines "$2") lines; $(diff <(sorted "$1") <(sorted "$2") |
		grep '^[<>]' | head -2 | cut -c1-200 | tr '\n' ' ')"
}
netns_ino() { ip netns exec "$1" stat -L -c %i /proc/self/ns/net; }
INO_B=$(netns_ino "$NS_B")
INO_A=$(netns_ino "$NS_A")
# ours_left NS IF INO: what of ours is on IF after exit: show's lines
# other than XDP program KEEP, TC filters, a clsact qdisc, /run files.
ours_left() {
	local ns=$1 ifn=$2 ino=$3 keep=$4
	ip netns exec "$ns" "$TI" show 2>&1 | grep -v " mode [a-z]* id $keep name fw_drop5001 " |
		grep . | sed 's/^/show: /'
	ip netns exec "$ns" tc filter show dev "$ifn" ingress 2>/dev/null | sed 's/^/tc ingress: /'
	ip netns exec "$ns" tc filter show dev "$ifn" egress 2>/dev/null | sed 's/^/tc egress: /'
	ip netns exec "$ns" tc qdisc show dev "$ifn" | grep clsact | sed 's/^/qdisc: /'
	ls /run/tcpinspect 2>/dev/null | grep -e "-$ino-" -e "-$ino\.lock" | sed 's/^/file: /'
}
prog_gone() { ! bpftool prog show id "$1" >/dev/null 2>&1; }
# ready_id ERR: the prog id of tcpinspect's ready line.
ready_id() { sed -n 's/^listening on .*prog id \([0-9]*\))$/\1/p' "$1" | head -1; }

# --- fw.o, loaded as another tool would --------------------------------------
ip netns exec "$NS_B" "$TI" load build/fw.o -i "$IB" >"$TMP/load.out" 2>&1
FW=$(xdp_id "$IB")
if [ -z "$FW" ]; then
	notok "fw.o loaded" "$(cat "$TMP/load.out")"
	exit 1
fi
check "fw.o loaded: its program $FW on $IB, by tcpinspect load" \
	grep -q "^loaded prog id $FW (fw_drop5001) on $IB " "$TMP/load.out"

# --- a plain capture, tcx and tc: what fw passes, as tcpdump sees it --------
for tc in tcx tc; do
	n="beside fw ($tc)"
	td_start "$NS_A" "$IA" out "$TMP/sent.td" || notok "$n: tcpdump on $IA ready" "$(cat "$TMP/sent.td.err")"
	TD_A=$TD_PID
	td_start "$NS_B" "$IB" in "$TMP/rx.td" || notok "$n: tcpdump on $IB ready" "$(cat "$TMP/rx.td.err")"
	TD_B=$TD_PID
	[ $tc = tc ] && export TCPINSPECT_DISABLE=tcx
	start_capture "$TMP/c.out" "$TMP/c.err" -i "$IB" -t ||
		notok "$n: ready" "$(head -2 "$TMP/c.err")"
	unset TCPINSPECT_DISABLE
	id=$(ready_id "$TMP/c.err")
	check "$n: the ready line names $tc ingress after fw and warns that its drops are not seen" \
		grep -q "^listening on $IB ($tc ingress after XDP program $FW (fw_drop5001): packets $IB's XDP program drops are not seen, prog id $id)$" "$TMP/c.err"
	check "$n: fw's program $FW still attached while capturing" [ "$(xdp_id "$IB")" = "$FW" ]
	if [ $tc = tcx ]; then
		check "$n: show lists the capture's tcx ingress link" eval \
			'ip netns exec "$NS_B" "$TI" show | grep -q "^$IB ifindex [0-9]* capture pid $CAP_PID hook tcx ingress prog id $id name ti_tc_in link [0-9]*$"'
	else
		check "$n: a cls_bpf filter named for it at ingress (tc), in show too" eval \
			'ip netns exec "$NS_B" tc filter show dev "$IB" ingress | grep -q "tcpinspect-$CAP_PID direct-action.* id $id " &&
			 ip netns exec "$NS_B" "$TI" show | grep -q "^$IB ifindex [0-9]* capture pid $CAP_PID hook tc ingress prog id $id name ti_tc_in prio [0-9]*$"'
	fi
	# (the check after exit is worth something only if it sees ours now)
	check "$n: while it runs, the check for what is left sees it" \
		eval '[ -n "$(ours_left "$NS_B" "$IB" "$INO_B" "$FW")" ]'
	check "$n: traffic: port 5002 passes, port 5001 is dropped (v4, v6)" traffic
	sleep 0.3
	stop TERM "$CAP_PID"
	rc=$?
	stop INT "$TD_A" "$TD_B"
	check "$n: SIGTERM ends it, status 0, the summary" eval '[ $rc = 0 ] && grep -q "packets captured" "$TMP/c.err"'
	if same "$TMP/c.out" "$TMP/rx.td"; then
		ok "$n: captured = what tcpdump -Q in saw on $IB ($(lines "$TMP/c.out") segments)"
	else
		notok "$n: captured = what tcpdump -Q in saw on $IB" "$(differ "$TMP/c.out" "$TMP/rx.td")"
	fi
	syns=$(grep -c '\.5001: Flags \[S\]' "$TMP/sent.td")
	check "$n: the SYNs to 5001 were sent ($syns on $IA), none captured nor seen by tcpdump on $IB" eval \
		'[ "$syns" -ge 2 ] && ! grep -q "\.5001: " "$TMP/c.out" "$TMP/rx.td"'
	check "$n: all of port 5002's segments captured (sent by $IA = captured)" eval \
		'[ "$(grep -c "\.5002: " "$TMP/sent.td")" = "$(grep -c "\.5002: " "$TMP/c.out")" ]'
	check "$n: after exit fw's program $FW is still attached" [ "$(xdp_id "$IB")" = "$FW" ]
	left=$(ours_left "$NS_B" "$IB" "$INO_B" "$FW")
	check "$n: after exit nothing of ours on $IB (show, tc filters, clsact, /run/tcpinspect)${left:+: $left}" [ -z "$left" ]
	check "$n: after exit its program $id is gone (bpftool)" prog_gone "$id"
done

# --- SIGKILL -------------------------------------------------------------------
for tc in tcx tc; do
	n="SIGKILL ($tc)"
	[ $tc = tc ] && export TCPINSPECT_DISABLE=tcx
	start_capture "$TMP/k.out" "$TMP/k.err" -i "$IB" || notok "$n: ready" "$(head -2 "$TMP/k.err")"
	unset TCPINSPECT_DISABLE
	id=$(ready_id "$TMP/k.err")
	g=$(pgrep -P "$CAP_PID" -x ti-guardian | head -1)
	if [ $tc = tcx ]; then
		check "$n: no guardian beside a tcx link" [ -z "$g" ]
	else
		check "$n: a guardian beside the cls_bpf filter" [ -n "$g" ]
		check "$n: it made the clsact qdisc (marked in /run/tcpinspect)" eval \
			'ip netns exec "$NS_B" tc qdisc show dev "$IB" | grep -q clsact && ls /run/tcpinspect | grep -q "^clsact-$INO_B-"'
	fi
	kill -9 "$CAP_PID"
	wait "$CAP_PID" 2>/dev/null
	for i in $(seq 50); do
		[ -z "$(ours_left "$NS_B" "$IB" "$INO_B" "$FW")" ] && prog_gone "$id" && break
		sleep 0.1
	done
	left=$(ours_left "$NS_B" "$IB" "$INO_B" "$FW")
	check "$n: nothing of ours left on $IB${left:+: $left}" [ -z "$left" ]
	check "$n: its program $id is gone" prog_gone "$id"
	check "$n: fw's program $FW still attached" [ "$(xdp_id "$IB")" = "$FW" ]
	if [ $tc = tc ]; then
		check "$n: the guardian says it removed the filter" grep -q \
			"^tcpinspect: guardian: pid $CAP_PID ended without detaching from $IB: its 1 cls_bpf filter removed$" "$TMP/k.err"
		check "$n: the guardian exits after" eval 'for i in $(seq 50); do kill -0 "$g" 2>/dev/null || break; sleep 0.1; done; ! kill -0 "$g" 2>/dev/null'
	fi
done

# --- --replace: fw's place, then fw back --------------------------------------
for how in TERM KILL; do
	n="--replace, SIG$how"
	td_start "$NS_B" "$IB" in "$TMP/rx.td" || notok "$n: tcpdump ready" "$(cat "$TMP/rx.td.err")"
	TD_B=$TD_PID
	start_capture "$TMP/r.out" "$TMP/r.err" -i "$IB" -t --replace || notok "$n: ready" "$(head -2 "$TMP/r.err")"
	during=$(xdp_id "$IB")
	check "$n: says it replaces fw and puts it back" grep -q \
		"^tcpinspect: replacing XDP program $FW (fw_drop5001) on $IB; it is put back at exit$" "$TMP/r.err"
	check "$n: our XDP program in fw's place" eval \
		'[ -n "$during" ] && [ "$during" != "$FW" ] && grep -q "^listening on $IB ([a-z]* mode, netlink, prog id $during)$" "$TMP/r.err"'
	rm -f "$TMP/l1"
	ip netns exec "$NS_B" "$PEER" listen "$B4" 5001 >"$TMP/l1" 2>/dev/null &
	PIDS="$PIDS $!"
	wait_for "$TMP/l1" ready
	check "$n: meanwhile port 5001 is reachable" timeout 5 ip netns exec "$NS_A" "$PEER" connect "$B4" 5001 1000
	sleep 0.3
	stop "$how" "$CAP_PID"
	stop INT "$TD_B"
	if [ $how = TERM ]; then
		if same "$TMP/r.out" "$TMP/rx.td" 5 && grep -q '\.5001: Flags \[S\]' "$TMP/r.out"; then
			ok "$n: port 5001's connection captured, = tcpdump ($(lines "$TMP/r.out") segments)"
		else
			notok "$n: port 5001's connection captured, = tcpdump" "$(differ "$TMP/r.out" "$TMP/rx.td")"
		fi
	else
		check "$n: the guardian put fw back" grep -q \
			"guardian: pid $CAP_PID ended without detaching from $IB: its program $during removed, program $FW (fw_drop5001) put back" "$TMP/r.err"
	fi
	for i in $(seq 50); do [ "$(xdp_id "$IB")" = "$FW" ] && break; sleep 0.1; done
	check "$n: fw is back, same id $FW" [ "$(xdp_id "$IB")" = "$FW" ]
	check "$n: fw drops port 5001 again" eval '! timeout 1.2 ip netns exec "$NS_A" "$PEER" connect "$B4" 5001 100 2>/dev/null'
	left=$(ours_left "$NS_B" "$IB" "$INO_B" "$FW")
	check "$n: nothing else of ours on $IB${left:+: $left}" [ -z "$left" ]
done

# --- three captures started at once ------------------------------------------
# beside fw on IB (incoming: the client's segments), and on IA, which has
# no XDP program (incoming: the server's segments)
for where in "$NS_B $IB fw" "$NS_A $IA none"; do
	set -- $where
	ns=$1 ifn=$2 what=$3
	n="three at once on $ifn ($([ $what = fw ] && echo "beside fw" || echo "no XDP program"))"
	td_start "$ns" "$ifn" in "$TMP/m.td" || notok "$n: tcpdump ready" "$(cat "$TMP/m.td.err")"
	TD=$TD_PID
	STARTED=
	for k in 1 2 3; do bgcap "$ns" "$TMP/m$k.out" "$TMP/m$k.err" -i "$ifn" -t; done
	caps=$STARTED
	r=0
	for k in 1 2 3; do wait_for "$TMP/m$k.err" '^listening on' && r=$((r + 1)); done
	check "$n: all three started" eval '[ $r = 3 ] && ! grep -q "^tcpinspect: " "$TMP"/m[123].err'
	if [ $what = fw ]; then
		check "$n: each at tcx ingress after fw" eval \
			'[ "$(grep -c "^listening on $ifn (tcx ingress after XDP program $FW (fw_drop5001): " "$TMP"/m[123].err | grep -c ":1$")" = 3 ]'
	else
		check "$n: one attached XDP, two went beside it to tcx ingress" eval '
			[ "$(cat "$TMP"/m[123].err | grep -c "^listening on $ifn ([a-z]* mode, bpf_link, prog id [0-9]*)$")" = 1 ] &&
			[ "$(cat "$TMP"/m[123].err | grep -c "^listening on $ifn (tcx ingress beside another capture (XDP program [0-9]*), prog id [0-9]*)$")" = 2 ]'
	fi
	check "$n: traffic" traffic
	sleep 0.3
	# shellcheck disable=SC2086
	stop TERM $caps
	stop INT "$TD"
	for k in 1 2 3; do
		# (IA sees the server's side: fewer segments)
		if same "$TMP/m$k.out" "$TMP/m.td" 6; then
			ok "$n: capture $k saw what tcpdump saw ($(lines "$TMP/m$k.out") segments)"
		else
			notok "$n: capture $k saw what tcpdump saw" "$(differ "$TMP/m$k.out" "$TMP/m.td")"
		fi
	done
	ino=$([ "$ns" = "$NS_B" ] && echo "$INO_B" || echo "$INO_A")
	left=$(ours_left "$ns" "$ifn" "$ino" "$FW")
	check "$n: nothing of ours left on $ifn${left:+: $left}" [ -z "$left" ]
done
check "fw's program $FW attached at the end, as loaded" [ "$(xdp_id "$IB")" = "$FW" ]
check "no XDP program on $IA at the end" [ -z "$(xdp_id "$IA" "$NS_A")" ]
