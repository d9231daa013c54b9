#!/bin/bash
# tests/system/filter_cmp.sh - filter expressions: tcpinspect's in-kernel
# filter against tcpdump (libpcap) on the same frames.
#
# build/mkpcap -f writes a capture of varied traffic (see
# tests/tools/mkpcap.c: VLAN and QinQ, IPv4 options and fragments, IPv6
# extension chains, cut records, frames over 4 KB, broadcast and
# multicast) where frame i has the timestamp T0 + i seconds (+ some
# microseconds), so a frame is known by its time in any tool's output:
# the integer part of tcpdump -tt's first field, tcpinspect replay
# --json's ts_ns / 1e9.
#
# The reference set.  tcpinspect reports only what its XDP program
# emits: TCP segments whose headers it decodes (IPv4 and IPv6, up to two
# VLAN tags, IPv6 extension headers chased), later fragments of TCP
# datagrams, and packets whose IP or TCP header it finds malformed.  It
# never reports UDP or ARP, whatever the filter says; and the filter
# runs only on the frames the program would emit (prog/xdp.c asks
# ti_filter() after the parse).  So for an expression EXPR
#
#     tcpinspect(EXPR) = tcpdump(EXPR) ∩ E,   E = tcpinspect(no filter)
#
# must hold exactly: within E the filter must select what libpcap
# selects, frame for frame, the malformed frames too (the filter reads
# their bytes as libpcap does, and rejects a frame where a load falls
# past its end).  Writing E as a second tcpdump expression
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
# The expressions: a list by topic (below), one written to cover the
# ground of libpcap's own filter tests (testprogs/TESTrun's EN10MB
# expressions: the tests cannot fetch libpcap's repository, and its
# files are not ours to copy, so the list is ours), expressions
# tcpinspect must warn about (no TCP segment can match: they run and
# show nothing), expressions both must refuse, the unit test's table
# (build/filter_test --pcap: its expected answers, frame by frame,
# must be tcpdump's), and FILTER_CMP_RANDOM (default 200) random
# expressions from build/filter_test -r with a fixed seed.  When
# tcpdump refuses an expression because its optimizer proves it matches
# nothing ("expression rejects all packets"), tcpinspect must run it
# with its warning and show nothing.  Two differences are documented in the man
# page and left out here: `protochain` on the frame whose IPv6 fragment
# header has its reserved byte set (libpcap reads that byte as a length),
# and `geneve` in random expressions (libpcap's program then reads
# scratch memory no instruction wrote for frames that are not Geneve).
#
# Names (hosts, networks, ports, Ethernet addresses) come from /etc for
# both tools: the script runs itself again in a mount namespace where
# /etc is a copy with the test's names added; without one, the names are
# skipped.
#
# Output: tests/run's protocol, one line per expression.  Missing replay
# or filter support fails (not ok): it is what is being tested.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

MKPCAP=${MKPCAP:-./build/mkpcap}
FTEST=${FTEST:-./build/filter_test}
RANDOM_N=${FILTER_CMP_RANDOM:-200}
RANDOM_SEED=16
T0=1000000

need_root filter_cmp
if ! command -v tcpdump >/dev/null; then
	notok filter_cmp "tcpdump is not installed (make test-deps)"
	exit 1
fi

# --- the capture and the names, then the rest in a mount namespace ----

