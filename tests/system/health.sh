#!/bin/bash
# tests/system/health.sh - TCP health on real connections with faults.
#
# Three namespaces: the client in NS_A, the server in NS_B, and between
# them build/relay (a wire with a delay, losses and reordering) in NS_R
# on two veth pairs with their offloads off, so that every frame is a
# segment.  One connection per fault, each to a port of its own:
#
#   9001 clean        20 kB, the server answers 1000 bytes after EOF
#   9002 loss         100 kB, five data segments dropped
#   9003 reorder      50 kB, the 4th data segment sent after the 5th
#   9004 ACK loss     1000 bytes, then 0.7 s idle: the server's ACK of
#                     them dropped, the client retransmits them (spurious)
#   9005 zero window  200 kB to a reader that waits 1.5 s with a 4 KiB
#                     receive buffer (Linux probes with keep-alives)
#   9006 keep-alive   one byte, 2.5 s idle with keep-alives every second
#   9007 RST          a closed port
#   9008 IPv6 loss    30 kB over IPv6, two segments dropped
#
# Every round trip crosses the relay's 10 ms twice, so the RTT of the
# server's data and the handshake RTT seen on vb are about 20 ms.
#
# (a) health_dump (prog/health.h over a capture file) flags every frame
#     of tcpdump's recordings at the receiver (vb) and at the sender (va)
#     as tshark's tcp.analysis does; the handshake RTT on the frame that
#     completes it is tshark's initial_rtt.
# (b) tcpinspect flows --direction both --json on vb: each side's
#     counters equal health_dump -s on vb's recording, and its analysis
#     counters tshark's flags summed per sender; the handshake RTT
#     within 1 ms of tshark's; each side's RTT near the mean of tshark's
#     ack_rtt of that side's data; the state.
# (c) flows --sort retrans (text): the lossy connection first.
# (d) serve --direction both: /metrics's retransmissions (tshark's count)
#     and handshake RTT histogram, promtool's check; /flows the same
#     counters as (b).
# Each holds only if tcpdump recorded every frame: checked too.  At the
# end nothing of tcpinspect's is left on vb.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root health
RELAY=${RELAY:-./build/relay}
HDUMP=${HDUMP:-./build/health_dump}
for t in tcpdump tshark jq ethtool curl; do
	command -v $t >/dev/null || { skip health "$t missing (make check installs it)"; exit 0; }
done
for b in "$RELAY" "$HDUMP" "$PEER"; do
	[ -x "$b" ] || { notok health "$b missing (make $b)"; exit 1; }
done
# Names of its own, so that it can run beside other tests: namespaces
# hh-PID-a, -b, -r; va, vb, ra, rb above are the interfaces hh-PID-a (the
# client's), hh-PID-b (the server's), hh-PID-ra and hh-PID-rb (the relay's).
NS_A=hh-$$-a NS_B=hh-$$-b NS_R=hh-$$-r	# removed at exit
VA=hh-$$-a VB=hh-$$-b VRA=hh-$$-ra VRB=hh-$$-rb
A4=10.204.$(($$ % 200)).1 B4=10.204.$(($$ % 200)).2
A6=fd00:6868::1 B6=fd00:6868::2
# HEALTH_KEEP=DIR keeps the recordings and outputs there.
trap 'ip netns del "$NS_R" 2>/dev/null
      [ -n "$HEALTH_KEEP" ] && rm -rf "$HEALTH_KEEP" && cp -a "$TMP" "$HEALTH_KEEP"
      cleanup' EXIT
SPORT=9412

setup_relay() {
	local e
	ip netns add "$NS_A" && ip netns add "$NS_B" && ip netns add "$NS_R" &&
	ip link add "$VA" netns "$NS_A" type veth peer name "$VRA" netns "$NS_R" &&
	ip link add "$VB" netns "$NS_B" type veth peer name "$VRB" netns "$NS_R" &&
	ip -n "$NS_A" addr add "$A4/24" dev "$VA" && ip -n "$NS_B" addr add "$B4/24" dev "$VB" &&
	ip -n "$NS_A" addr add "$A6/64" dev "$VA" nodad &&
	ip -n "$NS_B" addr add "$B6/64" dev "$VB" nodad || return 1
	for e in "$NS_A $VA" "$NS_R $VRA" "$NS_R $VRB" "$NS_B $VB"; do
		set -- $e
		ip -n "$1" link set lo up && ip -n "$1" link set "$2" up &&
		ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off \
			>/dev/null 2>&1 || return 1
	done
}
if ! setup_relay; then
	notok health-setup "cannot make the three namespaces, the veth pairs or turn offloads off"
	exit 1
