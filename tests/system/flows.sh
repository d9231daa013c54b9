#!/bin/bash
# tests/system/flows.sh - tcpinspect flows on real traffic across a veth pair.
#
# XDP sees only what arrives: on vb (the server's end) the client's
# side of each connection, SYNs included; on va (the client's end) the
# server's side: SYN-ACKs, and the RSTs a closed port answers with.  So
# every round runs one instance in each namespace and checks each
# direction where it arrives.  Either way a row shows its connection
# from the client to the server: by its SYN on vb, by the SYN-ACK or the
# lower port (the server's) on va.  The traffic is known exactly: connections
# of known sizes to a listening port (build/peer), and attempts on a
# closed port, which the RST ends at once (no SYN retries).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root flows
if ! setup_pair; then
	notok flows-setup "cannot create namespaces and veth pair"
	exit 1
fi

# start_flows NS OUT ERR ARGS...: tcpinspect flows in namespace NS in the
# background, up to "listening".  Sets FL_PID.
start_flows() {
	local ns=$1 out=$2 err=$3
	shift 3
	ip netns exec "$ns" "$TI" flows "$@" >"$out" 2>"$err" &
	FL_PID=$!
	PIDS="$PIDS $FL_PID"
	wait_for "$err" '^listening on'
}
xdp_id_a() {
	ip -n "$NS_A" -d link show dev va | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1
}
nothing_attached() { [ -z "$(xdp_id)" ] && [ -z "$(xdp_id_a)" ]; }
# refused ADDR: a connection attempt on closed port 9; true if refused.
refused() { ! ina "$PEER" connect "$1" 9 0 2>/dev/null; }
# jqs FILE EXPR: jq -s EXPR on FILE is true.
jqs() { jq -e -s "$2" "$1" >/dev/null 2>&1; }
# num FILE WORD: the number before WORD on the flows summary line.
num() {
	awk -v w="$2" '/ flows in the table / { for (i = 2; i <= NF; i++)
		if ($i == w || $i == w ",") print $(i - 1) }' "$1" | tr -d ,
}

# --- the traffic mix, checked in both directions (JSON) ----------------------
SIZES="1000 5000 20000 120000"		# IPv4, to port 8080
SIZE6=50000				# and one IPv6 connection
start_flows "$NS_B" "$TMP/b.json" "$TMP/b.err" -i vb --json ||
	notok "mix: vb ready" "$(cat "$TMP/b.err")"
PID_B=$FL_PID
start_flows "$NS_A" "$TMP/a.json" "$TMP/a.err" -i va --json ||
	notok "mix: va ready" "$(cat "$TMP/a.err")"
PID_A=$FL_PID
t0=$(date +%s%N)
sessions=0
for n in $SIZES; do tcp_session "$B4" "$n" && sessions=$((sessions + 1)); done
tcp_session "$B6" "$SIZE6" && sessions=$((sessions + 1))
nref=0
for a in "$B4" "$B4" "$B4" "$B6"; do refused "$a" && nref=$((nref + 1)); done
t1=$(date +%s%N)
check "mix: 5 connections made, 4 attempts refused" [ "$sessions/$nref" = 5/4 ]
sleep 0.2
kill -TERM "$PID_B"
wait_exit "$PID_B"
rc_b=$?
kill -INT "$PID_A"
wait_exit "$PID_A"
rc_a=$?
check "mix: SIGTERM and SIGINT stop with status 0" [ "$rc_b/$rc_a" = 0/0 ]
check "mix: nothing attached after exit" nothing_attached

B=$TMP/b.json A=$TMP/a.json
check "vb: one flow per connection to the open port" \
	jqs "$B" '[.[] | select(.dport == 8080)] | length == 5'
check "vb: each connection: SYN 1, SYN-ACK 0, FIN 1, RST 0, from the client" \
	jqs "$B" '[.[] | select(.dport == 8080)] | all(.syn == 1 and .synack == 0 and .fin == 1 and .rst == 0 and
		  .from_src.packets == .packets and .from_dst.packets == 0 and .state == "FIN_WAIT")'