if [ -z "$FILTER_CMP_DIR" ]; then
	if ! "$MKPCAP" -f -m "$TMP/manifest" -o "$TMP/cmp.pcap"; then
		notok filter_cmp "cannot generate the capture with $MKPCAP (make build/mkpcap)"
		exit 1
	fi
	# The first TCP frame's Ethernet addresses (mkpcap's put_l2:
	# 02:<frame number>:01 to 02:<number * 2654435761>:02).
	first=$(awk '$2 == "T" { print $1; exit }' "$TMP/manifest")
	mac() { printf '02:%02x:%02x:%02x:%02x:%02x' $(($1 >> 24 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)) "$2"; }
	DST_MAC=$(mac "$first" 1)
	SRC_MAC=$(mac $((first * 2654435761 & 0xffffffff)) 2)
	export FILTER_CMP_DIR=$TMP DST_MAC SRC_MAC
	mkdir "$TMP/etc" && cp -a /etc/. "$TMP/etc/" 2>/dev/null
	if [ -f "$TMP/etc/hosts" ] && unshare -m --propagation private true 2>/dev/null; then
		cat >>"$TMP/etc/hosts" <<-EOF
		10.1.2.3	alpha alpha.test
		192.168.1.10	gamma gamma-alias
		172.16.5.9	dual
		2001:db8:1::10	dual
		2001:db8::1	beta
		EOF
		printf 'tinet\t10.1\ncnet\t172.16\nloopnet\t127\n' >>"$TMP/etc/networks"
		printf 'tiport\t\t5005/tcp\ntiudp\t\t5006/udp\n' >>"$TMP/etc/services"
		printf '%s frame-dst\n%s frame-src\nff:ff:ff:ff:ff:ff allones\n' \
			"$DST_MAC" "$SRC_MAC" >>"$TMP/etc/ethers"
		unshare -m --propagation private bash -c \
			'! mount --bind "$FILTER_CMP_DIR/etc" /etc ||
			 export FILTER_CMP_NAMES=1; exec "$0"' "$0"
	else
		"$0"
	fi
	exit $?
fi
PCAP=$FILTER_CMP_DIR/cmp.pcap
MANIFEST=$FILTER_CMP_DIR/manifest
[ "$FILTER_CMP_NAMES" = 1 ] ||
	skip "filter names" "no mount namespace with the test's /etc: names not compared"

# Frame numbers tcpdump selects with EXPR, one per line, sorted as comm
# wants them; fails if tcpdump refuses EXPR (its message in td.err).
td_set() {
	tcpdump -n -tt -r "$PCAP" -- "$@" 2>"$TMP/td.err" </dev/null |
		awk -v t0=$T0 '/^[0-9]+\.[0-9]+ / { split($1, a, "."); print a[1] - t0 }' |
		sort -u
	[ "${PIPESTATUS[0]}" = 0 ]
}

# Frame numbers tcpinspect replay reports with EXPR.  Its stderr goes to
# $TMP/ti.err; fails if tcpinspect does (its exit status).
ti_set() {
	"$TI" replay --json "$PCAP" -- "$@" 2>"$TMP/ti.err" >"$TMP/ti.out" </dev/null
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
# The frame protochain differs on (man page).
awk '$3 == "frag6-reserved" { print $1 }' "$MANIFEST" | sort >"$TMP/odd"

# --- one expression ----------------------------------------------------

# compare KIND EXPR: one result line.  KIND: "=" compare; "never" also
# wants the warning; "error" wants both tools to refuse it.  Counts in
# n, agreed, refused (by both).
n=0 agreed=0 refused=0 rejects_all=0 mal_sel=0
compare() {
	local kind=$1 expr=$2 name="filter '$2'" trc rc warned=0
	n=$((n + 1))
	td_set "$expr" >"$TMP/T"
	trc=$?
	ti_set "$expr" >"$TMP/R"
	rc=$?
	grep -q '^tcpinspect: warning: the expression can match no TCP segment' "$TMP/ti.err" &&
		warned=1
	if [ "$trc" != 0 ]; then
		if grep -q 'expression rejects all packets' "$TMP/td.err"; then
			# libpcap's optimizer proved it matches nothing
			if [ "$rc" = 0 ] && [ ! -s "$TMP/R" ] && [ $warned = 1 ]; then
				agreed=$((agreed + 1)) rejects_all=$((rejects_all + 1))
				ok "$name: tcpdump refuses it as matching nothing; runs, warns, shows nothing"
			else
				notok "$name" "tcpdump: $(head -1 "$TMP/td.err"); tcpinspect: exit $rc, $(wc -l <"$TMP/R") frames, $(head -1 "$TMP/ti.err")"
			fi
		elif [ "$rc" = 2 ] && grep -q '^tcpinspect: filter: ' "$TMP/ti.err"; then
			agreed=$((agreed + 1)) refused=$((refused + 1))
			ok "$name: both refuse it ($(sed 's/^tcpinspect: //' "$TMP/ti.err" | head -1 | cut -c1-100))"
		else
			notok "$name" "tcpdump refuses it ($(head -1 "$TMP/td.err")), tcpinspect: exit $rc, $(head -1 "$TMP/ti.err")"
		fi
		return
	fi
	if [ "$kind" = error ]; then
		notok "$name" "tcpdump takes it; tcpinspect: exit $rc, $(head -1 "$TMP/ti.err")"
		return
	fi
	if [ "$rc" != 0 ]; then
		notok "$name" "tcpinspect failed (exit $rc): $(head -1 "$TMP/ti.err")"
		return
	fi
	comm -12 "$TMP/T" "$TMP/E" >"$TMP/W"
	case $expr in
	*protochain*)
		comm -23 "$TMP/W" "$TMP/odd" >"$TMP/W2" && mv "$TMP/W2" "$TMP/W"
		comm -23 "$TMP/R" "$TMP/odd" >"$TMP/R2" && mv "$TMP/R2" "$TMP/R" ;;
	esac
	# The warning is about TCP segments: a malformed packet may match.
	comm -12 "$TMP/W" "$TMP/V" >"$TMP/WV"
	if [ $warned = 1 ] && [ -s "$TMP/WV" ]; then
		notok "$name" "warns that nothing can match, tcpdump selects $(wc -l <"$TMP/WV") of E's TCP segments: [$(describe "$TMP/WV")]"
		return
	fi
	if [ "$kind" = never ] && [ $warned = 0 ]; then
		notok "$name" "no warning that no TCP segment can match ($(wc -l <"$TMP/R") frames)"
		return
	fi
	mal_sel=$((mal_sel + $(comm -12 "$TMP/W" "$TMP/EM" | wc -l)))
	if cmp -s "$TMP/R" "$TMP/W"; then
		agreed=$((agreed + 1))
		ok "$name: $(wc -l <"$TMP/R") frames$([ $warned = 0 ] || echo ', warns')"
		return
	fi
	comm -23 "$TMP/R" "$TMP/W" >"$TMP/extra"
	comm -13 "$TMP/R" "$TMP/W" >"$TMP/missing"
	notok "$name" "only tcpinspect ($(wc -l <"$TMP/extra")): [$(describe "$TMP/extra")]; only tcpdump ($(wc -l <"$TMP/missing")): [$(describe "$TMP/missing")]"
}

