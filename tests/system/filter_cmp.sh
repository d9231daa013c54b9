#!/bin/bash
# tests/system/filter_cmp.sh - filter expressions: tcpinspect's in-kernel
# filter against tcpdump (libpcap) on the same frames.
#
# build/mkpcap writes a capture of varied traffic (see tests/tools/mkpcap.c)
# where frame i has the timestamp T0 + i seconds (+ some microseconds),
# so a frame is known by its time in any tool's output: the integer part
# of tcpdump -tt's first field, tcpinspect replay --json's ts_ns / 1e9.
#
# The reference set.  tcpinspect reports only what its XDP program
# emits: TCP segments whose headers it decodes (IPv4 and IPv6, up to two
# VLAN tags, IPv6 extension headers chased), later fragments of TCP
# datagrams, and packets whose IP or TCP header it finds malformed.  It
# never reports UDP or ARP, whatever the filter says; and the filter
# runs only on the frames the program would emit (prog/xdp.c asks
# ti_filter() after the parse).  So for an expression EXPR
#
#     tcpinspect(EXPR) ∩ V = tcpdump(EXPR) ∩ V,
#     V = tcpinspect(no filter) less the malformed frames
#
# must hold exactly: within V the filter must select what libpcap
# selects, frame for frame.  On a malformed frame the filter sees what
# the program could parse of it (struct ti_pkt), where libpcap reads the
# raw bytes (and rejects the frame when a load falls past its end): the
# two differ on some of them, which one line at the end counts, and
# which a filter reading the frame's bytes as libpcap does would make
# agree.  Writing E as a second tcpdump expression
# instead (e.g. `tcp or (ip[6:2] & 0x1fff != 0 and ip proto 6)`) does
# not work: libpcap's `tcp` and `ip proto 6` do not look through VLAN
# tags, `tcp` does not chase IPv6 extension headers, and none of them
# knows which headers are malformed.  E itself is checked on its own,
# twice: against the generator's manifest (what each frame is meant to
# be), and against tcpdump: every frame of E must be TCP to libpcap
# (`ip proto 6`, `ip6 protochain 6`, under zero, one or two tags), and
# every frame libpcap calls TCP but E lacks must be one the manifest
# calls malformed, or one the program ignores by design: a third VLAN
# tag, or a tag with TPID 0x9100 (libpcap's vlan takes 0x8100, 0x88a8
# and 0x9100; the program 802.1Q and 802.1ad only).
#
# Output: tests/run's protocol, one line per expression.  Missing replay
# or filter support fails (not ok): it is what is being tested.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

MKPCAP=${MKPCAP:-./build/mkpcap}
T0=1000000
PCAP=$TMP/cmp.pcap
MANIFEST=$TMP/manifest

need_root filter_cmp
if ! command -v tcpdump >/dev/null; then
	notok filter_cmp "tcpdump is not installed (make test-deps)"
	exit 1
fi
if ! "$MKPCAP" -m "$MANIFEST" -o "$PCAP"; then
	notok filter_cmp "cannot generate the capture with $MKPCAP (make build/mkpcap)"
	exit 1
fi

# Frame numbers tcpdump selects with EXPR, one per line, sorted as comm
# wants them.
td_set() {
	tcpdump -n -tt -r "$PCAP" "$@" 2>"$TMP/td.err" </dev/null |
		awk -v t0=$T0 '/^[0-9]+\.[0-9]+ / { split($1, a, "."); print a[1] - t0 }' |
		sort -u
	# libpcap's optimizer proves some expressions match nothing and
	# tcpdump then refuses them: that is an empty set, not an error.
	[ "${PIPESTATUS[0]}" = 0 ] || grep -q 'expression rejects all packets' "$TMP/td.err"
}

# Frame numbers tcpinspect replay reports with EXPR.  Its stderr goes to
# $TMP/ti.err; fails if tcpinspect does.
ti_set() {
	"$TI" replay --json "$PCAP" "$@" 2>"$TMP/ti.err" >"$TMP/ti.out" </dev/null
	local rc=$?
	grep -o '"ts_ns":[0-9]*' "$TMP/ti.out" |
		awk -v t0=$T0 -F: '{ print int($2 / 1000000000) - t0 }' | sort -u
	return $rc
}

