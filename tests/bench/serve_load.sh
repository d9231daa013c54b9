#!/bin/bash
# tests/bench/serve_load.sh - tcpinspect serve under HTTP load (`make
# bench`; figures, never assertions).  Loopback only, every run bounded.
#
# serve attaches to gv1 (namespace R) and its flow table (65536 entries,
# the default) is filled first: build/gen sends SYNs from 80000 ports
# of two addresses across the veth pair, and one real connection comes
# from the peer's address, which /inspect then asks for.  In namespace
# R, on 127.0.0.1:
#  - wrk (one thread, SERVE_CONNS connections, SERVE_SECS seconds each)
#    asks /metrics, /stats and /inspect?ip=PEER of serve, and a static
#    file of about the size of /stats of busybox httpd, the yardstick
#    (which forks a process per connection and has no keep-alive: wrk
#    reconnects for each of its requests);
#  - the slow-client run: 500 connections (build/httpc slow) send a
#    request head one byte a second, each dialling again a second after
#    it was closed, while one normal client makes SERVE_NORMAL requests
#    one after the other, each on a new connection: how many it got
#    answered (200), and how fast; the same client alone before, for
#    comparison.
# serve runs on CPU 1, the clients on CPU 0.
#
# Environment: SERVE_SECS (10), SERVE_CONNS (16), SERVE_NORMAL (300),
# SERVE_SLOW (500), SERVE_OUT (build/bench-serve.md), BENCH_TI.
set -u
cd "$(dirname "$0")/../.." || exit 1

SECS=${SERVE_SECS:-10}
CONNS=${SERVE_CONNS:-16}
NORMAL=${SERVE_NORMAL:-300}
SLOW=${SERVE_SLOW:-500}
OUT=${SERVE_OUT:-build/bench-serve.md}
TI=${BENCH_TI:-./tcpinspect}
GEN=./build/gen HC=./build/httpc PEER=./build/peer
NS_G=tis$$g
NS_R=tis$$r
PORT=9480 YPORT=9481
G4=10.202.0.1 R4=10.202.0.2
DIR=$(mktemp -d /tmp/tis.XXXXXX)
PIDS=

cleanup() {
	local p
	for p in $PIDS; do kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	ip netns del "$NS_G" 2>/dev/null
	ip netns del "$NS_R" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "serve bench: $*" >&2; exit 1; }
inr() { ip netns exec "$NS_R" "$@"; }
ing() { ip netns exec "$NS_G" "$@"; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, bpf)"
for t in wrk busybox taskset; do
	command -v $t >/dev/null || die "$t missing (make bench installs it)"
done
for f in "$TI" "$GEN" "$HC" "$PEER"; do
	[ -x "$f" ] || die "build first: make all build/gen build/httpc build/peer"
done
busybox httpd --help >/dev/null 2>&1 || die "this busybox has no httpd (Debian: busybox-static)"

ip netns add "$NS_G" && ip netns add "$NS_R" &&
	ip link add gv0 netns "$NS_G" type veth peer name gv1 netns "$NS_R" &&
	ip -n "$NS_G" addr add $G4/24 dev gv0 && ip -n "$NS_R" addr add $R4/24 dev gv1 &&
	ip -n "$NS_G" link set gv0 up && ip -n "$NS_R" link set gv1 up &&
	ip -n "$NS_R" link set lo up || die "cannot set up the veth pair"

# --- serve, its table filled -----------------------------------------------------
# (not through inr: a backgrounded function is a subshell, and $! must
# be serve itself)
ip netns exec "$NS_R" taskset -c 1 "$TI" serve -i gv1 --listen 127.0.0.1:$PORT \
	--access-log /dev/null >/dev/null 2>"$DIR/serve.err" &
SRV=$!
PIDS="$PIDS $SRV"
for i in $(seq 100); do grep -q '^tcpinspect: serving' "$DIR/serve.err" && break; sleep 0.1; done
grep -q '^tcpinspect: serving' "$DIR/serve.err" || die "serve did not start: $(cat "$DIR/serve.err")"
mac=$(ip -n "$NS_R" link show dev gv1 2>/dev/null | awk '/link\/ether/ { print $2 }')
for src in 10.88.0.1 10.88.0.2; do
	ing "$GEN" -i gv0 -n 40000 -f 40000 --syn --dmac "$mac" --src $src --dst $R4 \
		>/dev/null || die "gen failed"
done
ip netns exec "$NS_R" "$PEER" listen $R4 8080 >"$DIR/ready" &
PIDS="$PIDS $!"
for i in $(seq 50); do grep -q ready "$DIR/ready" && break; sleep 0.1; done
ing "$PEER" connect $R4 8080 100000 >/dev/null
sleep 1.1	# a snapshot after the connection
flows=$(inr curl -s "http://127.0.0.1:$PORT/stats" | sed -n 's/.*"flows":\([0-9]*\).*/\1/p')

