#!/bin/bash
# tests/options.sh - the command line against its documentation, with no
# root and nothing attached: every option the parser accepts (found by
# trying every letter and every word in the binary, not by reading the
# option table) is in `--help`, in `COMMAND --help` and in the man page's
# OPTIONS, and every option the man page lists is accepted by exactly
# the commands it names.  Also: the man page renders without a warning,
# and option errors name the option as typed.
#
# Whether an option is accepted is asked without running anything: the
# option (with a value "x") is followed by an unknown sentinel option, so
# the parser either stops at the option ("unknown option", "does not
# apply") or goes past it to the sentinel (or to a bad value, or help).
cd "$(dirname "$0")/../.." || exit 1
TI=${TI:-./tcpinspect}
MAN=${MAN:-./tcpinspect.8}
TMP=$(mktemp -d /tmp/ti-opts.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ok() { echo "ok $1"; }
notok() { echo "not ok $1: $2"; }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi
}

CMDS="capture flows replay load unload show probe serve trace"
[ -x "$TI" ] || { notok options "no $TI (make)"; exit 1; }
[ -f "$MAN" ] || { notok options "no $MAN (make)"; exit 1; }

# accepted CMD OPT: 0 if the parser takes OPT for CMD.
accepted() {
	local out
	out=$("$TI" "$1" "$2" x --zz-sentinel 2>&1 </dev/null)
	case $out in
	*"unknown option '--zz-sentinel'"*) return 0 ;;
	*"unknown option '$2'"* | *"does not apply to"* | *"takes no value"*) return 1 ;;
	*"bad "* | *usage:* | *"tcpinspect "[0-9d]*) return 0 ;;
	*"needs "* | *"exclude"* | *"takes one"* | *"go with"* | *"unexpected argument"*) return 0 ;;
	esac
	echo "# $1 $2: unclassified answer: $out" >&2
	return 1
}

# Candidates: every short letter, and every word of the binary, the help
# and the man page that could be a long option's name.
{
	printf -- '-%s\n' {a..z} {A..Z} {0..9} '#'
	{ strings -n 3 "$TI"; "$TI" --help; cat "$MAN"; } |
		grep -oE '[a-z][a-z0-9]*(-[a-z0-9]+)*' | sort -u | awk 'length <= 24 { print "--" $0 }'
} >"$TMP/cand"

# The accepted set, per command: "CMD OPT" lines.
: >"$TMP/acc"
while read -r opt; do
	for c in $CMDS; do
		accepted "$c" "$opt" && echo "$c $opt" >>"$TMP/acc"
	done
done <"$TMP/cand" 2>"$TMP/unclassified"
check "every candidate answered as accepted or refused" [ ! -s "$TMP/unclassified" ]
[ -s "$TMP/unclassified" ] && head -5 "$TMP/unclassified"
check "the parser accepts options at all (-i for capture, --json for replay)" \
	eval 'grep -qx "capture -i" "$TMP/acc" && grep -qx "replay --json" "$TMP/acc"'

# The options a help text names: "-c", "--count" ... as words at a line's start.
help_opts() {
	grep -oE '^ +(-[A-Za-z0-9#](, --[a-z0-9-]+)?|--[a-z0-9-]+)' | tr -d ' ' | tr ',' '\n' | sort -u
}
"$TI" --help >"$TMP/help.all"
check "--help: exit 0" [ $? = 0 ]
help_opts <"$TMP/help.all" >"$TMP/help.opts"

# The man page's OPTIONS: ".B \-c," / ".B \-\-count" lines after .SH OPTIONS.
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$MAN" >"$TMP/man.opts.sec"
grep -E '^\.B \\-' "$TMP/man.opts.sec" | sed 's/^\.B //; s/\\-/-/g; s/,$//' | sort -u >"$TMP/man.opts"
check "man page: an OPTIONS section with options" [ -s "$TMP/man.opts" ]

# getopt_long takes an unambiguous prefix of a long option ("--dur"):
# such a candidate stands for the one option it abbreviates.
canon() {
	local n
	grep -qx -- "$1" "$TMP/help.opts" && { printf '%s\n' "$1"; return; }
	case $1 in --*) ;; *) printf '%s\n' "$1"; return ;; esac
	n=$(grep -c -- "^$1" "$TMP/help.opts")
	[ "$n" = 1 ] && grep -- "^$1" "$TMP/help.opts" || printf '%s\n' "$1"
}
while read -r c opt; do echo "$c $(canon "$opt")"; done <"$TMP/acc" | sort -u >"$TMP/acc2"
mv "$TMP/acc2" "$TMP/acc"

bad=
for opt in $(cut -d' ' -f2 "$TMP/acc" | sort -u); do
	grep -qx -- "$opt" "$TMP/help.opts" || bad="$bad $opt(--help)"
	grep -qx -- "$opt" "$TMP/man.opts" || bad="$bad $opt(man)"
done
check "every accepted option is in --help and in the man page${bad:+:$bad}" [ -z "$bad" ]