fi

jqs() { jq -se "$@" >/dev/null; }	# jqs EXPR FILE: true
# bg NS OUT ERR CMD...: CMD in namespace NS in the background; BG_PID.
bg() {
	local ns=$1 out=$2 err=$3
	shift 3
	# (a file of ours only: never /dev/null)
	case $out in "$TMP"/*) rm -f "$out" ;; esac
	case $err in "$TMP"/*) rm -f "$err" ;; esac
	ip netns exec "$ns" "$@" >"$out" 2>"$err" &
	BG_PID=$!
	PIDS="$PIDS $BG_PID"
}

# --- the observers -------------------------------------------------------
bg "$NS_B" /dev/null "$TMP/td_b.err" tcpdump --immediate-mode -U -n -B 16384 -i "$VB" -w "$TMP/rx.pcap" tcp
TD_B=$BG_PID
bg "$NS_A" /dev/null "$TMP/td_a.err" tcpdump --immediate-mode -U -n -B 16384 -i "$VA" -w "$TMP/tx.pcap" tcp
TD_A=$BG_PID
bg "$NS_B" "$TMP/f.json" "$TMP/f.err" "$TI" flows -i "$VB" --direction both --json
FJ=$BG_PID
bg "$NS_B" "$TMP/t.out" "$TMP/t.err" "$TI" flows -i "$VB" --direction both --sort retrans
FT=$BG_PID
bg "$NS_B" /dev/null "$TMP/s.err" "$TI" serve -i "$VB" --direction both --listen 127.0.0.1:$SPORT
SV=$BG_PID
for f in td_b td_a f t; do
	wait_for "$TMP/$f.err" 'listening on' || { notok "health: $f ready" "$(head -2 "$TMP/$f.err")"; exit 1; }
done
wait_for "$TMP/s.err" '^tcpinspect: serving' || { notok "health: serve ready" "$(head -2 "$TMP/s.err")"; exit 1; }

# --- the connections -----------------------------------------------------
# conn PORT ADDR "RELAY ARGS" "LISTEN ARGS" "CONNECT ARGS" BYTES: one
# connection through a relay of its own (its counts start at 0).
conn() {
	local port=$1 addr=$2 rargs=$3 largs=$4 cargs=$5 bytes=$6 rp lp r
	# shellcheck disable=SC2086 # the arguments are words
	bg "$NS_R" "$TMP/relay.out" "$TMP/relay.$port" "$RELAY" $rargs --timeout 30 "$VRA" "$VRB"
	rp=$BG_PID
	wait_for "$TMP/relay.out" ready || { kill "$rp"; return 1; }
	if [ -n "$largs" ]; then
		# shellcheck disable=SC2086
		bg "$NS_B" "$TMP/ready.$port" /dev/null "$PEER" listen "$addr" "$port" $largs
		lp=$BG_PID
		wait_for "$TMP/ready.$port" ready
	fi
	# shellcheck disable=SC2086
	timeout 15 ip netns exec "$NS_A" "$PEER" connect "$addr" "$port" "$bytes" $cargs 2>/dev/null
	r=$?
	[ -n "$lp" ] && wait_exit "$lp"
	sleep 0.1
	kill -TERM "$rp"
	wait_exit "$rp"
	return $r
}
RA="--delay 10"
check "connection 9001 (clean)" conn 9001 "$B4" "$RA" "0 0 1000" "" 20000
check "connection 9002 (loss)" conn 9002 "$B4" "$RA --drop 5 --drop 12 --drop 20 --drop 30 --drop 45" "0 0 1000" "" 100000
check "connection 9003 (reorder)" conn 9003 "$B4" "$RA --hold 4" "0 0 1000" "" 50000
# (its first data, 1000 bytes, then 0.7 s idle: the ACK of it dropped,
# the retransmission 0.2 s later is of data the server acknowledged)
check "connection 9004 (ACK loss)" conn 9004 "$B4" "$RA --drop-ack 2" "0 0 1000" "700 1000" 3000
check "connection 9005 (zero window)" conn 9005 "$B4" "$RA" "1500 4096 1000" "" 200000
check "connection 9006 (keep-alive)" conn 9006 "$B4" "$RA" "0 0 1000" "2500" 3000
check "connection 9007 (closed port, refused)" eval '! conn 9007 "$B4" "$RA" "" "" 0'
check "connection 9008 (IPv6 loss)" conn 9008 "$B6" "$RA --drop 3 --drop 9" "0 0 1000" "" 30000
sleep 0.3

inb curl -s -m 5 "http://127.0.0.1:$SPORT/metrics" >"$TMP/metrics"
inb curl -s -m 5 "http://127.0.0.1:$SPORT/flows?top=100" >"$TMP/sflows.json"
kill -INT "$TD_B" "$TD_A"
kill -TERM "$FJ" "$FT" "$SV"
for p in "$TD_B" "$TD_A" "$FJ" "$FT" "$SV"; do wait_exit "$p"; done
# (what follows holds only if tcpdump recorded every frame)
for f in td_b td_a; do
	check "tcpdump at $([ $f = td_b ] && echo vb || echo va) dropped nothing" \
		grep -q "^0 packets dropped by kernel$" "$TMP/$f.err"
done

PORTS="9001 9002 9003 9004 9005 9006 9007 9008"
# server port of a line: the field among PORTS
SP='function sport(a, b) { return (a >= 9001 && a <= 9008) ? a : b }'

# --- (a) health_dump against tshark, frame by frame ------------------------
# The nine flags of each TCP frame: "NR retrans fast spurious ooo dupack
# zero_win win_probe keepalive lost", 0 or 1 each.
ts_flags() {
	tshark -r "$1" -Y tcp -T fields -e frame.number -e tcp.analysis.retransmission \
		-e tcp.analysis.fast_retransmission -e tcp.analysis.spurious_retransmission \
		-e tcp.analysis.out_of_order -e tcp.analysis.duplicate_ack \
		-e tcp.analysis.zero_window -e tcp.analysis.zero_window_probe \
		-e tcp.analysis.keep_alive -e tcp.analysis.lost_segment 2>/dev/null |
		awk -F'\t' '{ printf "%s", $1; for (i = 2; i <= 10; i++) printf " %d", $i != ""; print "" }'
}
# A recording kept from a run where a window update came between
# duplicate ACKs (Wireshark counts on; health.h used to start anew and
# call the fast retransmission out-of-order): the same, every time.
gzip -dc tests/system/health_dupack.pcap.gz >"$TMP/dupack.pcap"
ts_flags "$TMP/dupack.pcap" >"$TMP/dupack.ts"
"$HDUMP" "$TMP/dupack.pcap" | cut -d' ' -f1-10 >"$TMP/dupack.hd"
check "(a) health_dump = tshark tcp.analysis on the stored recording ($(grep -c ' 1 ' "$TMP/dupack.ts") flagged frames)" \
	eval '[ "$(wc -l <"$TMP/dupack.ts")" -gt 500 ] && cmp -s "$TMP/dupack.ts" "$TMP/dupack.hd"'
for at in rx tx; do
	where=$([ $at = rx ] && echo "the receiver (vb)" || echo "the sender (va)")
	ts_flags "$TMP/$at.pcap" >"$TMP/$at.ts"
	"$HDUMP" "$TMP/$at.pcap" >"$TMP/$at.hd" 2>"$TMP/$at.hd.err"
	cut -d' ' -f1-10 "$TMP/$at.hd" >"$TMP/$at.hd10"
	n=$(wc -l <"$TMP/$at.ts")
	flagged=$(awk '{ for (i = 2; i <= 10; i++) s += $i } END { print s + 0 }' "$TMP/$at.ts")
	if [ "$n" -gt 100 ] && cmp -s "$TMP/$at.ts" "$TMP/$at.hd10"; then
		ok "(a) health_dump = tshark tcp.analysis at $where: $n frames, $flagged flags"
	else
		notok "(a) health_dump = tshark tcp.analysis at $where" \
			"$n frames; differ (< tshark, > health_dump): $(diff "$TMP/$at.ts" "$TMP/$at.hd10" |
			grep '^[<>]' | head -4 | tr '\n' ' ')$(head -1 "$TMP/$at.hd.err")"
	fi
	# the handshake RTT: health_dump's on the frame that completes it,
	# tshark's initial_rtt on that frame
	tshark -r "$TMP/$at.pcap" -Y tcp.analysis.initial_rtt -T fields -e frame.number \
		-e tcp.analysis.initial_rtt 2>/dev/null >"$TMP/$at.irtt"
	check "(a) handshake RTT at $where: health_dump's = tshark's initial_rtt, 7 handshakes" awk '
		NR == FNR { irtt[$1] = $2; next }
		NF == 11 { n++; if (!($1 in irtt) || ($11 - irtt[$1] * 1e6) ^ 2 > 1) bad++ }
		END { exit !(n == 7 && !bad) }' "$TMP/$at.irtt" "$TMP/$at.hd"
done

# What each fault made, by tshark at vb: "PORT retrans fast spurious ooo
# dupack zero_win win_probe keepalive lost" summed over the connection.
tshark -r "$TMP/rx.pcap" -Y tcp -T fields -e frame.number -e tcp.srcport -e tcp.dstport 2>/dev/null |
	awk -v OFS=' ' "$SP"'
	NR == FNR { split($0, f, " "); for (i = 2; i <= 10; i++) fl[f[1], i] = f[i]; next }
	{ p = sport($2, $3); seen[p] = 1; for (i = 2; i <= 10; i++) sum[p, i] += fl[$1, i] }
	END { for (p in seen) { l = p; for (i = 2; i <= 10; i++) l = l " " sum[p, i]; print l } }' \
	"$TMP/rx.ts" - | sort >"$TMP/rx.kinds"
# made PORT COLUMN WHAT: the fault on PORT made at least one WHAT
made() {
	check "(a) the fault made it: $1 $3" awk -v p="$1" -v c="$2" \
		'$1 == p { n = $c } END { exit !(n > 0) }' "$TMP/rx.kinds"
}
made 9002 2 "retransmissions"
made 9002 10 "lost segments"
made 9002 6 "duplicate ACKs"
made 9003 5 "out of order"
made 9004 4 "a spurious retransmission"
made 9005 7 "zero windows"
made 9005 9 "keep-alives (Linux's zero window probes)"
made 9006 9 "keep-alives"
made 9008 2 "retransmissions (IPv6)"
check "(a) the clean connection: nothing flagged" awk \
	'$1 == 9001 { n = 1; for (i = 2; i <= 10; i++) s += $i } END { exit !(n && !s) }' "$TMP/rx.kinds"

# --- (b) flows --json against health_dump -s and tshark ----------------------
J=$TMP/f.json
check "(b) flows --json: one entry per connection, 8" eval \
	'[ "$(jq -s length "$J")" = 8 ] && [ "$(jq -r .dport "$J" | sort | paste -sd" ")" = "$PORTS" ]'
# side lines "PORT src|dst packets=N retrans=N ...", from health_dump -s
# (side0 is the first address shown) and from the JSON
"$HDUMP" -s "$TMP/rx.pcap" | awk "$SP"'
	/^[^ ]/ { a = $1; b = $2; sub(/.*\./, "", a); sub(/.*\./, "", b)
		  p = sport(a, b); first = (a == p) ? "dst" : "src"; s = 0; next }
	{ sub(/^ side[01] /, ""); sub(/ srtt_us=.*/, "")
	  print p, (s++ == 0 ? first : (first == "src" ? "dst" : "src")), $0 }' |
	sort >"$TMP/hd.sides"
