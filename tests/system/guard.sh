#!/bin/bash
# tests/system/guard.sh - what a killed tcpinspect leaves on the interface:
# SIGKILL (to the process, to its whole process group) and the OOM killer
# (a cgroup v1 memory limit), with the program attached over netlink
# (TCPINSPECT_DISABLE=link: as on kernels without XDP links) and with
# --replace over a foreign program (always netlink).  The guardian
# (guard.c) must remove ours and put the foreign one back; with a
# bpf_link and nothing replaced it must not even be running.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root guard
if ! setup_pair; then
	notok guard-setup "cannot create namespaces and veth pair"
	exit 1
fi

# settles WANT: up to 5 s for vb's program id to be WANT ("" for none).
settles() {
	local i
	for i in $(seq 50); do
		[ "$(xdp_id)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# guardian_of PID: the pid of its guardian child, if it has one.
guardian_of() { pgrep -P "$1" -x ti-guardian | head -1; }
gone_pid() {
	local i
	for i in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
foreign() {
	ip -n "$NS_B" link set dev vb xdpgeneric obj build/pass.o sec xdp 2>"$TMP/ip.err" &&
		xdp_id
}

# --- a bpf_link and nothing replaced: no guardian ----------------------------
start_capture "$TMP/l.out" "$TMP/l.err" -i vb || notok "link: ready" "$(cat "$TMP/l.err")"
check "link: no guardian while attached with a bpf_link" [ -z "$(guardian_of "$CAP_PID")" ]
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"

# --- netlink ------------------------------------------------------------------
for cmd in capture flows serve; do
	export TCPINSPECT_DISABLE=link
	args=
	[ $cmd = serve ] && args="--listen 127.0.0.1:9411"
	start_capture "$TMP/n.out" "$TMP/n.err" $cmd -i vb $args ||
		notok "netlink $cmd: ready" "$(cat "$TMP/n.err")"
	unset TCPINSPECT_DISABLE
	ours=$(xdp_id)
	g=$(guardian_of "$CAP_PID")
	check "netlink $cmd: attached over netlink" grep -q ', netlink, prog id ' "$TMP/n.err"
	check "netlink $cmd: a guardian runs beside it" [ -n "$g" ]
	kill -9 "$CAP_PID"
	wait "$CAP_PID" 2>/dev/null
	check "netlink $cmd, SIGKILL: our program was attached" [ -n "$ours" ]
	check "netlink $cmd, SIGKILL: nothing attached afterwards" settles ""
	check "netlink $cmd, SIGKILL: the guardian says what it did" \
		grep -q "^tcpinspect: guardian: pid $CAP_PID ended without detaching from vb: its program $ours removed$" "$TMP/n.err"
	check "netlink $cmd, SIGKILL: the guardian exits after" gone_pid "$g"
done

# A normal end: the guardian leaves, touching nothing.
export TCPINSPECT_DISABLE=link
start_capture "$TMP/t.out" "$TMP/t.err" -i vb || notok "netlink SIGTERM: ready" "$(cat "$TMP/t.err")"
unset TCPINSPECT_DISABLE
g=$(guardian_of "$CAP_PID")
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "netlink, SIGTERM: exits 0" [ $? = 0 ]
check "netlink, SIGTERM: the guardian is gone with it" eval '[ -n "$g" ] && ! kill -0 "$g" 2>/dev/null'
check "netlink, SIGTERM: nothing attached, no guardian line" \
	eval '[ -z "$(xdp_id)" ] && ! grep -q guardian "$TMP/t.err"'

# SIGKILL to the whole process group (a shell's job, a terminal): the
# guardian has left the group.
ip netns exec "$NS_B" setsid sh -c 'echo $$ >"$1"; exec env TCPINSPECT_DISABLE=link "$2" -i vb' \
	_ "$TMP/g.pid" "$TI" >/dev/null 2>"$TMP/g.err" &
job=$!
PIDS="$PIDS $job"
if wait_for "$TMP/g.err" '^listening on'; then
	pid=$(cat "$TMP/g.pid")
	PIDS="$PIDS $pid"
	check "process group SIGKILL: tcpinspect leads its group" \
		[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]
	kill -9 -- "-$pid"
	wait "$job" 2>/dev/null
	check "process group SIGKILL: nothing attached afterwards" settles ""
else
	notok "process group SIGKILL: ready" "$(cat "$TMP/g.err")"
fi

# --- --replace: the foreign program comes back --------------------------------
if other=$(foreign) && [ -n "$other" ]; then
	for how in KILL TERM; do
		start_capture "$TMP/r.out" "$TMP/r.err" -i vb --replace ||
			notok "replace, SIG$how: ready" "$(cat "$TMP/r.err")"
		during=$(xdp_id)
		kill -$how "$CAP_PID"
		wait_exit "$CAP_PID" 2>/dev/null
		check "replace, SIG$how: ours was attached instead" \
			eval '[ -n "$during" ] && [ "$during" != "$other" ]'
		check "replace, SIG$how: the foreign program is back, same id" settles "$other"
		[ $how = KILL ] && check "replace, SIGKILL: the guardian says so" \
			grep -q "guardian: pid $CAP_PID ended without detaching from vb: its program $during removed, program $other (other_pass) put back" "$TMP/r.err"
	done
else
	skip "replace" "ip cannot attach an XDP object here: $(head -1 "$TMP/ip.err")"
fi

# --- the OOM killer -------------------------------------------------------------
# A memory cgroup (v1) under the one this test runs in, limited to 96 MiB;
# tcpinspect in it with the highest oom_score_adj, and a process that
# takes memory until the limit is hit: the kernel's OOM killer picks
# tcpinspect first (the guardian, tiny, sets its own to -1000 where it
# has CAP_SYS_RESOURCE), then the other process.
cg_parent=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
CG=$cg_parent/ti-guard-$$
oom_kills() { sed -n 's/^oom_kill //p' "$CG/memory.oom_control"; }
if [ -n "$other" ] && [ -w "$cg_parent" ] && mkdir "$CG" 2>/dev/null; then
	echo $((96 << 20)) >"$CG/memory.limit_in_bytes"
	[ -e "$CG/memory.memsw.limit_in_bytes" ] &&
		echo $((96 << 20)) >"$CG/memory.memsw.limit_in_bytes" 2>/dev/null
	# (ip netns exec mounts its own /sys: join the cgroup before it)
	sh -c 'echo $$ >"$1/cgroup.procs" && exec ip netns exec "$2" "$3" -i vb --replace' \
		_ "$CG" "$NS_B" "$TI" >/dev/null 2>"$TMP/o.err" &
	oom_pid=$!
	PIDS="$PIDS $oom_pid"
	if wait_for "$TMP/o.err" '^listening on'; then
		ours=$(xdp_id)
		# The first victim (its guardian, forked already, keeps its own).
		echo 1000 >/proc/$oom_pid/oom_score_adj
		sh -c 'echo $$ >"$1/cgroup.procs" && exec tail /dev/zero' _ "$CG" 2>/dev/null &
		hog=$!
		PIDS="$PIDS $hog"
		# (reclaim before the kill can take seconds on a busy machine)
		for i in $(seq 200); do kill -0 "$oom_pid" 2>/dev/null || break; sleep 0.1; done
		wait_exit "$oom_pid" 2>/dev/null
		rc=$?
		kill -9 "$hog" 2>/dev/null
		wait "$hog" 2>/dev/null
		check "OOM killer: tcpinspect was killed (status 137)" [ "$rc" = 137 ]
		check "OOM killer: the cgroup counted an OOM kill" eval '[ "$(oom_kills)" -ge 1 ]'
		check "OOM killer: ours was attached" eval '[ -n "$ours" ] && [ "$ours" != "$other" ]'
		check "OOM killer: the foreign program is back, same id" settles "$other"
		check "OOM killer: the guardian said so" \
			grep -q "guardian: pid $oom_pid ended without detaching from vb: its program $ours removed, program $other (other_pass) put back" "$TMP/o.err"
	else
		notok "OOM killer: ready" "$(cat "$TMP/o.err")"
	fi
	for i in $(seq 50); do rmdir "$CG" 2>/dev/null && break; sleep 0.1; done
elif [ -z "$other" ]; then
	skip "OOM killer" "no foreign program to replace"
else
	skip "OOM killer" "cannot make a memory cgroup under $cg_parent (cgroup v1 memory controller)"
fi
ip -n "$NS_B" link set dev vb xdpgeneric off 2>/dev/null
check "nothing left attached at the end" [ -z "$(xdp_id)" ]