# Frames carry payload plus 54 (IPv4) or 74 (IPv6) to 120 bytes of headers.
check "vb: bytes and packets fit the transfer sizes" jqs "$B" "
	[.[] | select(.dport == 8080)] | sort_by(.bytes) as \$f |
	[$(echo $SIZES $SIZE6 | tr ' ' '\n' | sort -n | paste -sd,)] as \$s |
	[range(5) | \$f[.] as \$x | \$s[.] as \$n |
	 \$x.bytes >= \$n + (if \$x.proto == \"IP6\" then 74 else 54 end) * \$x.packets and
	 \$x.bytes <= \$n + 120 * \$x.packets and \$x.packets >= 4] | all"
check "vb: each refused attempt: one flow, its one SYN" \
	jqs "$B" '[.[] | select(.dport == 9)] | length == 4 and all(.packets == 1 and .syn == 1 and .synack == 0 and .fin == 0 and .rst == 0)'
check "vb: nothing else" jqs "$B" 'length == 9'
check "vb: the IPv6 connection, bracketed" \
	jqs "$B" "any(.proto == \"IP6\" and .dport == 8080 and (.source | test(\"^\\\\[$A6\\\\]:[0-9]+$\")) and .destination == \"[$B6]:8080\")"
check "vb: source and destination are address:port" \
	jqs "$B" 'all(.source == (if .proto == "IP6" then "[" + .src + "]" else .src end) + ":" + (.sport | tostring) and
		   .destination == (if .proto == "IP6" then "[" + .dst + "]" else .dst end) + ":" + (.dport | tostring))'
check "vb: first and last seen: wall clock, during the traffic" \
	jqs "$B" "all(.first_ns <= .last_ns and .first_ns >= $t0 - 1000000000 and .last_ns <= $t1 + 1000000000)"
check "vb: ISO times are the ns times" \
	jqs "$B" 'all((.first_ns / 1e9 | floor | todate) == .first[0:19] + "Z" and
		      (.last_ns / 1e9 | floor | todate) == .last[0:19] + "Z" and
		      (.first | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{9}Z$")))'
check "vb: sorted by packets (the default)" \
	jqs "$B" '[.[].packets] == ([.[].packets] | sort | reverse)'
check "vb: one report" jqs "$B" 'all(.report == 1)'
check "vb: summary: 9 flows, 9 created, 0 evicted" \
	eval '[ "$(num "$TMP/b.err" flows)/$(num "$TMP/b.err" created)/$(num "$TMP/b.err" evicted)" = 9/9/0 ]'
check "vb: JSON summary on stderr" eval \
	'grep "^{\"flows\":" "$TMP/b.err" | jq -e ".flows == 9 and .flow_new == 9 and .evicted == 0 and .flow_fail == 0 and .flows_max == 65536" >/dev/null'
check "va: the RSTs arrive at the client: one per refused attempt" \
	jqs "$A" '[.[] | select(.dport == 9)] | length == 4 and all(.rst == 1 and .packets == 1 and .syn == 0 and .synack == 0 and .from_dst.rst == 1 and .from_src.packets == 0 and .state == "CLOSED")'
check "va: RSTs in all: exactly the refused attempts" jqs "$A" '[.[].rst] | add == 4'
check "va: the server's side of each connection: SYN-ACK 1, FIN 1" \
	jqs "$A" '[.[] | select(.dport == 8080)] | length == 5 and all(.synack == 1 and .syn == 0 and .fin == 1 and .rst == 0 and .from_dst.packets == .packets)'

# --- text, --top and --sort ---------------------------------------------------
start_flows "$NS_B" "$TMP/t.out" "$TMP/t.err" -i vb --top 3 --sort bytes ||
	notok "top: vb ready" "$(cat "$TMP/t.err")"
PID_B=$FL_PID
start_flows "$NS_A" "$TMP/r.out" "$TMP/r.err" -i va --sort rst --top 2 ||
	notok "top: va ready" "$(cat "$TMP/r.err")"
PID_A=$FL_PID
tcp_session "$B4" 3000
tcp_session "$B6" 200000
tcp_session "$B4" 40000
tcp_session "$B4" 100
refused "$B4"; refused "$B4"; refused "$B4"
sleep 0.2
kill -TERM "$PID_B" "$PID_A"
wait_exit "$PID_B"
wait_exit "$PID_A"
check "text: a header and --top 3 rows" [ "$(wc -l <"$TMP/t.out")" = 4 ]
check "text: the header" grep -Eq '^CLIENT +SERVER +STATE +PACKETS +BYTES +SYN +SYN-ACK +FIN +RST +RTT +RETRANS +FIRST +LAST$' "$TMP/t.out"
check "text: --sort bytes, the largest first" awk -v a6="$A6" -v b6="$B6" '
	NR == 2 { ok = index($1, "[" a6 "]:") == 1 && $2 == "[" b6 "]:8080" && $5 >= 200000 }
	NR == 3 { ok = ok && $5 >= 40000 && $5 < 200000 }
	NR == 4 { ok = ok && $5 >= 3000 && $5 < 40000 }
	END { exit !ok }' "$TMP/t.out"
check "text: columns: state, counts, RTT, retransmissions, wall-clock times" awk '
	NR > 1 && !($3 ~ /^[A-Z_]+$/ && $4 ~ /^[0-9]+$/ && $6 == 1 && $7 == 0 && $8 == 1 && $9 == 0 &&
		    ($10 == "-" || $10 ~ /^[0-9]+\.[0-9][0-9][0-9]$/) && $11 ~ /^[0-9]+$/ &&
		    $12 ~ /^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9][0-9][0-9]$/ && $13 >= $12) { bad = 1 }
	END { exit bad }' "$TMP/t.out"