# --- the yardstick -------------------------------------------------------------------
mkdir -p "$DIR/www"
inr curl -s "http://127.0.0.1:$PORT/stats" >"$DIR/www/stats.json"
ip netns exec "$NS_R" taskset -c 1 busybox httpd -f -p 127.0.0.1:$YPORT -h "$DIR/www" \
	</dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.3

# wrk_run URL: "requests/s p50 p99" of SECS seconds of wrk.
ms() {	# wrk's "1.23ms", "456.00us", "1.02s" in ms
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000; printf "%.2f", n }'
}
wrk_run() {
	local out
	out=$(inr taskset -c 0 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$1" 2>&1)
	echo "$out" >>"$DIR/wrk.log"
	printf '%s %s %s %s\n' \
		"$(echo "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')" \
		"$(ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")" \
		"$(ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")" \
		"$(echo "$out" | awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }')"
}
echo "serve bench: wrk, $SECS s each, $CONNS connections; table: $flows flows" >&2
declare -A R
for what in metrics stats inspect yardstick; do
	case $what in
	metrics) url=http://127.0.0.1:$PORT/metrics ;;
	stats) url=http://127.0.0.1:$PORT/stats ;;
	inspect) url="http://127.0.0.1:$PORT/inspect?ip=$G4" ;;
	yardstick) url=http://127.0.0.1:$YPORT/stats.json ;;
	esac
	R[$what]=$(wrk_run "$url")
	echo "  $what: ${R[$what]}" >&2
done
reads=$(inr curl -s "http://127.0.0.1:$PORT/stats" | sed -n 's/.*"flow_table_reads":\([0-9]*\).*/\1/p')
rss=$(awk '/^VmHWM:/ { print $2 }' /proc/$SRV/status)

# --- slow clients ----------------------------------------------------------------------
echo "serve bench: one client, $NORMAL requests alone, then beside $SLOW slow connections" >&2
alone=$(inr taskset -c 0 "$HC" burst $PORT 1 "$NORMAL" /stats)
ip netns exec "$NS_R" taskset -c 0 "$HC" slow $PORT "$SLOW" $((SECS * 3)) 1000 \
	>"$DIR/slow.out" &
slowpid=$!
PIDS="$PIDS $slowpid"
sleep 3	# every slow connection made, the slots for heads full
beside=$(inr taskset -c 0 "$HC" burst $PORT 1 "$NORMAL" /stats)
cpu0=$(awk '{ print $14 + $15 }' /proc/$SRV/stat)
sleep 2
cpu1=$(awk '{ print $14 + $15 }' /proc/$SRV/stat)
wait "$slowpid"
echo "  alone: $alone" >&2
echo "  beside: $beside" >&2
echo "  slow clients: $(cat "$DIR/slow.out")" >&2

# --- the report ------------------------------------------------------------------------
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
col() { echo "$1" | cut -d' ' -f"$2"; }
{
	echo "## serve under load ($(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r))"
	echo
	echo "wrk -t1 -c$CONNS -d${SECS}s on 127.0.0.1, serve on CPU 1 and wrk on CPU 0;"
	echo "the flow table full ($flows flows of 65536); busybox httpd serves a file"
	echo "of the size of /stats as the yardstick."
	echo
	echo "| endpoint | requests/s | p50 ms | p99 ms | errors |"
	echo "|---|---:|---:|---:|---|"
	for what in metrics stats inspect yardstick; do
		name="/$what"
		[ $what = inspect ] && name="/inspect?ip= (1 of $flows flows)"
		[ $what = yardstick ] && name="busybox httpd, static file"
		printf '| %s | %s | %s | %s | %s |\n' "$name" "$(col "${R[$what]}" 1)" \
			"$(col "${R[$what]}" 2)" "$(col "${R[$what]}" 3)" \
			"$(echo "${R[$what]}" | cut -d' ' -f4- | sed 's/^ *$/none/')"
	done
	echo
	echo "The flow table was read $reads times in all (at most once a second); peak RSS $rss KiB."
	echo
	echo "One client, $NORMAL requests one after the other, a new connection each:"
	echo
	echo "| | answered (200) | refused (503) | failed | p50 ms | p99 ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for run in alone beside; do
		v=$alone; label="alone"
		[ $run = beside ] && v=$beside && label="beside $SLOW slow connections"
		printf '| %s | %s of %s | %s | %s | %s | %s | %s |\n' "$label" \
			"$(field "$v" ok)" "$(field "$v" done)" "$(field "$v" s503)" \
			"$(( $(field "$v" errors) + $(field "$v" other) ))" \
			"$(field "$v" p50_ms)" "$(field "$v" p99_ms)" "$(field "$v" max_ms)"
	done
	echo
	echo "The $SLOW slow connections ($((SECS * 3)) s): $(cat "$DIR/slow.out");"
	echo "serve's CPU meanwhile: $(( cpu1 - cpu0 )) ticks in 2 s."
} >"$OUT"
cat "$OUT"
