// SPDX-License-Identifier: GPL-2.0
/*
 * kern.c - the running kernel's BTF, configuration, release, symbols
 * and possible CPUs (kern.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include "bpf.h"
#include "inflate.h"
#include "kern.h"

#define FILE_MAX	(256u << 20)	/* the largest file we read whole */
#define CONFIG_GZ	"/proc/config.gz"

/* A whole file into a malloc'd buffer (*len bytes); 0 or -errno. */
static int read_file(const char *path, void **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = NULL, *bigger;
	ssize_t r;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!b || n == cap) {
			if (b)
				cap *= 2;
			bigger = cap <= FILE_MAX ? realloc(b, cap) : NULL;
			if (!bigger) {
				ret = cap > FILE_MAX ? -EFBIG : -ENOMEM;
				break;
			}
			b = bigger;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : 0;
			break;
		}
		n += r;
	}
	close(fd);
	if (ret) {
		free(b);
		return ret;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* BTF at path into buf/offs/b (split on base), indexed. */
static int open_btf_file(const char *path, const struct btf *base, void **buf,
			 __u32 **offs, struct btf *b, char *err, size_t err_len)
{
	char e[160];
	size_t len;
	int ret;

	ret = read_file(path, buf, &len);
	if (ret) {
		snprintf(err, err_len, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = btf_open(b, *buf, len, base, e, sizeof(e));
	if (!ret) {
		*offs = malloc(((size_t)b->cnt + 1) * sizeof(**offs));
		ret = *offs ? 0 : -ENOMEM;
		snprintf(e, sizeof(e), "out of memory");
	}
	if (ret) {
		snprintf(err, err_len, "%s: %s", path, e);
		free(*buf);
		*buf = NULL;
		return ret;
	}
	btf_index(b, *offs);
	return 0;
}

int kern_btf(struct kern *k, char *err, size_t err_len)
{
	char path[sizeof(KERN_BTF_DIR) + 300];
	struct kern_mod *m, *more;
	struct dirent *de;
	DIR *d;
	int ret, i;

	if (k->btf_read)
		return k->btf_read < 0 ? k->btf_read : 0;
	ret = open_btf_file(KERN_BTF_DIR "/vmlinux", NULL, &k->vmlinux_buf,
			    &k->vmlinux_offs, &k->vmlinux, err, err_len);
	if (ret) {
		k->btf_read = ret;
		return ret;
	}
	d = opendir(KERN_BTF_DIR);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux") ||
		    strlen(de->d_name) >= sizeof(m->name))
			continue;
		more = realloc(k->mods, (k->mod_cnt + 1) * sizeof(*k->mods));
		if (!more)
			break;
		k->mods = more;
		m = &k->mods[k->mod_cnt];
		memset(m, 0, sizeof(*m));
		m->fd = -1;
		memcpy(m->name, de->d_name, strlen(de->d_name) + 1);
		snprintf(path, sizeof(path), "%s/%s", KERN_BTF_DIR, de->d_name);
		/* a module that cannot be read is left out, not fatal */
		if (!open_btf_file(path, &k->vmlinux, &m->buf, &m->offs, &m->btf,
				   err, err_len))
			k->mod_cnt++;
	}
	if (d)
		closedir(d);
	k->all = malloc((k->mod_cnt + 1) * sizeof(*k->all));
	if (!k->all) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	k->all[0] = &k->vmlinux;
	for (i = 0; i < k->mod_cnt; i++)
		k->all[i + 1] = &k->mods[i].btf;
	k->btf_read = 1;
	return 0;
}

int kern_mod_fd(struct kern *k, int mod, char *err, size_t err_len)
{
	struct kern_mod *m = &k->mods[mod];
	struct bpf_btf_info info;
	char name[64];
	__u32 id = 0, len;
	int fd, ret;

	if (m->fd >= 0)
		return m->fd;
	while (!(ret = bpf_btf_get_next_id(id, &id))) {
		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* gone meanwhile */
		memset(&info, 0, sizeof(info));
		info.name = (__u64)(unsigned long)name;
		info.name_len = sizeof(name);
		len = sizeof(info);
		name[0] = 0;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strcmp(name, m->name)) {
			m->fd = fd;
			return fd;
		}
		close(fd);
	}
	snprintf(err, err_len, "cannot find the BTF of module %s: %s", m->name,
		 ret == -ENOENT ? "no such BTF object" : strerror(-ret));
	return ret == -ENOENT ? -ENOENT : ret;
}

