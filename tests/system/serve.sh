#!/bin/bash
# tests/system/serve.sh - tcpinspect serve: real requests with curl
# against a live server on a veth pair carrying real TCP connections.  The
# server listens on 127.0.0.1 inside the receiving namespace; requests
# come from there.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root serve
for t in curl jq promtool; do
	command -v $t >/dev/null || { skip serve "$t missing (make check installs it)"; exit 0; }
done
setup_pair || { notok serve "cannot create the veth pair"; exit 0; }

PORT=9400
URL=http://127.0.0.1:$PORT
# get PATH [CURL ARGS...]: the body on stdout, "CODE" in $TMP/code.
get() {
	local path=$1
	shift
	inb curl -s -m 5 -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" \
		"$URL$path" >"$TMP/code"
	cat "$TMP/body"
}
code() { cat "$TMP/code"; }
header() { sed -n "s/^$1: \(.*\)\r$/\1/Ip" "$TMP/headers" | head -1; }
# raw BYTES: send them on a new connection, print the answer (5 s at most).
raw() {
	inb timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; printf '%b' \"\$1\" >&3; cat <&3" _ "$1" 2>/dev/null
}
status_of() { head -1 | cut -d' ' -f2; }
jqt() { jq -e "$@" >/dev/null; }

# --- start, and real traffic ---------------------------------------------
ip netns exec "$NS_B" "$TI" serve -i vb --listen 127.0.0.1:$PORT \
	--access-log "$TMP/access.log" --http-timeout 1 \
	>"$TMP/s.out" 2>"$TMP/s.err" &
SRV=$!
PIDS="$PIDS $SRV"
check "serve: starts" wait_for "$TMP/s.err" '^tcpinspect: serving http://'
check "serve: listening line names vb" grep -q '^listening on vb' "$TMP/s.err"
for i in 1 2 3; do tcp_session "$B4" 2000 >/dev/null; done
for i in 1 2; do tcp_session "$B6" 500 >/dev/null; done

# --- /inspect ------------------------------------------------------------
get "/inspect?ip=$A4" >"$TMP/i4.json"
check "inspect A4: 200" [ "$(code)" = 200 ]
check "inspect A4: JSON" jqt . "$TMP/i4.json" >/dev/null
check "inspect A4: exactly the 3 IPv4 connections" \
	[ "$(jq '.count' "$TMP/i4.json")" = 3 -a "$(jq '.connections | length' "$TMP/i4.json")" = 3 ]
check "inspect A4: each from A4 to B4:8080" \
	[ "$(jq -r '.connections[] | .source + " " + .destination' "$TMP/i4.json" |
	    grep -c "^$A4:[0-9]* $B4:8080\$")" = 3 ]
check "inspect A4: three different source ports" \
	[ "$(jq -r '.connections[].sport' "$TMP/i4.json" | sort -u | wc -l)" = 3 ]
check "inspect A4: source and destination at the top level (the API's contract)" \
	jqt '(.source | type) == "string" and (.destination | startswith("'"$B4"':8080"))' "$TMP/i4.json"
check "inspect A4: busiest first" \
	jqt '[.connections[].packets] as $p | $p == ($p | sort | reverse)' "$TMP/i4.json"
check "inspect A4: packets, bytes, flags, times" \
	jqt '.connections | all(.packets > 0 and .bytes > 0 and .syn == 1 and .fin >= 1 and (.first | test("Z$")))' "$TMP/i4.json"
get "/inspect?ip=$B4" >"$TMP/b4.json"
check "inspect B4 (as destination): the same 3" [ "$(jq '.count' "$TMP/b4.json")" = 3 ]
get "/inspect?ip=$A6" >"$TMP/i6.json"
check "inspect A6: the 2 IPv6 connections, bracketed" \
	[ "$(jq -r '.connections[].source' "$TMP/i6.json" | grep -c "^\[$A6\]:[0-9]*\$")" = 2 ]
get "/inspect?ip=192.0.2.77" >"$TMP/none.json"
check "inspect, no connection: 404 with an error" \
	eval '[ "$(code)" = 404 ] && jq -e ".error and .count == 0" "$TMP/none.json" >/dev/null'
get "/inspect" >"$TMP/e.json"
check "inspect without ip: 400, JSON error" eval '[ "$(code)" = 400 ] && jq -e .error "$TMP/e.json" >/dev/null'
get "/inspect?ip=10.1.2.300" >"$TMP/e.json"
check "inspect, bad ip: 400" eval '[ "$(code)" = 400 ] && jq -e ".status == 400" "$TMP/e.json" >/dev/null'
get "/inspect?ip=%41" >/dev/null
check "inspect, ip not an address after decoding: 400" [ "$(code)" = 400 ]

# --- /flows, /stats, /metrics --------------------------------------------
get "/flows?top=2&sort=bytes" >"$TMP/f.json"
check "flows?top=2&sort=bytes: 2 of 5, by bytes" \
	jqt '.count == 2 and .total == 5 and .sort == "bytes" and .flows[0].bytes >= .flows[1].bytes' "$TMP/f.json"
