#!/bin/bash
# tests/system/filter_pcap.sh - the classic program tcpinspect's
# compiler makes of an expression (flt_cbpf, the first half of
# flt_compile) against libpcap's pcap_compile, instruction for
# instruction (build/fltpcap, linked with tcpdump's libpcap): the
# expressions of filter_cmp.sh's lists (but those with the test's own
# names) and FILTER_PCAP_RANDOM (default 20000) random ones
# (build/filter_test -r), optimised and not.  Names come from this
# machine's /etc for both.  No root needed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

FLTPCAP=${FLTPCAP:-./build/fltpcap}
FTEST=${FTEST:-./build/filter_test}
N=${FILTER_PCAP_RANDOM:-20000}

if [ ! -x "$FLTPCAP" ]; then
	notok filter_pcap "no $FLTPCAP (make $FLTPCAP: it needs tcpdump's libpcap)"
	exit 1
fi
sed -n "/^run_list <<'EOF'$/,/^EOF$/p" tests/system/filter_cmp.sh |
	grep -v "^run_list\|^EOF$\|^#\|^$\|^names: " |
	sed 's/^never: //; s/^error: //' >"$TMP/list"
"$FTEST" -r 16 "$N" >"$TMP/random"

for what in list random; do
	for o in "" -O; do
		name="classic program = libpcap's, $what ($(wc -l <"$TMP/$what") expressions${o:+, unoptimised})"
		"$FLTPCAP" $o <"$TMP/$what" >"$TMP/out"
		rc=$?
		last=$(tail -1 "$TMP/out")
		if [ $rc = 0 ] && [ "$(wc -l <"$TMP/$what")" -gt 100 ]; then
			ok "$name: $last"
		else
			notok "$name" "$last; $(head -3 "$TMP/out" | tr '\n' ';' | cut -c1-600)"
		fi
	done
done
