#!/bin/bash
# tests/system/serve_hostile.sh - tcpinspect serve against clients that
# are slow, greedy or odd (build/httpc, curl), on 127.0.0.1 inside the
# receiving namespace of a veth pair: slow heads do not lock others out,
# 503 comes with Retry-After and no reset, idle kept-alive connections
# make room; memory and CPU stay bounded with a full flow table and
# clients that never read; a request followed by SHUT_WR, 200 pipelined
# requests, 40 clients at once without keep-alive, running out of
# descriptors; Host, an over-long token file, no_new_privs with --user.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root serve_hostile
for t in curl jq prlimit; do
	command -v $t >/dev/null || { skip serve_hostile "$t missing (make check installs it)"; exit 0; }
done
HC=./build/httpc GEN=./build/gen
[ -x "$HC" ] || { skip serve_hostile "no $HC (make build/httpc)"; exit 0; }
setup_pair || { notok serve_hostile "cannot create the veth pair"; exit 0; }

PORT=9420
URL=http://127.0.0.1:$PORT
# jqt FILTER FILE: jq -e, and FILE not empty (jq -e passes nothing).
jqt() { [ -s "$2" ] && jq -e "$1" "$2" >/dev/null; }
code() { inb curl -s -m 5 -o /dev/null -w '%{http_code}' "$@"; }
# start_serve [WRAPPER...] -- ARGS...: serve in NS_B; SRV is its pid.
start_serve() {
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	rm -f "$TMP/s.err"
	ip netns exec "$NS_B" "${pre[@]}" "$TI" serve -i vb --listen 127.0.0.1:$PORT "$@" \
		>/dev/null 2>"$TMP/s.err" &
	SRV=$!
	PIDS="$PIDS $SRV"
	wait_for "$TMP/s.err" '^tcpinspect: serving http://'
}
stop_serve() {
	kill -TERM "$SRV" 2>/dev/null
	wait_exit "$SRV" >/dev/null 2>&1
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# --- slow clients -----------------------------------------------------------------
start_serve -- --http-timeout 3 || notok "slow: ready" "$(cat "$TMP/s.err")"
inb "$HC" slow $PORT 64 6 300 >"$TMP/slow64" &
slow=$!
sleep 1
for i in 1 2 3 4 5; do echo "$(code "$URL/stats")"; done >"$TMP/codes"
check "64 slow clients: a whole request is still answered, 5 of 5" \
	[ "$(grep -c '^200$' "$TMP/codes")" = 5 ]
inb "$HC" slow $PORT 20 1 300 >"$TMP/slow20"
check "64 slow clients: 20 more slow ones are told 503, none is reset" \
	eval 'grep -Eq "s503=[1-9]" "$TMP/slow20" && grep -q "resets=0" "$TMP/slow20"'
wait "$slow"
check "slow clients: a head must come whole within the timeout (408s)" \
	grep -Eq 's408=[1-9]' "$TMP/slow64"
# a head one byte every 0.5 s: 408 at 3 s from the connection, not per byte
inb "$HC" slow $PORT 1 5 500 >"$TMP/slow1"
check "one slow head: 408 within the timeout of the connection, then again" \
	grep -Eq 'connects=2 s408=1 |connects=2 s408=2 ' "$TMP/slow1"
check "slow clients: the 503 carries Retry-After" \
	eval 'inb bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; for i in \$(seq 70); do exec {fd}<>/dev/tcp/127.0.0.1/$PORT; printf \"GET / HTTP/1.1\\r\\n\" >&\$fd; done; sleep 0.2; printf \"GET /stats HTTP/1.1\\r\\n\" >&3; timeout 2 cat <&3" | grep -q "^Retry-After: 1"'
stop_serve

# Idle kept-alive connections make room for new ones.
start_serve -- || notok "idle: ready" "$(cat "$TMP/s.err")"
inb bash -c '
	for i in $(seq 64); do
		exec {fd}<>/dev/tcp/127.0.0.1/'$PORT'
		printf "GET /stats HTTP/1.1\r\nHost: t\r\n\r\n" >&$fd
	done
	sleep 0.5
	curl -s -m 5 -o /dev/null -w "%{http_code}\n" '$URL'/stats' >"$TMP/idle" 2>/dev/null
check "64 idle kept-alive connections: a new client is served" [ "$(cat "$TMP/idle")" = 200 ]
stop_serve

# --- memory and CPU with a full flow table ------------------------------------------
# The default table, 65536 entries, filled by SYNs from 80000 ports.
start_serve -- || notok "full table: ready" "$(cat "$TMP/s.err")"
mac=$(ip -n "$NS_B" link show dev vb 2>/dev/null | awk '/link\/ether/ { print $2 }')
for src in 10.88.0.1 10.88.0.2; do
	ina "$GEN" -i va -n 40000 -f 40000 --syn --dmac "$mac" --src $src \
		--dst "$B4" >"$TMP/gen.out" 2>&1 || notok "full table: traffic" "$(cat "$TMP/gen.out")"
done
inb curl -s -m 5 "$URL/stats" >"$TMP/st.json"
# (an LRU map evicts a little before it is full: per-CPU free lists)
check "full table: 65000 flows or more in it" jqt '.flows >= 65000 and (.flow_table_reads | type) == "number"' "$TMP/st.json"
reads0=$(jq .flow_table_reads "$TMP/st.json")
t0=$(date +%s%N)
inb "$HC" burst $PORT 1 200 /stats >"$TMP/b1"
inb "$HC" burst $PORT 1 200 /metrics >"$TMP/b2"
t1=$(date +%s%N)
inb curl -s -m 5 "$URL/stats" >"$TMP/st.json"
secs=$(( (t1 - t0) / 1000000000 + 1 ))
reads=$(( $(jq .flow_table_reads "$TMP/st.json") - reads0 ))
check "full table: 400 /stats and /metrics read the table at most once a second ($reads reads in ${secs} s)" \
	[ "$reads" -le $(( secs + 1 )) ]
check "full table: 400 /stats and /metrics one after the other in under 4 s ($(( (t1 - t0) / 1000000 )) ms)" \
	eval 'grep -q "ok=200 " "$TMP/b1" && grep -q "ok=200 " "$TMP/b2" &&
	      [ $(( (t1 - t0) / 1000000 )) -lt 4000 ]'
inb curl -s -m 10 "$URL/flows?top=100000" >"$TMP/all.json"
check "full table: /flows?top=100000 streamed whole, valid JSON" \
	jqt '.count >= 65000 and (.flows | length) == .count' "$TMP/all.json"
inb curl -s -m 10 --http1.0 "$URL/flows?top=100000&sort=bytes" >"$TMP/all10.json"
check "full table: the same over HTTP/1.0 (until the close)" \
	jqt '.count >= 65000 and (.flows | length) == .count' "$TMP/all10.json"
inb curl -s -m 10 "$URL/inspect?ip=$B4" >"$TMP/ins.json"
check "full table: /inspect of the address in every flow, whole" \
	jqt '.count >= 65000 and (.connections | length) == .count' "$TMP/ins.json"
rss0=$(rss_kb "$SRV")
inb "$HC" hold $PORT 30 "/flows?top=100000" 5 >/dev/null &
hold=$!
sleep 4
rss=$(rss_kb "$SRV")
check "30 clients of /flows?top=100000 (20 MB each) that never read: RSS ${rss0} -> ${rss} KiB, 32 MiB more at most" \
	[ $(( rss - rss0 )) -lt 32768 ]
wait "$hold"
check "full table: serving on after them" [ "$(code "$URL/stats")" = 200 ]
stop_serve

# --- shutdown(SHUT_WR), pipelining, 40 at once, no descriptors left ----------------------
start_serve -- || notok "protocol: ready" "$(cat "$TMP/s.err")"
n=0
for i in $(seq 50); do
	inb "$HC" shut $PORT 'GET /stats HTTP/1.1\r\nHost: t\r\n\r\n' | grep -q '^HTTP/1.1 200' && n=$((n + 1))
done
check "a request then shutdown(SHUT_WR): answered, 50 of 50" [ $n = 50 ]
inb "$HC" pipeline $PORT 200 /openapi.json >"$TMP/pipe"
check "200 pipelined requests of /openapi.json (2 MB): all answered, under 5 s ($(cat "$TMP/pipe"))" \
	eval 'grep -q "answers=200 ok=200 " "$TMP/pipe" &&
	      [ "$(sed "s/.*secs=\([0-9]*\).*/\1/" "$TMP/pipe")" -lt 5 ]'
inb "$HC" burst $PORT 40 2000 /stats >"$TMP/burst"
check "40 clients at once without keep-alive, 2000 requests: all 200, no reset ($(cut -d' ' -f1-5 "$TMP/burst"))" \
	grep -q 'done=2000 ok=2000 s503=0 other=0 errors=0 ' "$TMP/burst"
stop_serve

# Out of descriptors: 40 at most, 64 clients holding connections.
start_serve prlimit --nofile=40:40 -- || notok "EMFILE: ready" "$(cat "$TMP/s.err")"
inb "$HC" hold $PORT 64 /stats 4 >/dev/null &
hold=$!
sleep 1
c0=$(cpu_ticks "$SRV")
sleep 2
c1=$(cpu_ticks "$SRV")
check "out of descriptors: no busy loop ($(( c1 - c0 )) ticks of CPU in 2 s)" [ $(( c1 - c0 )) -lt 40 ]
c=$(code "$URL/stats")
check "out of descriptors: a new client is told something, at once ($c)" eval '[ "$c" = 503 ] || [ "$c" = 200 ]'
wait "$hold"
sleep 0.5
check "out of descriptors: served again once they are gone" [ "$(code "$URL/stats")" = 200 ]
stop_serve

# --- Host, token file, no_new_privs ---------------------------------------------------
start_serve -- || notok "hardening: ready" "$(cat "$TMP/s.err")"
raw() {
	inb timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; printf '%b' \"\$1\" >&3; cat <&3" _ "$1" 2>/dev/null
}
check "HTTP/1.1 without Host: 400" [ "$(raw 'GET /stats HTTP/1.1\r\n\r\n' | head -1 | cut -d' ' -f2)" = 400 ]
check "HTTP/1.1 with two Host fields: 400" \
	[ "$(raw 'GET /stats HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' | head -1 | cut -d' ' -f2)" = 400 ]
check "HTTP/1.0 without Host: 200" [ "$(raw 'GET /stats HTTP/1.0\r\n\r\n' | head -1 | cut -d' ' -f2)" = 200 ]
stop_serve
head -c 600 /dev/zero | tr '\0' a >"$TMP/token"
chmod 600 "$TMP/token"
inb timeout 5 "$TI" serve -i vb --listen "$B4:$PORT" --token-file "$TMP/token" >/dev/null 2>"$TMP/t.err"
rc=$?
check "a token file over the limit: refused (status 2), not cut" \
	eval '[ $rc = 2 ] && grep -q "longer than 511 bytes" "$TMP/t.err"'
check "a token file over the limit: nothing attached" [ -z "$(xdp_id)" ]
start_serve -- --user nobody || notok "--user: ready" "$(cat "$TMP/s.err")"
check "--user: no_new_privs set" grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$SRV/status"
stop_serve
check "nothing attached at the end" [ -z "$(xdp_id)" ]