int kconfig_find(const char *text, size_t len, const char *name,
		 const char **val, size_t *val_len)
{
	size_t n = strlen(name), i = 0, end;
	const char *line;

	while (i < len) {
		line = text + i;
		end = i;
		while (end < len && text[end] != '\n')
			end++;
		if (end - i > n + 1 && !memcmp(line, name, n) && line[n] == '=') {
			*val = line + n + 1;
			*val_len = end - i - n - 1;
			return 1;
		}
		/* "# CONFIG_FOO is not set" */
		if (end - i == n + 13 && !memcmp(line, "# ", 2) &&
		    !memcmp(line + 2, name, n) && !memcmp(line + 2 + n, " is not set", 11))
			return 0;
		i = end + 1;
	}
	return -ENOENT;
}

int kern_config(struct kern *k, const char *name, const char **val,
		size_t *val_len)
{
	struct utsname u;
	void *gz;
	size_t gz_len, size;
	long n;

	if (!k->config_read) {
		k->config_read = -ENODATA;
		if (!read_file(CONFIG_GZ, &gz, &gz_len)) {
			size = gz_size(gz, gz_len);
			k->config = malloc(size + 1);
			n = k->config ? gz_inflate(gz, gz_len, k->config, size) : -ENOMEM;
			free(gz);
			if (n >= 0) {
				k->config_len = n;
				k->config_read = 1;
				snprintf(k->config_path, sizeof(k->config_path), "%s", CONFIG_GZ);
			}
		}
		if (k->config_read < 0 && !uname(&u)) {
			free(k->config);
			k->config = NULL;
			snprintf(k->config_path, sizeof(k->config_path), "/boot/config-%.64s",
				 u.release);
			if (!read_file(k->config_path, (void **)&k->config, &k->config_len))
				k->config_read = 1;
		}
	}
	if (k->config_read < 0)
		return k->config_read;
	return kconfig_find(k->config, k->config_len, name, val, val_len);
}

int kern_version(__u32 *version)
{
	struct utsname u;
	unsigned int a = 0, b = 0, c = 0;

	if (uname(&u))
		return -errno;
	char *p = u.release;

	a = strtoul(p, &p, 10);
	if (*p++ != '.' || *p < '0' || *p > '9')
		return -EINVAL;
	b = strtoul(p, &p, 10);
	if (*p == '.')
		c = strtoul(p + 1, NULL, 10);
	/* KERNEL_VERSION(): the sublevel saturates at 255 */
	*version = a << 16 | (b > 255 ? 255 : b) << 8 | (c > 255 ? 255 : c);
	return 0;
}

int kern_ksym_addr(const char *name, __u64 *addr)
{
	char line[512], *p, *nl;
	unsigned long long a;
	size_t n = strlen(name);
	FILE *f;
	int ret = -ENOENT;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* "ADDRESS TYPE NAME[\t[MODULE]]" */
		a = strtoull(line, &p, 16);
		if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ' ||
		    strncmp(p + 3, name, n))
			continue;
		nl = p + 3 + n;
		if (*nl && *nl != '\n' && *nl != '\t' && *nl != ' ')
			continue;
		*addr = a;
		ret = a ? 0 : -EPERM;
		break;
	}
	fclose(f);
	return ret;
}

int kern_possible_cpus(void)
{
	char buf[256], *s;
	long a, b, n = 0;
	ssize_t len;
	int fd;

	fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = 0;
	for (s = buf; *s >= '0' && *s <= '9';) {
		a = b = strtol(s, &s, 10);
		if (*s == '-')
			b = strtol(s + 1, &s, 10);
		if (b < a)
			return -EIO;
		n += b - a + 1;
		if (*s == ',')
			s++;
	}
	return n > 0 && n < 1 << 20 ? n : -EIO;
}

void kern_free(struct kern *k)
{
	int i;

	for (i = k->mod_cnt - 1; i >= 0; i--) {
		if (k->mods[i].fd >= 0)
			close(k->mods[i].fd);
		free(k->mods[i].offs);
		free(k->mods[i].buf);
	}
	free(k->mods);
	free(k->all);
	free(k->vmlinux_offs);
	free(k->vmlinux_buf);
	free(k->config);
	memset(k, 0, sizeof(*k));
}
