#!/bin/bash
# tests/system/replay.sh - tcpinspect replay: every capture file format gives
# the same output, the output is the file's and not the clock's, the
# capture options work, and bad input gives one line and the right exit
# status.  The files come from build/mkpcap, whose pcap and pcapng
# writers (pcap.c) are checked here too: tcpdump, tshark and capinfos
# must read every variant.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

MKPCAP=${MKPCAP:-./build/mkpcap}
export TZ=UTC

if ! "$MKPCAP" -m "$TMP/manifest" -o "$TMP/us.pcap"; then
	notok replay "cannot generate a capture with $MKPCAP (make build/mkpcap)"
	exit 1
fi
"$MKPCAP" -n -o "$TMP/ns.pcap"
"$MKPCAP" -S -o "$TMP/us_swapped.pcap"
"$MKPCAP" -n -S -o "$TMP/ns_swapped.pcap"
"$MKPCAP" -g -o "$TMP/ng.pcapng"
"$MKPCAP" -g -S -o "$TMP/ng_swapped.pcapng"
FRAMES=$(wc -l <"$TMP/manifest")

# --- the writers, read by the reference tools (no privilege needed) ----

for f in us ns us_swapped ns_swapped ng ng_swapped; do
	file=$(ls "$TMP/$f".pcap*)
	n_td=$(tcpdump -n -r "$file" 2>/dev/null | wc -l)
	n_ts=$(tshark -r "$file" 2>/dev/null | wc -l)
	n_ci=$(capinfos -M -c "$file" 2>/dev/null | awk '/Number of packets/ { print $NF }')
	check "writer_$f: tcpdump $n_td, tshark $n_ts, capinfos $n_ci of $FRAMES" \
		test "$n_td" = "$FRAMES" -a "$n_ts" = "$FRAMES" -a "$n_ci" = "$FRAMES"
done
# The same times in every variant (tcpdump reads ns files at us precision).
tcpdump -n -tt -r "$TMP/us.pcap" 2>/dev/null | cut -d' ' -f1 >"$TMP/us.times"
for f in ns.pcap ng.pcapng ng_swapped.pcapng; do
	tcpdump -n -tt -r "$TMP/$f" 2>/dev/null | cut -d' ' -f1 >"$TMP/times"
	check "writer_times_$f" cmp -s "$TMP/us.times" "$TMP/times"
done

# --- bad input: one line, the right status (no privilege needed) -------

# bad_input NAME STATUS PATTERN ARGS...: exactly one stderr line matching
# PATTERN, nothing on stdout, exit status STATUS.
bad_input() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	"$TI" replay "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
	   grep -q -- "$pat" "$TMP/err" && [ ! -s "$TMP/out" ]; then
		ok "$name"
	else
		notok "$name" "status $rc (want $want), stderr: $(head -3 "$TMP/err" | tr '\n' '|'), stdout $(wc -c <"$TMP/out") bytes"
	fi
}

bad_input replay_no_file 2 "replay needs a capture file"
bad_input replay_missing_file 2 "cannot read $TMP/nonexistent: No such file or directory" "$TMP/nonexistent"
bad_input replay_directory 2 "cannot read $TMP: Is a directory" "$TMP"
head -c 100 /bin/sh >"$TMP/elf"
bad_input replay_not_pcap 1 "$TMP/elf: not a pcap or pcapng file (magic 0x7f454c46)" "$TMP/elf"
: >"$TMP/empty"
bad_input replay_empty_file 1 "not a capture file: 0 bytes" "$TMP/empty"
gzip -c "$TMP/us.pcap" >"$TMP/gz.pcap"
bad_input replay_gzip 1 "gzip-compressed" "$TMP/gz.pcap"
# Link type 113 (Linux cooked capture) in the pcap file header.
{ head -c 20 "$TMP/us.pcap"; printf '\161\0\0\0'; tail -c +25 "$TMP/us.pcap"; } >"$TMP/sll.pcap"
bad_input replay_linktype 1 "link type 113 (LINUX_SLL), not 1 (EN10MB)" "$TMP/sll.pcap"
bad_input replay_foreign_option 2 "option -i does not apply to replay" -i lo "$TMP/us.pcap"

need_root replay

# --- formats: the same output from every file --------------------------

if ! "$TI" replay --json "$TMP/us.pcap" >"$TMP/us.json" 2>"$TMP/us.err" </dev/null; then
	notok replay "tcpinspect replay failed: $(head -1 "$TMP/us.err")"
	exit 1
