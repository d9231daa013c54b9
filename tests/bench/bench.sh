#!/bin/bash
# tests/bench/bench.sh - tcpinspect against tcpdump and xdpdump, measured in
# one run on this machine (`make bench`; figures, never assertions).
#
# Traffic: build/gen sends Ethernet/IPv4/TCP frames (valid checksums,
# BENCH_FLOWS flows, ACK + 64 bytes) out of gv0 in namespace G into its
# veth peer gv1 in namespace R, where the tool under test captures.  The
# frames are for gv1's MAC and an IPv4 address R does not have (R has
# none, and does not forward): its stack drops them at the routing step,
# after the capture points, and answers at most the few ICMP errors the
# kernel's rate limit lets through.  GRO is on at gv1: a veth drops live frames without it (or an
# XDP program), and it is on for every tool alike.
#
# CPU 0 runs the generator and, inline in its softirq, gv1's receive
# processing: XDP programs, AF_PACKET taps, the stack.  CPU 1 runs the
# tool's process.  Receive work therefore slows the generator instead of
# overflowing a queue: a point whose generator fell short of the rate
# asked (by 2 % or more) counts as lost, as a NIC would have dropped the
# difference.
#
# For each tool and mode: the highest rate with zero loss (bisection
# over rates, BENCH_N frames per point), the loss at fixed rates, CPU
# seconds per million frames (the tool's own, and the whole machine's
# above a run without any tool), peak RSS.  A point loses what the tool
# did not report captured once it has drained (its CPU time stopped
# growing).  BENCH_REPEAT rounds, medians reported.
#
# Environment: BENCH_N (1000000), BENCH_REPEAT (3), BENCH_STEPS (6),
# BENCH_RATES ("100000 1000000 0"; 0 = as fast as the generator goes),
# BENCH_MODES (all), BENCH_OUT (build/bench.md), BENCH_RAW (build/bench.raw),
# BENCH_FLOWS (256), BENCH_CPU_RATE (100000), BENCH_STARTUPS (10),
# BENCH_HOW (packet; or live).
# tests/system/bench_smoke.sh runs it once at a tiny size in make check.
set -u
cd "$(dirname "$0")/../.." || exit 1

N=${BENCH_N:-1000000}
REPEAT=${BENCH_REPEAT:-3}
STEPS=${BENCH_STEPS:-6}
RATES=${BENCH_RATES:-100000 1000000 0}
FLOWS=${BENCH_FLOWS:-256}
OUT=${BENCH_OUT:-build/bench.md}
RAW=${BENCH_RAW:-build/bench.raw}	# every point, one line each
MODES=${BENCH_MODES:-ti-text ti-json ti-pcap td-text td-pcap xd-text xd-pcap}
CPU_RATE=${BENCH_CPU_RATE:-100000}	# CPU/RSS figures at this fixed rate
STARTUPS=${BENCH_STARTUPS:-10}		# start-up runs per tool
LO=20000				# bisection: assumed lossless below
HI=4000000				# and asked for first
TI=${BENCH_TI:-./tcpinspect}		# another build to compare
# How the generator sends: packet (AF_PACKET, sendmmsg) by default since
# 2026-12: on 6.18.44 a live-frames test run costs about 24 ms of set-up
# (it was 0.5 ms), so paced live sending fell to a fifth of the rate
# asked; AF_PACKET keeps any rate up to about 2.2 Mpps here, flat out
# more than live frames now do.  BENCH_HOW=live for the old way.
HOW_GEN=${BENCH_HOW:-packet}
GEN=./build/gen
NS_G=tib$$g
NS_R=tib$$r
SHM=$(mktemp -d /dev/shm/tib.XXXXXX)
TOOL_PID=

cleanup() {
	[ -z "$TOOL_PID" ] || kill -9 "$TOOL_PID" 2>/dev/null
	ip netns del "$NS_G" 2>/dev/null
	ip netns del "$NS_R" 2>/dev/null
	rm -rf "$SHM"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, bpf)"