# A list on stdin: "# comment", "never: EXPR", "error: EXPR", "names:
# EXPR" (compared when the names are there), or EXPR.
run_list() {
	local line
	while IFS= read -r line; do
		case $line in
		'' | '#'*) ;;
		'never: '*) compare never "${line#never: }" ;;
		'error: '*) compare error "${line#error: }" ;;
		'names: '*)
			[ "$FILTER_CMP_NAMES" = 1 ] || continue
			compare = "${line#names: }" ;;
		*) compare = "$line" ;;
		esac
	done
}

# --- the expressions ---------------------------------------------------

run_list <<'EOF'
# header bytes at constant offsets
ip[6:2] & 0x1fff = 0
ip[6:2] & 0x1fff != 0
ip[6:2] & 0x2000 != 0
ip[6] & 0x40 != 0
ip[0] & 0xf > 5
ip[0] & 0xf != 5 and tcp
ip[1] & 0xfc != 0
ip[2:2] > 1000
ip[2:2] < 100
ip[8] < 64
ip[9] = 6
ip[12:4] = 0x0a010203
ip[16:4] & 0xffff0000 = 0xc0a80000
ip[20] = 0x44
ip6[0:4] & 0xfff00000 = 0x60000000
ip6[4:2] > 1000
ip6[6] = 6
ip6[6] != 6 and ip6
ip6[7] = 64
ip6[8:4] = 0x20010db8
ip6[24:2] = 0xff02
ip6[40] = 6
ip6[40] = 0x3c or ip6[40] = 0x2b
ip6[42:2] & 0xfff8 != 0
tcp[0:2] > 1023 and tcp[2:2] < 1024
tcp[2:2] = 80
tcp[4:4] > 0x80000000
tcp[8:4] = 0
tcp[12] & 0xf0 > 0x50
tcp[12] & 0xf0 = 0x50
tcp[12] >> 4 > 8
tcp[13] = 2
tcp[13] & 0x12 = 0x12
tcp[13] & 0x3f = 0
tcp[14:2] < 1024
tcp[14:2] < 100
ip[0] & 0xf != 5
tcp[16:2] != 0
tcp[18:2] != 0
tcp[20] = 2
tcp[20] = 2 and tcp[21] = 4
tcp[20:4] = 0x020405b4
tcp[20] = 1 and tcp[21] = 1
tcp[32] = 8
tcp[40] != 0
tcp[60:4] != 0
tcp[100] = 0
tcp[200] != 0
tcp[1000] = 0 or ip6
tcp[3000:2] != 0
tcp[4000:4] != 0
tcp[5000] != 0x12
tcp[8000] != 0x12
ether[0] & 1 != 0
ether[0] & 1 = 0
ether[0:4] = 0xffffffff
ether[0] = 0x02 and ether[5] = 0x01
ether[6] & 2 != 0
ether[12:2] = 0x800
ether[12:2] = 0x8100
ether[12:2] = 0x88a8
ether[12:2] = 0x86dd
ether[14:2] & 0xfff = 100
ether[14:2] & 0xfff = 300 or ether[18:2] & 0xfff = 300
ether[16:2] = 0x8100
ether[16:2] = 0x800 and ether[18] & 0xf0 = 0x40
ether[20:2] = 0x86dd
ether[60] = 0
ether[100:4] != 0
ether[1500] = 0
ether[4000] != 0x12
ether[4095] != 0x12
ether[4096] != 0x12
ether[6000:2] != 1
link[0] = 2
link[12:2] = 0x800
link[14] = 0x45
ppp[0] = 2
tcp[-1] = 0
tcp[-20:4] != 0
# header bytes at computed offsets
tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420
tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x504f5354
tcp[((tcp[12] & 0xf0) >> 2)] = 0x47
tcp[((tcp[12] & 0xf0) >> 2) + 4:2] = 0x2f20
tcp[(tcp[12] >> 4) * 4] != 0
tcp[tcp[12] >> 2] = 0x47
ip[((ip[0] & 0xf) << 2) + 13] & 2 != 0
ip[(ip[0] & 0xf) * 4:2] = 80
ether[14 + ((ether[14] & 0xf) << 2) + 13] = 0x18
ether[len - 1] != 0
ether[len - 4:4] != 0
ether[len - 1] = 0 and len > 60
tcp[len - 60] != 1
ip[ip[2:2] - 1] != 0
tcp[tcp[13]] != 0
tcp[tcp[13] * 16:4] != 0
tcp[tcp[0:2]] != 0
ether[ether[13] * 8] != 0
ip6[40 + ip6[41] * 8] = 6
tcp[4 * (tcp[12] >> 4) + 0x1000] != 0
# arithmetic
len - 14 = ip[2:2]
ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0
ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) = 0
tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)
ip6[4:2] - ((tcp[12] & 0xf0) >> 2) > 0
ip[2:2] * 2 > 200
ip[2:2] / 8 > 10
ip[2:2] % 8 = 0
ip[2:2] % 7 + 1 = 3
tcp[13] ^ 0x10 = 0
tcp[13] | 0x10 = 0x18
len > 0 and -len < -100
tcp and - ip[2:2] + len > 14
len + 14 > 300
len * len > 1000000
len * 3 / 2 > 600
tcp[0:2] + tcp[2:2] > 50000
(tcp[0:2] ^ tcp[2:2]) & 1 = 1
tcp[13] >> 4 = 1
1 << (tcp[13] & 7) > 2
tcp[13] << tcp[12] != 0
tcp[0] >> tcp[13] = 0
0x80000000 >> (tcp[13] & 31) > 0x10000
tcp[4:4] + tcp[8:4] > 0xf0000000
tcp[4:4] * tcp[8:4] != 0
ip[2:2] - 1000 > 0
len - 2000 > 0
4 * (tcp[12] >> 4) = 20 + tcp[20] * 0
# division and modulo by a packet value that may be zero
tcp[13] / tcp[3] > 0
tcp[13] / tcp[3] > 0 or tcp
len / (tcp[13] & 1) > 0
len % (tcp[13] & 2) = 0
len / tcp[100] > 0
len % tcp[13] != 1
ip[2:2] / (ip[8] - 64) > 0
tcp[13] & 1 = 0 or len / (tcp[13] & 1) > 60
len / (tcp[13] & 1) = len / (tcp[13] & 1)
len / (tcp[13] & 1) * 0 = 0
0 * (len / (tcp[13] & 1)) = 0
len % (tcp[13] & 1) * 1 = 0
(len / (tcp[13] & 1)) & 0 = 0
len - len / (tcp[13] & 1) * 0 = len
tcp[13] / tcp[13] = 1
tcp[13] % tcp[13] = 0
not len / (tcp[13] & 1) > 0
# TCP flags and names
tcp[tcpflags] & tcp-syn != 0
tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)
tcp[tcpflags] == tcp-ack
tcp[tcpflags] & (tcp-fin|tcp-rst) != 0
tcp[tcpflags] & (tcp-ece|tcp-cwr) != 0
tcp[tcpflags] & tcp-urg != 0 and tcp[tcpflags] & tcp-push == 0
tcp[tcpflags] == 0
! tcp[tcpflags] & tcp-ack != 0
tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack = 0
tcp[13] = tcp-syn | tcp-ack
tcp[tcpflags] & tcp-push != 0 and len > 500
# lengths from the record's original length (cut records, jumbo frames)
len >= 1000
len <= 60
len = 60
len != 60 and len < 64
len > 300
len > 4096
len > 8000
greater 1000
greater 4000
less 80
less 100
greater 100 and less 200
len - 14 > 4000
EOF