get "/flows" >"$TMP/f.json"
check "flows: all 5 (fewer than the default 20)" jqt '.count == 5' "$TMP/f.json"
get "/flows?sort=nope" >/dev/null
check "flows?sort=nope: 400" [ "$(code)" = 400 ]
get "/flows?top=0" >/dev/null
check "flows?top=0: 400" [ "$(code)" = 400 ]
get "/stats" >"$TMP/st.json"
check "stats: counters and vb" \
	jqt '.seen > 0 and .tcp > 0 and .matched > 0 and .lost == 0 and .flows == 5 and .interfaces[0].name == "vb" and .interfaces[0].packets > 0' "$TMP/st.json"
check "stats: vb's packets are the matched ones" \
	jqt '.interfaces[0].packets == .emitted' "$TMP/st.json"
get "/metrics" >"$TMP/m.txt"
check "metrics: 200, Prometheus text type" \
	eval '[ "$(code)" = 200 ] && header Content-Type | grep -q "^text/plain; version=0.0.4"'
check "metrics: promtool check metrics" promtool check metrics <"$TMP/m.txt"
check "metrics: seen counter" grep -Eq '^tcpinspect_packets_seen_total [1-9]' "$TMP/m.txt"
check "metrics: per-interface counter" grep -q '^tcpinspect_interface_packets_total{interface="vb"} [1-9]' "$TMP/m.txt"
check "metrics: per-interface rate" grep -q '^tcpinspect_interface_packets_per_second{interface="vb"} ' "$TMP/m.txt"

# --- /openapi.json: described = answered ---------------------------------
get "/openapi.json" >"$TMP/api.json"
check "openapi.json: the repo's document" cmp -s "$TMP/api.json" openapi.json
check "openapi.json: OpenAPI 3.0" jqt '.openapi | startswith("3.0")' "$TMP/api.json"
described=$(jq -r '.paths | keys[]' "$TMP/api.json" | sort)
answered=$(grep -o 'path_is(r, "[^"]*")' api.c | sed 's/.*"\(.*\)")/\1/' | sort)
check "openapi.json: every endpoint the server has is described, and only those" \
	[ "$described" = "$answered" ]
for p in $described; do
	q=; [ "$p" = /inspect ] && q="?ip=$A4"
	get "$p$q" >/dev/null
	check "openapi.json: $p is answered (200)" [ "$(code)" = 200 ]
done
get "/nothing-here" >"$TMP/e.json"
check "unknown path: 404, JSON error" eval '[ "$(code)" = 404 ] && jq -e .error "$TMP/e.json" >/dev/null'

# --- headers, methods, the access log ------------------------------------
get /stats -H 'X-Request-ID: abc-123' -H 'X-Client-ID: monitor-7' -H 'X-Timestamp: 2026-11-28T10:00:00Z' >/dev/null
check "X-Request-ID echoed" [ "$(header X-Request-ID)" = abc-123 ]
check "access log: request id, client id and timestamp" \
	grep -q '"GET /stats" 200 .*request_id=abc-123 client_id=monitor-7 timestamp=2026-11-28T10:00:00Z' "$TMP/access.log"
get /stats >/dev/null
check "X-Request-ID generated when absent" header X-Request-ID | grep -Eq '^[0-9a-f]{16}$'
inb curl -s -m 5 -I "$URL/stats" >"$TMP/head.txt"
check "HEAD: 200" grep -q '^HTTP/1.1 200' "$TMP/head.txt"
check "HEAD: the GET's length" grep -Eq '^Content-Length: [1-9]' "$TMP/head.txt"
check "HEAD: no body bytes" [ "$(raw 'HEAD /stats HTTP/1.0\r\n\r\n' | sed '1,/^\r$/d' | wc -c)" = 0 ]
get /stats -X POST -d x=1 >/dev/null
check "POST: 405 with Allow" eval '[ "$(code)" = 405 ] && [ "$(header Allow)" = "GET, HEAD" ]'
check "keep-alive: two requests on one connection" \
	[ "$(inb curl -s -m 5 -o /dev/null -o /dev/null -w '%{num_connects}\n' "$URL/stats" "$URL/flows" | awk '{ s += $1 } END { print s }')" = 1 ]
check "pipelined: two answers in order" \
	[ "$(raw 'GET /nothing HTTP/1.1\r\nHost: t\r\n\r\nGET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' | grep -c '^HTTP/1.1 ')" = 2 ]

# --- bad requests ---------------------------------------------------------
check "garbage: 400" [ "$(raw 'HELLO\r\n\r\n' | status_of)" = 400 ]
check "HTTP/2.0: 505" [ "$(raw 'GET / HTTP/2.0\r\n\r\n' | status_of)" = 505 ]
long=$(head -c 3000 /dev/zero | tr '\0' a)
check "request line of 3000 bytes: 414" [ "$(raw "GET /$long HTTP/1.1\r\n\r\n" | status_of)" = 414 ]
big=$(head -c 9000 /dev/zero | tr '\0' b)
check "9000-byte header: 431" [ "$(raw "GET /stats HTTP/1.1\r\nX-Big: $big\r\n\r\n" | status_of)" = 431 ]
check "body of 100000 bytes: 413" \
	[ "$(raw 'POST /stats HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n' | status_of)" = 413 ]
