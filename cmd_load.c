// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_load.c - a user's XDP object: `load` attaches it and leaves it
 * attached (netlink, or a bpf_link pinned with --pin), `unload` detaches
 * whatever is on an interface, `show` lists what is attached.  All by
 * attach.c's policy: nothing replaced without --replace.
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

/* Where load --pin pins the link of ifname: DIR/xdp-link-IFNAME.  The
 * '-' keeps it apart from maps pinned by (C identifier) name. */
static int link_pin_path(char *path, size_t len, const char *dir,
			 const char *ifname)
{
	int n = snprintf(path, len, "%s/xdp-link-%s", dir, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
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

	if (ses_iface_index(o, &ifindex))
		return EXIT_USAGE;
	attach_init(&a, o->iface, ifindex, o->mode,
		    o->pin_dir ? HOW_LINK : HOW_NETLINK);
	if (o->pin_dir) {
		if (check_pin_dir(o->pin_dir))
			return EXIT_USAGE;
		if (link_pin_path(pin, sizeof(pin), o->pin_dir, o->iface)) {
			msg("pin directory name too long: %s", o->pin_dir);
			return EXIT_USAGE;
		}
		if (!access(pin, F_OK)) {
			msg("%s already exists: remove it, or run 'tcpinspect unload -i %s --pin %s'",
			    pin, o->iface, o->pin_dir);
			return EXIT_RUNTIME;
		}
	}
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
	if (ses_probe(o, &kp))
		goto out_obj;
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

struct show {
	int warned;		/* said once that details need privilege */
};

static int show_one(const struct nl_xdp_info *x, void *arg)
{
	struct show *sh = arg;
	struct bpf_prog_info info;
	struct xdp_prog p[3];
	char tag[2 * BPF_TAG_SIZE + 1] = "?";
	__u32 link_id;
	int n, i, j, ret, fd;

	n = xdp_progs(x, p);
	for (i = 0; i < n; i++) {
		ret = prog_info_by_id(p[i].id, &info);
		if (ret && !sh->warned++)
			msg("cannot read program details: %s%s", strerror(-ret),
			    ret == -EPERM ? " (needs root, or CAP_SYS_ADMIN)" : "");
		for (j = 0; !ret && j < BPF_TAG_SIZE; j++)
			snprintf(tag + 2 * j, 3, "%02x", info.tag[j]);
		printf("%s ifindex %d mode %s id %u name %s tag %s", x->ifname,
		       x->ifindex, attach_mode_name(p[i].mode), p[i].id,
		       ret ? "?" : info.name, tag);
		fd = ret ? -1 : xdp_link_find(x->ifindex, p[i].id, &link_id);
		if (fd >= 0) {
			printf(" link %u", link_id);
			close(fd);
		}
		printf("\n");
	}
	return 0;
}

/* tcpinspect show: one line per XDP program, nothing if there is none. */
int cmd_show(struct opts *o)
{
	struct show sh = { 0 };
	int ret;

	ret = nl_xdp_dump(show_one, &sh);
	if (ret) {
		msg("cannot list interfaces: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	if (fflush(stdout) || ferror(stdout)) {
		msg("cannot write output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

