#!/bin/bash
# tests/fuzz.sh - the fuzzing layer of make check: replay every crash
# input ever found (tests/fuzz-regress/) through build/fuzz_elf, then
# fuzz for a bounded time from the objects that exist.  A long run is
# `make fuzz FUZZ_SECONDS=N`.
#
# Result lines follow tests/run's protocol.  Skips when build/fuzz_elf
# was not built (clang without its libFuzzer runtime).  A failure leaves
# the input as build/fuzz-smoke-crash-* and the log under "# " lines.
cd "$(dirname "$0")/.." || exit 1

FUZZ=build/fuzz_elf
RUNS=${FUZZ_RUNS:-200000}
SECONDS_MAX=${FUZZ_SMOKE_SECONDS:-15}

if [ ! -x "$FUZZ" ]; then
	echo "skip fuzz: $FUZZ not built (clang has no libFuzzer runtime; Debian: libclang-rt-14-dev)"
	exit 0
fi

TMP=$(mktemp -d /tmp/ti-fuzz.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
fail=0

# why LOG STATUS: what went wrong, in one line: the harness's own
# message, or the sanitizer's error and the first frame in our code.
why() {
	local err frame
	grep -m1 '^fuzz_elf: ' "$1" && return
	err=$(grep -m1 -oE 'runtime error: .*' "$1" ||
		grep -m1 -oE '(AddressSanitizer|libFuzzer): [A-Za-z-]+' "$1")
	frame=$(grep -oE 'in [a-z_]+ [^ ]*/elf\.c:[0-9]+' "$1" | head -2 |
		sed 's|in \([a-z_]*\) .*/\(elf\.c:[0-9]*\)|\1 (\2)|' | paste -sd '<' | sed 's/</ < /')
	echo "${err:-exit status $2}${frame:+ in $frame}"
}

# --- (a) regression inputs --------------------------------------------------
n=0
for f in tests/fuzz-regress/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name="fuzz-regress/${f##*/}"
	"./$FUZZ" -timeout=20 "$f" >"$TMP/replay.log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok $name"
	else
		echo "not ok $name: $(why "$TMP/replay.log" "$rc")"
		sed 's/^/# /' "$TMP/replay.log" | tail -40
		fail=1
	fi
done
[ "$n" = 0 ] && echo "skip fuzz-regress: no inputs in tests/fuzz-regress"

# --- (b) a bounded run from the objects that exist ----------------------------
mkdir "$TMP/corpus" "$TMP/seeds"
for f in build/xdp.o build/pass.o build/reject.o build/objs/*.o; do
	[ ! -f "$f" ] || cp "$f" "$TMP/seeds/"
done
"./$FUZZ" -runs="$RUNS" -max_total_time="$SECONDS_MAX" -max_len=65536 \
	-timeout=20 -print_final_stats=1 -artifact_prefix=build/fuzz-smoke- \
	"$TMP/corpus" "$TMP/seeds" >"$TMP/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/fuzz.log")
last=$(grep -E '^#[0-9]+' "$TMP/fuzz.log" | tail -1 |
	grep -oE 'cov: [0-9]+ ft: [0-9]+')
seeds=$(ls "$TMP/seeds" | wc -l)
if [ "$rc" = 0 ]; then
	echo "ok fuzz: ${runs:-?} runs from $seeds seed objects, ${last:-no coverage line}"
else
	echo "not ok fuzz: $(why "$TMP/fuzz.log" "$rc") (input saved as build/fuzz-smoke-*)"
	sed 's/^/# /' "$TMP/fuzz.log" | grep -v -E '^# #[0-9]+ +(NEW|REDUCE)' | tail -60
	fail=1
fi
exit "$fail"
