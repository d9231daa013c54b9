#!/bin/bash
# tests/system/capfile.sh - capture files from real traffic across a veth pair:
# read back by tcpdump, tshark and capinfos; every stop path leaves a
# complete file whose packet count equals the summary's; rotation; bad
# paths refused before anything is attached.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root capfile
if ! setup_pair; then
	notok capfile-setup "cannot create namespaces and veth pair"
	exit 1
fi
for t in tcpdump tshark capinfos; do
	command -v $t >/dev/null || { notok capfile "$t missing (make check installs it)"; exit 1; }
done

written() { awk '/packets captured/ { print $1 }' "$1"; }
count() { capinfos -M -c "$1" 2>/dev/null | awk '/Number of packets/ { print $NF }'; }

# --- pcap, -c ----------------------------------------------------------------
start_capture "$TMP/p.out" "$TMP/p.err" -i vb -c 6 -w "$TMP/a.pcap" ||
	notok "pcap: ready" "$(cat "$TMP/p.err")"
tcp_session "$B4" 5000
wait_exit "$CAP_PID"
check "pcap: exits 0 after -c 6" [ $? = 0 ]
check "pcap: nothing printed on stdout" [ ! -s "$TMP/p.out" ]
check "pcap: 6 records, as the summary says" eval '[ "$(count "$TMP/a.pcap")" = 6 ] && [ "$(written "$TMP/p.err")" = 6 ]'
check "pcap: nanosecond pcap, mode 0600" eval \
	'capinfos -t "$TMP/a.pcap" | grep -q "nanosecond" && [ "$(stat -c %a "$TMP/a.pcap")" = 600 ]'
check "pcap: tcpdump reads the SYN first with the right addresses" \
	grep -Eq "^[0-9:.]+ IP $A4\.[0-9]+ > $B4\.8080: Flags \[S\]" <<<"$(tcpdump -nr "$TMP/a.pcap" 2>/dev/null | head -1)"
check "pcap: whole frames (len = caplen) and times in order" eval \
	'tshark -r "$TMP/a.pcap" -T fields -e frame.len -e frame.cap_len -e frame.time_epoch 2>/dev/null |
	 awk "\$1 != \$2 || \$3 < last { bad = 1 } { last = \$3 } END { exit bad }"'
check "pcap: timestamps on the wall clock" eval \
	'[ $(( $(date +%s) - $(tshark -r "$TMP/a.pcap" -T fields -e frame.time_epoch 2>/dev/null | head -1 | cut -d. -f1) )) -lt 60 ]'

# --- pcapng, -s, two interfaces ---------------------------------------------
start_capture "$TMP/n.out" "$TMP/n.err" -i vb -i lo -c 4 -s 64 --pcapng -w "$TMP/b.pcapng" ||
	notok "pcapng: ready" "$(cat "$TMP/n.err")"
tcp_session "$B4" 5000
wait_exit "$CAP_PID"
check "pcapng: 4 records, as the summary says" eval '[ "$(count "$TMP/b.pcapng")" = 4 ] && [ "$(written "$TMP/n.err")" = 4 ]'
check "pcapng: an interface block per interface, named" eval \
	'tshark -r "$TMP/b.pcapng" -T fields -e frame.interface_name 2>/dev/null | sort -u | grep -qx vb &&
	 capinfos "$TMP/b.pcapng" | grep -q "Number of interfaces in file: 2"'
check "pcapng: snap length 64 kept, original length recorded" eval \
	'tshark -r "$TMP/b.pcapng" -T fields -e frame.cap_len -e frame.len 2>/dev/null | awk "\$1 > 64 || \$2 < \$1 { bad = 1 } END { exit bad }"'

# --- -w - into a reader --------------------------------------------------------
ip netns exec "$NS_B" sh -c "'$TI' -i vb -c 3 -w - 2>'$TMP/s.err' | tcpdump -nr - 2>/dev/null >'$TMP/s.out'" &
pid=$!
PIDS="$PIDS $pid"
wait_for "$TMP/s.err" '^listening on'
tcp_session "$B4" 100
wait_exit "$pid"
check "-w -: tcpdump -r - reads 3 packets" [ "$(wc -l <"$TMP/s.out")" = 3 ]