jq -r '. as $f | ["src", "dst"][] as $s | $f["from_" + $s] as $d |
	"\($f.dport) \($s) packets=\($d.packets) retrans=\($d.retrans) fast=\($d.fast_retrans) spurious=\($d.spurious_retrans) ooo=\($d.out_of_order) dupack=\($d.dup_acks) zero_win=\($d.zero_window) win_probe=\($d.window_probes) keepalive=\($d.keep_alives) lost=\($d.lost_segments) syn=\($d.syn) fin=\($d.fin) rst=\($d.rst)"' \
	"$J" | sort >"$TMP/ti.sides"
if [ "$(wc -l <"$TMP/hd.sides")" = 16 ] && cmp -s "$TMP/hd.sides" "$TMP/ti.sides"; then
	ok "(b) every side's counters = health_dump -s on vb's recording (16 sides: packets, retrans, fast, spurious, ooo, dup ACKs, zero window, window probes, keep-alives, lost, SYN, FIN, RST)"
else
	notok "(b) every side's counters = health_dump -s on vb's recording" \
		"differ (< health_dump, > tcpinspect): $(diff "$TMP/hd.sides" "$TMP/ti.sides" | grep '^[<>]' | head -4 | tr '\n' ' ')"
fi

# The same straight from tshark: each frame's flags summed per sender,
# "PORT src|dst retrans fast spurious ooo dupack zero_win win_probe
# keepalive lost" (src: the client), against the JSON's from_src/from_dst.
tshark -r "$TMP/rx.pcap" -Y tcp -T fields -e frame.number -e tcp.srcport -e tcp.dstport 2>/dev/null |
	awk "$SP"'
	NR == FNR { split($0, f, " "); for (i = 2; i <= 10; i++) fl[f[1], i] = f[i]; next }
	{ p = sport($2, $3); k = p " " ($2 == p ? "dst" : "src"); seen[k] = 1
	  for (i = 2; i <= 10; i++) sum[k, i] += fl[$1, i] }
	END { for (k in seen) { l = k; for (i = 2; i <= 10; i++) l = l " " sum[k, i]; print l } }' \
	"$TMP/rx.ts" - | sort >"$TMP/ts.sides"
