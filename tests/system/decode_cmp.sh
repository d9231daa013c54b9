#!/bin/bash
# tests/system/decode_cmp.sh - tcpinspect's decoding against tshark's, field by
# field, on the frames of build/mkpcap's capture (see filter_cmp.sh for
# how a frame is known by its timestamp).
#
# tcpinspect replay --json gives one object per frame the program
# emitted; tshark -T fields gives the same frames (IP reassembly off, so
# that each fragment is dissected as itself; raw sequence numbers).
# Both are turned into lines "FRAME FIELD VALUE" by jq and awk (no
# python: a fresh machine may not have it), and every field of every
# emitted frame must agree:
#
#   time, addresses, VLAN ids (outer first), TTL/hop limit, TOS/traffic
#   class, IP length; IPv4 id, DF, MF, fragment offset (bytes); IPv6
#   flow label, extension header count, fragment offset, M flag and id;
#   ports, raw seq and ack, flag byte and its tcpdump letters, window,
#   urgent pointer, header length; options: mss, wscale, sackOK, SACK
#   blocks, timestamps, number of NOPs, other kinds in order, EOL; TCP
#   payload length (of a later fragment: its IP payload); frame length.
#
# The text output is held against tcpdump -n -S the same way: the TCP
# part of each line (flags, seq, ack, win, urg, length) and the options
# as tcpdump prints them.
#
# One result line per field: ok, or not ok with how many frames differ
# and the first few, each with the generator's name for the frame.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

MKPCAP=${MKPCAP:-./build/mkpcap}
T0=1000000
PCAP=$TMP/cmp.pcap
MANIFEST=$TMP/manifest

need_root decode_cmp
for tool in tshark jq; do
	if ! command -v $tool >/dev/null; then
		notok decode_cmp "$tool is not installed (make test-deps)"
		exit 1
	fi
done
if ! "$MKPCAP" -m "$MANIFEST" -o "$PCAP"; then
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

# --- tcpinspect's side -------------------------------------------------

if ! jq -r --argjson t0 $T0 '
	def b: if . == true then 1 elif . == false then 0 else . end;
	def list: map(tostring) | join(",");
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
cut -f1 "$TMP/ti.fields" | sort -n -u >"$TMP/frames"

# --- tshark's side -----------------------------------------------------

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
	ipv6.hopopts.len_oct ipv6.routing.len_oct ipv6.dstopts.len_oct"
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
	out("dst", v6 ? $9 : $7)
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
# Only the frames tcpinspect reported.
awk 'NR == FNR { want[$1] = 1; next } want[$1]' "$TMP/frames" "$TMP/ts.all" >"$TMP/ts.fields"

# --- the text, against tcpdump -----------------------------------------

# tcpdump -n -S (absolute sequence numbers) prints the TCP part of a line
# as "Flags [...], seq ..., ack ..., win ..., urg ..., options [...],
# length N" whatever precedes it; so does tcpinspect's text.  Lines are
# matched by their time (TZ=UTC): frame = seconds of the day - 13:46:40.
text_fields() {
	sed -n 's/^\([0-9:.]*\) .*\(Flags \[.*, length [0-9]*\).*/\1	\2/p' "$1" |
	awk -F'\t' -v t0=$T0 '{
		split($1, t, ":")
		i = t[1] * 3600 + t[2] * 60 + int(t[3]) - t0 % 86400
		o = ""
		if (match($2, /, options \[.*\]/)) {
			o = substr($2, RSTART + 11, RLENGTH - 12)
			$2 = substr($2, 1, RSTART - 1) substr($2, RSTART + RLENGTH)
		}
		printf "%d\ttcp\t%s\n%d\toptions\t%s\n", i, $2, i, o
	}'
}
TZ=UTC "$TI" replay "$PCAP" >"$TMP/ti.txt" 2>/dev/null </dev/null
# tcpdump built with libcrypto says why it cannot check an MD5 option.
TZ=UTC tcpdump -n -S -r "$PCAP" 2>/dev/null </dev/null |
	sed "s/md5 shared secret not supplied with -M, can't check - /md5 /g" >"$TMP/td.txt"
text_fields "$TMP/ti.txt" >"$TMP/ti.text"
# Only the frames tcpinspect printed a TCP line for.
text_fields "$TMP/td.txt" | awk -F'\t' 'NR == FNR { want[$1] = 1; next } want[$1]' \
	"$TMP/ti.text" - >"$TMP/td.text"

# --- compare -----------------------------------------------------------

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
compare text tcpdump "$TMP/ti.text" "$TMP/td.text"
