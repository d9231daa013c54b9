#!/bin/bash
# tests/system/e2e.sh - end to end: the static binary, real TCP connections
# across a veth pair between two namespaces this test creates, real
# netlink queries for what is left attached afterwards.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root e2e
if ! setup_pair; then
	notok e2e-setup "cannot create namespaces and veth pair"
	exit 1
fi

# --- the binary -----------------------------------------------------------
static_binary() {
	! readelf -l "$TI" | grep -q INTERP &&
	! readelf -d "$TI" 2>/dev/null | grep -q NEEDED &&
	! grep -qa -e 'libbpf\.so' -e 'libelf\.so' -e 'libpcap\.so' "$TI"
}
check "static binary, no shared libraries" static_binary

# --- text capture, IPv4, -c ---------------------------------------------------
start_capture "$TMP/t.out" "$TMP/t.err" -i vb -c 4 ||
	notok "text: ready" "$(cat "$TMP/t.err")"
tcp_session "$B4" 1000
wait_exit "$CAP_PID"
rc=$?
check "text: -c 4 exits 0 by itself" [ "$rc" = 0 ]
check "text: exactly 4 lines" [ "$(wc -l <"$TMP/t.out")" = 4 ]
line1=$(head -1 "$TMP/t.out")
check "text: SYN first, right addresses and port" \
	grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} IP $A4\.[0-9]+ > $B4\.8080: Flags \[S\], seq [0-9]+, win [0-9]+(, options \[[^]]*\])?, length 0$" <<<"$line1"
check "text: SYN options decoded as tcpdump prints them" \
	grep -Eq "Flags \[S\], seq [0-9]+, win [0-9]+, options \[mss [0-9]+,sackOK,TS val [0-9]+ ecr 0,nop,wscale [0-9]+\], length 0$" <<<"$line1"
check "text: handshake ACK second" \
	grep -Eq " IP $A4\.[0-9]+ > $B4\.8080: Flags \[\.\], ack [0-9]+, win [0-9]+(, options \[[^]]*\])?, length 0$" <<<"$(sed -n 2p "$TMP/t.out")"
check "text: data segment with length" \
	grep -Eq "Flags \[P?\.\], seq [0-9]+:[0-9]+, ack [0-9]+, win [0-9]+(, options \[[^]]*\])?, length [1-9][0-9]*$" "$TMP/t.out"
check "text: listening line names interface and mode" \
	grep -Eq "^listening on vb \((native|generic) mode, bpf_link, prog id [0-9]+\)$" "$TMP/t.err"
check "text: summary line" \
	grep -Eq "^4 packets captured, [0-9]+ TCP packets seen, 0 lost$" "$TMP/t.err"
check "text: nothing attached after -c" [ -z "$(xdp_id)" ]

# --- JSON, IPv6 -----------------------------------------------------------
start_capture "$TMP/j.out" "$TMP/j.err" -i vb -c 3 --json ||
	notok "json: ready" "$(cat "$TMP/j.err")"
tcp_session "$B6" 10
wait_exit "$CAP_PID"
check "json: exits 0" [ $? = 0 ]
json_ok() {
	jq -e -s 'length == 3 and all(.[]; (.seq|type) == "number" and
		(.sport|type) == "number" and .proto == "IP6" and
		.dst == "'"$B6"'" and .src == "'"$A6"'" and .dport == 8080 and
		.iface == "vb" and (.ts_ns|type) == "number") and
		.[0].flags == "S" and .[0].tcp_flags == 2 and
		.[1].flags == "." and .[1].ack > 0' "$TMP/j.out" >/dev/null
}
check "json: 3 valid objects, IPv6 fields, numbers as numbers, SYN first" json_ok
check "json: nothing attached after exit" [ -z "$(xdp_id)" ]

# --- IPv6 text ----------------------------------------------------------------
start_capture "$TMP/6.out" "$TMP/6.err" -i vb -c 1 ||
	notok "ipv6 text: ready" "$(cat "$TMP/6.err")"
tcp_session "$B6" 10
wait_exit "$CAP_PID"
check "ipv6 text: IP6 line" \
	grep -Eq " IP6 $A6\.[0-9]+ > $B6\.8080: Flags \[S\], seq [0-9]+, win [0-9]+(, options \[[^]]*\])?, length 0$" "$TMP/6.out"

