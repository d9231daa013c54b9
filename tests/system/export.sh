#!/bin/bash
# tests/system/export.sh - `tcpinspect flows --ipfix` and `--netflow9`
# into a real collector: nfcapd (Debian's nfdump) on loopback inside the
# receiving namespace, while real connections cross the veth pair.
# nfdump reads back what nfcapd stored: records are one-way, one per end
# that sent something, so the addresses, ports, packets and bytes of each
# direction must equal what tcpinspect's own final table (flows --json)
# says each end sent (from_src: the client, from_dst: the server; XDP
# sees vb's ingress, the clients' direction, only); a long connection's
# parts (active timeout) add up to its total; tshark's cflow dissector
# decodes every message (templates and records, nothing malformed); a
# collector that is down costs only send errors; serve --ipfix
# --direction both exports both ends and counts them in /stats, /metrics.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root export
for t in nfcapd nfdump tshark tcpdump jq; do
	command -v $t >/dev/null || { skip export "$t missing (make check installs it)"; exit 0; }
done
setup_pair || { notok export "cannot create the veth pair"; exit 0; }
PORT=2055

# collect NAME: nfcapd in NS_B on 127.0.0.1:$PORT into $TMP/NAME/, and
# tcpdump keeping the UDP messages for tshark.
collect() {
	mkdir -p "$TMP/$1"
	# Not through inb(): $! must be the program itself, for the signals.
	ip netns exec "$NS_B" nfcapd -w "$TMP/$1" -p $PORT -b 127.0.0.1 -t 3600 \
		>"$TMP/$1.nfcapd" 2>&1 &
	NFCAPD=$!
	PIDS="$PIDS $NFCAPD"
	ip netns exec "$NS_B" tcpdump --immediate-mode -i lo -s 0 -U -w "$TMP/$1.pcap" "udp port $PORT" \
		>/dev/null 2>"$TMP/$1.tcpdump" &
	TCPDUMP=$!
	PIDS="$PIDS $TCPDUMP"
	wait_for "$TMP/$1.tcpdump" 'listening on' || notok "$1: tcpdump ready" "$(cat "$TMP/$1.tcpdump")"
	sleep 0.2
}
stop_collect() {
	sleep 0.3
	kill -INT "$TCPDUMP" "$NFCAPD" 2>/dev/null
	wait_exit "$TCPDUMP"
	wait_exit "$NFCAPD"
}

# The flows nfdump read: "src sport dst dport packets bytes flags" per
# record, addresses as nfdump prints them.
nf_records() {
	nfdump -R "$TMP/$1" -q -o 'fmt:%sa %sp %da %dp %pkt %byt %flg' 2>/dev/null |
		awk '{ print $1, $2, $3, $4, $5, $6, $7 }'
}
# The same lines from tcpinspect's table FILE: one per direction that
# has packets, from the end that sent them.
ti_dirs() {
	jq -r '(select(.from_src.packets > 0) |
		[.src, .sport, .dst, .dport, .from_src.packets, .from_src.bytes]),
	       (select(.from_dst.packets > 0) |
		[.dst, .dport, .src, .sport, .from_dst.packets, .from_dst.bytes]) |
	       map(tostring) | join(" ")' "$1" | sort
}

# --- IPFIX: connections of known size, and a long one ----------------------------
collect ipfix
ip netns exec "$NS_B" "$TI" flows -i vb --json --ipfix 127.0.0.1:$PORT \
	--idle-timeout 1 --active-timeout 2 >"$TMP/f.json" 2>"$TMP/f.err" &
FL=$!
PIDS="$PIDS $FL"
check "flows --ipfix: ready" wait_for "$TMP/f.err" '^listening on vb'
for b in 1000 2000 3000; do tcp_session "$B4" $b >/dev/null; done
tcp_session "$B6" 500 >/dev/null
# A long connection: 10 writes half a second apart (3 active timeouts).
inb "$PEER" listen "$B4" 8090 >"$TMP/ready.long" &
PIDS="$PIDS $!"
wait_for "$TMP/ready.long" ready
ina timeout 15 bash -c "exec 3<>/dev/tcp/$B4/8090; for i in \$(seq 10); do printf 'abcdefghij' >&3; sleep 0.5; done"
sleep 2.5	# the short ones idle out (1 s) before the end
kill -TERM "$FL"
wait_exit "$FL"
check "flows --ipfix: exit 0" [ $? = 0 ]
stop_collect
check "flows --ipfix: the summary counts records and no send errors" \
	grep -Eq '^IPFIX to 127\.0\.0\.1:2055: [1-9][0-9]* records in [1-9][0-9]* messages, 0 send errors' "$TMP/f.err"