jq -r '. as $f | ["src", "dst"][] as $s | $f["from_" + $s] as $d |
	"\($f.dport) \($s) \($d.retrans) \($d.fast_retrans) \($d.spurious_retrans) \($d.out_of_order) \($d.dup_acks) \($d.zero_window) \($d.window_probes) \($d.keep_alives) \($d.lost_segments)"' \
	"$J" | sort >"$TMP/ti.flags"
flags=$(awk '{ for (i = 3; i <= NF; i++) s += $i } END { print s + 0 }' "$TMP/ts.sides")
if [ "$flags" -gt 20 ] && [ "$(wc -l <"$TMP/ts.sides")" = 16 ] && cmp -s "$TMP/ts.sides" "$TMP/ti.flags"; then
	ok "(b) every side's analysis counters = tshark's tcp.analysis flags summed per sender at vb (16 sides, $flags flags)"
else
	notok "(b) every side's analysis counters = tshark's tcp.analysis flags summed per sender at vb" \
		"$flags flags; differ (< tshark, > tcpinspect): $(diff "$TMP/ts.sides" "$TMP/ti.flags" | grep '^[<>]' | head -4 | tr '\n' ' ')"
fi

# tshark's initial_rtt per connection, in microseconds: "PORT US"
tshark -r "$TMP/rx.pcap" -Y tcp.analysis.initial_rtt -T fields -e tcp.srcport -e tcp.dstport \
	-e tcp.analysis.initial_rtt 2>/dev/null | awk "$SP"'
	{ p = sport($1, $2); if (!(p in v)) v[p] = $3 * 1e6 }
	END { for (p in v) printf "%s %.0f\n", p, v[p] }' | sort >"$TMP/ts.hs"
