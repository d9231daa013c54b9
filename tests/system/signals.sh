#!/bin/bash
# tests/system/signals.sh - every signal whose default action ends a
# process ends a capture, flows and serve as SIGTERM does: status 0, the
# summary printed, nothing left attached.  Attached over netlink
# (TCPINSPECT_DISABLE=link), where a process killed by a signal would
# leave its program behind but for the guardian: the status and the
# summary show that tcpinspect itself took the signal.  32, 33 and 34
# are the real-time signals musl keeps for itself (`kill -s RTMIN` in
# bash sends 34).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root signals
if ! setup_pair; then
	notok signals-setup "cannot create namespaces and veth pair"
	exit 1
fi

# ends_cleanly CMD SIG ARGS...: start CMD over netlink, send SIG, check.
ends_cleanly() {
	local cmd=$1 sig=$2 name rc
	shift 2
	name="$cmd, SIG$sig"
	case $sig in [0-9]*) name="$cmd, signal $sig" ;; esac
	export TCPINSPECT_DISABLE=link
	start_capture "$TMP/s.out" "$TMP/s.err" $cmd -i vb "$@" ||
		{ notok "$name: ready" "$(cat "$TMP/s.err")"; unset TCPINSPECT_DISABLE; return; }
	unset TCPINSPECT_DISABLE
	case $sig in [0-9]*) kill -"$sig" "$CAP_PID" ;; *) kill -s "$sig" "$CAP_PID" ;; esac
	wait_exit "$CAP_PID" 2>/dev/null
	rc=$?
	local summary='^[0-9]+ packets captured'
	[ "$cmd" = flows ] && summary='^[0-9]+ flows in the table'
	[ "$cmd" = serve ] && summary='HTTP requests answered'
	if [ $rc = 0 ] && grep -Eq "$summary" "$TMP/s.err" && [ -z "$(xdp_id)" ] &&
	   ! grep -q guardian "$TMP/s.err"; then
		ok "$name: exits 0, summary, detached"
	else
		notok "$name: exits 0, summary, detached" \
			"status $rc, attached: '$(xdp_id)', stderr: $(tail -2 "$TMP/s.err" | tr '\n' '|')"
		ip -n "$NS_B" link set dev vb xdp off 2>/dev/null
		ip -n "$NS_B" link set dev vb xdpgeneric off 2>/dev/null
	fi
}

for sig in QUIT USR1 USR2 ALRM XCPU VTALRM PROF PWR STKFLT IO 32 33 34 RTMIN RTMIN+5 RTMAX; do
	ends_cleanly capture "$sig"
done
for sig in QUIT USR2 RTMAX; do
	ends_cleanly flows "$sig"
	ends_cleanly serve "$sig" --listen 127.0.0.1:9412
done

# SIGXFSZ is ignored: a file size limit is EFBIG from write, the capture
# ends with an error (status 1), detached, with a readable file.
export TCPINSPECT_DISABLE=link
ip netns exec "$NS_B" bash -c 'ulimit -f 64; exec "$0" "$@"' "$TI" -i vb -w "$TMP/f.pcap" \
	>/dev/null 2>"$TMP/f.err" &
CAP_PID=$!
PIDS="$PIDS $CAP_PID"
unset TCPINSPECT_DISABLE
if wait_for "$TMP/f.err" '^listening on'; then
	tcp_session "$B4" 3000000 >/dev/null
	wait_exit "$CAP_PID" 2>/dev/null
	rc=$?
	check "file size limit: status 1, said why" eval '[ $rc = 1 ] && grep -q "File too large" "$TMP/f.err"'
	check "file size limit: the file reads back" tcpdump -r "$TMP/f.pcap" -c 1 -w /dev/null 2>/dev/null
	check "file size limit: nothing attached" [ -z "$(xdp_id)" ]
else
	notok "file size limit: ready" "$(cat "$TMP/f.err")"
fi