run_list <<'EOF'
# protocols
tcp
ip
ip6
not tcp
tcp and not ip
ip6 and tcp
!ip && !ip6
proto \tcp
ip proto \tcp
ip6 proto \tcp
proto 6
ip proto 6
ip6 proto 6
ip6 proto 0
ip6 proto 44
ip6 proto 60 or ip6 proto 43
ip proto 6 and ip6 proto 6
proto 300
tcp or udp
udp port 53 or tcp port 80
not udp
not arp and tcp
not (udp or icmp or arp)
# protochain: the chain of IPv6 extension headers
ip6 protochain 6
ip6 protochain 44
ip6 protochain 0
ip6 protochain 60
ip6 protochain 43
ip6 protochain \tcp
protochain 6
ip protochain 6
ip6 protochain 17
protochain 17 or tcp port 80
vlan and ip6 protochain 6
# Ethernet addresses, broadcast and multicast
ether broadcast
ether multicast
broadcast
multicast
not ether multicast
ip broadcast
ip multicast
ip6 multicast
ip multicast or ip6 multicast
ether dst ff:ff:ff:ff:ff:ff
ether host 01:00:5e:00:00:fb
ether src 01:00:5e:00:00:fb
link host ff:ff:ff:ff:ff:ff
link broadcast
wlan host 01:00:5e:00:00:fb
ether[0] & 1 != 0 and not ether broadcast
ether proto \ip
ether proto \ip6
ether proto 0x800
ether proto 0x86dd
ether proto 2048
ether proto \arp
ether proto 0x8100
vlan and ether proto 0x800
# hosts
host 10.1.2.3
src host 192.168.1.10
dst host 2001:db8::1
host 2001:db8:1::10 or host 172.16.5.9
src host 10.1.2.3 and dst host 192.168.1.10
ip and not host 8.8.8.8
ip host 10.1.2.3
ip6 host 2001:db8::1
ip src 192.168.1.10 or ip6 dst 2001:db8:1::10
host 255.255.255.255
dst host 224.0.0.251
host ff02::fb
src host 0.0.0.0
host 10.1.2.3 or host 10.1.2.3
arp host 10.1.2.3 or tcp port 80
# networks: CIDR, mask, IPv6 prefixes on and off byte boundaries
net 10.0.0.0/8
net 10
net 10.1
net 192.168.1.0/24
net 192.168.1
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
net 0.0.0.0/0
net ::/0
net 224.0.0.0/4
net fe80::/10
ip6 net ff00::/8
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
portrange 90-80
port 80 or 443
port (80 or 443) and not src port 22
tcp src port 0
port 65535
# port names: the C library's /etc/services, or tcpinspect's built-in table
port http
port https or port ssh
tcp port domain
src port http-alt
dst port ftp or dst port telnet or dst port smtp
portrange ftp-http
portrange 25-smtp
portrange ssh-http
port (http or https)
port \http
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
vlan and tcp[13] & 2 != 0
vlan 100 and ip[9] = 6
vlan and vlan and ip6[6] = 6
vlan and ether[12:2] = 0x8100
vlan and ether[16:2] = 0x800
vlan and ip[6:2] & 0x1fff != 0
vlan and tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420
vlan and host 10.1.2.3
vlan and net 2001:db8::/32 and portrange 1-1023
not vlan and ip6 protochain 44
# other protocols over the tags (no TCP segment behind them)
mpls
mpls 100
pppoed
pppoes
pppoes 5
geneve
geneve 5
mpls and ip
pppoes and ip6
geneve and ip
vlan and mpls
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
host 10.1.2.3 and (10.1.2.3 or 192.168.1.10)
src 10.1.2.3 and dst 192.168.1.10
tcp and port (80 or 443 or 22)
not not tcp
# names from /etc (hosts, networks, services, ethers)
names: host alpha
names: src host gamma or dst host gamma-alias
names: host dual
names: ip host dual
names: ip6 host dual
names: host beta and port 80
names: host alpha.test
names: net tinet
names: dst net tinet or src net cnet
names: not net loopnet
names: net tinet/16
names: port tiport
names: tcp port tiport or port http
names: ether host frame-dst
names: ether src frame-src
names: ether dst frame-dst or ether dst allones
names: ether host frame-src and tcp
names: host alpha or ether host frame-dst
EOF