check "(b) handshake_rtt_us within 1 ms of tshark's initial_rtt (7 connections, about 20 ms each)" awk '
	NR == FNR { ts[$1] = $2; next }
	$1 in ts { n++; d = $2 - ts[$1]; if (d < -1000 || d > 1000 || $2 < 15000) bad++ }
	END { exit !(n == 7 && !bad) }' "$TMP/ts.hs" <(jq -r 'select(.handshake_rtt_us) | "\(.dport) \(.handshake_rtt_us)"' "$J")
check "(b) no handshake RTT for the refused connection" jqs \
	'map(select(.dport == 9007))[0].handshake_rtt_us == null' "$J"

# tshark's ack_rtt of each side's data (ACKs of segments with data):
# "PORT SIDE MEAN_US N"; SIDE is whose data it timed.
tshark -r "$TMP/rx.pcap" -T fields -e frame.number -e tcp.srcport -e tcp.dstport -e tcp.len \
	-e tcp.analysis.acks_frame -e tcp.analysis.ack_rtt 2>/dev/null | awk -F'\t' "$SP"'
	{ len[$1] = $4 }
	$5 != "" && len[$5] > 0 { p = sport($2, $3); k = p " " ($2 == p ? "src" : "dst")
				 s[k] += $6; n[k]++ }
	END { for (k in s) printf "%s %.0f %d\n", k, s[k] / n[k] * 1e6, n[k] }' | sort >"$TMP/ts.rtt"