check "text: the summary counts every flow, not only the top" \
	[ "$(num "$TMP/t.err" flows)" = 7 ]
check "text: --sort rst --top 2 on va: the refused ports' RSTs" awk '
	NR > 1 { n++; if ($2 !~ /:9$/ || $9 != 1) bad = 1 }
	END { exit bad || n != 2 }' "$TMP/r.out"

# --- a full table: --flows 4 and 10 connections -------------------------------
start_flows "$NS_B" "$TMP/e.json" "$TMP/e.err" -i vb --flows 4 --json ||
	notok "evict: ready" "$(cat "$TMP/e.err")"
PID_B=$FL_PID
for i in $(seq 10); do tcp_session "$B4" 100; done
kill -TERM "$PID_B"
wait_exit "$PID_B"
check "evict: a table of 4 holds 4 flows" eval \
	'[ "$(jq -s length "$TMP/e.json")" = 4 ] && [ "$(num "$TMP/e.err" flows)" = 4 ]'
check "evict: every connection created an entry" [ "$(num "$TMP/e.err" created)" -ge 10 ]
check "evict: evictions reported: created - present > 0" eval \
	'[ "$(num "$TMP/e.err" evicted)" -gt 0 ] &&
	 [ "$(num "$TMP/e.err" evicted)" = $(( $(num "$TMP/e.err" created) - 4 )) ]'
check "evict: in the JSON summary too" eval \
	'grep "^{\"flows\":" "$TMP/e.err" | jq -e ".flows_max == 4 and .evicted == .flow_new - 4 and .evicted >= 6" >/dev/null'

# --- a filter, and --interval reports (not a terminal: appended) ---------------
start_flows "$NS_B" "$TMP/i.out" "$TMP/i.err" -i vb --interval 0.25 dst port 9 ||
	notok "interval: vb ready" "$(cat "$TMP/i.err")"
PID_B=$FL_PID
start_flows "$NS_A" "$TMP/i.json" "$TMP/i2.err" -i va --json --interval 0.25 \
	'tcp[tcpflags] & tcp-rst != 0' || notok "interval: va ready" "$(cat "$TMP/i2.err")"
PID_A=$FL_PID
tcp_session "$B4" 1000
tcp_session "$B4" 1000
refused "$B4"; refused "$B4"; refused "$B4"	# tcp[] filters see IPv4 only
sleep 1
kill -TERM "$PID_B" "$PID_A"
wait_exit "$PID_B"
wait_exit "$PID_A"
check "interval: several tables, one blank line between them" awk '
	/^CLIENT/ { h++ } /^$/ { b++ } END { exit !(h >= 4 && b == h - 1) }' "$TMP/i.out"