run_list <<'EOF'
# other protocols: accepted, never a TCP segment (a warning, and it runs)
never: udp
never: arp
never: rarp
never: icmp
never: icmp6
never: igmp
never: sctp
never: pim
never: vrrp
never: carp
never: igrp
never: ah
never: esp
never: udp port 53
never: ip proto 17
never: ip6 proto 58
never: ip proto \udp
never: ether proto \arp
never: ether proto 0x806
never: arp host 10.1.2.3
never: rarp net 10.0.0.0/8
never: icmp[icmptype] = icmp-echo
never: icmp[icmptype] != icmp-echoreply
never: icmp[icmpcode] = 0
never: icmp6[icmp6type] = icmp6-echo
never: icmp6[icmp6type] == icmp6-neighborsolicit
never: icmp[0] = 8 and tcp
never: udp[0:2] = 53
never: sctp[0:2] = 80
never: igmp[0] = 0x11
never: vrrp[0] & 0xf = 1
never: carp[6:2] > 0xb000
never: stp
never: llc
never: llc i
never: llc s
never: llc u
never: llc rr
never: llc ui
never: ipx
never: netbeui
never: atalk
never: aarp
never: decnet
never: decnet host 10.1
never: decnet src 1.2
never: iso
never: esis
never: isis
never: clnp
never: l1
never: iih
never: lsp
never: snp
never: csnp
never: psnp
never: iso proto 0x81
never: isis proto 15
never: lat
never: sca
never: mopdl
never: moprc
never: mpls and tcp
never: pppoes and tcp
never: udp and port 80
never: ip and ip6
never: tcp and udp
never: ip6 and ip[9] = 6
never: tcp[13] & 2 != 0 and udp
never: tcp or icmp[icmptype] = icmp-echo and udp
EOF