# The server's data (the 1000-byte answer) is timed across the relay and
# back: within 20% of tshark's mean.  The client's data is acknowledged
# by vb's own host within microseconds, where tshark's mean also takes
# the ACKs of retransmissions and of holes filled (milliseconds; Karn's
# rule leaves them out): there, both must be local, under 2 ms, a tenth
# of the wire's.
jq -r 'select(.dport != 9007) | "\(.dport) \(.from_src.rtt_us) \(.from_src.rtt_samples) \(.from_dst.rtt_us) \(.from_dst.rtt_samples) \(.rtt_us)"' \
	"$J" | sort >"$TMP/ti.rtt"
check "(b) the server's data: rtt_us within 20% of tshark's mean ack_rtt (7 connections)" awk '
	NR == FNR { if ($2 == "dst") m[$1] = $3; next }
	$1 in m { n++; if ($5 < 1 || ($4 - m[$1]) ^ 2 > (0.2 * m[$1]) ^ 2 || m[$1] < 15000) bad++ }
	END { exit !(n == 7 && !bad) }' "$TMP/ts.rtt" "$TMP/ti.rtt"
check "(b) the client's data, acknowledged at vb: rtt_us and tshark's mean both local (< 2 ms)" awk '
	NR == FNR { if ($2 == "src") m[$1] = $3; next }
	$1 in m { n++; if ($3 < 1 || $2 >= 2000 || m[$1] >= 2000 && $1 != 9002 && $1 != 9008) bad++ }
	END { exit !(n == 7 && !bad) }' "$TMP/ts.rtt" "$TMP/ti.rtt"
check "(b) a connection's rtt_us is its larger side's" awk \
	'{ n++; if ($6 != ($2 > $4 ? $2 : $4)) bad++ } END { exit !(n == 7 && !bad) }' "$TMP/ti.rtt"
check "(b) state CLOSED after FIN both ways: 7 connections, FIN 1 from each side" jqs \
	'map(select(.dport != 9007)) | length == 7 and all(.state == "CLOSED" and .from_src.fin == 1 and .from_dst.fin == 1 and .rst == 0)' "$J"
check "(b) state CLOSED after the RST: SYN from the client, RST from the server" jqs \
	'map(select(.dport == 9007)) | length == 1 and all(.state == "CLOSED" and .from_src.syn == 1 and .from_dst.rst == 1 and .packets == 2)' "$J"
check "(b) retrans of a connection = its sides' sum" jqs \
	'all(.retrans == .from_src.retrans + .from_dst.retrans)' "$J"

