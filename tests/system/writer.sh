#!/bin/bash
# tests/system/writer.sh - capture files written by writer.c (through
# build/writer_test gen, which writes synthetic frames as tcpinspect -w
# does) read back by tcpdump, tshark and capinfos: packet counts,
# nanosecond timestamps in order, captured and original lengths,
# pcapng interface names, queues and drop counts; rotation and rings;
# -w - into a pipe; a full file system (a tiny tmpfs, as root) and
# /dev/full, after which the file must still read without complaint.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

GEN=${GEN:-./build/writer_test}
MNT=
cleanup_mnt() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	cleanup
}
trap cleanup_mnt EXIT

if ! "$GEN" gen -n 1 "$TMP/probe.pcap" 2>/dev/null; then
	notok writer_sh "cannot write with $GEN (make build/writer_test)"
	exit 1
fi
for t in tcpdump tshark capinfos; do
	if ! command -v $t >/dev/null; then
		skip writer_sh "$t not installed (make test-deps)"
		exit 0
	fi
done

# tools_read NAME FILE COUNT: tcpdump, tshark and capinfos read FILE
# whole (no warning, status 0) and count COUNT packets.
tools_read() {
	local name=$1 f=$2 want=$3 n_td n_ts n_ci e_td e_ts e_ci
	n_td=$(tcpdump -n -r "$f" 2>"$TMP/e_td" | wc -l); e_td=$?
	n_ts=$(tshark -r "$f" 2>"$TMP/e_ts" | wc -l)
	n_ci=$(capinfos -M -c "$f" 2>"$TMP/e_ci" | awk '/Number of packets/ { print $NF }')
	# tcpdump names the file on stderr; tshark warns about root.
	e_td=$(grep -v '^reading from file' "$TMP/e_td")
	e_ts=$(grep -v 'Running as user "root"' "$TMP/e_ts")
	e_ci=$(cat "$TMP/e_ci")
	if [ "$n_td" = "$want" ] && [ "$n_ts" = "$want" ] && [ "$n_ci" = "$want" ] &&
	   [ -z "$e_td$e_ts$e_ci" ]; then
		ok "$name"
	else
		notok "$name" "want $want: tcpdump $n_td, tshark $n_ts, capinfos $n_ci; stderr: $(echo "$e_td$e_ts$e_ci" | head -3 | tr '\n' '|')"
	fi
}

# --- pcap: counts, nanosecond times, lengths ------------------------------

"$GEN" gen -n 500 -m "$TMP/m" "$TMP/a.pcap" 2>/dev/null
tools_read pcap_read "$TMP/a.pcap" 500
cut -d' ' -f2 "$TMP/m" >"$TMP/want_ts"
tcpdump --nano -n -tt -r "$TMP/a.pcap" 2>/dev/null | cut -d' ' -f1 >"$TMP/got_ts"
check pcap_tcpdump_ns_times cmp -s "$TMP/want_ts" "$TMP/got_ts"
check pcap_times_in_order sort -c "$TMP/got_ts"
cut -d' ' -f2-4 "$TMP/m" >"$TMP/want"
tshark -r "$TMP/a.pcap" -T fields -E separator=' ' -e frame.time_epoch \
	-e frame.cap_len -e frame.len 2>/dev/null >"$TMP/got"
check pcap_tshark_times_lengths cmp -s "$TMP/want" "$TMP/got"
capinfos -t -M "$TMP/a.pcap" >"$TMP/ci" 2>&1
check pcap_capinfos_nanosecond_type grep -q 'File type: *nsecpcap' "$TMP/ci"

# -s: frames cut, their original length kept.
"$GEN" gen -s 64 -n 200 -m "$TMP/m" "$TMP/s.pcap" 2>/dev/null
tools_read pcap_snaplen_read "$TMP/s.pcap" 200
cut -d' ' -f2-4 "$TMP/m" >"$TMP/want"
tshark -r "$TMP/s.pcap" -T fields -E separator=' ' -e frame.time_epoch \
	-e frame.cap_len -e frame.len 2>/dev/null >"$TMP/got"