# --- every stop path leaves a complete file with the summary's count ----------
for sig in INT TERM HUP; do
	start_capture "$TMP/g.out" "$TMP/g.err" -i vb -w "$TMP/$sig.pcap" ||
		notok "SIG$sig: ready" "$(cat "$TMP/g.err")"
	tcp_session "$B4" 20000
	kill -s $sig "$CAP_PID"
	wait_exit "$CAP_PID"
	check "SIG$sig: complete file, count = written, nothing attached" eval \
		'[ "$(count "$TMP/$sig.pcap")" = "$(written "$TMP/g.err")" ] &&
		 [ "$(written "$TMP/g.err")" -gt 0 ] && [ -z "$(xdp_id)" ]'
done
start_capture "$TMP/g.out" "$TMP/g.err" -i vb --duration 1 -w "$TMP/dur.pcap" ||
	notok "duration: ready" "$(cat "$TMP/g.err")"
tcp_session "$B4" 20000
wait_exit "$CAP_PID"
check "--duration: complete file, count = written" eval \
	'[ "$(count "$TMP/dur.pcap")" = "$(written "$TMP/g.err")" ] && [ -z "$(xdp_id)" ]'
ip netns exec "$NS_B" sh -c "'$TI' -i vb -w - 2>'$TMP/q.err' | head -c 100 >/dev/null" &
pid=$!
PIDS="$PIDS $pid"
wait_for "$TMP/q.err" '^listening on'
tcp_session "$B4" 20000
tcp_session "$B4" 20000
wait_exit "$pid"
check "SIGPIPE of the -w - reader: exits, summary, nothing attached" eval \
	'grep -q "packets captured" "$TMP/q.err" && [ -z "$(xdp_id)" ]'

# --- rotation: -C 20k -W 3 ---------------------------------------------------------
start_capture "$TMP/r.out" "$TMP/r.err" -i vb -C 20k -W 3 -w "$TMP/ring.pcap" ||
	notok "rotation: ready" "$(cat "$TMP/r.err")"
tcp_session "$B4" 200000
kill -TERM "$CAP_PID"
wait_exit "$CAP_PID"
check "rotation: exactly ring.pcap0..2, each readable" eval \
	'[ "$(ls "$TMP" | grep -c "^ring\.pcap")" = 3 ] &&
	 for f in "$TMP"/ring.pcap[012]; do capinfos "$f" >/dev/null 2>&1 || exit 1; done'
check "rotation: no file much over 20 KiB" eval \
	'for f in "$TMP"/ring.pcap[012]; do [ $(stat -c %s "$f") -lt $((20 * 1024 + 20000)) ] || exit 1; done'

# --- bad paths: one line, status 2, nothing attached ---------------------------
badw() {
	local name=$1 pattern=$2
	shift 2
	inb "$TI" -i vb "$@" >/dev/null 2>"$TMP/bw.err"
	local rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$TMP/bw.err")" = 1 ] && grep -q "$pattern" "$TMP/bw.err" &&
	   [ -z "$(xdp_id)" ]; then
		ok "bad path: $name"
	else
		notok "bad path: $name" "rc=$rc: $(cat "$TMP/bw.err")"
	fi
}
touch "$TMP/exists.pcap"
ln -s "$TMP/exists.pcap" "$TMP/link.pcap"
mkdir -p "$TMP/ro" && chmod 555 "$TMP/ro"
badw "existing file" "exists" -w "$TMP/exists.pcap"
badw "symlink, even with --force" "link" -w "$TMP/link.pcap" --force
badw "unwritable directory" "" --force -w /proc/nope.pcap
badw "-W without -C" "needs -C" -w "$TMP/x.pcap" -W 3
badw "--pcapng without -w" "go with -w" --pcapng
badw "bad size" "bad file size" -w "$TMP/x.pcap" -C 0
badw "bad count" "bad file count" -w "$TMP/x.pcap" -C 1 -W 0
check "existing file kept untouched" [ ! -s "$TMP/exists.pcap" ]
inb "$TI" -i vb -c 1 --force -w "$TMP/exists.pcap" >/dev/null 2>&1 &
pid=$!
PIDS="$PIDS $pid"
sleep 0.5
tcp_session "$B4" 10
wait_exit "$pid"
check "--force replaces an existing file" eval '[ "$(count "$TMP/exists.pcap")" = 1 ]'
