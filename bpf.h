/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf.h - one thin wrapper per bpf(2) command we use, named after it.
 * Each returns an fd or 0 on success, -errno on failure; none prints.
 */
#ifndef TCPINSPECT_BPF_H
#define TCPINSPECT_BPF_H

#include <linux/bpf.h>

int bpf_map_create(__u32 type, const char *name, __u32 key_size,
		   __u32 value_size, __u32 max_entries, __u32 map_flags);
int bpf_map_lookup_elem(int map_fd, const void *key, void *value);
int bpf_map_update_elem(int map_fd, const void *key, const void *value,
			__u64 flags);
int bpf_map_get_next_key(int map_fd, const void *key, void *next_key);

/* With log_len > 0 the verifier log (level 1) goes to log. */
int bpf_prog_load(__u32 prog_type, const char *name,
		  const struct bpf_insn *insns, __u32 insn_cnt,
		  const char *license, char *log, __u32 log_len);
int bpf_prog_get_fd_by_id(__u32 id);
int bpf_obj_get_info_by_fd(int fd, void *info, __u32 *info_len);
int bpf_link_create(int prog_fd, int target_ifindex, __u32 attach_type,
		    __u32 flags);

struct bpf_test_run {
	const void *data_in;
	void *data_out;		/* may be NULL */
	const void *ctx_in;	/* may be NULL */
	__u32 data_len_in;
	__u32 data_len_out;	/* in: room at data_out; out: bytes written */
	__u32 ctx_len_in;
	__u32 repeat;
	__u32 flags;
	__u32 retval;		/* out */
	__u32 duration;		/* out: mean ns per run */
};
int bpf_prog_test_run(int prog_fd, struct bpf_test_run *t);

#endif
