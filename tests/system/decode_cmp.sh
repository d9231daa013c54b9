#!/bin/bash
# tests/system/decode_cmp.sh - tcpinspect's output against tcpdump's and
# tshark's, on every TCP segment of two corpora:
#
#   synthetic  build/mkpcap's capture (see tests/tools/mkpcap.c): every
#              flag byte, VLAN tags, IPv4 options, IPv6 extension
#              headers, fragments, every TCP option tcpdump names and
#              options that lie, conversations for relative sequence
#              numbers, HTTP and TLS payloads, wrong checksums, and the
#              malformed packets tcpdump names
#   real       what tcpdump -w records on a veth pair while curl,
#              busybox httpd and openssl s_client/s_server talk HTTP and
#              TLS 1.2 and 1.3, over IPv4 and IPv6 (skipped if one of
#              them is missing)
#
# 1. The text, line for line, against tcpdump -n on the same file, in
#    each switch combination below, each with and without -S: every
#    packet's block (its line, -v's second line, -x/-X/-A dumps) must be
#    the same up to where tcpdump starts decoding the payload (", length
#    N" of the TCP header; what tcpdump then prints of the payload, and
#    tcpinspect's -v summary, are cut off).  The files hold only the
#    frames tcpinspect reports (mkpcap -t; tcpdump -w with "tcp"), so the
#    blocks pair up in order: -ttt, -ttttt and -# compare too.
# 2. The same live: tcpinspect attached to the veth while tcpdump -Q in
#    listens on it, the lines (without time stamps) as a multiset.
# 3. The JSON, field by field, against tshark (IP reassembly off, raw
#    sequence numbers) on the synthetic frames that are not malformed,
#    but for the classes in TSHARK_SKIP, which tshark reads otherwise by
#    design: TCP options whose lengths lie (opt-lies), an IPv4 option
#    shorter than its kind allows (ip4-opts-lie: tshark stops there), a
#    frame cut inside the payload (cut-payload: tshark's tcp.len is what
#    was captured, ours the IP length's, as tcpdump's "length");
#    the malformed ones' "malformed" reason against the manifest.
# 4. The HTTP and TLS summaries (JSON's "http" and "tls") against
#    tshark's http.request.method, .uri, .version, http.host,
#    http.response.code, .phrase, tls.handshake.type,
#    tls.handshake.extensions_server_name and _alpn_str, on the frames
#    of ports 80, 8080 and 443, where tshark dissects them.
#
# A frame of the synthetic corpus is known by its timestamp, T0 + its
# index seconds (see filter_cmp.sh).  One result line per field or mode:
# ok, or not ok with how many frames differ and the first few.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

MKPCAP=${MKPCAP:-./build/mkpcap}
T0=1000000
PCAP=$TMP/cmp.pcap
RPCAP=$TMP/reported.pcap
MANIFEST=$TMP/manifest
TSHARK_SKIP="opt-lies ip4-opts-lie cut-payload"
export TZ=UTC

need_root decode_cmp
for tool in tshark jq tcpdump; do
	if ! command -v $tool >/dev/null; then
		notok decode_cmp "$tool is not installed (make test-deps)"
		exit 1
	fi
done
if ! "$MKPCAP" -m "$MANIFEST" -o "$PCAP" || ! "$MKPCAP" -t -o "$RPCAP"; then
	notok decode_cmp "cannot generate the capture with $MKPCAP (make build/mkpcap)"
	exit 1
fi

if ! "$TI" replay --json "$PCAP" >"$TMP/ti.json" 2>"$TMP/ti.err" </dev/null; then
	notok decode_cmp "tcpinspect replay failed: $(head -1 "$TMP/ti.err")"
	exit 1
fi
if [ ! -s "$TMP/ti.json" ]; then
	notok decode_cmp "tcpinspect replay printed nothing"
	exit 1
fi

# --- 3. the JSON against tshark: tcpinspect's side -------------------

# The malformed frames: their reason, as the manifest names it.
jq -r --argjson t0 $T0 'select(.malformed) |
	"\((.ts_ns / 1000000000 | floor) - $t0)\tmalformed\t\(.malformed)"' "$TMP/ti.json" \
	>"$TMP/ti.malformed"