fi
check "replay_reports_frames: $(wc -l <"$TMP/us.json") events" test -s "$TMP/us.json"
check replay_banner grep -q "^reading from $TMP/us.pcap (pcap, link-type EN10MB, snapshot length 262144)$" "$TMP/us.err"
n=$(wc -l <"$TMP/us.json")
check "replay_summary_counts_what_was_printed" grep -q "^$n packets captured" "$TMP/us.err"
# The counters by reason, as the generator's manifest has them.
want=$(awk '$2 ~ /^M:/ { m++; n[$2]++ } $2 == "F" { f++ }
	END { printf "%d malformed: %d bad IP header length, %d bad TCP data offset, %d bad IP length, %d truncated, %d too many IPv6 extension headers, %d bad IP version; %d later fragments",
		m, n["M:ihl"], n["M:doff"], n["M:len"], n["M:trunc"], n["M:ext"], n["M:ver"], f }' "$TMP/manifest")
got="$(grep ' malformed: ' "$TMP/us.err"); $(grep -o '[0-9]* later fragments' "$TMP/us.err")"
check "replay_counters_by_reason: $got" test "$got" = "$want"
for f in ns.pcap us_swapped.pcap ns_swapped.pcap ng.pcapng ng_swapped.pcapng; do
	"$TI" replay --json "$TMP/$f" >"$TMP/other.json" 2>"$TMP/other.err" </dev/null
	check "replay_same_output_$f" cmp -s "$TMP/us.json" "$TMP/other.json"
done
"$TI" replay --json - <"$TMP/ng.pcapng" >"$TMP/other.json" 2>/dev/null
check replay_stdin cmp -s "$TMP/us.json" "$TMP/other.json"
# shellcheck disable=SC2002 # a pipe, not a file, on stdin
cat "$TMP/us.pcap" | "$TI" replay --json - >"$TMP/other.json" 2>/dev/null
check replay_pipe cmp -s "$TMP/us.json" "$TMP/other.json"

# --- the file's time, not the clock's ----------------------------------

"$TI" replay "$TMP/us.pcap" >"$TMP/a.txt" 2>/dev/null </dev/null
sleep 1.1
"$TI" replay "$TMP/us.pcap" >"$TMP/b.txt" 2>/dev/null </dev/null
check replay_text_deterministic cmp -s "$TMP/a.txt" "$TMP/b.txt"
# Frame 0 is at T0 = 1000000 s + 1 us: 13:46:40.000001 UTC.
check replay_file_timestamps grep -q '^13:46:40\.000001 IP 10\.1\.2\.3\.5000 > 192\.168\.1\.10\.80: ' "$TMP/a.txt"
check replay_json_timestamp grep -q '^{"ts":"1970-01-12T13:46:40\.000001000Z","ts_ns":1000000000001000,' "$TMP/us.json"
check replay_ingress_lo grep -q '"iface":"lo","ifindex":1,' "$TMP/us.json"
# --json: the summary, then the counters as one object, as a capture's.
check replay_json_counters eval 'tail -1 "$TMP/us.err" | jq -e ".written == $n and .matched == .written" >/dev/null'
# A record of time 0 keeps it (the first record's seconds and microseconds).
cp "$TMP/us.pcap" "$TMP/zero.pcap"
printf '\0\0\0\0\0\0\0\0' | dd of="$TMP/zero.pcap" bs=1 seek=24 conv=notrunc 2>/dev/null
"$TI" replay --json -c 1 "$TMP/zero.pcap" >"$TMP/zero.json" 2>/dev/null </dev/null
TZ=UTC "$TI" replay -c 1 "$TMP/zero.pcap" >"$TMP/zero.txt" 2>/dev/null </dev/null
check replay_time_zero eval 'grep -q "^{\"ts\":\"1970-01-01T00:00:00.000000000Z\",\"ts_ns\":0," "$TMP/zero.json" &&
	grep -q "^00:00:00.000000 IP " "$TMP/zero.txt"'
# With a filter, every segment, later fragment and malformed packet is
# matched or filtered out, and every match is written.
"$TI" replay --json "$TMP/us.pcap" "tcp port 80" >/dev/null 2>"$TMP/pf.err" </dev/null
check replay_filter_accounting eval 'tail -1 "$TMP/pf.err" | jq -e ".matched + .filtered == .tcp + .fragments + .malformed and .matched == .written and .malformed > 0" >/dev/null'

# --- capture options ---------------------------------------------------

"$TI" replay -c 5 "$TMP/us.pcap" >"$TMP/c.txt" 2>"$TMP/c.err" </dev/null
rc=$?
check "replay_count: status $rc, $(wc -l <"$TMP/c.txt") lines" \
	test "$rc" = 0 -a "$(wc -l <"$TMP/c.txt")" = 5
check replay_count_summary grep -q '^5 packets captured' "$TMP/c.err"
check replay_count_first_five cmp -s "$TMP/c.txt" <(head -5 "$TMP/a.txt")

"$TI" replay -s 64 --json "$TMP/us.pcap" >"$TMP/s.json" 2>/dev/null </dev/null
check replay_snaplen test "$(jq -s '[.[] | select(.snap_len != ([.frame_len, 64] | min))] | length' "$TMP/s.json")" = 0
"$TI" replay -x -c 1 "$TMP/us.pcap" >"$TMP/x.txt" 2>/dev/null </dev/null
check replay_hex grep -q $'^\t0x0000:  45' "$TMP/x.txt"
"$TI" replay -X -c 1 "$TMP/us.pcap" >"$TMP/xx.txt" 2>/dev/null </dev/null
check replay_hex_ascii grep -q $'^\t0x0000:  45.*  E' "$TMP/xx.txt"

# A filter: only what it matches, and the summary says how many.
"$TI" replay --json "$TMP/us.pcap" "tcp port 80" >"$TMP/f.json" 2>"$TMP/f.err" </dev/null
rc=$?
bad=$(jq -s '[.[] | select(.sport != 80 and .dport != 80)] | length' "$TMP/f.json" 2>/dev/null)
check "replay_filter: status $rc, $(wc -l <"$TMP/f.json") events, $bad not port 80" \
	test "$rc" = 0 -a -s "$TMP/f.json" -a "$bad" = 0
bad_input replay_filter_syntax 2 "" "$TMP/us.pcap" "tcp port"

# --- a truncated file: the records before it, then the error -----------

# Cut 7 bytes short: inside the last record.
size=$(stat -c %s "$TMP/us.pcap")
head -c $((size - 7)) "$TMP/us.pcap" >"$TMP/cut.pcap"
"$TI" replay "$TMP/cut.pcap" >"$TMP/cut.txt" 2>"$TMP/cut.err" </dev/null
rc=$?
last=$FRAMES
check "replay_truncated_status: $rc" test "$rc" = 1
check replay_truncated_names_record grep -q "^tcpinspect: $TMP/cut.pcap: record $last at offset [0-9]*: cut short" "$TMP/cut.err"
check replay_truncated_keeps_output test "$(wc -l <"$TMP/cut.txt")" -ge "$(( $(wc -l <"$TMP/a.txt") - 1 ))"
check replay_truncated_summary grep -q "packets captured" "$TMP/cut.err"

# --- frames the kernel cannot run as they are --------------------------

# A 9000-byte frame (the program sees its first part), a 13-byte frame
# (no Ethernet header: not run), then a SYN: all reported, nothing fails.
"$MKPCAP" -e -o "$TMP/edges.pcap"
"$TI" replay --json "$TMP/edges.pcap" >"$TMP/edges.json" 2>"$TMP/edges.err" </dev/null
rc=$?
check "replay_odd_sizes: status $rc, $(wc -l <"$TMP/edges.json") events" \
	test "$rc" = 0 -a "$(wc -l <"$TMP/edges.json")" = 2
check replay_short_frame_said grep -q '^tcpinspect: 1 frames shorter than 14 bytes not run' "$TMP/edges.err"
# Where the kernel has multi-buffer XDP (as bpf_xdp_load_bytes: 5.18)
# the program sees the whole frame; elsewhere its first part, and
# replay says so.
if "$TI" probe 2>/dev/null | grep -q '^bpf_xdp_load_bytes  *yes'; then
	check "replay_jumbo_frame_whole: frame_len 9000, nothing said" eval \
		'[ "$(jq -s ".[0].frame_len" "$TMP/edges.json")" = 9000 ] &&
		 ! grep -q "longer than the program sees" "$TMP/edges.err"'
else
	check replay_jumbo_frame_said grep -q '^tcpinspect: 1 reported frames were longer than the program sees in one piece' "$TMP/edges.err"
fi
check replay_jumbo_frame_decoded test "$(jq -s '.[0].length' "$TMP/edges.json")" = 8946