nf_records ipfix >"$TMP/nf.txt"
# tcpinspect's final table: a line per direction, nfdump's summed over parts.
ti_dirs "$TMP/f.json" >"$TMP/ti.txt"
awk '{ k = $1 " " $2 " " $3 " " $4; p[k] += $5; b[k] += $6 } END { for (k in p) print k, p[k], b[k] }' \
	"$TMP/nf.txt" | sort >"$TMP/nf.sum"
check "nfdump: every direction of tcpinspect's table, packets and bytes equal (parts summed)" eval \
	'[ -s "$TMP/ti.txt" ] && diff -u "$TMP/ti.txt" "$TMP/nf.sum" >"$TMP/diff" 2>&1'
[ -s "$TMP/diff" ] && head -20 "$TMP/diff"
check "nfdump: one-way records: vb's ingress has the clients' direction only" eval \
	'[ -s "$TMP/nf.txt" ] && ! awk -v d="$B4" -v d6="$B6" "(\$1 == d || \$1 == d6) && (\$2 == 8080 || \$2 == 8090)" "$TMP/nf.txt" | grep -q .'
check "nfdump: the three IPv4 connections to $B4:8080 and the IPv6 one" eval \
	'[ "$(awk -v d="$B4" "\$3 == d && \$4 == 8080" "$TMP/nf.sum" | wc -l)" = 3 ] &&
	 [ "$(grep -c " $B6 8080 " "$TMP/nf.sum")" = 1 ]'
check "nfdump: flags: the SYN of a connection's first part, FIN at its end" eval \
	'awk -v d="$B4" "\$3 == d && \$4 == 8080" "$TMP/nf.txt" | grep -q "S" &&
	 awk -v d="$B4" "\$3 == d && \$4 == 8080" "$TMP/nf.txt" | grep -q "F"'
long=$(awk -v d="$B4" '$3 == d && $4 == 8090' "$TMP/nf.txt" | wc -l)
check "long connection: in $long parts (active timeout 2 s over 5 s), adding up" eval \
	'[ "$long" -ge 2 ] && grep -q " $B4 8090 " "$TMP/nf.sum" &&
	 [ "$(awk -v d="$B4" "\$3 == d && \$4 == 8090 { print \$5, \$6 }" "$TMP/nf.sum")" = \
	   "$(jq -r "select(.dport == 8090) | \"\\(.from_src.packets) \\(.from_src.bytes)\"" "$TMP/f.json")" ]'

# tshark's reading of the same messages
tshark -r "$TMP/ipfix.pcap" -d udp.port==$PORT,cflow -T fields -e cflow.version \
	-e cflow.template_id -e cflow.packets -e _ws.malformed 2>/dev/null >"$TMP/ts.txt"
check "tshark: every message IPFIX (version 10), none malformed" eval \
	'[ -s "$TMP/ts.txt" ] && ! awk -F"\t" "\$1 != 10 || \$4 != \"\" { bad = 1 } END { exit !bad }" "$TMP/ts.txt"'
check "tshark: both templates (256, 257) defined" eval \
	'tshark -r "$TMP/ipfix.pcap" -d udp.port==$PORT,cflow -V 2>/dev/null | grep -q "Template Id: 256" &&
	 tshark -r "$TMP/ipfix.pcap" -d udp.port==$PORT,cflow -V 2>/dev/null | grep -q "Template Id: 257"'
tsum=$(tshark -r "$TMP/ipfix.pcap" -d udp.port==$PORT,cflow -T fields -e cflow.packets 2>/dev/null |
	tr ',' '\n' | awk '{ s += $1 } END { print s + 0 }')
check "tshark: the records' packets add up to tcpinspect's ($tsum)" \
	[ "$tsum" = "$(jq -s 'map(.packets) | add' "$TMP/f.json")" ]

# --- NetFlow v9 from the same records ----------------------------------------------
collect nf9
ip netns exec "$NS_B" "$TI" flows -i vb --json --netflow9 127.0.0.1:$PORT \
	>"$TMP/g.json" 2>"$TMP/g.err" &
FL=$!
PIDS="$PIDS $FL"
wait_for "$TMP/g.err" '^listening on vb'
for b in 700 1400; do tcp_session "$B4" $b >/dev/null; done
sleep 0.3
kill -TERM "$FL"
wait_exit "$FL"
rc=$?
check "flows --netflow9: exit 0, NetFlow v9 in the summary" eval \
	'[ $rc = 0 ] && grep -Eq "^NetFlow v9 to 127\.0\.0\.1:2055: [1-9][0-9]* records" "$TMP/g.err"'
