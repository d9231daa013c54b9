#!/bin/bash
# tests/system/accounting.sh - the summary adds up however the output
# ends: a reader that goes away under load (`| head -1`, text and JSON)
# and a full disk (text, and -w pcap).  Every matched packet is written,
# not written (output failed), lost, sampled out, over the -c budget or
# after --duration; "written" is only what the reader or the file got
# whole: the lines in the file, the packets tcpdump reads back.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root accounting
if ! setup_pair; then
	notok accounting-setup "cannot create namespaces and veth pair"
	exit 1
fi
trap 'umount "$TMP/full" 2>/dev/null; cleanup' EXIT

# Transfers until PID ends (20 at most): the output falls behind, the
# reader goes, the next write fails.
load_until_gone() {
	local i
	for i in $(seq 20); do
		tcp_session "$B4" 2000000 >/dev/null
		kill -0 "$1" 2>/dev/null || return 0
	done
	return 1
}

# --- a reader that goes away ----------------------------------------------
for fmt in text json; do
	args=
	[ $fmt = json ] && args=--json
	ip netns exec "$NS_B" sh -c "'$TI' -i vb $args 2>'$TMP/h.err' | head -1 >'$TMP/h.out'" &
	job=$!
	PIDS="$PIDS $job"
	if ! wait_for "$TMP/h.err" '^listening on'; then
		notok "$fmt | head -1: ready" "$(cat "$TMP/h.err")"
		continue
	fi
	load_until_gone "$job"
	pkill -9 -P "$job" 2>/dev/null	# (only if still running)
	wait_exit "$job"
	check "$fmt | head -1: tcpinspect ended by itself with its summary" \
		grep -q '^[0-9]* packets captured' "$TMP/h.err"
	check "$fmt | head -1: the reader got one line" [ "$(wc -l <"$TMP/h.out")" = 1 ]
	check "$fmt | head -1: the accounting adds up" invariant "$TMP/h.err"
	check "$fmt | head -1: what the pipe refused is counted as not written" \
		eval '[ "$(field "$TMP/h.err" not)" -gt 0 ]'
	check "$fmt | head -1: written: the lines the pipe took, some of those matched" \
		eval '[ "$(field "$TMP/h.err" written)" -ge 1 ] &&
		      [ "$(field "$TMP/h.err" written)" -lt "$(awk "/ matched = /{print \$1}" "$TMP/h.err")" ]'
	check "$fmt | head -1: no error said (a gone reader is a normal end)" \
		eval '! grep -q "cannot write" "$TMP/h.err"'
	if [ $fmt = json ]; then
		check "json | head -1: the JSON summary adds up too" \
			eval 'grep "^{\"written\":" "$TMP/h.err" | jq -e ".not_written > 0 and .matched == .written + .not_written + .lost + .sampled_out + .over_budget + .expired" >/dev/null'
	fi
	check "$fmt | head -1: nothing attached" [ -z "$(xdp_id)" ]
done

# --- a full disk --------------------------------------------------------------
mkdir -p "$TMP/full"
if mount -t tmpfs -o size=64k tmpfs "$TMP/full"; then
	for how in text pcap; do
		rm -f "$TMP"/full/*
		if [ $how = pcap ]; then
			start_capture "$TMP/d.out" "$TMP/d.err" -i vb -w "$TMP/full/x.pcap"
		else
			ip netns exec "$NS_B" "$TI" -i vb >"$TMP/full/x.txt" 2>"$TMP/d.err" &
			CAP_PID=$!
			PIDS="$PIDS $CAP_PID"
			wait_for "$TMP/d.err" '^listening on'
		fi || { notok "full disk, $how: ready" "$(cat "$TMP/d.err")"; continue; }
		load_until_gone "$CAP_PID"
		wait_exit "$CAP_PID"
		rc=$?
		check "full disk, $how: status 1, said why" \
			eval '[ $rc = 1 ] && grep -q "No space left on device" "$TMP/d.err"'
		check "full disk, $how: the accounting adds up" invariant "$TMP/d.err"
		check "full disk, $how: what did not fit is counted as not written" \
			eval '[ "$(field "$TMP/d.err" not)" -gt 0 ]'
		if [ $how = pcap ]; then
			got=$(tcpdump -r "$TMP/full/x.pcap" 2>/dev/null | wc -l)
		else
			got=$(wc -l <"$TMP/full/x.txt")
		fi
		check "full disk, $how: written = what the file holds whole ($got)" \
			[ "$(field "$TMP/d.err" written)" = "$got" ]
		check "full disk, $how: nothing attached" [ -z "$(xdp_id)" ]
	done
	umount "$TMP/full"
else
	skip "full disk" "cannot mount a tmpfs"
fi