# --- a filter, evaluated in the kernel --------------------------------------
# Two connections, to ports 8080 and 8081: only the second may show.
start_capture "$TMP/f.out" "$TMP/f.err" -i vb -c 2 'tcp dst port 8081 and src net 10.201.0.0/16' ||
	notok "filter: ready" "$(cat "$TMP/f.err")"
tcp_session "$B4" 10
ready=$TMP/ready.f
inb "$PEER" listen "$B4" 8081 >"$ready" &
PIDS="$PIDS $!"
wait_for "$ready" ready && ina "$PEER" connect "$B4" 8081 10
wait_exit "$CAP_PID"
check "filter: exits 0 after 2 matches" [ $? = 0 ]
check "filter: only port 8081 captured" eval '[ "$(grep -c "> $B4\.8081:" "$TMP/f.out")" = 2 ] && ! grep -q "\.8080:" "$TMP/f.out"'
check "filter: packets of the other connection counted as filtered out" \
	grep -Eq "^[0-9]+ packets seen, [2-9][0-9]* matched, [1-9][0-9]* filtered out" "$TMP/f.err"

# filter_one NAME EXPR ADDR PATTERN: a capture of one packet with EXPR
# during a connection to ADDR; its line must match PATTERN.
filter_one() {
	start_capture "$TMP/f1.out" "$TMP/f1.err" -i vb -c 1 "$2" ||
		notok "$1: ready" "$(cat "$TMP/f1.err")"
	tcp_session "$3" 10
	wait_exit "$CAP_PID"
	check "$1" grep -Eq "$4" "$TMP/f1.out"
}
# The segment's bytes, at an offset the filter computes (the payload
# after the TCP header: build/peer sends 'x's), and header bits (tcp[]
# is IPv4's in libpcap: IPv6's TCP header is ip6[40...]).
filter_one "filter on payload bytes: the data segment alone" \
	'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x78787878' "$B4" \
	" > $B4\.8080: Flags \[P\.\], seq [0-9:]+, ack [0-9]+, win [0-9]+(, options \[[^]]*\])?, length 10$"
filter_one "filter on header bits: the IPv6 SYN" \
	'ip6[6] = 6 and ip6[40 + 13] & 0x12 = 0x02 and ether[0] & 1 = 0' "$B6" \
	" IP6 $A6\.[0-9]+ > $B6\.8080: Flags \[S\], "
# Live, the direction and the interface are known (tcpdump -i's
# inbound, outbound, ifindex): XDP sees frames arriving on vb.
vb_index=$(ip -n "$NS_B" -o link show dev vb | cut -d: -f1)
filter_one "filter on direction and interface: the SYN" \
	"inbound and ifindex $vb_index and not outbound and dst port 8080" "$B4" \
	" IP $A4\.[0-9]+ > $B4\.8080: Flags \[S\], "
# An expression no TCP segment can match: a warning, and it runs.
inb "$TI" -i vb --duration 1 'udp port 53 or arp' >"$TMP/fw.out" 2>"$TMP/fw.err"
check "filter matching no TCP segment: exit 0" [ $? = 0 ]
check "filter matching no TCP segment: the warning" \
	grep -q "^tcpinspect: warning: the expression can match no TCP segment" "$TMP/fw.err"

# -X: a hex dump from the IP header on, as tcpdump prints it.
start_capture "$TMP/x.out" "$TMP/x.err" -i vb -c 1 -X ||
	notok "hex: ready" "$(cat "$TMP/x.err")"
tcp_session "$B4" 10
wait_exit "$CAP_PID"
check "hex: -X dump follows the line" \
	grep -Eq "^	0x0000:  45[0-9a-f]{2} [0-9a-f]{4} [0-9a-f]{4} 4000 40.*  E" "$TMP/x.out"

