// SPDX-License-Identifier: GPL-2.0
/*
 * bpf.c - raw bpf(2) calls.  The attr is zeroed in full before use: the
 * kernel rejects non-zero bytes past the fields a command knows.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "bpf.h"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long ret = syscall(SYS_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : (int)ret;
}

static __u64 ptr(const void *p)
{
	return (__u64)(unsigned long)p;
}

int bpf_map_create(const struct bpf_map_create_opts *o)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = o->type;
	a.key_size = o->key_size;
	a.value_size = o->value_size;
	a.max_entries = o->max_entries;
	a.map_flags = o->map_flags;
	a.numa_node = o->numa_node;
	if (o->inner_map_fd >= 0)
		a.inner_map_fd = o->inner_map_fd;
	if (o->name)
		strncpy(a.map_name, o->name, sizeof(a.map_name) - 1);
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static int map_elem(int cmd, int fd, const void *key, const void *value,
		    __u64 flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = ptr(key);
	a.value = ptr(value);
	a.flags = flags;
	return sys_bpf(cmd, &a);
}

int bpf_map_lookup_elem(int map_fd, const void *key, void *value)
{
	return map_elem(BPF_MAP_LOOKUP_ELEM, map_fd, key, value, 0);
}

int bpf_map_update_elem(int map_fd, const void *key, const void *value,
			__u64 flags)
{
	return map_elem(BPF_MAP_UPDATE_ELEM, map_fd, key, value, flags);
}

int bpf_map_get_next_key(int map_fd, const void *key, void *next_key)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = ptr(key);
	a.next_key = ptr(next_key);
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &a);
}

int bpf_map_lookup_batch(int map_fd, const void *in_batch, void *out_batch,
			 void *keys, void *values, __u32 *count)
{
	union bpf_attr a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.batch.map_fd = map_fd;
	a.batch.in_batch = ptr(in_batch);
	a.batch.out_batch = ptr(out_batch);
	a.batch.keys = ptr(keys);
	a.batch.values = ptr(values);
	a.batch.count = *count;
	ret = sys_bpf(BPF_MAP_LOOKUP_BATCH, &a);
	*count = a.batch.count;
	return ret;
}

int bpf_map_freeze(int map_fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	return sys_bpf(BPF_MAP_FREEZE, &a);
}

int bpf_prog_load(const struct bpf_prog_load_opts *o)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = o->prog_type;
	a.insns = ptr(o->insns);
	a.insn_cnt = o->insn_cnt;
	a.license = ptr(o->license);
	a.prog_flags = o->prog_flags;
	/* A log buffer without a log level is EINVAL: pass both or neither. */
	if (o->log && o->log_len) {
		a.log_buf = ptr(o->log);
		a.log_size = o->log_len;
		a.log_level = o->log_level ? o->log_level : 1;
		o->log[0] = 0;
	}
	if (o->name)
		strncpy(a.prog_name, o->name, sizeof(a.prog_name) - 1);
	a.prog_flags = o->prog_flags;
	a.expected_attach_type = o->expected_attach_type;
	a.fd_array = ptr(o->fd_array);
	a.attach_prog_fd = o->attach_prog_fd;
	a.attach_btf_id = o->attach_btf_id;
	if (o->btf_fd >= 0) {
		a.prog_btf_fd = o->btf_fd;
		if (o->func_info_cnt) {
			a.func_info = ptr(o->func_info);
			a.func_info_cnt = o->func_info_cnt;
			a.func_info_rec_size = sizeof(struct bpf_func_info);
		}
		if (o->line_info_cnt) {
			a.line_info = ptr(o->line_info);
			a.line_info_cnt = o->line_info_cnt;
			a.line_info_rec_size = sizeof(struct bpf_line_info);
		}
	}
	return sys_bpf(BPF_PROG_LOAD, &a);
}

int bpf_btf_load(const void *btf, __u32 btf_len, char *log, __u32 log_len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.btf = ptr(btf);
	a.btf_size = btf_len;
	if (log && log_len) {
		a.btf_log_buf = ptr(log);
		a.btf_log_size = log_len;
		a.btf_log_level = 1;
		log[0] = 0;
	}
	return sys_bpf(BPF_BTF_LOAD, &a);
}

int bpf_obj_pin(int fd, const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = ptr(path);
	a.bpf_fd = fd;
	return sys_bpf(BPF_OBJ_PIN, &a);
}