check pcap_snaplen_lengths cmp -s "$TMP/want" "$TMP/got"
capinfos -l -M "$TMP/s.pcap" >"$TMP/ci" 2>&1
check pcap_snaplen_header grep -q 'Packet size limit: *file hdr: 64 bytes' "$TMP/ci"

# --- pcapng: interfaces, queues, drop counts ------------------------------

"$GEN" gen -g -s 300 -n 500 -m "$TMP/m" "$TMP/a.pcapng" 2>/dev/null
tools_read pcapng_read "$TMP/a.pcapng" 500
# tshark leaves an absent drop count empty: the manifest's 0.
awk '{ print $2, $3, $4, $5, $6, ($7 ? $7 : "") }' "$TMP/m" >"$TMP/want"
tshark -r "$TMP/a.pcapng" -T fields -E separator=' ' -e frame.time_epoch \
	-e frame.cap_len -e frame.len -e frame.interface_name \
	-e frame.interface_queue -e frame.drop_count 2>/dev/null >"$TMP/got"
check pcapng_tshark_fields cmp -s "$TMP/want" "$TMP/got"
tcpdump --nano -n -tt -r "$TMP/a.pcapng" 2>/dev/null | cut -d' ' -f1 >"$TMP/got_ts"
cut -d' ' -f2 "$TMP/m" >"$TMP/want_ts"
check pcapng_tcpdump_ns_times cmp -s "$TMP/want_ts" "$TMP/got_ts"
n_in=$(tshark -r "$TMP/a.pcapng" -Y 'frame.packet_flags_direction == 1' 2>/dev/null | wc -l)
check "pcapng_inbound_flag ($n_in of 500)" test "$n_in" = 500
capinfos -I -M "$TMP/a.pcapng" >"$TMP/ci" 2>&1
names=$(awk '/Name = / { print $3 }' "$TMP/ci" | tr '\n' ' ')
snaps=$(awk '/Capture length = / { print $4 }' "$TMP/ci" | tr '\n' ' ')
check "pcapng_interfaces ($names/ $snaps)" test "$names" = "tiA tiB " -a "$snaps" = "300 300 "

# --- rotation -------------------------------------------------------------

# -C 4k -W 3: exactly FILE0..FILE2, each whole, the ring ending at the
# last frame; the frames the ring still holds are contiguous.
for fmt in pcap pcapng; do
	d=$TMP/ring_$fmt
	mkdir "$d"
	flag=; [ $fmt = pcapng ] && flag=-g
	"$GEN" gen $flag -C 4k -W 3 -n 300 -m "$TMP/m" "$d/r.$fmt" 2>"$TMP/err"
	files=$(cd "$d" && ls | tr '\n' ' ')
	check "ring_${fmt}_files ($files, $(cat "$TMP/err"))" test "$files" = "r.${fmt}0 r.${fmt}1 r.${fmt}2 "
	total=0
	for f in "$d"/*; do
		n=$(capinfos -M -c "$f" 2>/dev/null | awk '/Number of packets/ { print $NF }')
		tools_read "ring_${fmt}_read_${f##*/}" "$f" "${n:-x}"
		size=$(stat -c %s "$f")
		total=$((total + ${n:-0}))
		if [ $fmt = pcapng ]; then
			ifs=$(capinfos -I -M "$f" 2>/dev/null | awk '/Name = / { print $3 }' | tr '\n' ' ')
			check "ring_pcapng_interfaces_${f##*/} ($ifs)" test "$ifs" = "tiA tiB "
		fi
	done
	# All frames the ring holds, oldest file first (the one after the
	# newest), in order, end at the manifest's last.
	nfiles=$(sed -n 's/.* written, \([0-9]*\) files/\1/p' "$TMP/err")
	newest=$(( (${nfiles:-1} - 1) % 3 ))
	for i in 1 2 3; do
		tcpdump --nano -n -tt -r "$d/r.$fmt$(( (newest + i) % 3 ))" 2>/dev/null |
			cut -d' ' -f1
	done >"$TMP/got_ts"
	cut -d' ' -f2 "$TMP/m" | tail -n "$total" >"$TMP/want_ts"
	check "ring_${fmt}_newest_frames ($total)" cmp -s "$TMP/want_ts" "$TMP/got_ts"
