#!/bin/bash
# tests/bench/startup.sh - figures for BENCHMARKS.md (not a test): time
# from exec to the "listening on" line, and peak RSS, of tcpinspect on lo
# in a throw-away namespace; ARGS adds options.  Run from the top
# directory.
ip netns add tsu && ip netns exec tsu ip link set lo up || exit 1
trap 'ip netns del tsu; rm -f "${TMPDIR:-/tmp}/su.fifo"' EXIT
for i in $(seq 10); do
	rm -f "${TMPDIR:-/tmp}/su.fifo"; mkfifo "${TMPDIR:-/tmp}/su.fifo"
	t0=$(date +%s%N)
	ip netns exec tsu ./tcpinspect -i lo $ARGS 2>"${TMPDIR:-/tmp}/su.fifo" >/dev/null &
	pid=$!
	read -r line <"${TMPDIR:-/tmp}/su.fifo"
	t1=$(date +%s%N)
	hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
	kill -TERM $pid; wait $pid 2>/dev/null
	echo "$(( (t1 - t0) / 1000 )) $hwm"
done