check "interval: no terminal codes when not a terminal" eval '! grep -q $'"'"'\033'"'"' "$TMP/i.out"'
check "filter: the last table holds only the closed port's flows" awk '
	/^CLIENT/ { n = 0; bad = 0; next } /^$/ { next }
	{ n++; if ($2 !~ /:9$/) bad = 1 } END { exit bad || n != 3 }' "$TMP/i.out"
check "filter: the rest counted as filtered out" \
	awk '/packets seen/ { exit !($6 > 0) }' "$TMP/i.err"
check "interval: JSON reports numbered, the last complete" jqs "$TMP/i.json" '
	(map(.report) | unique | length) >= 4 and
	(max_by(.report).report as $r | map(select(.report == $r)) |
	 length == 3 and all(.rst == 1 and .dport == 9))'

# --- a terminal: redrawn in place; --duration ends it ---------------------------
if command -v script >/dev/null; then
	ip netns exec "$NS_B" script -qfec "$TI flows -i vb --interval 0.2 --duration 1.5" \
		/dev/null </dev/null >"$TMP/tty.out" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	wait_for "$TMP/tty.out" 'listening on' || notok "tty: ready" "$(cat -v "$TMP/tty.out")"
	tcp_session "$B4" 1000
	wait_exit "$pid"
	rc=$?
	check "duration: flows ends by itself, status 0" [ $rc = 0 ]
	check "tty: each report clears the screen and redraws" eval \
		'[ "$(grep -c $'"'"'^\033\[H\033\[J'"'"' "$TMP/tty.out")" -ge 5 ]'
	check "tty: the last screen shows the connection" eval \
		'tail -n 4 "$TMP/tty.out" | grep -q "$B4:8080 "'
	check "duration: nothing attached after exit" nothing_attached
else
	skip "tty" "no script(1) (util-linux)"
fi

# --- the output's reader goes away; the output cannot be written ---------------
timeout 10 ip netns exec "$NS_B" "$TI" flows -i vb --interval 0.1 2>"$TMP/p.err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
check "reader gone: status 0, nothing attached" eval '[ $rc = 0 ] && nothing_attached'
inb "$TI" flows -i vb --duration 0.3 >/dev/full 2>"$TMP/full.err"
rc=$?
check "write error: status 1, said" eval \
	'[ $rc = 1 ] && grep -q "^tcpinspect: cannot write output: No space left on device$" "$TMP/full.err" && nothing_attached'

# --- refusals -------------------------------------------------------------------
start_flows "$NS_B" "$TMP/o.out" "$TMP/o.err" -i vb || notok "busy: ready" "$(cat "$TMP/o.err")"
PID_B=$FL_PID
id=$(xdp_id)
inb timeout 10 "$TI" flows -i vb --duration 1 >/dev/null 2>"$TMP/busy.err"
rc=$?
check "busy: a second flows on vb runs beside the first (TC ingress), the first kept" eval \
	'[ $rc = 0 ] && grep -q "^listening on vb (tc.* ingress beside another capture (XDP program $id)" "$TMP/busy.err" && [ "$(xdp_id)" = "$id" ]'
kill -TERM "$PID_B"
wait_exit "$PID_B"
badv() {
	inb "$TI" "$@" >/dev/null 2>"$TMP/bad.err"
	local rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] && nothing_attached; then
		ok "bad value: $*"
	else
		notok "bad value: $*" "rc=$rc: $(cat "$TMP/bad.err")"
	fi
}
badv flows -i vb --top 0
badv flows -i vb --top x
badv flows -i vb --sort bogus
badv flows -i vb --sort
badv flows -i vb --flows 0
badv flows -i vb --flows 99999999
badv flows -i vb --interval 0
badv flows -i vb --duration 0
badv flows -i vb -c 3
badv flows -i vb --buffer 64k
badv flows -i nosuch0
badv flows -i vb port 99999
badv -i vb --top 5
badv -i vb --sort bytes