done

# -C alone: FILE, FILE1, FILE2, ... every frame once.
d=$TMP/rot
mkdir "$d"
"$GEN" gen -C 8k -n 300 "$d/c.pcap" 2>"$TMP/err"
nfiles=$(sed -n 's/.* written, \([0-9]*\) files/\1/p' "$TMP/err")
want=$(echo "c.pcap"; for i in $(seq 1 $((nfiles - 1))); do echo "c.pcap$i"; done)
got=$(cd "$d" && ls -v)
check "rotate_names ($nfiles files)" test "$want" = "$got" -a "$nfiles" -gt 3
for f in $(cd "$d" && ls -v); do tcpdump --nano -n -tt -r "$d/$f" 2>/dev/null; done |
	cut -d' ' -f1 >"$TMP/got_ts"
"$GEN" gen -n 300 -m "$TMP/m" "$TMP/unrotated.pcap" 2>/dev/null
cut -d' ' -f2 "$TMP/m" >"$TMP/want_ts"
check rotate_every_frame_once cmp -s "$TMP/want_ts" "$TMP/got_ts"

# --- -w - into a pipe -----------------------------------------------------

n=$("$GEN" gen -n 300 - 2>/dev/null | tcpdump -n -r - 2>/dev/null | wc -l)
check "stdout_pipe_tcpdump ($n)" test "$n" = 300
n=$("$GEN" gen -g -n 300 - 2>/dev/null | tshark -r - 2>/dev/null | wc -l)
check "stdout_pipe_tshark_pcapng ($n)" test "$n" = 300
# The reader leaves: an error (EPIPE), not a hang or a crash.
"$GEN" gen -n 100000 - 2>"$TMP/err" | head -c 100 >/dev/null
rc=${PIPESTATUS[0]}
check "stdout_reader_gone (status $rc)" grep -q 'standard output: Broken pipe' "$TMP/err"

# --- write errors ---------------------------------------------------------

"$GEN" gen -f -n 10 /dev/full 2>"$TMP/err"
rc=$?
check "dev_full (status $rc)" test "$rc" = 1 -a -n "$(grep 'cannot write /dev/full: No space left on device' "$TMP/err")"

# A full file system: the file ends at its last whole packet, the
# readers take it without complaint, and it holds what was counted.
if [ "$(id -u)" != 0 ]; then
	skip disk_full "needs root (mounts a tmpfs)"
elif ! mkdir "$TMP/mnt" || ! mount -t tmpfs -o size=64k tmpfs "$TMP/mnt"; then
	skip disk_full "cannot mount a tmpfs here"
else
	MNT=$TMP/mnt
	for fmt in pcap pcapng; do
		flag=; [ $fmt = pcapng ] && flag=-g
		rm -f "$MNT"/*
		"$GEN" gen $flag -n 100000 "$MNT/full.$fmt" 2>"$TMP/err"
		rc=$?
		written=$(sed -n 's/^\([0-9]*\) written.*/\1/p' "$TMP/err")
		check "disk_full_${fmt}_error (status $rc, $(head -1 "$TMP/err"))" \
			test "$rc" = 1 -a -n "$(grep "cannot write $MNT/full.$fmt: No space left on device" "$TMP/err")"
		tools_read "disk_full_${fmt}_readable" "$MNT/full.$fmt" "${written:-x}"
		size=$(stat -c %s "$MNT/full.$fmt")
		check "disk_full_${fmt}_kept ($written packets, $size bytes)" test "${written:-0}" -gt 30
	done
	umount "$MNT" && MNT=
fi
