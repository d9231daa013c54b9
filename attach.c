// SPDX-License-Identifier: GPL-2.0
/*
 * attach.c - the XDP attach policy every command follows (attach.h):
 * bpf_link else netlink, native else generic, nobody's program replaced
 * unless told and then put back, nothing removed that is not ours.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include "attach.h"
#include "bpf.h"
#include "netlink.h"
#include "prog/tcpinspect.h"

void attach_init(struct attach *a, const char *name, int ifindex, __u32 want,
		 enum attach_how how)
{
	*a = (struct attach){ .ifindex = ifindex, .want = want, .how = how,
			      .link_fd = -1, .prog_fd = -1, .old_fd = -1,
			      .in = HOOK_XDP,
			      .tc = { TC_HOOK_INIT, TC_HOOK_INIT },
			      .trace = TRACE_HOOK_INIT };
	a->tc[0].ingress = 1;
	snprintf(a->name, sizeof(a->name), "%s", name);
}

const char *attach_mode_name(__u32 mode)
{
	return mode == XDP_FLAGS_DRV_MODE ? "native" :
	       mode == XDP_FLAGS_HW_MODE ? "offload" : "generic";
}

static __u32 attached_mode(const struct nl_xdp_info *x)
{
	return x->attached == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
	       x->attached == XDP_ATTACHED_DRV ? XDP_FLAGS_DRV_MODE :
	       x->attached == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE : 0;
}

int xdp_progs(const struct nl_xdp_info *x, struct xdp_prog *p)
{
	int n = 0;

	if (x->attached == XDP_ATTACHED_NONE)
		return 0;
	if (x->drv_prog_id)
		p[n++] = (struct xdp_prog){ XDP_FLAGS_DRV_MODE, x->drv_prog_id };
	if (x->skb_prog_id)
		p[n++] = (struct xdp_prog){ XDP_FLAGS_SKB_MODE, x->skb_prog_id };
	if (x->hw_prog_id)
		p[n++] = (struct xdp_prog){ XDP_FLAGS_HW_MODE, x->hw_prog_id };
	/* Kernels before 4.19 report only the one program, without a mode id. */
	if (!n && x->prog_id && attached_mode(x))
		p[n++] = (struct xdp_prog){ attached_mode(x), x->prog_id };
	return n;
}

int prog_info_by_id(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id), ret;

	memset(info, 0, sizeof(*info));
	if (fd < 0)
		return fd;
	ret = bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	return ret;
}

void prog_name_by_id(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info;

	snprintf(name, len, "%s", prog_info_by_id(id, &info) ? "?" : info.name);
}

__u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* A link reports only the ifindex, which is per network namespace, so
 * the program id must match as well. */
int xdp_link_find(int ifindex, __u32 prog_id, __u32 *link_id)
{
	struct bpf_link_info info;
	__u32 id = 0, len;
	int fd, ret;

	while (!(ret = bpf_link_get_next_id(id, &id))) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd == -ENOENT)
			continue;	/* went away meanwhile */
		if (fd < 0)
			return fd;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_LINK_TYPE_XDP &&
		    info.xdp.ifindex == (__u32)ifindex && info.prog_id == prog_id) {
			*link_id = id;
			return fd;
		}
		close(fd);
	}
	/* EINVAL: a kernel without link ids (< 5.8) has no XDP links either. */
	return ret == -EINVAL ? -ENOENT : ret;
}

int attach_check(struct attach *a, int replace, int beside, char *note,
		 size_t note_len, char *err, size_t err_len)
{
	struct nl_xdp_info x;
	char name[BPF_OBJ_NAME_LEN];
	__u32 id, link_id;
	int ret, fd;

	note[0] = 0;
	ret = nl_xdp_query(a->ifindex, &x);
	if (ret) {
		snprintf(err, err_len, "cannot query XDP state of %s: %s", a->name,
			 strerror(-ret));
		return ret;
	}
	id = x.prog_id ? x.prog_id : x.drv_prog_id ? x.drv_prog_id : x.skb_prog_id;
	if (x.attached == XDP_ATTACHED_NONE || !id)
		return 0;
	prog_name_by_id(id, name, sizeof(name));
	if (!replace && beside) {
		a->beside_id = id;
		snprintf(a->beside_name, sizeof(a->beside_name), "%s", name);
		a->beside_ours = !strcmp(name, TI_PROG_NAME);
		return 0;
	}
	if (!replace) {
		snprintf(err, err_len, "%s already has XDP program %u (%s) attached; not replacing it without --replace",
			 a->name, id, name);
		return -EEXIST;
	}
	if (x.attached == XDP_ATTACHED_MULTI || x.attached == XDP_ATTACHED_HW) {
		snprintf(err, err_len, "%s has XDP programs in several modes or offloaded; --replace handles one",
			 a->name);
		return -EOPNOTSUPP;
	}
	if (a->want && a->want != attached_mode(&x)) {
		snprintf(err, err_len, "program %u on %s is in %s mode; replace it in that mode",
			 id, a->name, attach_mode_name(attached_mode(&x)));
		return -EINVAL;
	}
	/* The kernel lets no one but the link's owner replace its program. */
	fd = xdp_link_find(a->ifindex, id, &link_id);
	if (fd >= 0) {
		close(fd);
		snprintf(err, err_len, "program %u (%s) on %s is held by bpf_link %u; detach it first with 'tcpinspect unload -i %s'",
			 id, name, a->name, link_id, a->name);
		return -EBUSY;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0) {
		snprintf(err, err_len, "cannot take hold of program %u on %s: %s", id,
			 a->name, strerror(-fd));
		return fd;
	}
	a->old_fd = fd;
	a->want = attached_mode(&x);
	snprintf(note, note_len, "replacing XDP program %u (%s) on %s", id, name,
		 a->name);
	return 0;
}