# --- every signal path detaches ----------------------------------------------
for sig in TERM INT HUP; do
	start_capture "$TMP/s.out" "$TMP/s.err" -i vb ||
		notok "SIG$sig: ready" "$(cat "$TMP/s.err")"
	attached=$(xdp_id)
	tcp_session "$B4" 100
	kill -s "$sig" "$CAP_PID"
	wait_exit "$CAP_PID"
	rc=$?
	check "SIG$sig: was attached while running" [ -n "$attached" ]
	check "SIG$sig: exits 0 with summary" eval '[ $rc = 0 ] && grep -Eq "^[0-9]+ packets captured" "$TMP/s.err"'
	check "SIG$sig: packets before the signal were printed" grep -q "Flags \[S\]" "$TMP/s.out"
	check "SIG$sig: nothing attached after exit" [ -z "$(xdp_id)" ]
done

# SIGPIPE: the reader goes away.
ip netns exec "$NS_B" sh -c "'$TI' -i vb 2>'$TMP/p.err' | head -1 >'$TMP/p.out'" &
pipe_pid=$!
PIDS="$PIDS $pipe_pid"
wait_for "$TMP/p.err" '^listening on'
tcp_session "$B4" 100
# head exits after one line; the next write gets EPIPE (more traffic
# until then, a few times at most: a session may fail under load).
for i in 1 2 3; do
	tcp_session "$B4" 100
	sleep 0.5
	kill -0 "$pipe_pid" 2>/dev/null || break
done
wait_exit "$pipe_pid"
check "SIGPIPE: one line reached the reader" [ "$(wc -l <"$TMP/p.out")" = 1 ]
check "SIGPIPE: tcpinspect exited with summary" grep -q "packets captured" "$TMP/p.err"
check "SIGPIPE: nothing attached after exit" [ -z "$(xdp_id)" ]

# SIGKILL: the bpf_link goes away with the process.
start_capture "$TMP/k.out" "$TMP/k.err" -i vb
attached=$(xdp_id)
kill -9 "$CAP_PID"
wait "$CAP_PID" 2>/dev/null
gone() {
	local i
	for i in $(seq 30); do [ -z "$(xdp_id)" ] && return 0; sleep 0.1; done
	return 1
}
check "SIGKILL (bpf_link): was attached" [ -n "$attached" ]
check "SIGKILL (bpf_link): nothing attached after the kill" gone

# --- netlink attach (the fallback for kernels without XDP links) -----------
export TCPINSPECT_DISABLE=link
start_capture "$TMP/n.out" "$TMP/n.err" -i vb ||
	notok "netlink: ready" "$(cat "$TMP/n.err")"
tcp_session "$B4" 100
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "netlink: listening line says netlink" grep -Eq "^listening on vb \((native|generic) mode, netlink" "$TMP/n.err"
check "netlink: captured the SYN" grep -q "Flags \[S\]" "$TMP/n.out"
check "netlink: nothing attached after SIGTERM" [ -z "$(xdp_id)" ]
unset TCPINSPECT_DISABLE

# --- modes ------------------------------------------------------------------
for mode in native generic; do
	start_capture "$TMP/m.out" "$TMP/m.err" -i vb -c 1 --mode $mode ||
		notok "mode $mode: ready" "$(cat "$TMP/m.err")"
	want=xdp
	[ $mode = generic ] && want=xdpgeneric
	shown=$(ip -n "$NS_B" link show dev vb 2>/dev/null | grep -o " xdp[a-z]* ")
	tcp_session "$B4" 10
	wait_exit "$CAP_PID"
	check "mode $mode: listening line says $mode" grep -q "($mode mode" "$TMP/m.err"
	check "mode $mode: kernel shows $want" [ "$shown" = " $want " ]
done