run_list <<'EOF'
# refused by both
error: host
error: port 99999
error: portrange 1-70000
error: host 1.2.3.400
error: tcp[1:3] = 0
error: len / 0 = 1
error: len % 0 = 1
error: len << 32 = 1
error: len / (1 - 1) = 1
error: vlan 4096
error: src proto 6
error: ip6 host 10.0.0.1
error: ip host ::1
error: tcp host 10.0.0.1
error: tcp proto 6
error: ip port 80
error: port 1.2.3.4
error: 10.0.0.1
error: tcp or 80
error: mpls and vlan
error: mpls and arp
error: pppoes and llc
error: ip6 protochain 6 and vlan and geneve and ip protochain 6
error: ether proto \lldp
error: ip proto \nosuch
error: host 2001:db8::/16
error: host 10.0.0.0/8
error: 1:2:3:4:5:6:7
error: len-4 > 0
error: nosuchkeyword
error: (tcp
error: tcp)
error: tcp and
error: port nosuchservice
error: tcp port tiudp
error: ether host nosuchhost
error: gateway alpha
error: inbound
error: outbound
error: ifindex 1
error: radio[0] = 1
error: vpi 1
error: fisu
error: dpc == 1
error: type mgt
error: on eth0
error: len % (tcp[13] & 1) * 0 = 0
EOF

