// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_show.c - `tcpinspect show`: per interface, the XDP programs
 * attached, the TC programs (tcx links, cls_bpf filters) and fentry/
 * fexit programs on its XDP program, and every tcpinspect capture
 * beside them: its process, and where its program runs.
 *
 * The kernel does not say which process holds a bpf_link or a program:
 * /proc/PID/fdinfo does, for each descriptor (link_id, prog_id), and is
 * read once.  A cls_bpf filter of a capture carries its pid in its name.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_sched.h>
#include "attach.h"
#include "bpf.h"
#include "cmd.h"
#include "hook.h"
#include "netlink.h"
#include "prog/tcpinspect.h"
#include "session.h"

#define HOLD_MAX	1024

/* Who holds which link or program: from every process's fdinfo. */
struct holder {
	__u32 id;
	int link;		/* a bpf_link's id, else a program's */
	int pid;
};

struct show {
	struct holder h[HOLD_MAX];
	int cnt;
	int warned;		/* said once that details need privilege */
};

static void read_fdinfo(struct show *sh, int pid, const char *fd)
{
	char path[320], line[128];
	unsigned int id;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && sh->cnt < HOLD_MAX) {
		int link = !strncmp(line, "link_id:", 8);

		if (!link && strncmp(line, "prog_id:", 8))
			continue;
		id = strtoul(line + 8, NULL, 10);
		if (id)
			sh->h[sh->cnt++] = (struct holder){ id, link, pid };
		if (link)
			break;	/* a link's prog_id is not a holder of it */
	}
	fclose(f);
}