check "chunked body: 501" \
	[ "$(raw 'GET /stats HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' | status_of)" = 501 ]
# a slow client: half a head, then nothing; the server moves on (--http-timeout 1)
t0=$(date +%s%N)
slow=$(raw 'GET /stats HTTP/1.1\r\nX-A: ')
t1=$(date +%s%N)
check "slow client: 408 after the timeout (1 s)" \
	[ "$(echo "$slow" | status_of)" = 408 -a $(( (t1 - t0) / 1000000 )) -lt 3000 ]
check "server still answers" [ "$(get /stats >/dev/null; code)" = 200 ]

# many connections at once: 70 that send half a head and wait, more
# than the 64 allowed: a client with a whole head is still served (the
# slots kept for those), one more slow one is told 503
inb bash -c '
	for i in $(seq 70); do
		exec {fd}<>/dev/tcp/127.0.0.1/'$PORT' || exit 1
		printf "GET /stats HTTP/1.1\r\n" >&$fd
	done
	sleep 0.1
	curl -s -m 5 -o /dev/null -w "%{http_code}\n" '$URL'/stats
	exec {fd}<>/dev/tcp/127.0.0.1/'$PORT'
	printf "GET /stats HTTP/1.1\r\n" >&$fd
	timeout 2 head -1 <&$fd' >"$TMP/many" 2>/dev/null
check "70 slow connections: a whole request is still answered" [ "$(sed -n 1p "$TMP/many")" = 200 ]
check "70 slow connections: one more slow one is told 503" \
	grep -q '^HTTP/1.1 503 Service Unavailable' "$TMP/many"
sleep 0.3
check "after they close: 200 again" [ "$(get /stats >/dev/null; code)" = 200 ]
get /metrics >"$TMP/m.txt"
check "metrics: refused connections counted" grep -Eq '^tcpinspect_http_connections_refused_total [1-9]' "$TMP/m.txt"
check "server alive after all that" kill -0 $SRV

kill -TERM $SRV
wait_exit $SRV
check "SIGTERM: exits 0" [ $? = 0 ]
check "SIGTERM: nothing attached" [ -z "$(xdp_id)" ]
check "exit summary" grep -q 'HTTP requests answered' "$TMP/s.err"

# --- safety: token, non-loopback, --user ---------------------------------
ip netns exec "$NS_B" "$TI" serve -i vb --listen "$B4:$PORT" >/dev/null 2>"$TMP/e.err"
check "non-loopback without a token: refused, exit 2" [ $? = 2 ]
check "non-loopback without a token: says why" grep -q 'token-file' "$TMP/e.err"
check "non-loopback refused: nothing attached" [ -z "$(xdp_id)" ]
printf 'sekrit-token-0123456789\n' >"$TMP/token"
chmod 644 "$TMP/token"
ip netns exec "$NS_B" "$TI" serve -i vb --listen "$B4:$PORT" --token-file "$TMP/token" >/dev/null 2>"$TMP/e.err"
check "token file readable by others: refused, exit 2" [ $? = 2 ]
check "token file readable by others: says chmod 600" grep -q 'chmod 600' "$TMP/e.err"
chmod 600 "$TMP/token"
ip netns exec "$NS_B" "$TI" serve -i vb --listen "$B4:$PORT" --token-file "$TMP/token" \
	--user nobody >/dev/null 2>"$TMP/t.err" &
SRV=$!
PIDS="$PIDS $SRV"
check "token + --user nobody: starts" wait_for "$TMP/t.err" '^tcpinspect: serving'
check "--user: runs as nobody" \
	[ "$(awk '/^Uid:/ { print $2 }' /proc/$SRV/status)" = "$(id -u nobody)" ]
tcp_session "$B4" 100 >/dev/null
c=$(ina curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$B4:$PORT/stats")
check "token: a request from the other namespace without it: 401" [ "$c" = 401 ]
c=$(ina curl -s -m 5 -o "$TMP/st.json" -w '%{http_code}' -H 'Authorization: Bearer sekrit-token-0123456789' "http://$B4:$PORT/stats")
check "token: with it: 200" [ "$c" = 200 ]
check "--user: the maps are still read (the connection counted)" jqt '.flows >= 1' "$TMP/st.json"
c=$(ina curl -s -m 5 -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong-token-0123456789' "http://$B4:$PORT/stats")
check "token: a wrong one: 401" [ "$c" = 401 ]
kill -TERM $SRV
wait_exit $SRV
check "--user: exits 0 on SIGTERM" [ $? = 0 ]
check "--user: nothing attached after exit" [ -z "$(xdp_id)" ]
