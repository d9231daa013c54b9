#!/bin/bash
# tests/system/limits.sh - limits and loss accounting on real traffic:
# --duration (also in the kernel, while tcpinspect is stopped), --sample,
# --buffer, --stats, several interfaces, and the invariant
#   matched = written + lost + sampled out + over budget + after --duration
# checked exactly, also with the ring buffer overloaded on purpose.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root limits
if ! setup_pair; then
	notok limits-setup "cannot create namespaces and veth pair"
	exit 1
fi


# --- --duration, and the kernel's deadline while tcpinspect is stopped -------
export TCPINSPECT_DISABLE=link	# netlink: what outlives a stalled process
start_capture "$TMP/d.out" "$TMP/d.err" -i vb --duration 1.5 ||
	notok "duration: ready" "$(cat "$TMP/d.err")"
tcp_session "$B4" 10
kill -STOP "$CAP_PID"
sleep 2			# past the deadline, and user space cannot act
tcp_session "$B4" 10	# the kernel must not emit these
kill -CONT "$CAP_PID"
wait_exit "$CAP_PID"
rc=$?
unset TCPINSPECT_DISABLE
check "duration: exits 0 by itself" [ $rc = 0 ]
check "duration: the connection before the deadline was captured" grep -q "Flags \[S\]" "$TMP/d.out"
check "duration: packets after the deadline not emitted, counted" \
	eval '[ "$(field "$TMP/d.err" after)" -gt 0 ]'
check "duration: invariant holds" invariant "$TMP/d.err"
check "duration: nothing attached after exit" [ -z "$(xdp_id)" ]

# --- -c and --duration at once: whichever comes first -----------------------
start_capture "$TMP/c.out" "$TMP/c.err" -i vb -c 3 --duration 30 ||
	notok "count+duration: ready" "$(cat "$TMP/c.err")"
tcp_session "$B4" 10
wait_exit "$CAP_PID"
rc=$?
check "count+duration: -c 3 came first" eval '[ $rc = 0 ] && [ "$(wc -l <"$TMP/c.out")" = 3 ]'
t0=$(date +%s%N)
start_capture "$TMP/c2.out" "$TMP/c2.err" -i vb -c 1000 --duration 1 ||
	notok "count+duration: ready" "$(cat "$TMP/c2.err")"
wait_exit "$CAP_PID"
t1=$(date +%s%N)
check "count+duration: --duration 1 came first (under 3 s)" [ $(( (t1 - t0) / 1000000 )) -lt 3000 ]

# --- --sample: one in N, exactly, through replay (deterministic) -------------
if ./build/mkpcap >"$TMP/s.pcap" 2>/dev/null; then
	"$TI" replay "$TMP/s.pcap" >"$TMP/all.out" 2>"$TMP/all.err"
	"$TI" replay --sample 4 "$TMP/s.pcap" >"$TMP/s4.out" 2>"$TMP/s4.err"
	all=$(wc -l <"$TMP/all.out")
	got=$(wc -l <"$TMP/s4.out")
	check "sample: one in 4 of $all events written" [ "$got" = $(( (all + 3) / 4 )) ]
	check "sample: the rest counted as sampled out" \
		[ "$(field "$TMP/s4.err" sampled)" = $(( all - got )) ]
	check "sample: invariant holds" invariant "$TMP/s4.err"
else
	notok sample "cannot build the test capture (build/mkpcap)"
fi

# --- several interfaces; every event names its own --------------------------
ip -n "$NS_B" addr add 127.0.0.2/8 dev lo 2>/dev/null
start_capture "$TMP/m.out" "$TMP/m.err" -i vb -i lo --json ||
	notok "two interfaces: ready" "$(cat "$TMP/m.err")"
tcp_session "$B4" 10
inb "$PEER" listen 127.0.0.1 9001 >"$TMP/lo.ready" &
PIDS="$PIDS $!"
wait_for "$TMP/lo.ready" ready && inb "$PEER" connect 127.0.0.1 9001 10
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "two interfaces: listening line names both" grep -Eq "^listening on vb \(.*\), lo \(.*\), prog id [0-9]+$" "$TMP/m.err"
check "two interfaces: events from vb and from lo, each named" eval \
	'jq -e -s "any(.[]; .iface == \"vb\" and .dport == 8080) and any(.[]; .iface == \"lo\" and .dport == 9001)" "$TMP/m.out" >/dev/null'
check "two interfaces: nothing left on either" eval \
	'[ -z "$(xdp_id)" ] && ! ip -n "$NS_B" -d link show dev lo | grep -q prog/xdp'
start_capture "$TMP/mt.out" "$TMP/mt.err" -i vb -i lo -c 2 ||
	notok "two interfaces, text: ready" "$(cat "$TMP/mt.err")"
tcp_session "$B4" 10
wait_exit "$CAP_PID"
check "two interfaces, text: each line names its interface, as tcpdump -i any" \
	eval '[ "$(grep -Ec "^[0-9:.]+ vb    In  IP $A4\.[0-9]+ > $B4\.8080: " "$TMP/mt.out")" = 2 ]'
start_capture "$TMP/a.out" "$TMP/a.err" -i any -c 1 ||
	notok "any: ready" "$(cat "$TMP/a.err")"
tcp_session "$B4" 10
wait_exit "$CAP_PID"
check "-i any: every up interface of the namespace" grep -Eq "^listening on (lo|vb) .*(lo|vb) " "$TMP/a.err"

# --- --stats: periodic, JSON with --json ---------------------------------------
start_capture "$TMP/st.out" "$TMP/st.err" -i vb --json --stats 0.3 ||
	notok "stats: ready" "$(cat "$TMP/st.err")"
tcp_session "$B4" 10
sleep 1
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "stats: periodic JSON lines with every counter" eval \
	'[ "$(grep -c "^{\"written\":" "$TMP/st.err")" -ge 3 ] &&
	 grep "^{\"written\":" "$TMP/st.err" | tail -1 | jq -e ".matched == .written + .lost + .sampled_out + .over_budget + .expired" >/dev/null'

# --- overload: a small ring, a stalled reader, an exact invariant --------------
start_capture "$TMP/o.out" "$TMP/o.err" -i vb --buffer 8k -s 1500 ||
	notok "overload: ready" "$(cat "$TMP/o.err")"
kill -STOP "$CAP_PID"
tcp_session "$B4" 3000000
kill -CONT "$CAP_PID"
sleep 0.3
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
written=$(awk '/packets captured/ { print $1 }' "$TMP/o.err")
check "overload: events were lost (ring of 8 KiB)" eval '[ "$(field "$TMP/o.err" lost)" -gt 0 ]'
check "overload: invariant holds exactly" invariant "$TMP/o.err"
check "overload: written = lines printed" [ "$(wc -l <"$TMP/o.out")" = "$written" ]

# --- bad values ---------------------------------------------------------------
badv() {
	inb "$TI" -i vb "$@" >/dev/null 2>"$TMP/b.err"
	local rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$TMP/b.err")" = 1 ] && [ -z "$(xdp_id)" ]; then
		ok "bad value: $*"
	else
		notok "bad value: $*" "rc=$rc: $(cat "$TMP/b.err")"
	fi
}
badv --buffer 5000
badv --buffer 2k
badv --duration 0
badv --duration -1
badv --sample 0
badv --stats x
badv -i vb -i any