/* Every process's descriptors of BPF links and programs. */
static void read_holders(struct show *sh)
{
	struct dirent *p, *d;
	char path[320], target[64];
	DIR *procs, *fds;
	ssize_t n;
	int pid;

	procs = opendir("/proc");
	if (!procs)
		return;
	while ((p = readdir(procs))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		pid = atoi(p->d_name);
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((d = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, d->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = 0;
			if (!strcmp(target, "anon_inode:bpf_link") ||
			    !strcmp(target, "anon_inode:bpf-prog"))
				read_fdinfo(sh, pid, d->d_name);
		}
		closedir(fds);
	}
	closedir(procs);
}

/* The pid holding link (or program) id, other than ourselves; 0 if none. */
static int holder(const struct show *sh, __u32 id, int link)
{
	int i;

	for (i = 0; i < sh->cnt; i++)
		if (sh->h[i].id == id && sh->h[i].link == link &&
		    sh->h[i].pid != getpid())
			return sh->h[i].pid;
	return 0;
}

static void prog_name(__u32 id, char *name, size_t len)
{
	prog_name_by_id(id, name, len);
}

/* One line per XDP program, with the process that holds it if one does. */
static void show_xdp(struct show *sh, const struct nl_xdp_info *x)
{
	struct bpf_prog_info info;
	struct xdp_prog p[3];
	char tag[2 * BPF_TAG_SIZE + 1];
	__u32 link_id;
	int n, i, j, ret, fd, pid;

	n = xdp_progs(x, p);
	for (i = 0; i < n; i++) {
		ret = prog_info_by_id(p[i].id, &info);
		if (ret && !sh->warned++)
			msg("cannot read program details: %s%s", strerror(-ret),
			    ret == -EPERM ? " (needs root, or CAP_SYS_ADMIN)" : "");
		strcpy(tag, "?");
		for (j = 0; !ret && j < BPF_TAG_SIZE; j++)
			snprintf(tag + 2 * j, 3, "%02x", info.tag[j]);
		printf("%s ifindex %d mode %s id %u name %s tag %s", x->ifname,
		       x->ifindex, attach_mode_name(p[i].mode), p[i].id,
		       ret ? "?" : info.name, tag);
		fd = ret ? -1 : xdp_link_find(x->ifindex, p[i].id, &link_id);
		pid = 0;
		if (fd >= 0) {
			printf(" link %u", link_id);
			pid = holder(sh, link_id, 1);
			close(fd);
		}
		/* a capture over netlink holds its program */
		if (!pid && !ret && !strcmp(info.name, TI_PROG_NAME))
			pid = holder(sh, p[i].id, 0);
		if (pid)
			printf(" pid %d", pid);
		printf("\n");
	}
}

/* A capture's line: "vb ifindex 2 capture pid 31 hook tcx egress prog id 9 name ti_tc_out". */
static void capture_line(const struct nl_xdp_info *x, int pid, const char *hook,
			 __u32 prog_id, const char *extra)
{
	char name[BPF_OBJ_NAME_LEN];

	prog_name(prog_id, name, sizeof(name));
	printf("%s ifindex %d capture pid %d hook %s prog id %u name %s%s\n",
	       x->ifname, x->ifindex, pid, hook, prog_id, name, extra);
}

/* tcx links on the interface, and tracing links on its XDP programs,
 * that run tcpinspect's programs. */
static void show_links(struct show *sh, const struct nl_xdp_info *x)
{
	struct xdp_prog p[3];
	struct bpf_link_info li;
	char name[BPF_OBJ_NAME_LEN], hook[64], extra[32];
	__u32 id = 0, len, *tcx;
	int fd, n, i, pid;

	n = xdp_progs(x, p);
	while (!bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&li, 0, sizeof(li));
		len = sizeof(li);
		if (bpf_obj_get_info_by_fd(fd, &li, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		prog_name(li.prog_id, name, sizeof(name));
		snprintf(extra, sizeof(extra), " link %u", li.id);
		pid = holder(sh, li.id, 1);
		if (li.type == TI_BPF_LINK_TYPE_TCX) {
			/* tcx: ifindex, attach_type, as xdp's ifindex sits */
			tcx = (__u32 *)&li.xdp;
			if (tcx[0] != (__u32)x->ifindex)
				continue;
			snprintf(hook, sizeof(hook), "tcx %s",
				 tcx[1] == TI_BPF_TCX_EGRESS ? "egress" : "ingress");
			if (!strcmp(name, TI_PROG_TC_IN) || !strcmp(name, TI_PROG_TC_OUT)) {
				capture_line(x, pid, hook, li.prog_id, extra);
				continue;
			}
		} else if (li.type == BPF_LINK_TYPE_TRACING) {
			for (i = 0; i < n; i++)
				if (li.tracing.target_obj_id == p[i].id)
					break;
			if (i == n || !strcmp(name, TI_PROG_EXIT))
				continue;
			if (!strcmp(name, TI_PROG_ENTRY)) {
				snprintf(hook, sizeof(hook), "fentry/fexit on id %u", p[i].id);
				capture_line(x, pid, hook, li.prog_id, extra);
				continue;
			}
			snprintf(hook, sizeof(hook), "%s on id %u",
				 li.tracing.attach_type == BPF_TRACE_FEXIT ? "fexit" : "fentry",
				 p[i].id);
		} else {
			continue;
		}
		/* a program load put there */
		printf("%s ifindex %d %s id %u name %s link %u", x->ifname,
		       x->ifindex, hook, li.prog_id, name, li.id);
		if (pid)
			printf(" pid %d", pid);
		printf("\n");
	}
}

struct filter_arg {
	const struct nl_xdp_info *x;
};

static int filter_one(const struct nl_tc_filter *f, void *arg)
{
	const struct nl_xdp_info *x = ((struct filter_arg *)arg)->x;
	char hook[32], extra[32];
	size_t n = strlen(HOOK_TC_NAME);

	if (strcmp(f->kind, "bpf"))
		return 0;
	snprintf(hook, sizeof(hook), "tc %s",
		 f->parent == TC_H_MIN_EGRESS ? "egress" : "ingress");
	snprintf(extra, sizeof(extra), " prio %u", f->prio);
	if (!strncmp(f->name, HOOK_TC_NAME, n))
		capture_line(x, atoi(f->name + n), hook, f->prog_id, extra);
	else		/* a program load (or tc) put there */
		printf("%s ifindex %d %s id %u name %s prio %u\n", x->ifname,
		       x->ifindex, hook, f->prog_id, f->name, f->prio);
	return 0;
}

static int show_one(const struct nl_xdp_info *x, void *arg)
{
	struct show *sh = arg;
	struct filter_arg fa = { x };

	show_xdp(sh, x);
	show_links(sh, x);
	nl_tc_dump(x->ifindex, TC_H_MIN_INGRESS, filter_one, &fa);
	nl_tc_dump(x->ifindex, TC_H_MIN_EGRESS, filter_one, &fa);
	return 0;
}

/* tcpinspect show: one line per XDP program and per capture, nothing if
 * there is none. */
int cmd_show(struct opts *o)
{
	static struct show sh;
	int ret;

	read_holders(&sh);
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
