#!/bin/bash
# tests/system/cmds.sh - `tcpinspect load`, `unload` and `show` end to
# end, on a veth pair between two namespaces this test creates, checked against
# what `ip -d link show` reads over netlink.  Pins go to a private bpffs
# mounted under $TMP; every attachment, pin and mount is removed on exit.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
need_root cmds
BPFFS=$TMP/bpffs

if ! setup_pair; then
	notok cmds-setup "cannot create namespaces and veth pair"
	exit 1
fi

# What ip says about vb: " xdp " / " xdpgeneric ", name, tag, ifindex.
ip_mode() { ip -n "$NS_B" link show dev vb | grep -o ' xdp[a-z]* ' | tr -d ' '; }
ip_name() { ip -n "$NS_B" -d link show dev vb | sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p'; }
ip_tag() { ip -n "$NS_B" -d link show dev vb | sed -n 's/.*prog\/xdp .* tag \([0-9a-f]*\).*/\1/p'; }
vb_ifindex() { ip -n "$NS_B" -o link show dev vb | cut -d: -f1; }
nothing_attached() { [ -z "$(xdp_id)" ]; }
one_line() { [ "$(wc -l <"$1")" = 1 ]; }

# --- build the test objects ---------------------------------------------------
# cmds.c: count_pass (section xdp; uses map pkts; XDP_PASS) and drop_all
# (section xdp/drop; no map; XDP_DROP).  With -DPINNED also a map pinned
# by name.
cat >"$TMP/cmds.c" <<'EOF'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
static void *(*bpf_map_lookup_elem)(void *map, const void *key) =
	(void *)BPF_FUNC_map_lookup_elem;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkts SEC(".maps");

#ifdef PINNED
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, 1);	/* LIBBPF_PIN_BY_NAME */
} cmds_pinned SEC(".maps");
#endif

