# tests/lib.sh - sourced by the shell tests.
#
# Result lines follow tests/run's protocol.  setup_pair makes two network
# namespaces joined by a veth pair; everything made here is removed by
# the EXIT trap, also when a test fails half-way.  Every wait is bounded.

TI=${TI:-./tcpinspect}
PEER=${PEER:-./build/peer}
TMP=$(mktemp -d /tmp/ti-test.XXXXXX)
NS_A=ti$$a
NS_B=ti$$b
IA=va	# the pair's ends, in NS_A and NS_B (a test may rename them)
IB=vb
A4=10.201.$(( $$ % 200 )).1
B4=10.201.$(( $$ % 200 )).2
A6=fd00:7469::1
B6=fd00:7469::2
PIDS=

ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
skip() { echo "skip $1: $2"; }
# check NAME CONDITION-COMMAND... : ok if the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi
}

cleanup() {
	local p
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	# a private bpffs a test mounted for pins (mount_bpffs)
	if mountpoint -q "$TMP/bpffs" 2>/dev/null; then
		rm -rf "$TMP/bpffs"/* 2>/dev/null
		umount "$TMP/bpffs"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

need_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1" "needs root (network namespaces, bpf)"
		exit 0
	fi
}

setup_pair() {
	ip netns add "$NS_A" && ip netns add "$NS_B" &&
	ip link add "$IA" netns "$NS_A" type veth peer name "$IB" netns "$NS_B" &&
	ip -n "$NS_A" addr add "$A4/24" dev "$IA" &&
	ip -n "$NS_B" addr add "$B4/24" dev "$IB" &&
	ip -n "$NS_A" addr add "$A6/64" dev "$IA" nodad &&
	ip -n "$NS_B" addr add "$B6/64" dev "$IB" nodad &&
	ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up &&
	ip -n "$NS_A" link set "$IA" up && ip -n "$NS_B" link set "$IB" up
}

inb() { ip netns exec "$NS_B" "$@"; }
ina() { ip netns exec "$NS_A" "$@"; }

# mount_bpffs: a private bpf file system at $TMP/bpffs, unmounted by
# cleanup; its error in $TMP/mnt.err.
mount_bpffs() {
	mkdir -p "$TMP/bpffs" && mount -t bpf bpf "$TMP/bpffs" 2>"$TMP/mnt.err"
}

# ti ARGS...: tcpinspect in NS_B.  run NAME ARGS...: the same, its
# stdout, stderr in $TMP/NAME.{out,err} and its status in $rc.
ti() { ip netns exec "$NS_B" "$TI" "$@"; }
run() {
	local name=$1
	shift
	ti "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
}

# XDP program id attached to vb (empty if none), read over netlink by ip.
xdp_id() {	# [IF [NS]]: IB in NS_B unless named
	ip -n "${2:-$NS_B}" -d link show dev "${1:-$IB}" 2>/dev/null |
		sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1
}

# wait_for FILE PATTERN: up to 5 s for PATTERN to appear in FILE.
wait_for() {
	local i
	for i in $(seq 50); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_exit PID: up to 5 s for the process to exit, then its exit
# status; a process still running then is killed and 124 returned.
wait_exit() {
	local i
	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1"
		wait "$1"
		return 124
	fi
	wait "$1"
}

# start_capture OUT ERR ARGS...: tcpinspect in NS_B in the background, up
# to "listening".  Sets CAP_PID.  Returns non-zero if it never got ready.
start_capture() {
	local out=$1 err=$2
	shift 2
	# A file left by an earlier run would let wait_for see its line.
	rm -f "$out" "$err"
	# Not through inb(): a backgrounded function is a subshell, and $!
	# must be tcpinspect itself (ip netns exec execs it) for kill -9.
	ip netns exec "$NS_B" "$TI" "$@" >"$out" 2>"$err" &
	CAP_PID=$!
	PIDS="$PIDS $CAP_PID"
	wait_for "$err" '^listening on'
}

# tcp_session ADDR BYTES: a real connection from NS_A to NS_B port 8080.
tcp_session() {
	local ready=$TMP/ready.$RANDOM
	inb "$PEER" listen "$1" 8080 >"$ready" &
	PIDS="$PIDS $!"
	wait_for "$ready" ready || return 1
	ina "$PEER" connect "$1" 8080 "$2"
}

# reach PORT: a TCP connection from NS_A to NS_B:PORT within 3 s.
reach() {
	local ready=$TMP/ready.$1 lp r
	ip netns exec "$NS_B" "$PEER" listen "$B4" "$1" >"$ready" 2>/dev/null &
	lp=$!
	PIDS="$PIDS $lp"
	wait_for "$ready" ready || return 1
	timeout 3 ip netns exec "$NS_A" "$PEER" connect "$B4" "$1" 100 2>/dev/null
	r=$?
	kill "$lp" 2>/dev/null
	wait "$lp" 2>/dev/null
	return $r
}

# The summary's accounting line:
# "N matched = N written + N not written (output failed) + N lost +
#  N sampled out + N over ... + N after ..."
# invariant FILE: matched equals the sum of every number after "=".
invariant() {
	awk '/ matched = / { m = $1; s = 0
		for (i = 3; i < NF; i++) if ($i == "=" || $i == "+") s += $(i + 1)
		ok = (m == s) } END { exit !ok }' "$1"
}
field() {	# field FILE WORD: the number before WORD on the accounting line
	awk -v w="$2" '/ matched = / { for (i = 2; i <= NF; i++)
		if ($i == w && $(i - 1) ~ /^[0-9]+$/) print $(i - 1) }' "$1"
}
