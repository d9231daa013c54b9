#!/bin/bash
# tests/cli.sh - the command line end to end, on a veth pair between two
# namespaces this test creates: a capture started with stdin/stdout/
# stderr closed, what is refused before anything is attached, the
# `capture` command word, serve with a filter, with --listen PORT, and
# with more interfaces than its old table held.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root cli
if ! setup_pair; then
	notok cli-setup "cannot create namespaces and veth pair"
	exit 1
fi
nothing_attached() { [ -z "$(xdp_id)" ]; }

# --- closed standard descriptors ----------------------------------------------
# An init script's `>&-`: what would go to stdout must not land in a BPF
# map that took descriptor 1.  Descriptors 0-2 are /dev/null instead.
ip netns exec "$NS_B" "$TI" -i vb -c 2 <&- >&- 2>"$TMP/c1.err" &
CAP_PID=$!
PIDS="$PIDS $CAP_PID"
if wait_for "$TMP/c1.err" '^listening on'; then
	fds="$(readlink /proc/$CAP_PID/fd/0) $(readlink /proc/$CAP_PID/fd/1)"
	check "stdin, stdout closed: descriptors 0 and 1 are /dev/null while it runs" \
		[ "$fds" = "/dev/null /dev/null" ]
	bpf_low=$(for f in 0 1 2; do readlink /proc/$CAP_PID/fd/$f; done | grep -c 'anon_inode\|socket')
	check "stdin, stdout closed: no BPF object or socket on 0-2" [ "$bpf_low" = 0 ]
	tcp_session "$B4" 100 >/dev/null
	wait_exit "$CAP_PID"
	rc=$?
	check "stdout closed: exit 0" [ $rc = 0 ]
	check "stdout closed: no write error" eval '! grep -q "cannot write" "$TMP/c1.err"'
	check "stdout closed: the packets counted as written" grep -q '^2 packets captured' "$TMP/c1.err"
	check "stdout closed: invariant holds" invariant "$TMP/c1.err"
else
	notok "stdout closed: ready" "$(cat "$TMP/c1.err")"
fi
check "stdout closed: nothing attached after exit" nothing_attached

# All three closed: nothing to read its messages with, so ask the kernel.
ip netns exec "$NS_B" "$TI" -i vb -c 1 <&- >&- 2>&- &
p=$!
PIDS="$PIDS $p"
for i in $(seq 50); do [ -n "$(xdp_id)" ] && break; sleep 0.1; done
check "0, 1 and 2 closed: it attaches" [ -n "$(xdp_id)" ]
check "0, 1 and 2 closed: all three are /dev/null" \
	[ "$(readlink /proc/$p/fd/0) $(readlink /proc/$p/fd/1) $(readlink /proc/$p/fd/2)" = "/dev/null /dev/null /dev/null" ]
tcp_session "$B4" 100 >/dev/null
wait_exit "$p"
rc=$?
check "0, 1 and 2 closed: exit 0 after -c 1, nothing attached" eval '[ $rc = 0 ] && nothing_attached'

# --- refused before anything is attached ----------------------------------------
# before NAME RC PATTERN ARGS...: exit RC, the reason, and never attached
# (no "listening on", nothing on vb afterwards).
before() {
	local name=$1 want=$2 pattern=$3
	shift 3
	ip netns exec "$NS_B" "$TI" "$@" >"$TMP/b.out" 2>"$TMP/b.err" </dev/null
	local r=$?
	if [ $r = "$want" ] && grep -q -- "$pattern" "$TMP/b.err" &&
	   ! grep -q '^listening on' "$TMP/b.err" && nothing_attached; then
		ok "refused before attaching: $name"
	else
		notok "refused before attaching: $name" "rc=$r, stderr: $(head -3 "$TMP/b.err")"
	fi
}
before "bad filter" 2 "filter: " -i vb 'port 99999'
before "bad filter, flows" 2 "filter: " flows -i vb 'tcp[[' 
before "bad filter, serve" 2 "filter: " serve -i vb 'host nosuch.example'
big=$(for i in $(seq 1 3000); do printf 'port %d or ' $i; done; echo 'port 1')
before "too large a filter: exit 2" 2 "filter: " -i vb "$big"
before "output file cannot be created" 2 "$TMP/nosuch/f.pcap" -i vb -w "$TMP/nosuch/f.pcap"
before "serve --user that does not exist" 2 "no such user" serve -i vb --user nosuchuser0
if ip -n "$NS_B" link property add dev vb altname vbalt 2>/dev/null; then
	before "the same interface under two names" 2 "are the same one" -i vb -i vbalt