# --- (c) flows --sort retrans: the lossy connection first --------------------
most=$(awk '{ r[$1] += $2 } END { for (p in r) print r[p], p }' "$TMP/rx.kinds" | sort -rn | head -1)
check "(c) text --sort retrans: header, 8 rows, the lossy connection (9002, $(echo "$most" | cut -d' ' -f1) retransmissions) first, RETRANS not increasing" awk -v most="$most" '
	NR == 1 { ok = $1 == "CLIENT" && $11 == "RETRANS"; next }
	{ n++; if (n == 1) { split(most, m, " "); first = $2 ~ /:9002$/ && m[2] == 9002 && $11 == m[1] }
	  if (n > 1 && $11 > prev) ok = 0; prev = $11 }
	END { exit !(ok && first && n == 8) }' "$TMP/t.out"

# --- (d) serve --direction both: /metrics and /flows -----------------------
M=$TMP/metrics
metric() { awk -v n="$1" '$1 == n { print $2 }' "$M"; }
retrans=$(awk '{ r += $2 } END { print r + 0 }' "$TMP/rx.kinds")
check "(d) /metrics: tcpinspect_tcp_retransmissions_total ($(metric tcpinspect_tcp_retransmissions_total)) = the $retrans tshark flags at vb" \
	eval '[ "$retrans" -gt 0 ] && [ "$(metric tcpinspect_tcp_retransmissions_total)" = "$retrans" ]'
check "(d) /metrics: handshake RTT buckets le 0.0001 .. 5 and +Inf, cumulative, +Inf = _count = 7 handshakes" awk '
	/^tcpinspect_tcp_handshake_rtt_seconds_bucket\{le="/ {
		le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le); les = les " " le
		if ($2 < prev) bad = 1; prev = $2; last = $2 }
	/^tcpinspect_tcp_handshake_rtt_seconds_count / { cnt = $2 }
	END { exit !(!bad && les == " 0.0001 0.0005 0.001 0.005 0.01 0.05 0.1 0.5 1 5 +Inf" && last == cnt && cnt == 7) }' "$M"
# each bucket counts the handshakes /flows (the same serve) reports at or under it
jq -r '.flows[] | select(.handshake_rtt_us) | .handshake_rtt_us' "$TMP/sflows.json" >"$TMP/s.hs"
check "(d) /metrics: each bucket = the /flows handshake RTTs at or under it; _sum = theirs" awk '
	NR == FNR { v[NR] = $1; sum += $1; n = NR; next }
	/^tcpinspect_tcp_handshake_rtt_seconds_bucket\{le="[0-9.]+"\}/ {
		le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le); c = 0
		for (i = 1; i <= n; i++) if (v[i] <= le * 1e6) c++
		if (c != $2) bad = 1; b++ }
	/^tcpinspect_tcp_handshake_rtt_seconds_sum / { s = $2 }
	END { d = s * 1e6 - sum; exit !(!bad && b == 10 && n == 7 && d < 10 && d > -10) }' "$TMP/s.hs" "$M"
if command -v promtool >/dev/null; then
	check "(d) promtool check metrics" eval 'promtool check metrics <"$M" >"$TMP/promtool.out" 2>&1'
else
	skip "(d) promtool check metrics" "no promtool (Debian: prometheus)"
fi
check "(d) /flows: the same objects as flows --json (fields, per-side counters)" eval '
	[ "$(jq -c ".flows[] | del(.first, .first_ns, .last, .last_ns, .handshake_rtt_us, .rtt_us, .from_src.rtt_us, .from_dst.rtt_us)" "$TMP/sflows.json" | sort)" = \
	  "$(jq -c "del(.report, .first, .first_ns, .last, .last_ns, .handshake_rtt_us, .rtt_us, .from_src.rtt_us, .from_dst.rtt_us)" "$J" | sort)" ] &&
	[ "$(jq -c ".flows[0] | keys_unsorted" "$TMP/sflows.json")" = "$(jq -c "del(.report) | keys_unsorted" "$J" | head -1)" ]'
inb "$TI" show >"$TMP/show.out" 2>&1
check "nothing attached to vb afterwards (tcpinspect show, ip, tc)" eval '
	[ ! -s "$TMP/show.out" ] &&
	! ip -n "$NS_B" -d link show dev "$VB" 2>/dev/null | grep -q "prog/xdp" &&
	[ -z "$(ip netns exec "$NS_B" tc filter show dev "$VB" ingress; ip netns exec "$NS_B" tc filter show dev "$VB" egress)" ]'
