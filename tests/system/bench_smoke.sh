#!/bin/bash
# tests/system/bench_smoke.sh - `make bench` still works:
# tests/bench/bench.sh once at a tiny size (no speed is asserted), and
# what it measures is checked: the generator's frames all arrive,
# tcpinspect at a light rate captures every one, the peers ran, and the
# report has its tables; tests/bench/serve_load.sh at a tiny size too.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root bench_smoke
for t in tcpdump xdpdump ethtool; do
	command -v $t >/dev/null || { skip bench_smoke "$t missing"; exit 0; }
done

# the generator's two ways out, on a pair of our own
setup_pair || { notok "bench: setup" "cannot create the veth pair"; exit 0; }
inb ethtool -K vb gro on >/dev/null 2>&1
for how in live packet; do
	rx0=$(inb cat /sys/class/net/vb/statistics/rx_packets)
	line=$(ina ./build/gen -i va -n 3000 -r 300000 --how $how -t 10 2>&1)
	rx1=$(inb cat /sys/class/net/vb/statistics/rx_packets)
	check "gen --how $how: 3000 sent, all received ($line, rx $((rx1 - rx0)))" \
		test "${line%% *}" = sent=3000 -a $((rx1 - rx0)) -ge 3000
done

out=$TMP/bench.md
# bench.sh's namespaces (tib...) only: other tests may run beside this one.
bench_ns() { ip netns list 2>/dev/null | awk '$1 ~ /^tib/ { print $1 }' | sort; }
bench_ns >"$TMP/ns.before"
ls -d /dev/shm/tib.* 2>/dev/null | sort >"$TMP/shm.before"
BENCH_N=20000 BENCH_REPEAT=1 BENCH_STEPS=1 BENCH_RATES=100000 \
	BENCH_CPU_RATE=100000 BENCH_STARTUPS=2 BENCH_MODES="ti-text ti-pcap td-pcap xd-pcap" \
	BENCH_OUT=$out BENCH_RAW=$TMP/bench.raw timeout 240 ./tests/bench/bench.sh \
	>"$TMP/stdout" 2>"$TMP/stderr"
check "bench: runs to the end" test $? = 0
raw=$TMP/bench.raw

# every point: the generator sent them all and gv1 received them all
bad=$(awk '/ sent=/ { for (i = 1; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
	if (f["sent"] != 20000 || f["rx"] < f["sent"]) print }' "$raw" 2>/dev/null)
check "bench: every point sent 20000 frames, all received" test -s "$raw" -a -z "$bad"
check "bench: generator used AF_PACKET, as bench.sh asks by default" grep -q "how=packet" "$raw"
# at 100 kpps tcpinspect keeps up in text and pcap modes
for m in ti-text ti-pcap; do
	check "bench: $m at 100 kpps captured all" \
		grep -q "^$m rate=100000 .*sent=20000 .* captured=20000 lost=0 " "$raw"
done
for m in td-pcap xd-pcap; do
	check "bench: $m ran and captured" \
		grep -q "^$m rate=100000 .* captured=[1-9][0-9]* " "$raw"
done
for s in "Per-packet cost" "What the receiving side keeps" "Highest rate with zero loss" "Ratios" "Start-up and size"; do
	check "bench: report has '$s'" grep -q "$s" "$out"
done
check "bench: ratio rows" test "$(grep -c '×' "$out")" -ge 4
bench_ns >"$TMP/ns.after"
ls -d /dev/shm/tib.* 2>/dev/null | sort >"$TMP/shm.after"
check "bench: no namespace left" cmp -s "$TMP/ns.before" "$TMP/ns.after"
check "bench: nothing left in /dev/shm" cmp -s "$TMP/shm.before" "$TMP/shm.after"
check "bench: nothing left attached" sh -c "! ip -d link show 2>/dev/null | grep -q 'prog/xdp'"

# serve under HTTP load, a second a point and 50 slow clients
if command -v wrk >/dev/null && busybox httpd --help >/dev/null 2>&1; then
	SERVE_SECS=1 SERVE_NORMAL=20 SERVE_SLOW=50 SERVE_OUT=$TMP/serve.md \
		timeout 120 ./tests/bench/serve_load.sh >"$TMP/sstdout" 2>"$TMP/sstderr"
	check "serve bench: runs to the end" test $? = 0
	check "serve bench: requests/s of /metrics, /stats, /inspect and the yardstick" \
		test "$(grep -cE '^\| (/metrics|/stats|/inspect|busybox).*\| [1-9][0-9]* \| [0-9.]+ \| [0-9.]+ \|' "$TMP/serve.md")" = 4
	check "serve bench: the client beside 50 slow connections was answered" \
		grep -qE '^\| beside 50 slow connections \| [1-9][0-9]* of 20 ' "$TMP/serve.md"
	# (its own, by name: other tests may run meanwhile)
	check "serve bench: no namespace of its own left" sh -c "! ip netns list | grep -q '^tis'"
	check "serve bench: nothing left attached" sh -c "! ip -d link show 2>/dev/null | grep -q 'prog/xdp'"
else
	skip "serve bench" "wrk or busybox httpd missing (make bench installs them)"
fi
