// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_load.c - a user's XDP object: `load` attaches it and leaves it
 * attached (netlink, or a bpf_link pinned with --pin), `unload` detaches
 * whatever is on an interface.  All by attach.c's policy: nothing
 * replaced without --replace.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/statfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include "attach.h"
#include "bpf.h"
#include "hook.h"
#include "cmd.h"
#include "loader.h"
#include "netlink.h"
#include "replay.h"
#include "session.h"

/*
 * Index in o->elf.progs of the program load should attach, or -1: the
 * first in section --section, the one called --prog, or without either
 * the first in a section named as XDP programs are (elf_find_prog).
 */
static int select_prog(const struct ld_obj *obj, const struct opts *o)
{
	const struct elf_prog *p;
	__u32 i;

	if (!o->section && !o->prog) {
		p = elf_find_prog(&obj->elf, NULL);
		return p ? p - obj->elf.progs : -1;
	}
	for (i = 0; i < obj->elf.prog_cnt; i++)
		if ((o->section && !strcmp(obj->elf.progs[i].sec_name, o->section)) ||
		    (o->prog && !strcmp(obj->elf.progs[i].name, o->prog)))
			return i;
	return -1;
}

/* "NAME (section SEC), ..." : what the object offers, for an error line. */
static void list_progs(const struct ld_obj *obj, char *s, size_t len)
{
	size_t used = 0;
	__u32 i;

	s[0] = 0;
	for (i = 0; i < obj->elf.prog_cnt && used < len; i++)
		used += snprintf(s + used, len - used, "%s%s (section %s)",
				 i ? ", " : "", obj->elf.progs[i].name,
				 obj->elf.progs[i].sec_name);
}

/* Where load --pin pins the link of ifname: DIR/xdp-link-IFNAME, and
 * for a TC or tracing program DIR/tcx-ingress-IFNAME, DIR/tcx-egress-
 * IFNAME, DIR/trace-IFNAME.  The '-' keeps them apart from maps pinned
 * by (C identifier) name. */