for t in tcpdump xdpdump ethtool; do
	command -v $t >/dev/null || die "$t missing (make bench installs it)"
done
[ -x "$TI" ] && [ -x "$GEN" ] || die "build first: make all build/gen"

ip netns add "$NS_G" && ip netns add "$NS_R" &&
for ns in "$NS_G" "$NS_R"; do	# no IPv6: nothing but the generator's frames
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv6.conf.all.disable_ipv6=1 || exit 1
done &&
ip link add gv0 netns "$NS_G" address 02:00:00:00:00:01 type veth \
	peer name gv1 netns "$NS_R" address 02:00:00:00:00:02 &&
ip -n "$NS_G" link set gv0 up && ip -n "$NS_R" link set gv1 up &&
ip netns exec "$NS_R" ethtool -K gv1 gro on >/dev/null || die "cannot set up the veth pair"

# mode -> command line (run in R on CPU 1; stdout goes to /dev/null)
mode_cmd() {
	case $1 in
	ti-text) echo "$TI -i gv1" ;;
	ti-json) echo "$TI -i gv1 --json" ;;
	ti-pcap) echo "$TI -i gv1 -s 128 -w $SHM/out.pcap" ;;
	ti-reject) echo "$TI -i gv1 tcp port 443" ;;
	td-text) echo "tcpdump -n -l -i gv1" ;;
	td-pcap) echo "tcpdump -n -i gv1 -s 128 -w $SHM/out.pcap" ;;
	td-reject) echo "tcpdump -n -i gv1 tcp port 443" ;;
	xd-text) echo "xdpdump --load-xdp-program -i gv1" ;;
	xd-pcap) echo "xdpdump --load-xdp-program -i gv1 -s 128 -w $SHM/out.pcap" ;;
	*) die "unknown mode $1" ;;
	esac
}
mode_name() {
	case $1 in
	ti-text) echo "tcpinspect, text" ;;
	ti-json) echo "tcpinspect --json" ;;
	ti-pcap) echo "tcpinspect -w (snap 128)" ;;
	ti-reject) echo "tcpinspect, filter rejects all" ;;
	td-text) echo "tcpdump -n -l, text" ;;
	td-pcap) echo "tcpdump -w (snap 128)" ;;
	td-reject) echo "tcpdump, filter rejects all" ;;
	xd-text) echo "xdpdump, text" ;;
	xd-pcap) echo "xdpdump -w (snap 128)" ;;
	pass) echo "a bare XDP_PASS program" ;;
	none) echo "nothing attached" ;;
	esac
}

rx_packets() { ip netns exec "$NS_R" cat /sys/class/net/gv1/statistics/rx_packets; }
# busy jiffies of the whole machine
sys_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# utime + stime of a process, in clock ticks
proc_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

# start_tool MODE: in R on CPU 1; waits for its "listening on" line.
start_tool() {
	: >"$SHM/err"
	rm -f "$SHM/out.pcap"
	# shellcheck disable=SC2046
	ip netns exec "$NS_R" taskset -c 1 $(mode_cmd "$1") >/dev/null 2>"$SHM/err" &
	TOOL_PID=$!
	local i
	for i in $(seq 200); do
		grep -q "listening on" "$SHM/err" && return 0
		kill -0 "$TOOL_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench: $1 did not start: $(head -c 300 "$SHM/err")" >&2
	stop_tool
	return 1
}

# stop_tool: wait until it has drained (CPU time still for 0.3 s, at
# most 10 s), SIGINT, wait for its statistics (at most 10 s).  Never
# sooner than 1.5 s after the last frame: libpcap's TPACKET_V3 blocks
# reach tcpdump when full or after a timeout of 1 s, and what is in an
# unreturned block at SIGINT is never counted.
stop_tool() {
	local i c last=-1 still=0
	sleep 1.5
	for i in $(seq 100); do
		c=$(proc_cpu "$TOOL_PID")
		[ -n "$c" ] || break
		if [ "$c" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge 3 ] && break
		else
			still=0
		fi
		last=$c
		sleep 0.1
	done
	TOOL_CPU=$(proc_cpu "$TOOL_PID")
	TOOL_HWM=$(awk '/VmHWM/ { print $2 }' "/proc/$TOOL_PID/status" 2>/dev/null)
	kill -INT "$TOOL_PID" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$TOOL_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$TOOL_PID" 2>/dev/null
	wait "$TOOL_PID" 2>/dev/null
	TOOL_PID=
}