stop_collect
nf_records nf9 | awk '{ k = $1 " " $2 " " $3 " " $4; p[k] += $5; b[k] += $6 } END { for (k in p) print k, p[k], b[k] }' |
	sort >"$TMP/nf9.sum"
ti_dirs "$TMP/g.json" >"$TMP/ti9.txt"
check "nfdump (v9): every direction, packets and bytes equal" eval \
	'[ -s "$TMP/ti9.txt" ] && diff -q "$TMP/ti9.txt" "$TMP/nf9.sum" >/dev/null'
check "tshark (v9): version 9, none malformed" eval \
	'tshark -r "$TMP/nf9.pcap" -d udp.port==$PORT,cflow -T fields -e cflow.version -e _ws.malformed 2>/dev/null |
	 awk -F"\t" "NF { n++ } \$1 != 9 || \$2 != \"\" { bad = 1 } END { exit bad || !n }"'

# --- serve --ipfix: the same records, and the counts in /stats and /metrics ----------
collect srv
HP=18099
ip netns exec "$NS_B" "$TI" serve -i vb --listen 127.0.0.1:$HP --ipfix 127.0.0.1:$PORT \
	--idle-timeout 1 --direction both >/dev/null 2>"$TMP/s.err" &
SV=$!
PIDS="$PIDS $SV"
check "serve --ipfix: ready" wait_for "$TMP/s.err" '^tcpinspect: serving http://'
for b in 1500 2500; do tcp_session "$B4" $b >/dev/null; done
sleep 2.5	# idle timeout 1 s, exported within the next second
inb curl -s -m 5 "http://127.0.0.1:$HP/stats" >"$TMP/s.stats"
inb curl -s -m 5 "http://127.0.0.1:$HP/metrics" >"$TMP/s.metrics"
kill -TERM "$SV"
wait_exit "$SV"
rc=$?
stop_collect
check "serve --ipfix: /stats counts records and messages, no errors" eval \
	'[ "$(jq ".export_records > 0 and .export_messages > 0 and .export_errors == 0" "$TMP/s.stats")" = true ]'
check "serve --ipfix: /metrics has the export counters" eval \
	'grep -Eq "^tcpinspect_export_records_total [1-9]" "$TMP/s.metrics" &&
	 grep -q "^tcpinspect_export_errors_total 0" "$TMP/s.metrics"'
nf_records srv | awk '{ k = $1 " " $2 " " $3 " " $4; p[k] += $5; b[k] += $6 } END { for (k in p) print k, p[k], b[k] }' |
	sort >"$TMP/srv.sum"
check "serve --ipfix: exit 0; nfdump has the two connections to $B4:8080" eval \
	'[ $rc = 0 ] && [ "$(awk -v d="$B4" "\$3 == d && \$4 == 8080" "$TMP/srv.sum" | wc -l)" = 2 ]'
# --direction both: vb's egress too, so the server's direction has records
check "serve --ipfix --direction both: the server's direction too (2 records from $B4:8080)" eval \
	'[ "$(awk -v s="$B4" "\$1 == s && \$2 == 8080" "$TMP/srv.sum" | wc -l)" = 2 ]'

# --- a collector that is down ---------------------------------------------------------
ip netns exec "$NS_B" "$TI" flows -i vb --ipfix 127.0.0.1:9 >/dev/null 2>"$TMP/d.err" &
FL=$!
PIDS="$PIDS $FL"
wait_for "$TMP/d.err" '^listening on vb'
for b in 100 200 300; do tcp_session "$B4" $b >/dev/null; done
sleep 1.5
kill -TERM "$FL"
wait_exit "$FL"
rc=$?
check "collector down: exit 0, the flows still counted, send errors said" eval \
	'[ $rc = 0 ] && grep -q "^[1-9][0-9]* flows in the table" "$TMP/d.err" &&
	 grep -Eq "send errors \(last: Connection refused\)" "$TMP/d.err"'
check "bad collector address: exit 2, nothing attached" eval \
	'ip netns exec "$NS_B" "$TI" flows -i vb --ipfix nosuch:1 >/dev/null 2>"$TMP/b.err"; [ $? = 2 ] &&
	 grep -q "bad collector" "$TMP/b.err" && [ -z "$(xdp_id)" ]'
check "nothing attached at the end" [ -z "$(xdp_id)" ]