# "12(flags-vlan) 57(ext6)" for the frame numbers in file $1.
describe() {
	awk 'NR == FNR { cls[$1] = $3 " " $2; next }
	     { printf "%s%s(%s)", n++ ? " " : "", $1, cls[$1] }' "$MANIFEST" <(sort -n "$1") |
		cut -c1-600
}

# --- E: what the program emits without a filter ------------------------

if ! ti_set >"$TMP/E"; then
	notok emitted_set "tcpinspect replay failed: $(head -1 "$TMP/ti.err")"
	# Nothing below can be judged without it.
	exit 1
fi
awk '$2 == "T" || $2 == "F" || $2 ~ /^M:/ { print $1 }' "$MANIFEST" | sort >"$TMP/E.want"
if cmp -s "$TMP/E" "$TMP/E.want"; then
	ok "emitted_set: $(wc -l <"$TMP/E") of $(wc -l <"$MANIFEST") frames, as the manifest says"
else
	comm -23 "$TMP/E" "$TMP/E.want" >"$TMP/extra"
	comm -13 "$TMP/E" "$TMP/E.want" >"$TMP/missing"
	notok emitted_set "emitted but not expected: [$(describe "$TMP/extra")]; expected but not emitted: [$(describe "$TMP/missing")]"
fi

# libpcap's view of "TCP", under 0, 1 and 2 tags (a vlan keyword moves
# the offsets for the rest of the expression, so one run per depth).
: >"$TMP/U"
for pre in "" "vlan and " "vlan and vlan and "; do
	td_set "${pre}(ip proto 6 or ip6 protochain 6)" >>"$TMP/U" ||
		notok emitted_set_vs_tcpdump "tcpdump failed: $(head -1 "$TMP/td.err")"
done
sort -u -o "$TMP/U" "$TMP/U"
# Malformed, or ignored by design (a third tag, a 0x9100 tag).
awk '$2 ~ /^[MX]:/ { print $1 }' "$MANIFEST" | sort >"$TMP/M"
# V: what is emitted, less the malformed frames.
awk '$2 ~ /^M:/ { print $1 }' "$MANIFEST" | sort | comm -23 "$TMP/E" - >"$TMP/V"
awk '$2 ~ /^M:/ { print $1 }' "$MANIFEST" | sort | comm -12 "$TMP/E" - >"$TMP/EM"
comm -23 "$TMP/V" "$TMP/U" >"$TMP/not_tcp"
comm -13 "$TMP/V" "$TMP/U" | comm -23 - "$TMP/M" >"$TMP/tcp_missing"
if [ ! -s "$TMP/not_tcp" ] && [ ! -s "$TMP/tcp_missing" ]; then
	ok emitted_set_vs_tcpdump
else
	notok emitted_set_vs_tcpdump "emitted but not TCP to tcpdump: [$(describe "$TMP/not_tcp")]; TCP to tcpdump, not malformed nor ignored by design, not emitted: [$(describe "$TMP/tcp_missing")]"
fi

# --- the expressions ---------------------------------------------------

n=0
mal_expr=0
mal_frames=0
while IFS= read -r expr; do
	case $expr in '' | '#'*) continue ;; esac
	n=$((n + 1))
	name="filter '$expr'"
	if ! td_set "$expr" >"$TMP/T"; then
		notok "$name" "tcpdump refused it: $(head -1 "$TMP/td.err")"
		continue
	fi
	if ! ti_set "$expr" >"$TMP/R"; then
		notok "$name" "tcpinspect failed: $(head -1 "$TMP/ti.err")"
		continue
	fi
	# The malformed frames, counted apart (see the top).
	d=$(comm -3 <(comm -12 "$TMP/R" "$TMP/EM") <(comm -12 "$TMP/T" "$TMP/EM") | wc -l)
	if [ "$d" != 0 ]; then
		mal_expr=$((mal_expr + 1))
		mal_frames=$((mal_frames + d))
	fi
	comm -12 "$TMP/T" "$TMP/V" >"$TMP/W"
	comm -12 "$TMP/R" "$TMP/V" >"$TMP/R.v"
	mv "$TMP/R.v" "$TMP/R"
	if cmp -s "$TMP/R" "$TMP/W"; then
		ok "$name: $(wc -l <"$TMP/R") frames"
		continue
	fi
	comm -23 "$TMP/R" "$TMP/W" >"$TMP/extra"
	comm -13 "$TMP/R" "$TMP/W" >"$TMP/missing"
	notok "$name" "only tcpinspect ($(wc -l <"$TMP/extra")): [$(describe "$TMP/extra")]; only tcpdump ($(wc -l <"$TMP/missing")): [$(describe "$TMP/missing")]"