# gen RATE COUNT: sets SENT, SECS, PPS (what the generator achieved).
gen() {
	local line
	line=$(ip netns exec "$NS_G" taskset -c 0 $GEN -i gv0 -f "$FLOWS" \
		-n "$2" -r "$1" -t 60 --how "$HOW_GEN") || { echo "bench: generator: $line" >&2; }
	SENT=$(echo "$line" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	SECS=$(echo "$line" | sed -n 's/.*secs=\([0-9.]*\).*/\1/p')
	PPS=$(echo "$line" | sed -n 's/.*pps=\([0-9]*\).*/\1/p')
	HOW=$(echo "$line" | sed -n 's/.*how=\([a-z]*\).*/\1/p')
	[ -n "$SENT" ] || { SENT=0 SECS=0 PPS=0; }
}

# point MODE RATE: one run; sets CAPTURED LOST RX and appends a raw line.
point() {
	local mode=$1 rate=$2 rx0 rx1 b0 b1
	TOOL_CPU=0 TOOL_HWM=0
	if [ "$mode" != none ]; then
		start_tool "$mode" || { CAPTURED=0 LOST=$N RX=0; return 1; }
	fi
	rx0=$(rx_packets); b0=$(sys_busy)
	gen "$rate" "$N"
	if [ "$mode" != none ]; then
		stop_tool
		CAPTURED=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$SHM/err" | head -1)
	else
		sleep 0.3
		CAPTURED=$SENT
	fi
	rx1=$(rx_packets); b1=$(sys_busy)
	: "${CAPTURED:=0}"
	RX=$((rx1 - rx0))
	LOST=$((SENT - CAPTURED))
	[ $LOST -ge 0 ] || LOST=0
	echo "$mode rate=$rate how=$HOW sent=$SENT secs=$SECS pps=$PPS rx=$RX captured=$CAPTURED lost=$LOST tool_ticks=$TOOL_CPU sys_ticks=$((b1 - b0)) hwm_kb=$TOOL_HWM" >>"$SHM/raw"
	echo "  $mode rate=$rate sent=$SENT pps=$PPS rx=$RX captured=$CAPTURED lost=$LOST" >&2
}

# lossless RATE: the last point lost nothing and kept the rate asked.
lossless() {
	[ "$LOST" = 0 ] && [ "$RX" -ge "$SENT" ] && [ "$SENT" = "$N" ] &&
		[ $((PPS * 100)) -ge $(($1 * 98)) ]
}

# zero_loss MODE: the highest rate with no loss (bisection, log scale).
zero_loss() {
	local mode=$1 lo=$LO hi=$HI mid i
	point "$mode" "$HI"
	if lossless "$HI"; then
		echo ">=$HI"
		return
	fi
	# the receive path cannot go faster than the generator went
	[ "$PPS" -gt "$lo" ] && [ "$PPS" -lt "$hi" ] && hi=$PPS
	for i in $(seq "$STEPS"); do
		mid=$(awk -v a=$lo -v b=$hi 'BEGIN { printf "%d", sqrt(a * b) }')
		point "$mode" "$mid"
		if lossless "$mid"; then lo=$mid; else hi=$mid; fi
	done
	echo "$lo"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

: >"$SHM/raw"
./build/bench_prog >"$SHM/prog" || die "build/bench_prog failed"
echo "bench: $N frames per point, $REPEAT round(s), modes: $MODES" >&2

# 1. What the receiving side keeps at full speed: no program, a bare
#    XDP_PASS, tcpinspect and tcpdump with a filter that rejects all.
for r in $(seq "$REPEAT"); do
	for m in none pass ti-reject td-reject; do
		if [ $m = pass ]; then
			ip netns exec "$NS_R" $TI load build/pass.o -i gv1 >/dev/null 2>&1 ||
				{ echo "bench: cannot attach build/pass.o" >&2; continue; }
			point none 0; sed -i '$ s/^none/pass/' "$SHM/raw"
			ip netns exec "$NS_R" $TI unload -i gv1 >/dev/null 2>&1
		else
			point $m 0
		fi
	done
done

# 2. Zero-loss rate, fixed-rate loss, CPU and memory per mode.
for r in $(seq "$REPEAT"); do
	point none "$CPU_RATE"	# the machine's CPU without any tool
	for m in $MODES; do
		z=$(zero_loss "$m")
		echo "$m zero_loss=$z" >>"$SHM/raw"
		for rate in $RATES; do point "$m" "$rate"; done
	done
done
cp "$SHM/raw" "$RAW"

# 3. Start-up (exec to "listening on", median of 10) and size.
startup() {
	local i t0 t1 line
	for i in $(seq "$STARTUPS"); do
		rm -f "$SHM/fifo"; mkfifo "$SHM/fifo"
		t0=$(date +%s%N)
		# shellcheck disable=SC2046
		ip netns exec "$NS_R" $(mode_cmd "$1") >/dev/null 2>"$SHM/fifo" &
		TOOL_PID=$!
		while read -r line; do
			case $line in *"listening on"*) break ;; esac
		done <"$SHM/fifo"
		t1=$(date +%s%N)
		kill -INT $TOOL_PID 2>/dev/null; wait $TOOL_PID 2>/dev/null; TOOL_PID=
		echo $(( (t1 - t0) / 1000 ))
	done | median
}
size_with_libs() {
	local f total
	total=$(stat -c %s "$(command -v "$1")")
	for f in $(ldd "$(command -v "$1")" 2>/dev/null | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }'); do
		[ -f "$f" ] && total=$((total + $(stat -L -c %s "$f")))
	done
	echo "$total"
}
for m in ti-text td-text xd-text; do
	echo "${m%%-*} startup_us=$(startup $m)" >>"$SHM/raw"
done
# Replay of a small capture (build/mkpcap's, the one the tests replay)
# against tcpdump -r of the same file: wall time of the whole command.
replay_us() {
	local i t0 t1
	for i in $(seq "$STARTUPS"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000 ))
	done | median
}
if ./build/mkpcap >"$SHM/replay.pcap" 2>/dev/null; then
	echo "ti replay_us=$(replay_us "$TI" replay "$SHM/replay.pcap") frames=$(tcpdump -nr "$SHM/replay.pcap" 2>/dev/null | wc -l)" >>"$SHM/raw"
	echo "td replay_us=$(replay_us tcpdump -nr "$SHM/replay.pcap")" >>"$SHM/raw"
