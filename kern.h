/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kern.h - what the running kernel says about itself, for the loader:
 * its BTF (/sys/kernel/btf/vmlinux and each module's split BTF beside
 * it), its configuration (/proc/config.gz, else /boot/config-RELEASE),
 * its release (uname), its symbols (/proc/kallsyms) and its possible
 * CPUs.  Each is read only when asked for.  No printing: functions
 * return 0 (or a count) or -errno, detail in err where one is taken.
 */
#ifndef TCPINSPECT_KERN_H
#define TCPINSPECT_KERN_H

#include <stddef.h>
#include <linux/types.h>
#include "btf.h"

#define KERN_BTF_DIR	"/sys/kernel/btf"

struct kern_mod {
	char name[64];
	void *buf;
	__u32 *offs;
	struct btf btf;		/* split on the kernel's */
	int fd;			/* its BTF in the kernel (kern_mod_fd), or -1 */
};

struct kern {
	/* BTF, after kern_btf(): all[0] the kernel's, all[1..] modules' */
	struct btf vmlinux;
	void *vmlinux_buf;
	__u32 *vmlinux_offs;
	struct kern_mod *mods;
	int mod_cnt;
	const struct btf **all;
	int btf_read;		/* 0 not yet, 1 read, -errno missing */
	/* configuration, after kern_config() */
	char *config;
	size_t config_len;
	int config_read;	/* 0 not yet, 1 read, -errno missing */
	char config_path[128];
};

/* Read the kernel's BTF and its modules' (once); -ENOENT without. */
int kern_btf(struct kern *k, char *err, size_t err_len);
/* The fd of module mod's BTF object (found once by name among the
 * kernel's BTF objects); kern_free() closes it. */
int kern_mod_fd(struct kern *k, int mod, char *err, size_t err_len);

/*
 * CONFIG_name in the kernel's configuration: 1 and its value (the text
 * after '=', *val_len bytes, not terminated), 0 if "is not set",
 * -ENOENT if absent, -ENODATA if there is no configuration to read.
 */
int kern_config(struct kern *k, const char *name, const char **val,
		size_t *val_len);
/* The same lookup in a configuration's text; pure. */
int kconfig_find(const char *text, size_t len, const char *name,
		 const char **val, size_t *val_len);

/* KERNEL_VERSION(a, b, c) of the running kernel's release. */
int kern_version(__u32 *version);
/* A kernel symbol's address from /proc/kallsyms: 0, -ENOENT, or
 * -EPERM when it reads as 0 (kptr_restrict, lockdown). */
int kern_ksym_addr(const char *name, __u64 *addr);
/* The CPUs in /sys/devices/system/cpu/possible ("0-3,6": 5). */
int kern_possible_cpus(void);

void kern_free(struct kern *k);

#endif
