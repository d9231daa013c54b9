#!/bin/bash
# tests/demo.sh - `make demo`: tcpinspect on real traffic, no setup needed.
# Two throw-away namespaces joined by a veth pair; tcpinspect watches one
# end while a TCP connection crosses it; everything is removed at the end.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root (network namespaces, XDP)" >&2
	exit 1
fi
setup_pair || { echo "cannot create a veth pair between namespaces" >&2; exit 1; }
echo "== namespaces $NS_A ($A4, $A6) and $NS_B ($B4, $B6), veth va <-> vb"
echo "== tcpinspect -i vb -c 12   (in $NS_B; a client in $NS_A sends 3000 bytes)"
start_capture "$TMP/out" "$TMP/err" -i vb -c 12 || { cat "$TMP/err"; exit 1; }
cat "$TMP/err"
tcp_session "$B4" 3000 >/dev/null
tcp_session "$B6" 3000 >/dev/null
wait_exit "$CAP_PID"
rc=$?
cat "$TMP/out"
tail -n +2 "$TMP/err"
echo "== tcpinspect -i vb --direction both -c 8   (both halves of the conversation)"
start_capture "$TMP/out" "$TMP/err" -i vb --direction both -c 8 || { cat "$TMP/err"; exit 1; }
head -1 "$TMP/err"
tcp_session "$B4" 1000 >/dev/null
wait_exit "$CAP_PID" || rc=$?
cat "$TMP/out"
echo "== tcpinspect -i vb -c 2 --json"
start_capture "$TMP/out" "$TMP/err" -i vb -c 2 --json || { cat "$TMP/err"; exit 1; }
tcp_session "$B4" 10 >/dev/null
wait_exit "$CAP_PID" || rc=$?
cat "$TMP/out"
left=$(xdp_id)
echo "== XDP program left on vb: ${left:-none}; TC filters: $(inb tc filter show dev vb ingress 2>/dev/null | wc -l) ingress, $(inb tc filter show dev vb egress 2>/dev/null | wc -l) egress"
echo "== removing the namespaces"
exit $rc
