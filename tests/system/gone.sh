#!/bin/bash
# tests/system/gone.sh - the interface goes away while capture, flows or
# serve runs (deleted, or moved to another network namespace): said
# ("interface vb went away"), output and summary finished, status 1;
# serve drops that interface, says so in /stats, serves on with the
# others and ends when none is left.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root gone
if ! setup_pair; then
	notok gone-setup "cannot create namespaces and veth pair"
	exit 1
fi

# The pair again, after a test deleted it.
new_pair() {
	ip -n "$NS_B" link del vb 2>/dev/null
	ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B" &&
	ip -n "$NS_A" addr add "$A4/24" dev va &&
	ip -n "$NS_B" addr add "$B4/24" dev vb &&
	ip -n "$NS_A" link set va up && ip -n "$NS_B" link set vb up
}
# jqt FILTER FILE: jq -e, and FILE not empty (jq -e passes nothing).
jqt() { [ -s "$2" ] && jq -e "$1" "$2" >/dev/null; }
# ends_within PID: it exits within 5 s by itself; its status in RC.
ends_within() {
	local i
	for i in $(seq 50); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			RC=$?
			return 0
		fi
		sleep 0.1
	done
	kill -9 "$1"
	wait "$1" 2>/dev/null
	RC=124
	return 1
}

# --- capture: deleted, moved away; bpf_link and netlink --------------------------
for how in deleted moved netlink; do
	new_pair || { notok "capture, $how: a new pair" "cannot create it"; continue; }
	[ $how = netlink ] && export TCPINSPECT_DISABLE=link
	start_capture "$TMP/c.out" "$TMP/c.err" -i vb || notok "capture, $how: ready" "$(cat "$TMP/c.err")"
	unset TCPINSPECT_DISABLE
	tcp_session "$B4" 1000 >/dev/null
	if [ $how = moved ]; then
		ip -n "$NS_B" link set vb netns "$NS_A"
	else
		ip -n "$NS_B" link del vb
	fi
	check "capture, $how: ends by itself" ends_within "$CAP_PID"
	check "capture, $how: status 1" [ "$RC" = 1 ]
	check "capture, $how: says so" grep -q '^tcpinspect: interface vb went away$' "$TMP/c.err"
	check "capture, $how: the packets before were printed" grep -q 'Flags \[S\]' "$TMP/c.out"
	check "capture, $how: the summary, adding up" invariant "$TMP/c.err"
	check "capture, $how: no other error" \
		eval '[ "$(grep -c "^tcpinspect:" "$TMP/c.err")" = 1 ]'
	[ $how = moved ] && ip -n "$NS_A" link del vb 2>/dev/null
done

# --- flows --------------------------------------------------------------------------
new_pair
start_capture "$TMP/f.out" "$TMP/f.err" flows -i vb || notok "flows: ready" "$(cat "$TMP/f.err")"
tcp_session "$B4" 1000 >/dev/null
ip -n "$NS_B" link del vb
check "flows: ends by itself" ends_within "$CAP_PID"
check "flows: status 1" [ "$RC" = 1 ]
check "flows: says so" grep -q '^tcpinspect: interface vb went away$' "$TMP/f.err"
check "flows: the table is printed, with the connection" grep -q "^$A4:[0-9]* *$B4:8080 " "$TMP/f.out"
check "flows: the summary" grep -q '^[0-9]* flows in the table' "$TMP/f.err"

# --- serve: two interfaces, one goes, then the other --------------------------------
new_pair
ip link add vd netns "$NS_A" type veth peer name vc netns "$NS_B" &&
	ip -n "$NS_A" link set vd up && ip -n "$NS_B" link set vc up
PORT=9413
start_capture "$TMP/s.out" "$TMP/s.err" serve -i vb -i vc --listen 127.0.0.1:$PORT ||
	notok "serve: ready" "$(cat "$TMP/s.err")"
wait_for "$TMP/s.err" '^tcpinspect: serving'
tcp_session "$B4" 1000 >/dev/null
ip -n "$NS_B" link del vc
sleep 0.5
inb curl -s -m 5 "http://127.0.0.1:$PORT/stats" >"$TMP/st.json"
check "serve, one of two gone: still running" kill -0 "$CAP_PID"
check "serve, one of two gone: says so" grep -q '^tcpinspect: interface vc went away$' "$TMP/s.err"
check "serve, one of two gone: /stats names it gone, the other attached" \
	jqt '.interfaces_attached == 1 and ([.interfaces[] | select(.name == "vc") | .gone] == [true]) and ([.interfaces[] | select(.name == "vb") | .gone] == [false])' "$TMP/st.json"
check "serve, one of two gone: the other still counts" \
	jqt '.interfaces[] | select(.name == "vb") | .packets > 0' "$TMP/st.json"
inb curl -s -m 5 "http://127.0.0.1:$PORT/metrics" >"$TMP/m.txt"
check "serve, one of two gone: /metrics says which are attached" \
	grep -q '^tcpinspect_interface_attached{interface="vc"} 0$' "$TMP/m.txt"
ip -n "$NS_B" link del vb
check "serve, none left: ends by itself" ends_within "$CAP_PID"
check "serve, none left: status 1" [ "$RC" = 1 ]
check "serve, none left: says so" grep -q '^tcpinspect: interface vb went away$' "$TMP/s.err"
check "serve, none left: the summary" grep -q 'HTTP requests answered' "$TMP/s.err"