/* Attach in one mode, as a->how allows.  0 or -errno; the kernel's own
 * explanation (netlink extack only) goes to err. */
static int attach_mode(struct attach *a, int prog_fd, __u32 mode, char *err,
		       size_t err_len)
{
	__u32 flags = mode;
	int fd, ret;

	err[0] = 0;
	if (a->how == HOW_LINK ||
	    (a->how == HOW_LINK_ELSE_NETLINK && a->old_fd < 0)) {
		/* A link cannot take over a netlink attachment: remove the
		 * old program first and put it back if the link fails. */
		if (a->old_fd >= 0) {
			ret = nl_xdp_set(a->ifindex, -1, a->old_fd,
					 mode | XDP_FLAGS_REPLACE, err, err_len);
			if (ret)
				return ret;
		}
		fd = bpf_link_create(prog_fd, a->ifindex, BPF_XDP, mode);
		if (fd >= 0) {
			a->link_fd = fd;
			a->kind = ATTACH_LINK;
			a->mode = mode;
			return 0;
		}
		if (a->old_fd >= 0)
			nl_xdp_set(a->ifindex, a->old_fd, -1,
				   mode | XDP_FLAGS_REPLACE, NULL, 0);
		/* EINVAL: a kernel without XDP links (< 5.9); try netlink. */
		if (fd != -EINVAL || a->how == HOW_LINK)
			return fd;
	}
	flags |= a->old_fd >= 0 ? XDP_FLAGS_REPLACE : XDP_FLAGS_UPDATE_IF_NOEXIST;
	ret = nl_xdp_set(a->ifindex, prog_fd, a->old_fd, flags, err, err_len);
	if (ret)
		return ret;
	a->kind = ATTACH_NETLINK;
	a->mode = mode;
	a->prog_fd = prog_fd;
	return 0;
}

/* What to say when the kernel (a bpf_link refusal) says nothing itself. */
static const char *attach_hint(int err, __u32 mode, enum attach_how how)
{
	if ((err == -EOPNOTSUPP || err == -ENOTSUP) && mode == XDP_FLAGS_DRV_MODE)
		return "the driver has no native XDP; try --mode generic";
	if (err == -EBUSY || err == -EEXIST)
		return "another XDP program is attached";
	if (err == -EPERM)
		return "needs root, or CAP_BPF and CAP_NET_ADMIN";
	if (err == -EINVAL && how == HOW_LINK)
		return "--pin needs XDP bpf_link support, Linux 5.9";
	return NULL;
}

int attach_prog(struct attach *a, int prog_fd, char *err, size_t err_len)
{
	char kerr[256];
	const char *why;
	__u32 mode = a->want ? a->want : XDP_FLAGS_DRV_MODE;
	int ret;

	ret = attach_mode(a, prog_fd, mode, kerr, sizeof(kerr));
	/* auto: native, else generic (which every interface has). */
	if (ret && !a->want && ret != -EPERM && ret != -EBUSY && ret != -EEXIST) {
		mode = XDP_FLAGS_SKB_MODE;
		ret = attach_mode(a, prog_fd, mode, kerr, sizeof(kerr));
	}
	if (ret) {
		why = attach_hint(ret, mode, a->how);
		snprintf(err, err_len, "cannot attach to %s in %s mode: %s%s%s%s",
			 a->name, attach_mode_name(mode), strerror(-ret),
			 *kerr ? " (kernel: " : why ? " (" : "",
			 *kerr ? kerr : why ? why : "", *kerr || why ? ")" : "");
	}
	return ret;
}

int attach_undo(struct attach *a, char *err, size_t err_len)
{
	char kerr[256] = "";
	int ret = 0;

	if (a->kind == ATTACH_LINK) {
		close(a->link_fd);
		a->link_fd = -1;
		if (a->old_fd >= 0)
			ret = nl_xdp_set(a->ifindex, a->old_fd, -1,
					 a->mode | XDP_FLAGS_REPLACE, kerr, sizeof(kerr));
	} else if (a->kind == ATTACH_NETLINK) {
		/* Only if ours is still the one attached; put back what we replaced. */
		ret = nl_xdp_set(a->ifindex, a->old_fd, a->prog_fd,
				 a->mode | XDP_FLAGS_REPLACE, kerr, sizeof(kerr));
	}
	/* The interface went away, and every program on it. */
	if (ret == -ENODEV)
		ret = 0;
	if (ret)
		snprintf(err, err_len, "cannot detach from %s: %s (kernel: %s)",
			 a->name, strerror(-ret), *kerr ? kerr : "-");
	if (a->old_fd >= 0)
		close(a->old_fd);
	a->old_fd = -1;
	a->kind = ATTACH_NONE;
	return ret;
}

void attach_keep(struct attach *a)
{
	if (a->link_fd >= 0)
		close(a->link_fd);
	if (a->old_fd >= 0)
		close(a->old_fd);
	a->link_fd = a->old_fd = -1;
	a->kind = ATTACH_NONE;
}