run_list <<'EOF'
# libpcap's own filter tests (testprogs/TESTrun) cover, for EN10MB: the
# link layer (ether/link host, src, dst, broadcast, multicast, proto by
# name and number), ARP and RARP hosts, IPv4 and IPv6 hosts, networks
# and masks, ports and port ranges per transport, proto and protochain,
# ICMP and ICMPv6 fields, IS-IS/CLNP/ES-IS, DECnet, LLC and STP, IPX,
# NetBEUI, AppleTalk, VLAN/MPLS/PPPoE/Geneve stacks, lengths,
# arithmetic and the refusals.  The tests cannot fetch libpcap's
# repository: this list is ours, written to cover the same ground.
link host 02:00:00:00:00:01
link src host 02:00:00:00:00:01
link dst host 02:00:00:00:00:01
link host not 02:00:00:00:00:01
link src and dst host 02:00:00:00:00:01
link src or dst host ff:ff:ff:ff:ff:ff
ether src not ff:ff:ff:ff:ff:ff
ether dst 01:00:5e:00:00:fb and ip multicast
ether proto \ip and host 10.1.2.3
ether proto \ip6 and not host 2001:db8::1
ether proto \rarp
ether proto \aarp
ether proto \atalk
ether proto \ipx
ether proto \decnet
ether proto \lat
ether proto \sca
ether proto \moprc
ether proto \mopdl
ether proto \iso
ether proto \stp
ether proto \netbeui
ether proto 0x9100
ether proto 1500
ether proto 1501
arp src host 10.1.2.3
arp dst host 10.1.2.3
arp net 10.0.0.0/8
rarp src host 10.1.2.3
ip src host 10.1.2.3 and ip dst host 192.168.1.10
ip src 0.0.0.0
ip dst 255.255.255.255
ip6 src fe80::1
ip6 dst ff02::fb
ip6 src host 2001:db8::1 or ip6 dst host 2001:db8::1
ip6 net 2001:db8::/32
ip6 src net 2001:db8:1::/48
ip net 10.0.0.0/8 and ip6 net 2001:db8::/32
net 10.0.0.0 mask 255.0.0.0
src net 192.168.0.0 mask 255.255.0.0 or dst net 172.16.0.0/12
ip src net 10
tcp src port 80
tcp dst port 80 or udp dst port 80
udp src port 53
sctp port 80
tcp portrange 1-1023
udp portrange 1-1023
sctp portrange 80-90
tcp src portrange 1024-65535 and tcp dst portrange 1-1023
ip and tcp port 443
ip6 and tcp src port 443
ip proto \icmp
ip proto \igmp
ip proto \sctp
ip proto 50 or ip proto 51
ip6 proto \ipv6-icmp
error: ip6 protochain \icmp6
ip protochain \udp
ip protochain 6 and tcp port 80
icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply
icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 3
icmp[icmptype] = icmp-timxceed
icmp6[icmp6type] = icmp6-routeradvert
icmp6[icmp6type] = icmp6-echoreply
icmp6[0] = 135
udp[2:2] == 53
udp[8:2] != 0
tcp[tcpflags] & tcp-syn == tcp-syn
vrrp[0] & 0x0f == 0x01
(vrrp[0] & 0xf0) >> 4 == 3
carp[6:2] > 0xb000
igmp[0] = 0x16
pim[0] & 0xf = 1
isis
isis proto 18
l1 or l2
iih or lsp
snp or csnp or psnp
clnp
esis
iso proto \isis
decnet src 1.1
decnet dst 1.1
decnet host 63.1023
decnet src not 1.1
llc
llc i
llc s
llc u
llc rr
llc rnr
llc rej
llc ui
llc ua
llc disc
llc dm
llc sabme
llc test
llc xid
llc frmr
stp
ipx
netbeui
atalk
aarp
lat
sca
mopdl
moprc
vlan 100 and ip
vlan and vlan 300 and ip6
vlan 1 or vlan 2 or vlan 3
vlan and vlan and vlan
mpls 1
mpls 1 and mpls 2
mpls and mpls 3
pppoed or pppoes
pppoes 0x3b
pppoes and ip
pppoes and ip6 and tcp
geneve and ip6
geneve 10 and tcp port 80
vlan and geneve
greater 64
less 1500
len > 64 and len < 1500
len >= 9000
ip[2:2] + 14 != len
len - 14 * 2 > 0
len / 2 * 2 = len
len & 1 = 1
len | 1 = len
len ^ len = 0
len << 1 > 200
len >> 1 < 50
tcp[12] % 16 = 0
(tcp[12] & 0xf0) / 4 + 20 > 40
EOF

