#!/bin/bash
# tests/fuzz/fuzz.sh - the fuzzing layer of make check, for each harness:
# replay every crash input ever found through it, then fuzz for a bounded
# time from its seeds.
#
#   build/fuzz_elf      elf.c      tests/fuzz/fuzz-regress/          seeds: the objects that exist
#   build/fuzz_btf      btf.c      tests/fuzz/fuzz-regress-btf/      seeds: pairs of their .BTF sections
#   build/fuzz_http     http.c     tests/fuzz/fuzz-regress-http/     seeds: tests/fuzz/http-seeds/
#   build/fuzz_tls      tls.c      tests/fuzz/fuzz-regress-tls/      seeds: tests/fuzz/tls-seeds/
#   build/fuzz_httpsum  httpsum.c  tests/fuzz/fuzz-regress-httpsum/  seeds: tests/fuzz/httpsum-seeds/
#   build/fuzz_print    print.c    tests/fuzz/fuzz-regress-print/    seeds: tests/fuzz/print-seeds/
#   build/fuzz_filter   filter.c,  tests/fuzz/fuzz-regress-filter/   seeds: tests/fuzz/filter-seeds/
#                       flt*.c
#
# fuzz-regress/ holds crashes the fuzzer found in elf.c, fixed since;
# fuzz-regress-http/ the minimized inputs by which it caught bugs
# planted in copies of http.c (it found none in http.c itself): each one
# fails if that bug comes back.  fuzz-regress-tls/, -httpsum/ and
# -print/ hold what the fuzzer found in their first versions (a GREASE
# version taken from the hello's own field, a second server_name taken
# over the first, a summary left half-written, VLAN tags read past the
# bytes), fixed since; fuzz-regress-filter/ what it found in the filter
# compiler, fixed since.  The seeds are payloads and frames of the
# corpora of tests/system/decode_cmp.sh (mkpcap's, and real HTTP and TLS
# traffic).  A long run is `make fuzz FUZZ_SECONDS=N` (elf), `make
# fuzz-http`, `make fuzz-tls`, `make fuzz-httpsum`, `make fuzz-print` or
# `make fuzz-filter`.
#
# Result lines follow tests/run's protocol.  A harness that was not built
# (clang without its libFuzzer runtime) is skipped.  A failure leaves the
# input as build/fuzz-smoke-crash-* (build/fuzz-http-smoke-crash-*) and
# the log under "# " lines.
cd "$(dirname "$0")/../.." || exit 1

RUNS=${FUZZ_RUNS:-200000}
SECONDS_MAX=${FUZZ_SMOKE_SECONDS:-15}

TMP=$(mktemp -d /tmp/ti-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
fail=0

# why LOG STATUS SRC: what went wrong, in one line: the harness's own
# message, or the sanitizer's error and the first frame in SRC (elf.c).
why() {
	local err frame src=${3//./\\.}
	grep -m1 -E '^fuzz_[a-z]+: ' "$1" && return
	err=$(grep -m1 -oE 'runtime error: .*' "$1" ||
		grep -m1 -oE '(AddressSanitizer|libFuzzer): [A-Za-z-]+' "$1")
	frame=$(grep -oE "in [a-z_]+ [^ ]*/$src:[0-9]+" "$1" | head -2 |
		sed "s|in \([a-z_]*\) .*/\($src:[0-9]*\)|\1 (\2)|" | paste -sd '<' | sed 's/</ < /')
	echo "${err:-exit status $2}${frame:+ in $frame}"
}

# fuzz NAME SRC REGRESS_DIR ARTIFACT_PREFIX SEED_DIR [LIBFUZZER_OPTION...]:
# the two layers for build/fuzz_NAME.  Result names: REGRESS_DIR/FILE
# without "tests/fuzz/", and NAME's label ("fuzz" for elf, as it always was).
fuzz() {
	local name=$1 src=$2 regress=$3 prefix=$4 seeds=$5 label n f rc runs last
	shift 5
	local bin=build/fuzz_$name
	[ "$name" = elf ] && label=fuzz || label=fuzz-$name

	if [ ! -x "$bin" ]; then
		echo "skip $label: $bin not built (clang has no libFuzzer runtime; Debian: libclang-rt-14-dev)"
		return
	fi

	# --- (a) regression inputs ------------------------------------------
	n=0
	for f in "$regress"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		"./$bin" -timeout=20 "$f" >"$TMP/replay.log" 2>&1
		rc=$?
		if [ "$rc" = 0 ]; then
			echo "ok ${regress#tests/fuzz/}/${f##*/}"
		else
			echo "not ok ${regress#tests/fuzz/}/${f##*/}: $(why "$TMP/replay.log" "$rc" "$src")"
			sed 's/^/# /' "$TMP/replay.log" | tail -40
			fail=1
		fi
	done
	[ "$n" = 0 ] && echo "skip ${regress#tests/fuzz/}: no inputs in $regress"

	# --- (b) a bounded run from the seeds ---------------------------------
	rm -rf "$TMP/corpus"
	mkdir "$TMP/corpus"
	"./$bin" -runs="$RUNS" -max_total_time="$SECONDS_MAX" -timeout=20 \
		-print_final_stats=1 -artifact_prefix="$prefix" "$@" \
		"$TMP/corpus" "$seeds" >"$TMP/fuzz.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/fuzz.log")
	last=$(grep -E '^#[0-9]+' "$TMP/fuzz.log" | tail -1 |
		grep -oE 'cov: [0-9]+ ft: [0-9]+')
	n=$(ls "$seeds" | wc -l)
	if [ "$rc" = 0 ]; then
		echo "ok $label: ${runs:-?} runs from $n seeds, ${last:-no coverage line}"
	else
		echo "not ok $label: $(why "$TMP/fuzz.log" "$rc" "$src") (input saved as ${prefix}*)"
		sed 's/^/# /' "$TMP/fuzz.log" | grep -v -E '^# #[0-9]+ +(NEW|REDUCE)' | tail -60
		fail=1
	fi
}

mkdir "$TMP/seeds"
for f in build/xdp.o build/pass.o build/reject.o build/objs/*.o; do
	[ ! -f "$f" ] || cp "$f" "$TMP/seeds/"
done
fuzz elf elf.c tests/fuzz/fuzz-regress build/fuzz-smoke- "$TMP/seeds" -max_len=65536

# fuzz_btf's input: u16 length, an object's .BTF, another's (the "kernel").
tests/fuzz/btf-seeds.sh "$TMP/btf-seeds"
fuzz btf btf.c tests/fuzz/fuzz-regress-btf build/fuzz-btf-smoke- "$TMP/btf-seeds" -max_len=16384
fuzz http http.c tests/fuzz/fuzz-regress-http build/fuzz-http-smoke- tests/fuzz/http-seeds \
	-max_len=10000 -dict=tests/fuzz/fuzz-http.dict
for h in tls httpsum print; do
	fuzz $h $h.c tests/fuzz/fuzz-regress-$h build/fuzz-$h-smoke- tests/fuzz/$h-seeds -max_len=4096
done
fuzz filter 'f[a-z]*.c' tests/fuzz/fuzz-regress-filter build/fuzz-filter-smoke- \
	tests/fuzz/filter-seeds -max_len=512 -dict=tests/fuzz/fuzz-filter.dict
exit "$fail"