int bpf_obj_get(const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = ptr(path);
	return sys_bpf(BPF_OBJ_GET, &a);
}

int bpf_prog_get_fd_by_id(__u32 id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	return sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
}

int bpf_obj_get_info_by_fd(int fd, void *info, __u32 *info_len)
{
	union bpf_attr a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = *info_len;
	a.info.info = ptr(info);
	ret = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
	if (!ret)
		*info_len = a.info.info_len;
	return ret;
}

int bpf_link_create(int prog_fd, int target_ifindex, __u32 attach_type,
		    __u32 flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = prog_fd;
	a.link_create.target_ifindex = target_ifindex;
	a.link_create.attach_type = attach_type;
	a.link_create.flags = flags;
	return sys_bpf(BPF_LINK_CREATE, &a);
}

int bpf_trace_attach(int prog_fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.prog_fd = prog_fd;
	return sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
}

int bpf_link_detach(int link_fd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.link_detach.link_fd = link_fd;
	return sys_bpf(BPF_LINK_DETACH, &a);
}

int bpf_link_get_fd_by_id(__u32 id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.link_id = id;
	return sys_bpf(BPF_LINK_GET_FD_BY_ID, &a);
}

static int get_next_id(int cmd, __u32 start_id, __u32 *next_id)
{
	union bpf_attr a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.start_id = start_id;
	ret = sys_bpf(cmd, &a);
	if (!ret)
		*next_id = a.next_id;
	return ret;
}

int bpf_link_get_next_id(__u32 start_id, __u32 *next_id)
{
	return get_next_id(BPF_LINK_GET_NEXT_ID, start_id, next_id);
}

int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id)
{
	return get_next_id(BPF_PROG_GET_NEXT_ID, start_id, next_id);
}

/* attr.query as 6.6 lays it out; the uapi headers we build with (6.1)
 * stop before link_ids. */
struct ti_query {
	__u32 target_ifindex;
	__u32 attach_type;
	__u32 query_flags;
	__u32 attach_flags;
	__aligned_u64 prog_ids;
	__u32 count;
	__u32 pad;
	__aligned_u64 prog_attach_flags;
	__aligned_u64 link_ids;
	__aligned_u64 link_attach_flags;
	__u64 revision;
};
_Static_assert(sizeof(struct ti_query) <= sizeof(union bpf_attr),
	       "attr.query of 6.6 fits the attr");

int bpf_prog_query(int ifindex, __u32 attach_type, __u32 *prog_ids,
		   __u32 *link_ids, __u32 *cnt)
{
	struct ti_query q;
	union bpf_attr a;
	int ret;

	memset(&q, 0, sizeof(q));
	q.target_ifindex = ifindex;
	q.attach_type = attach_type;
	q.count = *cnt;
	q.prog_ids = ptr(prog_ids);
	q.link_ids = ptr(link_ids);
	memset(&a, 0, sizeof(a));
	memcpy(&a, &q, sizeof(q));
	ret = sys_bpf(BPF_PROG_QUERY, &a);
	memcpy(&q, &a, sizeof(q));
	if (!ret || ret == -ENOSPC)
		*cnt = q.count;
	return ret;
}

int bpf_btf_get_next_id(__u32 start_id, __u32 *next_id)
{
	return get_next_id(BPF_BTF_GET_NEXT_ID, start_id, next_id);
}

int bpf_btf_get_fd_by_id(__u32 id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.btf_id = id;
	return sys_bpf(BPF_BTF_GET_FD_BY_ID, &a);
}

int bpf_prog_test_run(int prog_fd, struct bpf_test_run *t)
{
	union bpf_attr a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = prog_fd;
	a.test.data_in = ptr(t->data_in);
	a.test.data_size_in = t->data_len_in;
	a.test.data_out = ptr(t->data_out);
	a.test.data_size_out = t->data_out ? t->data_len_out : 0;
	a.test.ctx_in = ptr(t->ctx_in);
	a.test.ctx_size_in = t->ctx_len_in;
	a.test.repeat = t->repeat;
	a.test.flags = t->flags;
	a.test.batch_size = t->batch_size;
	ret = sys_bpf(BPF_PROG_TEST_RUN, &a);
	if (!ret) {
		t->retval = a.test.retval;
		t->duration = a.test.duration;
		t->data_len_out = a.test.data_size_out;
	}
	return ret;
}