fi
echo "ti size=$(stat -c %s $TI)" >>"$SHM/raw"
echo "td size=$(size_with_libs tcpdump)" >>"$SHM/raw"
echo "xd size=$(size_with_libs xdpdump)" >>"$SHM/raw"
cp "$SHM/raw" "$RAW"

# 4. The report.
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
rate_fmt() { awk -v v="$1" 'BEGIN { s = ""; if (v ~ /^>=/) { s = "≥ "; sub(/>=/, "", v) }
	if (v >= 1000000) printf "%s%.2f M", s, v / 1e6; else printf "%s%.0f k", s, v / 1e3 }'; }
num() { echo "$1" | tr -d '>='; }
{
	echo "## Capture against tcpdump and xdpdump (\`make bench\`)"
	echo
	echo "$(date -u +%F), $(uname -r), $(nproc) CPUs ($(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)); generator: $(sed -n 's/.*how=\([a-z]*\).*/\1/p' "$SHM/raw" | head -1) frames, $N per point, $FLOWS flows, medians of $REPEAT round(s)."
	echo
	echo "### Per-packet cost of the XDP program (BPF_PROG_TEST_RUN, build/bench_prog)"
	echo
	echo '```'
	cat "$SHM/prog"
	echo '```'
	echo
	echo "### What the receiving side keeps at full speed"
	echo
	echo "| attached to gv1 | received pps | × nothing |"
	echo "|---|---|---|"
	base=
	for m in none pass ti-reject td-reject; do
		v=$(grep "^$m rate=0 " "$SHM/raw" | awk '{ for (i = 1; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] } ; if (f["secs"] > 0) printf "%d\n", f["rx"] / f["secs"] }' | median)
		[ -n "$v" ] || continue
		: "${base:=$v}"
		echo "| $(mode_name $m) | $(rate_fmt "$v") | $(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.3f", a / b }') |"
	done
	echo
	echo "### Highest rate with zero loss, loss at fixed rates, cost"
	echo
	hdr="| tool, mode | zero-loss rate |"
	sep="|---|---|"
	for rate in $RATES; do
		[ "$rate" = 0 ] && hdr="$hdr loss at full speed |" || hdr="$hdr loss at $(rate_fmt $rate)pps |"
		sep="$sep---|"
	done
	echo "$hdr tool CPU s / M frames | machine CPU s / M frames | peak RSS |"
	echo "$sep---|---|---|"
	none_ticks=$(grep "^none rate=$CPU_RATE " "$SHM/raw" | field sys_ticks | median)
	hz=$(getconf CLK_TCK)
	for m in $MODES; do
		z=$(grep "^$m zero_loss=" "$SHM/raw" | field zero_loss | sed 's/>=//' | median)
		grep -q "^$m zero_loss=>=$z\$" "$SHM/raw" && z=">=$z"
		echo "$m $z" >>"$SHM/zl"
		row="| $(mode_name $m) | $(rate_fmt "$z")pps |"
		for rate in $RATES; do
			l=$(grep "^$m rate=$rate " "$SHM/raw" | awk '{ for (i = 1; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] } ; printf "%.2f\n", f["sent"] ? 100 * f["lost"] / f["sent"] : 100 }' | median)
			p=$(grep "^$m rate=$rate " "$SHM/raw" | field pps | median)
			[ "$rate" = 0 ] && row="$row $l % (at $(rate_fmt "$p")pps) |" || row="$row $l % |"
		done
		at=$(grep "^$m rate=$CPU_RATE " "$SHM/raw")
		tc=$(echo "$at" | awk -v hz=$hz '{ for (i = 1; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] } ; printf "%.2f\n", f["captured"] ? f["tool_ticks"] / hz / f["captured"] * 1e6 : 0 }' | median)
		mc=$(echo "$at" | awk -v hz=$hz -v b="$none_ticks" '{ for (i = 1; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] } ; printf "%.2f\n", f["sent"] ? (f["sys_ticks"] - b) / hz / f["sent"] * 1e6 : 0 }' | median)
		hwm=$(echo "$at" | field hwm_kb | median)
		echo "$row $tc | $mc | $(awk -v k="$hwm" 'BEGIN { printf "%.1f MB", k / 1024 }') |"
	done
	echo
	echo "CPU and RSS at $(rate_fmt $CPU_RATE)pps; machine CPU is all CPUs' busy time above the same run with no tool."
	echo
	echo "### Ratios (same run)"
	echo
	echo "| tcpinspect | peer | zero-loss ratio | target |"
	echo "|---|---|---|---|"
	ratio() {
		local a b
		a=$(awk -v m="$1" '$1 == m { print $2 }' "$SHM/zl"); b=$(awk -v m="$2" '$1 == m { print $2 }' "$SHM/zl")
		[ -n "$a" ] && [ -n "$b" ] || return
		echo "| $(mode_name $1) ($(rate_fmt "$a")) | $(mode_name $2) ($(rate_fmt "$b")) | $(awk -v a="$(num "$a")" -v b="$(num "$b")" -v s="$(case $a in '>='*) echo '≥ ' ;; esac)" 'BEGIN { printf "%s%.1f×", s, b ? a / b : 0 }') | $3 |"
	}
	ratio ti-text td-text "≥ 10×"
	ratio ti-json td-text "(≥ 10×)"
	ratio ti-pcap td-pcap "≥ 2×"
	ratio ti-text xd-text "≥ 5×"
	ratio ti-json xd-text "≥ 5×"
	ratio ti-pcap xd-pcap "≥ 5×"
	ratio ti-text xd-pcap "≥ 5× (xdpdump's faster mode)"
	ratio ti-json xd-pcap "≥ 5× (xdpdump's faster mode)"
	echo
	echo "### Start-up and size"
	echo
	echo "| tool | exec → listening (median of $STARTUPS) | size with shared libraries |"
	echo "|---|---|---|"
	for t in ti td xd; do
		echo "| $(mode_name $t-text | sed 's/,.*//; s/ -n -l//') | $(awk -v u="$(grep "^$t startup_us=" "$SHM/raw" | field startup_us)" 'BEGIN { printf "%.1f ms", u / 1000 }') | $(grep "^$t size=" "$SHM/raw" | field size) bytes |"
	done
	echo
	tis=$(grep "^ti startup_us=" "$SHM/raw" | field startup_us)
	tds=$(grep "^td startup_us=" "$SHM/raw" | field startup_us)
	tir=$(grep "^ti replay_us=" "$SHM/raw" | field replay_us)
	tdr=$(grep "^td replay_us=" "$SHM/raw" | field replay_us)
	frames=$(grep "^ti replay_us=" "$SHM/raw" | field frames)
	[ -n "$tis" ] && [ -n "$tds" ] &&
		echo "Start-up: tcpinspect takes $(awk -v a="$tis" -v b="$tds" 'BEGIN { printf "%.2f×", a / b }') tcpdump's time (target: ≤ 1×)."
	[ -n "$tir" ] && [ -n "$tdr" ] &&
		echo "Replay of a $frames-frame pcap (build/mkpcap): tcpinspect $(awk -v u="$tir" 'BEGIN { printf "%.1f ms", u / 1000 }'), tcpdump -nr $(awk -v u="$tdr" 'BEGIN { printf "%.1f ms", u / 1000 }'): $(awk -v a="$tir" -v b="$tdr" 'BEGIN { printf "%.2f×", a / b }') (target: ≤ 2×)."
	echo
	echo "### CPU per packet and memory against the peers (same run, start-up included)"
	echo
	echo "| tcpinspect | peer | tool CPU ratio (s / M frames) | target | peak RSS ratio |"
	echo "|---|---|---|---|---|"
	cpu_of() { grep "^$1 rate=$CPU_RATE " "$SHM/raw" | awk -v hz=$hz '{ for (i = 1; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] } ; printf "%.4f\n", f["captured"] ? f["tool_ticks"] / hz / f["captured"] * 1e6 : 0 }' | median; }
	hwm_of() { grep "^$1 rate=$CPU_RATE " "$SHM/raw" | field hwm_kb | median; }
	cratio() {
		local a b ha hb
		a=$(cpu_of "$1"); b=$(cpu_of "$2"); ha=$(hwm_of "$1"); hb=$(hwm_of "$2")
		[ -n "$a" ] && [ -n "$b" ] || return
		echo "| $(mode_name $1) ($a) | $(mode_name $2) ($b) | $(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f× less", b / a; else printf "unmeasurably small" }') | $3 | $(awk -v a="$ha" -v b="$hb" 'BEGIN { if (b > 0) printf "%.2f× (%.1f MB vs %.1f MB)", a / b, a / 1024, b / 1024 }') |"
	}
	cratio ti-pcap td-pcap "≥ 1× less"
	cratio ti-text td-text "≥ 10× less"
	cratio ti-text xd-text "(peak RSS ≤ xdpdump's)"
	cratio ti-pcap xd-pcap ""
} >"$OUT"
cat "$OUT"