# --- the unit test's table: its expected answers are tcpdump's ---------

if mkdir "$TMP/table" && "$FTEST" --pcap "$TMP/table" >/dev/null; then
	t_n=0 t_bad=
	while IFS=$'\t' read -r frame want expr; do
		t_n=$((t_n + 1))
		got=$(tcpdump -r "$TMP/table/$frame.pcap" -- "$expr" 2>/dev/null </dev/null | wc -l)
		[ "$got" = "$want" ] || t_bad="$t_bad '$expr' on $frame: tcpdump $got, table $want;"
	done <"$TMP/table/cases.tsv"
	if [ -z "$t_bad" ] && [ "$t_n" -gt 100 ]; then
		ok "unit table: $t_n answers (expression, frame), each tcpdump's"
	else
		notok "unit table" "$t_n answers;$(echo "$t_bad" | cut -c1-800)"
	fi
else
	notok "unit table" "$FTEST --pcap failed (make build/filter_test)"
fi

# --- the largest: the kernel takes what the compiler emits ---------------
# protochain under VLAN tags walks the raw bytes, unrolled, and so does
# every protochain in the code for malformed packets: six of them are
# about 23,000 instructions, which must load (and agree); a seventh is
# past the compiler's limit, refused (exit 2) before the kernel.
big="ip6 protochain 17"
for i in 1 2 3 4 5 6; do
	[ $i = 6 ] && compare = "$big"
	big="$big or vlan and ip6 protochain $((17 + i))"
done
ti_set "$big" >/dev/null
rc=$?
check "filter past the compiler's limit: exit 2 ($(head -1 "$TMP/ti.err" | cut -c1-100))" \
	eval '[ $rc = 2 ] && grep -q "^tcpinspect: filter: .*more than 32767 BPF instructions" "$TMP/ti.err"'

# --- random expressions --------------------------------------------------

r_skip=0 r0=$n r_ok0=$agreed
if "$FTEST" -r "$RANDOM_SEED" "$RANDOM_N" >"$TMP/random" &&
   [ "$(wc -l <"$TMP/random")" = "$RANDOM_N" ]; then
	while IFS= read -r expr; do
		case $expr in
		*geneve*) r_skip=$((r_skip + 1)); continue ;;
		esac
		compare = "$expr"
	done <"$TMP/random"
else
	notok "random expressions" "$FTEST -r $RANDOM_SEED $RANDOM_N failed"
fi

echo "# $n expressions compared with tcpdump: $agreed agree ($refused refused by both, $rejects_all refused by tcpdump as matching nothing); random: $((n - r0)) (seed $RANDOM_SEED, $((agreed - r_ok0)) agree, $r_skip with geneve left out)"
# The malformed packets were compared with the rest: the filter reads
# their bytes as libpcap does.
if [ -s "$TMP/EM" ] && [ "$mal_sel" -gt 0 ]; then
	ok "filter_on_malformed_frames: $(wc -l <"$TMP/EM") malformed frames emitted, selected $mal_sel times in all by the expressions, as by tcpdump"
else
	notok "filter_on_malformed_frames" "$(wc -l <"$TMP/EM") malformed frames emitted, $mal_sel selections: the comparison did not reach them"
fi
[ "$n" -ge 400 ] || notok filter_cmp "only $n expressions"
exit 0