done <<'EOF'
# protocols
tcp
ip
ip6
not tcp
tcp and not ip
ip6 and tcp
!ip && !ip6
# hosts
host 10.1.2.3
src host 192.168.1.10
dst host 2001:db8::1
host 2001:db8:1::10 or host 172.16.5.9
src host 10.1.2.3 and dst host 192.168.1.10
ip and not host 8.8.8.8
# networks: CIDR, mask, IPv6 prefixes on and off byte boundaries
net 10.0.0.0/8
net 192.168.1.0/24
src net 172.16.0.0/12
dst net 10.1.0.0 mask 255.255.0.0
net 192.168.0.0 mask 255.255.254.0
net 2001:db8::/32
net 2001:db8:1::/48
net 2001:db8::/65
ip6 and net 2001:db8::/32 and not net 2001:db8:1::/48
src and dst net 192.168.0.0/16
src net 2001:db8::/32 and dst net 2001:db8::/32
src or dst net 172.16.0.0/12
net 10.1.2.0/23
dst net 172.16.0.0 mask 255.240.0.0
# ports
port 80
src port 443
dst port 22 or dst port 25
tcp port 53
src or dst port 8080
tcp dst port 1
portrange 5000-5010
src portrange 1-1023
dst portrange 49152-65535
src and dst portrange 1024-65535
# VLANs and QinQ
vlan
not vlan
vlan 100
vlan 4094
vlan and vlan
vlan 100 and vlan 300
vlan and vlan 300
vlan and tcp port 80
vlan and ip6
vlan and vlan and ip
vlan 100 or vlan 200
tcp and vlan
tcp or vlan and port 80
vlan and not vlan 100
# TCP flags
tcp[tcpflags] & tcp-syn != 0
tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)
tcp[tcpflags] == tcp-ack
tcp[tcpflags] & (tcp-fin|tcp-rst) != 0
tcp[tcpflags] & (tcp-ece|tcp-cwr) != 0
tcp[tcpflags] & tcp-urg != 0 and tcp[tcpflags] & tcp-push == 0
tcp[tcpflags] == 0
! tcp[tcpflags] & tcp-ack != 0
# lengths
len >= 1000
len <= 60
greater 1000
less 80
greater 100 and less 200
tcp[tcpflags] & tcp-push != 0 and len > 500
# precedence: and/or are equal and left-associative in pcap-filter, not binds tightest
host 10.1.2.3 and port 80 or host 2001:db8::1
port 80 or port 443 and src net 10.0.0.0/8
host 10.1.2.3 || host 192.168.1.10 && port 80
not port 80 and not port 443
not (port 80 or port 443)
ip and tcp[tcpflags] & tcp-syn != 0 or ip6 and port 80
(src net 10.0.0.0/8 || src net 192.168.0.0/16) && dst portrange 1-1024
tcp port 443 and (src net 10.0.0.0/8 or host 2001:db8::1)
not (vlan or ip6) and (port 80 or portrange 5000-5010)
not (host 10.1.2.3 or (vlan and vlan 300))
portrange 1-1023 and not port 80 and not (ip6 and port 443)
EOF

[ "$n" -ge 40 ] || notok filter_cmp "only $n expressions"
ok "filter_on_malformed_frames: $(wc -l <"$TMP/EM") malformed frames emitted; $mal_expr of $n expressions select $mal_frames of them otherwise than libpcap (the filter sees the parsed fields, libpcap the bytes)"