bad=
for c in $CMDS; do
	"$TI" "$c" --help >"$TMP/help.$c" 2>&1 || bad="$bad $c(exit)"
	grep -q "^usage: tcpinspect \(\[\)\?$c" "$TMP/help.$c" || bad="$bad $c(usage)"
	help_opts <"$TMP/help.$c" >"$TMP/help.$c.opts"
	for opt in $(sed -n "s/^$c //p" "$TMP/acc"); do
		grep -qx -- "$opt" "$TMP/help.$c.opts" || bad="$bad $c:$opt"
	done
	# and no option there that the command refuses
	for opt in $(cat "$TMP/help.$c.opts"); do
		grep -qx -- "$c $opt" "$TMP/acc" || bad="$bad $c:$opt(refused)"
	done
done
check "COMMAND --help: exactly the options each command accepts${bad:+:$bad}" [ -z "$bad" ]

bad=
for opt in $(cat "$TMP/man.opts" "$TMP/help.opts" | sort -u); do
	grep -q -- " $opt\$" "$TMP/acc" || bad="$bad $opt"
done
check "every option in the man page and in --help is accepted${bad:+:$bad}" [ -z "$bad" ]

# The man page says which commands take each option ("Commands: a, b.").
bad=
awk '/^\.TP/ { opt = "" } /^\.B \\-/ { o = $2; gsub(/\\-/, "-", o); sub(/,$/, "", o); opts = opts " " o }
     /^\.TP/ { opts = "" } /^Commands: / { line = $0; sub(/^Commands: /, "", line); sub(/\.$/, "", line);
     gsub(/, /, ",", line); print opts "|" line }' "$TMP/man.opts.sec" >"$TMP/man.cmds"
while IFS='|' read -r opts cmds; do
	for opt in $opts; do
		for c in $CMDS; do
			want=0
			case ",$cmds," in *",$c,"*) want=1 ;; esac
			got=0
			grep -qx -- "$c $opt" "$TMP/acc" && got=1
			[ $want = $got ] || bad="$bad $c:$opt"
		done
	done
done <"$TMP/man.cmds"
check "man page: the commands named for each option are those that take it${bad:+:$bad}" \
	eval '[ -s "$TMP/man.cmds" ] && [ -z "$bad" ]'

check "--help shows the EXPRESSION" grep -q 'EXPRESSION' "$TMP/help.all"
bad=
for c in capture flows replay serve; do
	grep -q 'EXPRESSION' "$TMP/help.$c" || bad="$bad $c"
	# a filter after the options is taken, not refused as an argument
	out=$("$TI" "$c" $([ $c = replay ] && echo f.pcap) port 443 --zz-sentinel 2>&1)
	case $out in *"unexpected argument"*) bad="$bad $c(refused)" ;; esac
done
check "capture, flows, replay, serve: an EXPRESSION in help and taken${bad:+:$bad}" [ -z "$bad" ]

# --- the man page renders ---------------------------------------------------
if command -v groff >/dev/null; then
	groff -man -ww -z "$MAN" >"$TMP/groff.out" 2>&1
	rc=$?
	check "man page: groff -man -ww -z, no warnings" eval '[ $rc = 0 ] && [ ! -s "$TMP/groff.out" ]'
	[ -s "$TMP/groff.out" ] && head -5 "$TMP/groff.out"
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS EXPRESSION OUTPUT "EXIT STATUS" SIGNALS ENVIRONMENT FILES EXAMPLES; do
		grep -q "^\.SH \"\?$s\"\?\$" "$MAN" || bad="$bad $s"
	done
	check "man page: every section${bad:+ (missing:$bad)}" [ -z "$bad" ]
else
	echo "skip man page renders: no groff"
fi

# --- errors name the option as typed --------------------------------------
err() { "$TI" "$@" 2>&1 >/dev/null; echo "rc=$?"; }
bad=
for a in "-w:option -w needs a value" "-C:option -C needs a value" "-W:option -W needs a value" \
	 "--snaplen:option --snaplen needs a value" "-nc:option -c needs a value" \
	 "--json=1:option --json takes no value" "-nz:unknown option '-z'" \
	 "--bogus:unknown option '--bogus'"; do
	out=$(err ${a%%:*})
	case $out in *"${a#*:}"*rc=2) ;; *) bad="$bad [${a%%:*}: $out]" ;; esac
done
out=$(err flows -w f)
case $out in *"option -w does not apply to flows"*rc=2) ;; *) bad="$bad [flows -w: $out]" ;; esac
out=$(err capture --pin d)
case $out in *"option --pin does not apply to capture"*rc=2) ;; *) bad="$bad [capture --pin: $out]" ;; esac
check "errors name the option as typed, exit 2${bad:+:$bad}" [ -z "$bad" ]

# Conflicts are refused, not resolved.
bad=
for a in "--json -w f:exclude each other" "-x -X:exclude each other" \
	 "--mode native --mode generic:option --mode given twice" \
	 "-i lo -i lo:interface lo named twice" "load o.o -i a -i b:load takes one interface" \
	 "-C 1:go with -w FILE" "-w f -W 2:needs -C"; do
	out=$(err ${a%%:*})
	case $out in *"${a#*:}"*rc=2) ;; *) bad="$bad [${a%%:*}: $out]" ;; esac
done
check "conflicting options: exit 2 with the reason${bad:+:$bad}" [ -z "$bad" ]
out=$(err --version)
check "--version: 'tcpinspect VERSION', exit 0" eval '[[ "$("$TI" --version)" == "tcpinspect "* ]] && [[ "$out" == "rc=0" ]]'