static int pin_path(char *path, size_t len, const char *dir, const char *kind,
		    const char *ifname)
{
	int n = snprintf(path, len, "%s/%s-%s", dir, kind, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int link_pin_path(char *path, size_t len, const char *dir,
			 const char *ifname)
{
	return pin_path(path, len, dir, "xdp-link", ifname);
}

/* What load attaches a program of this type to: its pin's kind. */
static const char *pin_kind(const struct elf_prog *p, const struct opts *o)
{
	if (p->type == BPF_PROG_TYPE_TRACING)
		return "trace";
	if (p->type == BPF_PROG_TYPE_SCHED_CLS)
		return o->tc == 2 || p->attach_type == TI_BPF_TCX_EGRESS ?
		       "tcx-egress" : "tcx-ingress";
	return "xdp-link";
}

/*
 * load of a TC program (--tc ingress|egress, or its tcx/ section says
 * which): a tcx link pinned with --pin, else a direct-action cls_bpf
 * filter over netlink (clsact made if the interface has none); of an
 * fentry/fexit program (--to-xdp): on the interface's XDP program, its
 * link pinned (--pin: a tracing link lives no longer than its holder).
 * The object is parsed and selected (obj->prog); 0 or an exit status.
 */
static int load_beside(const struct opts *o, struct ld_obj *obj, int ifindex,
		       const struct probe *kp, const char *pin)
{
	const struct elf_prog *p = obj->prog;
	struct trace_hook t = TRACE_HOOK_INIT;
	struct tc_hook h = TC_HOOK_INIT;
	struct bpf_link_info li;
	struct bpf_prog_info pi;
	struct nl_xdp_info x;
	struct xdp_prog xp[3];
	char err[4096], name[BPF_OBJ_NAME_LEN];
	__u32 len;
	int ingress, fd, ret, link = -1, status = EXIT_RUNTIME;

	if (p->type == BPF_PROG_TYPE_TRACING) {
		if (!o->to_xdp) {
			msg("program %s (section %s) is an fentry/fexit program: attach it to an interface's XDP program with --to-xdp IFACE",
			    p->name, p->sec_name);
			return EXIT_USAGE;
		}
		if (!o->pin_dir) {
			msg("an fentry/fexit program stays attached only while its link is held: give --pin DIR (a BPF file system) to leave it there");
			return EXIT_USAGE;
		}
		ret = nl_xdp_query(ifindex, &x);
		if (ret || xdp_progs(&x, xp) != 1) {
			msg(ret ? "cannot query XDP state of %s: %s" :
			    "%s has %s: --to-xdp traces exactly one", o->iface,
			    ret ? strerror(-ret) : "no XDP program, or one in each of several modes");
			return EXIT_RUNTIME;
		}
		if (trace_target(&t, xp[0].id, err, sizeof(err))) {
			msg("%s", err);
			return EXIT_RUNTIME;
		}
		obj->attach_prog_fd = t.target_fd;
		obj->attach_btf_id = t.btf_id;
	} else if (p->attach_type != TI_BPF_TCX_INGRESS &&
		   p->attach_type != TI_BPF_TCX_EGRESS && !o->tc) {
		msg("program %s (section %s) is a TC program: say where with --tc ingress or --tc egress",
		    p->name, p->sec_name);
		return EXIT_USAGE;
	}
	if (p->type == BPF_PROG_TYPE_SCHED_CLS && o->pin_dir && !kp->has[PROBE_TCX]) {
		msg("--pin of a TC program needs tcx (Linux 6.6), which this kernel lacks; without --pin, load adds a cls_bpf filter over netlink");
		return EXIT_USAGE;
	}
	obj->conv_too = 0;
	ret = ld_load(obj, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		goto out;
	}
	if (obj->note[0])
		msg("%s", obj->note);
	fd = obj->prog_fds[p - obj->elf.progs];
	if (p->type == BPF_PROG_TYPE_TRACING) {
		link = bpf_trace_attach(fd);
		if (link < 0) {
			msg("cannot attach %s to XDP program %u on %s: %s", p->name,
			    t.target_id, o->iface, strerror(-link));
			goto out;
		}
	} else {
		ingress = o->tc ? o->tc == 1 : p->attach_type == TI_BPF_TCX_INGRESS;
		snprintf(name, sizeof(name), "%s", p->name);
		ret = tc_hook_attach(&h, ifindex, ingress, fd, !!o->pin_dir, name,
				     err, sizeof(err));
		if (ret) {
			msg("%s: %s", o->iface, err);
			goto out;
		}
		link = h.link_fd;
	}
	if (link >= 0) {
		ret = bpf_obj_pin(link, pin);
		if (ret) {
			msg("cannot pin the link at %s: %s", pin, strerror(-ret));
			goto out;
		}
	}
	memset(&pi, 0, sizeof(pi));
	len = sizeof(pi);
	bpf_obj_get_info_by_fd(fd, &pi, &len);
	memset(&li, 0, sizeof(li));
	len = sizeof(li);
	if (link >= 0)
		bpf_obj_get_info_by_fd(link, &li, &len);
	if (p->type == BPF_PROG_TYPE_TRACING)
		printf("loaded prog id %u (%s) on XDP program %u of %s (%s, bpf_link %u)\nlink id %u pinned at %s\n",
		       pi.id, pi.name, t.target_id, o->iface,
		       p->attach_type == BPF_TRACE_FEXIT ? "fexit" : "fentry",
		       li.id, li.id, pin);
	else if (link >= 0)
		printf("loaded prog id %u (%s) on %s (tcx %s, bpf_link %u)\nlink id %u pinned at %s\n",
		       pi.id, pi.name, o->iface, h.ingress ? "ingress" : "egress",
		       li.id, li.id, pin);
	else
		printf("loaded prog id %u (%s) on %s (tc %s, cls_bpf prio %u)\n", pi.id,
		       pi.name, o->iface, h.ingress ? "ingress" : "egress", h.prio);
	status = 0;
out:
	if (link >= 0)
		close(link);	/* the pin, or the netlink filter, holds it */
	trace_detach(&t);
	return status;
}

/* --pin DIR must be a mounted bpffs; 0 or EXIT_USAGE (said why). */
static int check_pin_dir(const char *dir)
{
	struct statfs st;

	if (statfs(dir, &st)) {
		msg("cannot use pin directory %s: %s", dir, strerror(errno));
		return EXIT_USAGE;
	}
	if ((__u32)st.f_type != BPF_FS_MAGIC) {
		msg("%s is not a BPF file system (mount one: mount -t bpf bpf %s)",
		    dir, dir);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * What load left behind: the program, its link, and the maps that
 * outlive us (those the program uses, and pinned ones).  A program
 * array nobody holds is emptied by the kernel when we exit: say so.
 */
static void print_loaded(const struct opts *o, const struct attach *a,
			 const struct ld_obj *obj, int prog_fd,
			 const char *pin)
{
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	struct bpf_link_info li;
	__u32 map_ids[ELF_MAX_MAPS], len, i, j;
	int used;

	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = ELF_MAX_MAPS;
	pi.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		pi.nr_map_ids = 0;
	if (pi.nr_map_ids > ELF_MAX_MAPS)
		pi.nr_map_ids = ELF_MAX_MAPS;
	memset(&li, 0, sizeof(li));
	len = sizeof(li);
	if (a->kind == ATTACH_LINK)
		bpf_obj_get_info_by_fd(a->link_fd, &li, &len);

	printf("loaded prog id %u (%s) on %s (%s mode, ", pi.id, pi.name,
	       o->iface, attach_mode_name(a->mode));
	if (a->kind == ATTACH_LINK)
		printf("bpf_link %u)\nlink id %u pinned at %s\n", li.id, li.id, pin);
	else
		printf("netlink)\n");
	for (i = 0; i < obj->elf.map_cnt; i++) {
		if (obj->map_fds[i] < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(obj->map_fds[i], &mi, &len))
			continue;
		for (used = 0, j = 0; j < pi.nr_map_ids; j++)
			used |= map_ids[j] == mi.id;
		if (!used && !obj->elf.maps[i].pinning)
			continue;
		printf("map id %u name %s type %u\n", mi.id, mi.name, mi.type);
		if (mi.type == BPF_MAP_TYPE_PROG_ARRAY && !obj->elf.maps[i].pinning)
			msg("warning: program array %s is not pinned: the kernel empties it when tcpinspect exits, so tail calls through it will fail (pin it: pinning = LIBBPF_PIN_BY_NAME)",
			    obj->elf.maps[i].name);
	}
}

/* tcpinspect load OBJ.o -i IFACE ...: attach and leave it attached. */
int cmd_load(struct opts *o)
{
	static struct ld_obj obj;
	static struct probe kp;
	struct replay_file file;
	struct attach a;
	char err[4096], pin[PATH_MAX], progs[512], note[256];
	int ret, idx, ifindex, status = EXIT_USAGE;

	if (o->to_xdp && strcmp(o->to_xdp, o->iface)) {
		msg("--to-xdp %s and -i %s: name the interface once", o->to_xdp, o->iface);
		return EXIT_USAGE;
	}
	if (ses_iface_index(o, &ifindex))
		return EXIT_USAGE;
	attach_init(&a, o->iface, ifindex, o->mode,
		    o->pin_dir ? HOW_LINK : HOW_NETLINK);
	if (o->pin_dir && check_pin_dir(o->pin_dir))
		return EXIT_USAGE;
	/* The object in memory: mapped, or read (a pipe, "-"). */
	ret = replay_file_open(&file, o->obj_path);
	if (ret) {
		msg("cannot read %s: %s", o->obj_path, strerror(-ret));
		return EXIT_USAGE;
	}
	obj.pin_dir = o->pin_dir;
	if (o->verbose)
		obj.log_fn = log_line;
	status = EXIT_RUNTIME;
	ret = ld_parse(&obj, file.buf, file.len, err, sizeof(err));
	if (ret) {
		msg("%s: %s", o->obj_path, err);
		goto out_buf;
	}
	idx = select_prog(&obj, o);
	if (idx < 0 && !o->section && !o->prog) {
		msg("%s: no XDP program in the object", o->obj_path);
		goto out_obj;
	}
	if (idx < 0) {
		list_progs(&obj, progs, sizeof(progs));
		msg("no program %s '%s' in %s; it has: %s",
		    o->section ? "in section" : "named",
		    o->section ? o->section : o->prog, o->obj_path,
		    *progs ? progs : "no XDP program");
		status = EXIT_USAGE;
		goto out_obj;
	}
	if (!o->section && !o->prog && obj.elf.prog_cnt > 1)
		msg("%s has %u programs: taking %s (section %s), the first %s; name another with --section or --prog",
		    o->obj_path, obj.elf.prog_cnt, obj.elf.progs[idx].name,
		    obj.elf.progs[idx].sec_name,
		    obj.elf.progs[idx].conv ? "in a section named as XDP programs are (xdp, xdp/..., xdp.frags, xdp_..., prog)" :
		    "in the object (none is in a section named xdp, xdp/..., xdp.frags, xdp_... or prog)");
	/* The one to attach, every other in an XDP section, and those
	 * that program arrays name: as ip and libbpf load them all. */
	obj.prog = &obj.elf.progs[idx];
	obj.conv_too = 1;
	if (o->pin_dir) {
		if (pin_path(pin, sizeof(pin), o->pin_dir, pin_kind(obj.prog, o),
			     o->iface)) {
			msg("pin directory name too long: %s", o->pin_dir);
			status = EXIT_USAGE;
			goto out_obj;
		}
		if (!access(pin, F_OK)) {
			msg("%s already exists: remove it, or run 'tcpinspect unload -i %s --pin %s%s'",
			    pin, o->iface, o->pin_dir,
			    obj.prog->type == BPF_PROG_TYPE_SCHED_CLS ?
			    strstr(pin_kind(obj.prog, o), "egress") ? " --tc egress" : " --tc ingress" : "");
			goto out_obj;
		}
	}
	if (ses_probe(o, &kp))
		goto out_obj;
	if (obj.prog->type != BPF_PROG_TYPE_XDP) {
		status = load_beside(o, &obj, ifindex, &kp, pin);
		goto out_obj;
	}
	if (o->tc || o->to_xdp) {
		msg("program %s (section %s) is an XDP program: it attaches to the interface itself (no --tc, no --to-xdp)",
		    obj.prog->name, obj.prog->sec_name);
		status = EXIT_USAGE;
		goto out_obj;
	}
	if (o->pin_dir && !kp.has[PROBE_LINK]) {
		msg("--pin needs XDP bpf_link (Linux 5.9), which this kernel lacks; without --pin, load attaches over netlink");
		goto out_obj;
	}
	obj.no_btf = !kp.has[PROBE_BTF];
	if (attach_check(&a, o->replace, 0, note, sizeof(note), err, sizeof(err))) {
		msg("%s", err);
		goto out_obj;
	}
	if (*note)
		msg("%s", note);
	ret = ld_load(&obj, err, sizeof(err));
	if (ret) {
		msg("%s", err);
		goto out_obj;
	}
	if (obj.note[0])
		msg("%s", obj.note);
	if (attach_prog(&a, obj.prog_fds[idx], err, sizeof(err))) {
		msg("%s", err);
		goto out_obj;
	}
	if (o->pin_dir) {
		ret = bpf_obj_pin(a.link_fd, pin);
		if (ret) {
			msg("cannot pin the link at %s: %s", pin, strerror(-ret));
			if (attach_undo(&a, err, sizeof(err)))
				msg("%s", err);
			goto out_obj;
		}
	}
	print_loaded(o, &a, &obj, obj.prog_fds[idx], pin);
	if (fflush(stdout) || ferror(stdout))
		msg("cannot write output: %s", strerror(errno));
	status = 0;
	/* Stay attached: the netlink attachment or the pinned link holds it. */
	attach_keep(&a);
out_obj:
	attach_keep(&a);
	ld_close(&obj);
out_buf:
	replay_file_close(&file);
	return status;
}

/*
 * With unload --pin DIR: remove DIR/xdp-link-IFACE if it pins an XDP
 * link that is attached nowhere any more.  0 or an exit status.
 */
static int unpin_link(const struct opts *o)
{
	struct bpf_link_info li;
	char pin[PATH_MAX];
	__u32 len = sizeof(li);
	int fd, ret = 0;

	if (link_pin_path(pin, sizeof(pin), o->pin_dir, o->iface)) {
		msg("pin directory name too long: %s", o->pin_dir);
		return EXIT_USAGE;
	}
	fd = bpf_obj_get(pin);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		msg("cannot open pin %s: %s", pin, strerror(-fd));
		return EXIT_RUNTIME;
	}
	memset(&li, 0, sizeof(li));
	if (bpf_obj_get_info_by_fd(fd, &li, &len) || li.type != BPF_LINK_TYPE_XDP) {
		msg("%s is not an XDP bpf_link; left in place", pin);
		ret = EXIT_RUNTIME;
	} else if (li.xdp.ifindex) {
		msg("%s holds bpf_link %u, still attached to ifindex %u; left in place",
		    pin, li.id, li.xdp.ifindex);
		ret = EXIT_RUNTIME;
	} else if (unlink(pin)) {
		msg("cannot remove %s: %s", pin, strerror(errno));
		ret = EXIT_RUNTIME;
	} else {
		printf("removed pin %s (bpf_link %u)\n", pin, li.id);
	}
	close(fd);
	return ret;
}

/* Detach program p from ifindex: over netlink, or its bpf_link if it has
 * one (netlink then says EBUSY).  0 or an exit status. */
static int unload_one(const struct opts *o, int ifindex, const struct xdp_prog *p)
{
	char name[BPF_OBJ_NAME_LEN], kerr[256];
	__u32 link_id = 0;
	int fd, link_fd = -1, ret;

	fd = bpf_prog_get_fd_by_id(p->id);
	if (fd < 0) {
		msg("cannot take hold of program %u on %s: %s%s", p->id, o->iface,
		    strerror(-fd), fd == -EPERM ? " (needs root, or CAP_SYS_ADMIN)" : "");
		return EXIT_RUNTIME;
	}
	prog_name_by_id(p->id, name, sizeof(name));
	/* Only this program: a newer one attached meanwhile stays. */
	ret = nl_xdp_set(ifindex, -1, fd, p->mode | XDP_FLAGS_REPLACE, kerr,
			 sizeof(kerr));
	if (ret == -EBUSY) {
		link_fd = xdp_link_find(ifindex, p->id, &link_id);
		ret = link_fd < 0 ? link_fd == -ENOENT ? -EBUSY : link_fd :
		      bpf_link_detach(link_fd);
		if (link_fd >= 0)
			kerr[0] = 0;
	}
	if (ret)
		msg("cannot detach program %u (%s) from %s (%s mode): %s%s%s%s",
		    p->id, name, o->iface, attach_mode_name(p->mode), strerror(-ret),
		    *kerr ? " (kernel: " : "", kerr, *kerr ? ")" : "");
	else if (link_fd >= 0)
		printf("detached prog id %u (%s) from %s (%s mode, bpf_link %u)\n",
		       p->id, name, o->iface, attach_mode_name(p->mode), link_id);
	else
		printf("detached prog id %u (%s) from %s (%s mode, netlink)\n",
		       p->id, name, o->iface, attach_mode_name(p->mode));
	if (link_fd >= 0)
		close(link_fd);
	close(fd);
	return ret ? EXIT_RUNTIME : 0;
}

/* The link pinned at DIR/KIND-IFACE, if there is one: detached and
 * unpinned.  0 or an exit status. */
static int unpin_detach(const struct opts *o, const char *kind)
{
	char pin[PATH_MAX];
	int fd, ret;

	if (pin_path(pin, sizeof(pin), o->pin_dir, kind, o->iface)) {
		msg("pin directory name too long: %s", o->pin_dir);
		return EXIT_USAGE;
	}
	fd = bpf_obj_get(pin);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		msg("cannot open pin %s: %s", pin, strerror(-fd));
		return EXIT_RUNTIME;
	}
	ret = bpf_link_detach(fd);
	close(fd);
	if (ret && ret != -ENOLINK) {
		msg("cannot detach the link pinned at %s: %s", pin, strerror(-ret));
		return EXIT_RUNTIME;
	}
	if (unlink(pin)) {
		msg("cannot remove %s: %s", pin, strerror(errno));
		return EXIT_RUNTIME;
	}
	printf("detached and removed pin %s\n", pin);
	return 0;
}

/* unload --tc HOOK: cls_bpf filters (not captures'), a pinned tcx link. */
static int unload_tc(const struct opts *o, int ifindex)
{
	char err[512];
	int n, status = 0;

	n = tc_hook_unload(ifindex, o->tc == 1, err, sizeof(err));
	if (n < 0) {
		msg("%s: %s", o->iface, err);
		status = EXIT_RUNTIME;
	} else if (n) {
		printf("removed %d cls_bpf filter%s from %s (tc %s)\n", n, n > 1 ? "s" : "",
		       o->iface, o->tc == 1 ? "ingress" : "egress");
	} else if (!o->pin_dir) {
		printf("no TC program on %s (tc %s)\n", o->iface,
		       o->tc == 1 ? "ingress" : "egress");
	}
	if (o->pin_dir && !status)
		status = unpin_detach(o, o->tc == 1 ? "tcx-ingress" : "tcx-egress");
	return status;
}

/* tcpinspect unload -i IFACE [--pin DIR]: like `ip link set dev IFACE xdp
 * off`, nothing attached is success; but links are detached too. */
int cmd_unload(struct opts *o)
{
	struct nl_xdp_info x;
	struct xdp_prog p[3];
	int ifindex, ret, n, i, status = 0;

	if (ses_iface_index(o, &ifindex))
		return EXIT_USAGE;
	if (o->pin_dir && check_pin_dir(o->pin_dir))
		return EXIT_USAGE;
	if (o->tc)
		return unload_tc(o, ifindex);
	/* an fentry/fexit program load --to-xdp pinned goes first */
	if (o->pin_dir && unpin_detach(o, "trace"))
		return EXIT_RUNTIME;
	ret = nl_xdp_query(ifindex, &x);
	if (ret) {
		msg("cannot query XDP state of %s: %s", o->iface, strerror(-ret));
		return EXIT_RUNTIME;
	}
	n = xdp_progs(&x, p);
	if (!n)
		printf("no XDP program on %s\n", o->iface);
	for (i = 0; i < n; i++)
		if (unload_one(o, ifindex, &p[i]))
			status = EXIT_RUNTIME;
	if (o->pin_dir && !status)
		status = unpin_link(o);
	return status;
}