# --- somebody else's program ------------------------------------------------
if ip -n "$NS_B" link set dev vb xdpgeneric obj build/pass.o sec xdp 2>"$TMP/ip.err"; then
	other=$(xdp_id)
	# Not refused any more: captured beside it at TC ingress (tcx here),
	# the program untouched (tests/system/beside.sh has the rest).
	start_capture "$TMP/o.out" "$TMP/o.err" -i vb -c 1 ||
		notok "foreign program: ready" "$(cat "$TMP/o.err")"
	check "foreign program: the ready line says beside it, and what is not seen" \
		grep -q "after XDP program $other (other_pass): packets vb's XDP program drops are not seen" "$TMP/o.err"
	check "foreign program: untouched while we capture" [ "$(xdp_id)" = "$other" ]
	tcp_session "$B4" 10
	wait_exit "$CAP_PID"
	rc=$?
	check "foreign program: exit 0 after the SYN" eval '[ $rc = 0 ] && grep -q "Flags \[S\]" "$TMP/o.out"'
	check "foreign program: still attached, same id" [ "$(xdp_id)" = "$other" ]

	start_capture "$TMP/r.out" "$TMP/r.err" -i vb -c 1 --replace ||
		notok "replace: ready" "$(cat "$TMP/r.err")"
	during=$(xdp_id)
	tcp_session "$B4" 10
	wait_exit "$CAP_PID"
	check "replace: ours was attached instead" eval '[ -n "$during" ] && [ "$during" != "$other" ]'
	check "replace: captured" grep -q "Flags \[S\]" "$TMP/r.out"
	check "replace: the other program is back after exit" [ "$(xdp_id)" = "$other" ]
	ip -n "$NS_B" link set dev vb xdpgeneric off
else
	skip "foreign program" "ip cannot attach an XDP object here: $(head -1 "$TMP/ip.err")"
fi

# --- default interface ----------------------------------------------------
ip -n "$NS_B" route add default via "$A4" dev vb
start_capture "$TMP/d.out" "$TMP/d.err" -c 1 ||
	notok "default interface: ready" "$(cat "$TMP/d.err")"
tcp_session "$B4" 10
wait_exit "$CAP_PID"
check "default interface: that of the default route" grep -q "^listening on vb " "$TMP/d.err"

# --- bad input: one line, non-zero, nothing attached --------------------------
bad() {
	local name=$1 want_rc=$2 pattern=$3
	shift 3
	"$@" >"$TMP/b.out" 2>"$TMP/b.err"
	local rc=$?
	if [ $rc = "$want_rc" ] && [ "$(wc -l <"$TMP/b.err")" = 1 ] &&
	   grep -q "$pattern" "$TMP/b.err" && [ -z "$(xdp_id)" ]; then
		ok "bad input: $name"
	else
		notok "bad input: $name" "rc=$rc, stderr: $(cat "$TMP/b.err")"
	fi
}
bad "unknown interface" 2 "unknown interface 'nosuch0'" inb "$TI" -i nosuch0
bad "unknown option" 2 "unknown option '--bogus'" inb "$TI" --bogus
bad "bad count" 2 "bad count 'x'" inb "$TI" -i vb -c x
bad "bad mode" 2 "bad mode 'fast'" inb "$TI" -i vb --mode fast
bad "missing value" 2 "needs a value" inb "$TI" -i
bad "bad filter" 2 "filter: '99999' at 6: illegal port number" inb "$TI" -i vb port 99999
bad "bad filter syntax" 2 "filter: " inb "$TI" -i vb 'tcp port'
bad "bad snap length" 2 "bad snap length" inb "$TI" -i vb -s 99999
lo_free() { ! ip -n "$NS_B" -d link show dev lo | grep -q 'prog/xdp'; }
bad "native mode unsupported (bpf_link)" 1 "cannot attach to lo in native mode: .*try --mode generic" \
	inb "$TI" -i lo --mode native
check "native mode unsupported (bpf_link): nothing attached to lo" lo_free
bad "native mode unsupported (netlink, kernel's message)" 1 \
	"cannot attach to lo in native mode: .*(kernel: .*native" \
	inb env TCPINSPECT_DISABLE=link "$TI" -i lo --mode native
check "native mode unsupported (netlink): nothing attached to lo" lo_free
cp "$TI" "$TMP/ti" && chmod 755 "$TMP" "$TMP/ti"
bad "no privilege" 1 "Operation not permitted" \
	inb setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/ti" -i vb

# --- XDP_PASS: a bulk transfer completes while we watch ---------------------
start_capture "$TMP/x.out" "$TMP/x.err" -i vb
tcp_session "$B4" 2000000
rc=$?
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "XDP_PASS: 2 MB transfer completes under capture" [ $rc = 0 ]
check "XDP_PASS: summary counts no loss" grep -Eq "^[0-9]+ packets captured, [0-9]+ TCP packets seen, 0 lost$" "$TMP/x.err"