awk 'BEGIN { split("ihl bad_ihl doff bad_doff len bad_len trunc truncated ext bad_ext ver bad_version", a)
	     for (i = 1; i < 12; i += 2) name[a[i]] = a[i + 1] }
     $2 ~ /^M:/ { print $1 "\tmalformed\t" name[substr($2, 3)] }' \
	"$MANIFEST" >"$TMP/want.malformed"

if ! jq -r --argjson t0 $T0 '
	def b: if . == true then 1 elif . == false then 0 else . end;
	def list: map(tostring) | join(",");
	select(.malformed | not) |
	((.ts_ns / 1000000000 | floor) - $t0) as $i |
	[
		["time", .ts_ns],
		["src", .src], ["dst", .dst],
		["vlan", (.vlan | list)],
		["ttl", .ttl], ["tos", .tos], ["ip_len", .ip_len],
		(if .proto == "IP" then ["ip_id", .ip_id], ["df", (.df | b)]
		 else ["flow_label", .flow_label], ["ext_hdrs", .ext_hdrs] end),
		(if has("mf") then ["mf", (.mf | b)], ["frag_off", .frag_off]
		 else empty end),
		(if has("frag_id") then ["frag_id", .frag_id] else empty end),
		["fragment", (.fragment | b)],
		(if .fragment then empty else
			["sport", .sport], ["dport", .dport],
			["seq", .seq], ["ack", .ack],
			["tcp_flags", .tcp_flags], ["flags", .flags],
			["win", .win], ["urg_ptr", .urg_ptr],
			["tcp_hlen", .tcp_hlen],
			(if .options then .options |
				["opt_mss", (.mss // "")],
				["opt_wscale", (.wscale // "")],
				["opt_sack_perm", ((.sack_perm // false) | b)],
				["opt_sack", ((.sack // []) | map(list | sub(","; "-")) | join(","))],
				["opt_ts_val", (.ts_val // "")],
				["opt_ts_ecr", (.ts_ecr // "")],
				["opt_nop", .nop],
				["opt_other_kinds", ((.kinds // []) | list)],
				["opt_eol", (.eol | b)]
			 else empty end)
		 end),
		["length", .length],
		["frame_len", .frame_len]
	] | .[] | "\($i)\t\(.[0])\t\(.[1])"' "$TMP/ti.json" >"$TMP/ti.fields" 2>"$TMP/jq.err"; then
	notok decode_cmp "tcpinspect's JSON does not parse: $(head -1 "$TMP/jq.err")"
	exit 1
fi
awk -v skip=" $TSHARK_SKIP " 'NR == FNR { if (index(skip, " " $3 " ")) no[$1] = 1; next }
	!($1 in no)' "$MANIFEST" "$TMP/ti.fields" >"$TMP/ti.f2"
mv "$TMP/ti.f2" "$TMP/ti.fields"
cut -f1 "$TMP/ti.fields" | sort -n -u >"$TMP/frames"

# --- 3. the JSON against tshark: tshark's side ------------------------

FIELDS="frame.number frame.time_epoch frame.len ieee8021ad.id vlan.id
	ip.src ip.dst ipv6.src ipv6.dst ip.ttl ipv6.hlim ip.dsfield ipv6.tclass
	ip.len ipv6.plen ip.id ip.flags.df ip.flags.mf ip.frag_offset ipv6.flow
	ipv6.fraghdr.offset ipv6.fraghdr.more ipv6.fraghdr.ident
	ipv6.hopopts.nxt ipv6.routing.nxt ipv6.dstopts.nxt ipv6.fraghdr.nxt
	tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.flags
	tcp.window_size_value tcp.urgent_pointer tcp.hdr_len tcp.len data.len
	tcp.option_kind tcp.options.mss_val tcp.options.wscale.shift
	tcp.options.sack_le tcp.options.sack_re tcp.options.timestamp.tsval
	tcp.options.timestamp.tsecr ip.hdr_len
	ipv6.hopopts.len_oct ipv6.routing.len_oct ipv6.dstopts.len_oct ip.cur_rt"
args=()
for f in $FIELDS; do args+=(-e "$f"); done
if ! tshark -r "$PCAP" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
	-o tcp.relative_sequence_numbers:FALSE -o tcp.analyze_sequence_numbers:FALSE \
	-T fields -E separator=/t -E occurrence=a -E aggregator=, "${args[@]}" \
	>"$TMP/tshark.tsv" 2>"$TMP/tshark.err" </dev/null; then
	notok decode_cmp "tshark failed: $(grep -v 'Running as user' "$TMP/tshark.err" | head -1)"
	exit 1
fi

# mawk has no strtonum: hex by hand.  Values stay strings where they can.
awk -F'\t' '
function hex(s,   i, v) {
	s = tolower(s); sub(/^0x/, "", s); v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function n(s) { return sprintf("%.0f", s) }
function out(f, v) { printf "%d\t%s\t%s\n", idx, f, v }
function count(s,   a) { return s == "" ? 0 : split(s, a, ",") }
function sum(s,   a, i, k, t) { k = split(s, a, ","); for (i = 1; i <= k; i++) t += a[i]; return t }
function letters(f,   s, i, l) {
	l = "FSRP.UEW"; s = ""
	for (i = 0; i < 8; i++)
		if (int(f / 2 ^ i) % 2)
			s = s substr(l, i + 1, 1)
	return s == "" ? "none" : s
}
{
	idx = $1 - 1
	v6 = $8 != ""
	t = $2; sub(/\./, "", t); sub(/^0+/, "", t)
	out("time", t)
	out("src", v6 ? $8 : $6)
	# a source route: ip.dst is its last hop, ip.cur_rt the header field
	out("dst", v6 ? $9 : $49 != "" ? $49 : $7)
	vl = $4; if ($5 != "") vl = vl (vl != "" ? "," : "") $5
	out("vlan", vl)
	out("ttl", v6 ? $11 : $10)
	out("tos", n(hex(v6 ? $13 : $12)))
	out("ip_len", v6 ? $15 + 40 : $14)
	if (!v6) {
		out("ip_id", n(hex($16)))
		out("df", $17)
		out("mf", $18)
		out("frag_off", $19 * 8)
		frag = $19 != 0
	} else {
		out("flow_label", n(hex($20)))
		out("ext_hdrs", count($24) + count($25) + count($26) + count($27))
		if ($21 != "") {
			out("mf", $22)
			out("frag_off", $21 * 8)
			out("frag_id", n(hex($23)))
		}
		frag = $21 != "" && $21 != 0
	}
	out("fragment", frag)
	if (!frag) {
		out("sport", $28)
		out("dport", $29)
		out("seq", $30)
		out("ack", $31)
		fl = hex($32) % 256
		out("tcp_flags", fl)
		out("flags", letters(fl))
		out("win", $33)
		out("urg_ptr", $34)
		out("tcp_hlen", $35)
		if ($35 > 20) {
			nk = split($38, k, ",")
			nop = 0; eol = 0; sp = 0; other = ""
			for (i = 1; i <= nk; i++) {
				if (k[i] == 1) nop++
				else if (k[i] == 0) eol = 1
				else if (k[i] == 4) sp = 1
				else if (k[i] != 2 && k[i] != 3 && k[i] != 5 && k[i] != 8)
					other = other (other != "" ? "," : "") k[i]
			}
			out("opt_mss", $39)
			out("opt_wscale", $40)
			out("opt_sack_perm", sp)
			ns = split($41, le, ","); split($42, re, ","); s = ""
			for (i = 1; i <= ns; i++)
				s = s (i > 1 ? "," : "") le[i] "-" re[i]
			out("opt_sack", s)
			out("opt_ts_val", $43)
			out("opt_ts_ecr", $44)
			out("opt_nop", nop)
			out("opt_other_kinds", other)
			out("opt_eol", eol)
		}
		# In a first fragment tshark gives no tcp.len: what the IP
		# length leaves after the headers tshark found.
		ext = sum($46) + sum($47) + sum($48) + 8 * count($27)
		out("length", $36 != "" ? $36 : v6 ? $15 - ext - $35 : $14 - $45 - $35)
	} else {
		out("length", $37)
	}
	out("frame_len", $3)
}' "$TMP/tshark.tsv" >"$TMP/ts.all"
# Only the frames tcpinspect reported, and not as malformed.
awk 'NR == FNR { want[$1] = 1; next } want[$1]' "$TMP/frames" "$TMP/ts.all" >"$TMP/ts.fields"


# compare WHAT REFERENCE OURS THEIRS: one result line per field.
compare() {
	awk -F'\t' -v what="$1" -v ref="$2" '
	FILENAME == ARGV[1] { cls[$1] = $3; next }
	!($2 in known) { known[$2] = 1; order[nf++] = $2 }
	$1 > max { max = $1 }
	FILENAME == ARGV[2] { ti[$1 "\t" $2] = $3; next }
	{ ts[$1 "\t" $2] = $3 }
	END {
		for (j = 0; j < nf; j++) {
			f = order[j]
			seen = bad = 0
			ex = ""
			for (i = 0; i <= max; i++) {
				k = i "\t" f
				if (!(k in ti) && !(k in ts))
					continue
				seen++
				x = k in ti ? ti[k] : "(none)"
				y = k in ts ? ts[k] : "(none)"
				if (x == y)
					continue
				if (bad++ < 3)
					ex = ex sprintf("%sframe %d (%s): tcpinspect \"%s\", %s \"%s\"",
							ex != "" ? "; " : "", i, cls[i], x, ref, y)
			}
			if (bad)
				printf "not ok %s %s: %d of %d frames differ: %s\n", what, f, bad, seen, ex
			else
				printf "ok %s %s: %d frames\n", what, f, seen
		}
	}' <(awk '{ print $1 "\t" $2 "\t" $3 }' "$MANIFEST") "$3" "$4"
}
compare decode tshark "$TMP/ti.fields" "$TMP/ts.fields"
compare malformed manifest "$TMP/ti.malformed" "$TMP/want.malformed"

# --- 1. the text, against tcpdump -----------------------------------------

# blocks [ascii]: tcpdump-style text on stdin as one line per packet, its
# lines joined by " | ": the packet's first line and -v's second, each
# with "Flags [" cut after the TCP header's ", length N", and -x/-X dump
# lines; what tcpdump prints of the payload after that (its own
# continuation lines) is left out.  With ascii (-A), the lines that
# follow a packet's first one are its dump, kept whole.
blocks() {
	awk -v ascii="${1:-0}" '
	function cut(l,   i, rest) {
		i = index(l, "Flags [")
		if (!i)
			return l
		rest = substr(l, i)
		if (!match(rest, /, length [0-9]+/))
			return l
		done = 1
		return substr(l, 1, i - 1) substr(rest, 1, RSTART + RLENGTH - 1)
	}
	function add(l) { blk = n++ ? blk " | " l : l }
	function flush() { if (n) print blk; blk = ""; n = 0; done = 0 }
	/^ *[0-9]+  [^ ]/ { flush(); add(cut($0)); next }	# -#: the number
	ascii && /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9][0-9][0-9][0-9] / {
		flush(); add(cut($0)); next }
	ascii { add($0); next }
	/^$/ { next }
	/^\t0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/ { add($0); next }
	/^    [^ ]/ { if (!done) add(cut($0)); next }
	/^\t/ { next }
	{ flush(); add(cut($0)) }
	END { flush() }'
}

# text_cmp NAME FILE SWITCHES...: tcpinspect replay against tcpdump -r,
# block by block in order (FILE holds only what tcpinspect reports).
text_cmp() {
	local name=$1 file=$2 ascii=0 a
	shift 2
	for a; do [ "$a" = -A ] && ascii=1; done
	"$TI" replay "$@" "$file" 2>"$TMP/t.err" </dev/null | blocks $ascii >"$TMP/t.ti"
	tcpdump -n "$@" -r "$file" 2>/dev/null </dev/null | blocks $ascii >"$TMP/t.td"
	paste -d '\n' "$TMP/t.ti" "$TMP/t.td" | awk -v name="$name" -v ti="$(wc -l <"$TMP/t.ti")" \
		-v td="$(wc -l <"$TMP/t.td")" '
	NR % 2 { a = $0; next }
	{ seen++; if (a == $0) same++; else if (bad++ < 2)
		ex = ex sprintf("%s[%d] tcpinspect \"%s\", tcpdump \"%s\"", ex != "" ? "; " : "",
				seen, substr(a, 1, 400), substr($0, 1, 400)) }
	END {
		if (ti != td || !seen || bad)
			printf "not ok %s: %d of %d packets differ (tcpinspect %d, tcpdump %d): %s\n",
				name, bad + (ti > td ? ti - td : td - ti), seen, ti, td, ex
		else
			printf "ok %s: %d packets\n", name, seen
	}'
}

MODES=("" -v -vv -e -x -X -tttt -q -A -t -tt -ttt -ttttt -# -K "-e -v -x" "-e -X -tttt")
for m in "${MODES[@]}"; do
	for s in "" -S; do
		# shellcheck disable=SC2086 # the switches are words
		text_cmp "text synthetic ${m:-(none)}${s:+ $s}" "$RPCAP" $m $s
	done
done

# --- the real corpus: HTTP and TLS on a veth pair -------------------------

# Three clients: HTTP over IPv4 and IPv6, a TLS 1.3 handshake.
clients() {
	ina timeout 5 curl -s -m 5 -o /dev/null "http://$B4/index.html"
	ina timeout 5 openssl s_client -connect "$B4:443" -servername example.test \
		-alpn h2,http/1.1 </dev/null >/dev/null 2>&1
	ina timeout 5 curl -s -m 5 -o /dev/null "http://[$B6]:8080/index.html"
}

# real_traffic FILE: record it (tcpdump -w, TCP only) while the clients in
# NS_A talk to the servers in NS_B, which stay for the live comparison;
# 1 if something is missing (WHY says what).  Not in a subshell: every
# server's pid goes into PIDS, for the EXIT trap.  Each is started as
# the command itself (ip netns exec execs it), in the foreground of its
# own (busybox httpd -f), so that $! is the server.
real_traffic() {
	local t pid
	for t in busybox openssl curl ethtool; do
		command -v $t >/dev/null || { WHY=$t; return 1; }
	done
	setup_pair || { WHY="a veth pair"; return 1; }
	# Segments as the wire has them: no offloads (GSO would record one
	# 10 KB frame), checksums made in software.
	ip netns exec "$NS_A" ethtool -K va tso off gso off gro off tx off >/dev/null 2>&1
	ip netns exec "$NS_B" ethtool -K vb tso off gso off gro off tx off >/dev/null 2>&1
	mkdir -p "$TMP/www"
	seq 1 2000 >"$TMP/www/index.html"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj /CN=example.test -days 1 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
		>/dev/null 2>&1 || { WHY="a certificate"; return 1; }
	ip netns exec "$NS_B" busybox httpd -f -p 80 -h "$TMP/www" &
	PIDS="$PIDS $!"
	ip netns exec "$NS_B" busybox httpd -f -p "[::]:8080" -h "$TMP/www" &
	PIDS="$PIDS $!"
	ip netns exec "$NS_B" openssl s_server -accept 443 -cert "$TMP/cert.pem" \
		-key "$TMP/key.pem" -alpn h2,http/1.1 -www -quiet </dev/null >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	ip netns exec "$NS_B" openssl s_server -accept 8443 -6 -cert "$TMP/cert.pem" \
		-key "$TMP/key.pem" -tls1_2 -alpn http/1.1 -www -quiet </dev/null >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	ip netns exec "$NS_B" tcpdump -n -i vb -U -w "$1" tcp 2>"$TMP/rec.err" &
	pid=$!
	PIDS="$PIDS $pid"
	wait_for "$TMP/rec.err" "listening on" || { WHY=tcpdump; return 1; }
	sleep 0.5	# the servers
	clients
	ina timeout 5 curl -s -m 5 -o /dev/null -H "Host: example.test" -d "a=1" \
		"http://[$B6]:8080/index.html"
	ina timeout 5 curl -s -m 5 -o /dev/null --http1.0 "http://$B4/missing"
	ina timeout 5 openssl s_client -connect "[$B6]:8443" -servername www.example.net \
		-alpn http/1.1 </dev/null >/dev/null 2>&1
	ina timeout 5 curl -sk -m 5 --http1.1 -o /dev/null --resolve "example.test:443:$B4" \
		https://example.test/
	sleep 0.3
	kill -INT "$pid"
	wait_exit "$pid" >/dev/null
	[ -s "$1" ] || { WHY="a capture"; return 1; }
	return 0
}

REAL=$TMP/real.pcap
WHY=
if real_traffic "$REAL"; then
	for m in "${MODES[@]}"; do
		for s in "" -S; do
			# shellcheck disable=SC2086
			text_cmp "text real ${m:-(none)}${s:+ $s}" "$REAL" $m $s
		done
	done
	n=$(tcpdump -n -r "$REAL" 2>/dev/null | wc -l)
	check "real corpus: $n segments, HTTP and TLS among them" \
		eval '[ "$n" -gt 40 ] && "$TI" replay -v "$REAL" 2>/dev/null | grep -q "TLS ClientHello SNI example.test ALPN h2,http/1.1 v1.3"'
else
	skip "text real" "no $WHY"
	REAL=
fi

# --- 2. live: tcpinspect and tcpdump -Q in on the same interface ----------

# live SWITCHES...: traffic while both listen on vb; their lines without
# time stamps as multisets.
live() {
	local name="text live ${*:-(none)}" tpid
	start_capture "$TMP/live.ti" "$TMP/live.err" -i vb -t "$@" || {
		notok "$name" "tcpinspect did not start: $(head -1 "$TMP/live.err")"
		return
	}
	ip netns exec "$NS_B" tcpdump -n -i vb -Q in -l -t "$@" tcp >"$TMP/live.td" 2>"$TMP/live.tderr" &
	tpid=$!
	PIDS="$PIDS $tpid"
	wait_for "$TMP/live.tderr" "listening on"
	sleep 0.3
	clients
	sleep 0.5
	kill -INT "$CAP_PID" "$tpid"
	wait_exit "$CAP_PID" >/dev/null
	wait_exit "$tpid" >/dev/null
	blocks <"$TMP/live.ti" | sort >"$TMP/live.ti.b"
	blocks <"$TMP/live.td" | sort >"$TMP/live.td.b"
	if [ -s "$TMP/live.ti.b" ] && cmp -s "$TMP/live.ti.b" "$TMP/live.td.b"; then
		ok "$name: $(wc -l <"$TMP/live.ti.b") segments"
	else
		notok "$name" "tcpinspect $(wc -l <"$TMP/live.ti.b"), tcpdump $(wc -l <"$TMP/live.td.b") lines; differ: $(diff "$TMP/live.ti.b" "$TMP/live.td.b" | grep '^[<>]' | head -2 | cut -c1-300 | tr '\n' ' ')"
	fi
}
if [ -n "$REAL" ]; then
	live
	live -v
	live -e -S
else
	skip "text live" "no real traffic (see above)"
fi

# --- 4. HTTP and TLS summaries against tshark -----------------------------

# l7_cmp NAME FILE [CLASSES]: JSON's http and tls against tshark's
# fields, frame by frame (FILE holds only what tcpinspect reports), on
# ports 80, 8080 and 443, where tshark looks for HTTP and TLS (and, in
# the synthetic corpus, only in the frames built to carry them: the
# classes in the file CLASSES, one a line; tshark gives some ports to
# other protocols, where tcpinspect reads the bytes).  Where they differ
# by design: tshark keeps the whitespace after a field's value (RFC 9110
# drops it, and so do we); tshark shows HTTP/2.0 request lines
# (http-not1: we summarise HTTP/1.x only) and a Host field cut by the
# segment's end (http-cut: we leave out what is not whole); tshark
# shows nothing of a hello the segment cuts short (tls-cut: without
# reassembly), we what its bytes hold.
l7_cmp() {
	local name=$1 file=$2 classes=${3:-/dev/null}
	"$TI" replay --json "$file" 2>/dev/null </dev/null | jq -r '
		def s: if . == null then "" else tostring end;
		[(.sport | s), (.dport | s), (.malformed | s),
		 (.http.method | s), (.http.target | s), (.http.version | s), (.http.host | s),
		 (.http.status | s), (.http.reason | s),
		 (if .tls then (if .tls.hello == "client" then "1" else "2" end) else "" end),
		 (.tls.sni | s), ((.tls.alpn // []) | join(",")), (.tls.version | s)] |
		join("\t")' >"$TMP/l7.ti"
	tshark -r "$file" -n -o tcp.desegment_tcp_streams:FALSE \
		-o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields \
		-E separator=/t -E occurrence=a -E 'aggregator=^' \
		-e http.request.method -e http.request.uri -e http.request.version \
		-e http.host -e http.response.code -e http.response.phrase \
		-e http.response.version \
		-e tls.handshake.type -e tls.handshake.extensions_server_name \
		-e tls.handshake.extensions_alpn_str -e tls.handshake.extensions.supported_version \
		-e tls.handshake.version </dev/null >"$TMP/l7.ts" 2>/dev/null
	paste "$TMP/l7.ti" "$TMP/l7.ts" | awk -F'\t' -v name="$name" -v classes="$classes" '
	BEGIN {
		while ((getline c <classes) > 0) {
			k++
			if (c != "")
				pick[k] = c
		}
		all = !k
	}
	function hex(s,   i, v) {
		s = tolower(s); sub(/^0x/, "", s); v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	# the highest version offered that is not GREASE, as ours: "1.3"
	function ver(list, legacy,   a, k, i, v, best) {
		k = split(list, a, "^")
		for (i = 1; i <= k; i++) {
			v = hex(a[i])
			if (v % 16 == 10 && int(v / 256) == v % 256)
				continue	# GREASE
			if (v > best)
				best = v
		}
		if (!best)
			best = hex(legacy)
		return best >= 769 && best <= 772 ? "1." (best - 769) : best == 768 ? "SSLv3" : ""
	}
	# the first value of a field (tshark gives every message in the segment)
	function first(s,   a) { split(s, a, "^"); return a[1] }
	{
		n++
		p = $1 == 80 || $2 == 80 || $1 == 8080 || $2 == 8080 || $1 == 443 || $2 == 443
		if (!p || $3 != "" || !(all || n in pick))
			next
		split($21, t, "^")
		alpn = $23
		gsub(/\^/, ",", alpn)
		sub(/[ \t]+$/, "", $17)
		if (pick[n] == "http-cut")
			$7 = $17 = ""
		if (pick[n] == "http-not1")
			$14 = $15 = $16 = $17 = ""
		if (pick[n] == "tls-cut")
			next
		our = $4 "|" $5 "|" $6 "|" $7 "|" $8 "|" $9 "|" $10 "|" $11 "|" $12
		their = first($14) "|" first($15) "|" first($16) first($20) "|" first($17) "|" \
			first($18) "|" first($19) "|" (t[1] == 1 || t[1] == 2 ? t[1] : "") "|" \
			first($22) "|" (t[1] == 1 || t[1] == 2 ? alpn : "")
		if (our == "||||||||" && their == "||||||||")
			next
		seen++
		if ($10 != "" && $13 != "") {
			vs++
			if ($13 != ver($24, first($25)) && vbad++ < 2)
				ex = ex sprintf("%sframe %d: TLS version %s, tshark %s (%s)",
						ex != "" ? "; " : "", n, $13, $24, $25)
		}
		if (our == their) {
			same++
			if ($4 != "" || $8 != "") nhttp++
			if ($10 != "") ntls++
		} else if (bad++ < 3) {
			ex = ex sprintf("%sframe %d: tcpinspect \"%s\", tshark \"%s\"",
					ex != "" ? "; " : "", n, our, their)
		}
	}
	END {
		if (!seen || bad || vbad)
			printf "not ok %s: %d of %d summaries differ, %d of %d TLS versions: %s\n",
				name, bad, seen, vbad, vs, ex
		else
			printf "ok %s: %d summaries (%d HTTP, %d TLS hellos, %d versions) as tshark\n",
				name, seen, nhttp, ntls, vs
	}'
}
# The reported frames in order, and which of them carry HTTP or TLS.
awk '$2 ~ /^[TFM]/ { print $3 ~ /^(http|tls)/ ? $3 : "" }' "$MANIFEST" >"$TMP/l7.classes"
l7_cmp "http and tls synthetic" "$RPCAP" "$TMP/l7.classes"
if [ -n "$REAL" ]; then
	l7_cmp "http and tls real" "$REAL"
else
	skip "http and tls real" "no real traffic"
fi