SEC("xdp") int count_pass(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&pkts, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
#ifdef PINNED
	v = bpf_map_lookup_elem(&cmds_pinned, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
#endif
	return XDP_PASS;
}

SEC("xdp/drop") int drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
EOF
OBJ=$TMP/cmds.o
PINOBJ=$TMP/cmds_pinned.o
if ! clang -O2 -g -target bpf -Ibuild/include -c -o "$OBJ" "$TMP/cmds.c" 2>"$TMP/cc.err" ||
   ! clang -O2 -g -target bpf -Ibuild/include -DPINNED -c -o "$PINOBJ" "$TMP/cmds.c" 2>>"$TMP/cc.err"; then
	notok "build test objects" "$(head -1 "$TMP/cc.err")"
	OBJ=
fi

# --- load: netlink, default mode ----------------------------------------------
run load load build/pass.o -i vb
id=$(sed -n 's/^loaded prog id \([0-9]*\) (other_pass) on vb (\(native\|generic\) mode, netlink)$/\1/p' "$TMP/load.out")
check "load: exit 0" [ "$rc" = 0 ]
check "load: prints 'loaded prog id N (other_pass) on vb (MODE mode, netlink)'" [ -n "$id" ]
check "load: ip shows the same program id" [ -n "$id" -a "$(xdp_id)" = "$id" ]
check "load: ip shows the same name" [ "$(ip_name)" = other_pass ]
check "load: native mode by default on veth" [ "$(ip_mode)" = xdp ]
check "load: nothing on stderr" [ ! -s "$TMP/load.err" ]

# --- show ------------------------------------------------------------------
run show show
want="vb ifindex $(vb_ifindex) mode native id $id name other_pass tag $(ip_tag)"
check "show: exit 0" [ "$rc" = 0 ]
check "show: one line, as ip sees it (ifindex, mode, id, name, tag)" \
	eval '[ "$(cat "$TMP/show.out")" = "$want" ]'
[ "$(cat "$TMP/show.out")" = "$want" ] ||
	echo "# show: got '$(cat "$TMP/show.out")', want '$want'"

# --- no replacing without --replace ------------------------------------------
run again load build/pass.o -i vb
check "load again: refused with exit 1" [ "$rc" = 1 ]
check "load again: one line naming the program there" eval \
	'one_line "$TMP/again.err" && grep -q "vb already has XDP program $id (other_pass) attached; not replacing it without --replace" "$TMP/again.err"'
check "load again: nothing on stdout" [ ! -s "$TMP/again.out" ]
check "load again: the first program is still attached" [ "$(xdp_id)" = "$id" ]

run repl load build/pass.o -i vb --replace
id2=$(sed -n 's/^loaded prog id \([0-9]*\) (other_pass) on vb (native mode, netlink)$/\1/p' "$TMP/repl.out")
check "load --replace: exit 0, in the mode of the old program" [ "$rc" = 0 -a -n "$id2" ]
check "load --replace: a new id, attached" eval '[ "$id2" != "$id" ] && [ "$(xdp_id)" = "$id2" ]'
check "load --replace: says what it replaced" grep -q "replacing XDP program $id (other_pass) on vb$" "$TMP/repl.err"

# --- unload --------------------------------------------------------------------
run unload unload -i vb
check "unload: exit 0" [ "$rc" = 0 ]
check "unload: says what it detached" \
	grep -qx "detached prog id $id2 (other_pass) from vb (native mode, netlink)" "$TMP/unload.out"
check "unload: ip shows nothing attached" nothing_attached
run unload2 unload -i vb
check "unload with nothing attached: exit 0, says so" eval \
	'[ "$rc" = 0 ] && grep -qx "no XDP program on vb" "$TMP/unload2.out"'
run show0 show
check "show with nothing attached: prints nothing, exit 0" eval \
	'[ "$rc" = 0 ] && [ ! -s "$TMP/show0.out" ] && [ ! -s "$TMP/show0.err" ]'

# --- modes -----------------------------------------------------------------------
run gen load build/pass.o -i vb --mode generic
gid=$(sed -n 's/^loaded prog id \([0-9]*\) (other_pass) on vb (generic mode, netlink)$/\1/p' "$TMP/gen.out")
check "load --mode generic: exit 0, says generic" [ "$rc" = 0 -a -n "$gid" ]
check "load --mode generic: ip shows xdpgeneric and the id" eval \
	'[ "$(ip_mode)" = xdpgeneric ] && [ "$(xdp_id)" = "$gid" ]'
run showg show
check "show: mode generic" grep -q "^vb ifindex [0-9]* mode generic id $gid name other_pass tag [0-9a-f]\{16\}$" "$TMP/showg.out"
run ung unload -i vb
check "unload: generic mode too" eval \
	'[ "$rc" = 0 ] && grep -q "(generic mode, netlink)" "$TMP/ung.out" && nothing_attached'

run nat load build/pass.o -i vb --mode native
check "load --mode native: ip shows xdp" eval '[ "$rc" = 0 ] && [ "$(ip_mode)" = xdp ]'
ti unload -i vb >/dev/null

# Somebody else's program, attached by ip: unload removes it too.
if ip -n "$NS_B" link set dev vb xdpgeneric obj build/pass.o sec xdp 2>"$TMP/ip.err"; then
	run foreign unload -i vb
	check "unload: a program ip attached" eval '[ "$rc" = 0 ] && nothing_attached'
else
	skip "unload: a program ip attached" "ip cannot attach an XDP object here: $(head -1 "$TMP/ip.err")"
fi

# --- --pin: a pinned bpf_link -------------------------------------------------------
if mount_bpffs; then
	PIN=$BPFFS/xdp-link-vb
	run pin load build/pass.o -i vb --pin "$BPFFS"
	pid_=$(sed -n 's/^loaded prog id \([0-9]*\) (other_pass) on vb (native mode, bpf_link \([0-9]*\))$/\1/p' "$TMP/pin.out")
	lid=$(sed -n 's/^loaded prog id [0-9]* (other_pass) on vb (native mode, bpf_link \([0-9]*\))$/\1/p' "$TMP/pin.out")
	check "load --pin: exit 0, says bpf_link" [ "$rc" = 0 -a -n "$pid_" -a -n "$lid" ]
	check "load --pin: prints 'link id L pinned at DIR/xdp-link-vb'" grep -qx "link id $lid pinned at $PIN" "$TMP/pin.out"
	check "load --pin: the pin exists" [ -e "$PIN" ]
	check "load --pin: still attached after tcpinspect exited" [ "$(xdp_id)" = "$pid_" ]
	run showl show
	check "show: the link id" grep -q "^vb ifindex [0-9]* mode native id $pid_ name other_pass tag [0-9a-f]\{16\} link $lid$" "$TMP/showl.out"

	run pinrepl load build/pass.o -i vb --replace
	check "load --replace on a link-held program: refused, exit 1, one line" eval \
		'[ "$rc" = 1 ] && one_line "$TMP/pinrepl.err" && grep -q "held by bpf_link $lid; detach it first" "$TMP/pinrepl.err"'
	check "load --replace on a link-held program: still attached" [ "$(xdp_id)" = "$pid_" ]

	run unl unload -i vb
	check "unload: detaches the link (netlink cannot)" eval \
		'[ "$rc" = 0 ] && grep -qx "detached prog id $pid_ (other_pass) from vb (native mode, bpf_link $lid)" "$TMP/unl.out" && nothing_attached'
	check "unload without --pin: the pin stays" [ -e "$PIN" ]

	run pin2 load build/pass.o -i vb --pin "$BPFFS"
	check "load --pin over an existing pin: refused, exit 1, one line, nothing attached" eval \
		'[ "$rc" = 1 ] && one_line "$TMP/pin2.err" && grep -q "$PIN already exists" "$TMP/pin2.err" && nothing_attached'
	run unpin unload -i vb --pin "$BPFFS"
	check "unload --pin: removes the detached link's pin" eval \
		'[ "$rc" = 0 ] && grep -qx "removed pin $PIN (bpf_link $lid)" "$TMP/unpin.out" && [ ! -e "$PIN" ]'

	# --pin --replace over a netlink program: the link takes its place.
	ti load build/pass.o -i vb --mode generic >"$TMP/nl.out" 2>&1
	old=$(xdp_id)
	run pinr load build/pass.o -i vb --pin "$BPFFS" --replace
	new=$(xdp_id)
	check "load --pin --replace over a netlink program: a link, new id, same mode" eval \
		'[ "$rc" = 0 ] && [ -n "$old" ] && [ -n "$new" ] && [ "$new" != "$old" ] &&
		 grep -q "(generic mode, bpf_link [0-9]*)" "$TMP/pinr.out" && [ "$(ip_mode)" = xdpgeneric ]'
	run unpin2 unload -i vb --pin "$BPFFS"
	check "unload --pin: detaches and removes the pin in one go" eval \
		'[ "$rc" = 0 ] && grep -q "bpf_link" "$TMP/unpin2.out" && grep -q "^removed pin" "$TMP/unpin2.out" &&
		 [ ! -e "$PIN" ] && nothing_attached'

	# Maps pinned by name go to the --pin directory.
	if [ -n "$OBJ" ]; then
		run pmap load "$PINOBJ" -i vb --prog count_pass --pin "$BPFFS"
		check "load --pin: LIBBPF_PIN_BY_NAME map pinned in DIR" eval \
			'[ "$rc" = 0 ] && [ -e "$BPFFS/cmds_pinned" ]'
		check "load: one line per map (id, name, type)" eval \
			'grep -Eq "^map id [0-9]+ name pkts type 2$" "$TMP/pmap.out" &&
			 grep -Eq "^map id [0-9]+ name cmds_pinned type 2$" "$TMP/pmap.out"'
		ti unload -i vb --pin "$BPFFS" >/dev/null
		run pmap2 load "$PINOBJ" -i vb --prog count_pass --pin "$BPFFS" -v
		check "load -v: the pinned map is reused" eval \
			'[ "$rc" = 0 ] && grep -q "^tcpinspect: map cmds_pinned: reusing the one pinned at $BPFFS/cmds_pinned" "$TMP/pmap2.err"'
		ti unload -i vb --pin "$BPFFS" >/dev/null
		check "unload --pin: maps pinned by name stay" [ -e "$BPFFS/cmds_pinned" ]
	fi
	check "--pin: nothing attached afterwards" nothing_attached

	run notbpf load build/pass.o -i vb --pin "$TMP"
	check "load --pin DIR that is no bpffs: exit 2, one line, nothing attached" eval \
		'[ "$rc" = 2 ] && one_line "$TMP/notbpf.err" && grep -q "is not a BPF file system" "$TMP/notbpf.err" && nothing_attached'
else
	skip "load --pin" "cannot mount a bpf file system: $(head -1 "$TMP/mnt.err")"
fi

# --- selecting a program; it really runs -----------------------------------------
if [ -n "$OBJ" ]; then
	run sel load "$OBJ" -i vb --prog count_pass
	check "load --prog count_pass: exit 0, its map listed" eval \
		'[ "$rc" = 0 ] && grep -q "(count_pass) on vb" "$TMP/sel.out" &&
		 grep -Eq "^map id [0-9]+ name pkts type 2$" "$TMP/sel.out"'
	check "load --prog count_pass: traffic passes" reach 8081
	ti unload -i vb >/dev/null
	run seld load "$OBJ" -i vb --section xdp/drop
	check "load --section xdp/drop: exit 0, drop_all, no map listed (it uses none)" eval \
		'[ "$rc" = 0 ] && grep -q "(drop_all) on vb" "$TMP/seld.out" && ! grep -q "^map " "$TMP/seld.out"'
	check "load --section xdp/drop: the program runs (traffic dropped)" eval '! reach 8082'
	ti unload -i vb >/dev/null
	check "after unload: traffic passes again" reach 8083
	run v load "$OBJ" -i vb --prog count_pass -v
	check "load -v: the loader's steps as 'tcpinspect: ...' lines on stderr" eval \
		'[ "$rc" = 0 ] && grep -q "^tcpinspect: program count_pass" "$TMP/v.err" &&
		 grep -q "^tcpinspect: map pkts" "$TMP/v.err" && ! grep -qv "^tcpinspect: " "$TMP/v.err"'
	ti unload -i vb >/dev/null
fi

# capture accepts -v too.
start_capture "$TMP/cv.out" "$TMP/cv.err" -i vb -c 1 -v ||
	notok "capture -v: ready" "$(cat "$TMP/cv.err")"
tcp_session "$B4" 10
wait_exit "$CAP_PID"
rc=$?
check "capture -v: loader lines before 'listening on'" eval \
	'[ $rc = 0 ] && head -1 "$TMP/cv.err" | grep -q "^tcpinspect: program " && grep -q "^listening on vb" "$TMP/cv.err"'
check "capture -v: nothing attached after exit" nothing_attached

# --- bad input: one line, the right status, nothing attached ------------------------
bad() {
	local name=$1 want_rc=$2 pattern=$3
	shift 3
	ti "$@" >"$TMP/b.out" 2>"$TMP/b.err"
	local r=$?
	if [ $r = "$want_rc" ] && one_line "$TMP/b.err" && grep -q -- "$pattern" "$TMP/b.err" &&
	   nothing_attached; then
		ok "bad input: $name"
	else
		notok "bad input: $name" "rc=$r, stderr: $(cat "$TMP/b.err")"
	fi
}
echo "not an object" >"$TMP/text.o"
bad "not an ELF file" 1 "^tcpinspect: $TMP/text.o: " load "$TMP/text.o" -i vb
bad "missing file" 2 "cannot read $TMP/nosuch.o: No such file or directory" load "$TMP/nosuch.o" -i vb
bad "unknown program name" 2 "no program named 'nosuch' in build/pass.o; it has: other_pass (section xdp)" \
	load build/pass.o -i vb --prog nosuch
bad "unknown section" 2 "no program in section 'xdp/nosuch'" load build/pass.o -i vb --section xdp/nosuch
# The verifier's refusal: one line, then the end of its log (with the source line).
ti load build/reject.o -i vb >"$TMP/rej.out" 2>"$TMP/rej.err"
r=$?
check "verifier refuses: exit 1, the reason, the source line, nothing attached" eval \
	'[ $r = 1 ] && head -1 "$TMP/rej.err" | grep -q "^tcpinspect: cannot load program unchecked: .*verifier says:$" &&
	 grep -q "reject.c:11" "$TMP/rej.err" && nothing_attached'
bad "load without -i" 2 "load needs an interface" load build/pass.o
bad "load without object" 2 "load needs an object file" load -i vb
bad "load, unknown interface" 2 "unknown interface 'nosuch0'" load build/pass.o -i nosuch0
bad "--section and --prog" 2 "exclude each other" load build/pass.o -i vb --section xdp --prog other_pass
bad "load, two objects" 2 "unexpected argument 'build/pass.o'" load build/pass.o build/pass.o -i vb
bad "unload without -i" 2 "unload needs an interface" unload
bad "unload, unknown interface" 2 "unknown interface 'nosuch0'" unload -i nosuch0
bad "option of another command" 2 "option -c does not apply to load" load build/pass.o -i vb -c 1
bad "show takes no option -i" 2 "option -i does not apply to show" show -i vb
bad "capture takes no --pin" 2 "option --pin does not apply to a capture" -i vb --pin /tmp
bad "unknown command" 2 "unknown command 'lod'" lod build/pass.o -i vb
ti -h >"$TMP/h.out" 2>&1
rc=$?
check "-h: lists load, unload and show" eval \
	'[ $rc = 0 ] && grep -q "tcpinspect load OBJ.o -i IFACE" "$TMP/h.out" &&
	 grep -q "tcpinspect unload -i IFACE" "$TMP/h.out" && grep -q "tcpinspect show" "$TMP/h.out"'
ti load -h >"$TMP/h2.out" 2>&1
rc=$?
check "load -h: help, exit 0" eval '[ $rc = 0 ] && grep -q "^usage:" "$TMP/h2.out"'

# Unprivileged: refused with one line, nothing attached.
cp "$TI" "$TMP/ti" && cp build/pass.o "$TMP/pass.o" && chmod 755 "$TMP" "$TMP/ti" &&
	chmod 644 "$TMP/pass.o"
ip netns exec "$NS_B" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$TMP/ti" load "$TMP/pass.o" -i vb >"$TMP/u.out" 2>"$TMP/u.err"
r=$?
check "load unprivileged: exit 1, one line, Operation not permitted, nothing attached" eval \
	'[ $r = 1 ] && one_line "$TMP/u.err" && grep -q "Operation not permitted" "$TMP/u.err" && nothing_attached'

check "nothing left attached at the end" nothing_attached