else
	skip "refused before attaching: the same interface under two names" "no altname support"
fi
# Unprivileged, a bad filter is still a usage error (checked first).
cp "$TI" "$TMP/ti" && chmod 755 "$TMP" "$TMP/ti"
setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/ti" -i lo 'port 99999' \
	>/dev/null 2>"$TMP/u.err"
rc=$?
check "unprivileged, bad filter: exit 2 with the filter's message" \
	eval '[ $rc = 2 ] && grep -q "filter: " "$TMP/u.err"'

# --- the command word, and serve's arguments -------------------------------------
start_capture "$TMP/cw.out" "$TMP/cw.err" capture -i vb -c 1 ||
	notok "capture as a command word: ready" "$(cat "$TMP/cw.err")"
tcp_session "$B4" 10 >/dev/null
wait_exit "$CAP_PID"
rc=$?
check "tcpinspect capture -i vb -c 1: exit 0, one segment printed" \
	eval '[ $rc = 0 ] && [ "$(wc -l <"$TMP/cw.out")" = 1 ] && grep -q " > $B4.8080: " "$TMP/cw.out"'

if command -v curl >/dev/null && command -v jq >/dev/null; then
	PORT=19411
	ip netns exec "$NS_B" "$TI" serve -i vb --listen $PORT 'port 8080' \
		>"$TMP/s.out" 2>"$TMP/s.err" &
	SRV=$!
	PIDS="$PIDS $SRV"
	check "serve --listen PORT 'port 8080': starts, says 127.0.0.1:PORT" \
		wait_for "$TMP/s.err" "^tcpinspect: serving http://127.0.0.1:$PORT "
	tcp_session "$B4" 100 >/dev/null
	inb curl -s -m 5 "http://127.0.0.1:$PORT/stats" >"$TMP/st.json"
	check "serve: the filter is the expression given" \
		eval 'jq -e ".filter == \"port 8080\" and .matched > 0" "$TMP/st.json" >/dev/null'
	kill -TERM "$SRV"
	wait_exit "$SRV"
	rc=$?
	check "serve: exit 0, nothing attached" eval '[ $rc = 0 ] && nothing_attached'

	# More interfaces than serve's table held (16): 20 veth pairs more.
	for i in $(seq 1 20); do
		ip -n "$NS_B" link add "x$i" type veth peer name "y$i" &&
			ip -n "$NS_B" link set "x$i" up && ip -n "$NS_B" link set "y$i" up
	done
	up=$(ip -n "$NS_B" -o link show up | wc -l)
	ip netns exec "$NS_B" "$TI" serve -i any --listen $PORT >"$TMP/s2.out" 2>"$TMP/s2.err" &
	SRV=$!
	PIDS="$PIDS $SRV"
	if wait_for "$TMP/s2.err" '^tcpinspect: serving'; then
		inb curl -s -m 5 "http://127.0.0.1:$PORT/stats" >"$TMP/st2.json"
		check "serve -i any on $up interfaces: /stats has every one" \
			eval 'jq -e ".interfaces | length == $up" "$TMP/st2.json" >/dev/null'
	else
		notok "serve -i any on $up interfaces" "$(tail -3 "$TMP/s2.err")"
	fi
	kill -TERM "$SRV"
	wait_exit "$SRV"
	rc=$?
	check "serve -i any: exit 0" [ $rc = 0 ]
	left=$(ip -n "$NS_B" -d link show | grep -c 'prog/xdp')
	check "serve -i any: nothing attached anywhere afterwards" [ "$left" = 0 ]
else
	skip "serve arguments" "curl or jq missing (make check installs them)"
fi
