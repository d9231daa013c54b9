/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf.h - one thin wrapper per bpf(2) command we use, named after it.
 * Each returns an fd or 0 on success, -errno on failure; none prints.
 */
#ifndef TCPINSPECT_BPF_H
#define TCPINSPECT_BPF_H

#include <linux/bpf.h>

struct bpf_map_create_opts {
	__u32 type;
	const char *name;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
	__u32 numa_node;	/* with BPF_F_NUMA_NODE in map_flags */
	int inner_map_fd;	/* map-in-map; -1: none */
};
int bpf_map_create(const struct bpf_map_create_opts *o);
int bpf_map_lookup_elem(int map_fd, const void *key, void *value);
int bpf_map_update_elem(int map_fd, const void *key, const void *value,
			__u64 flags);
int bpf_map_get_next_key(int map_fd, const void *key, void *next_key);
/*
 * BPF_MAP_LOOKUP_BATCH (5.6): up to *count entries after the position in
 * in_batch (NULL: from the start), keys and values into their arrays;
 * *count becomes how many came and out_batch the next position (4 bytes
 * for hash maps).  0, -ENOENT at the end (*count may still be > 0), or
 * -errno (EINVAL: no such command here).
 */
int bpf_map_lookup_batch(int map_fd, const void *in_batch, void *out_batch,
			 void *keys, void *values, __u32 *count);

int bpf_map_freeze(int map_fd);

/*
 * Newer than the uapi headers we build with (Debian 12's are 6.1): tcx,
 * the multi-program TC hooks of 6.6, and their flags.
 */
#define TI_BPF_TCX_INGRESS	46	/* enum bpf_attach_type */
#define TI_BPF_TCX_EGRESS	47
#define TI_BPF_LINK_TYPE_TCX	11	/* enum bpf_link_type */
#define TI_BPF_F_BEFORE		(1U << 3)	/* link_create flags: first, */
#define TI_BPF_F_AFTER		(1U << 4)	/* last (no relative program) */

/* Everything BPF_PROG_LOAD takes that we use; zero what you do not. */
/* The verifier's statistics only: the kernel's own log level (its
 * include/linux/bpf_verifier.h), not in the uapi header. */
#define BPF_LOG_STATS	4

struct bpf_prog_load_opts {
	__u32 prog_type;
	const char *name;
	const struct bpf_insn *insns;
	__u32 insn_cnt;
	const char *license;
	char *log;		/* with log_len > 0: the verifier log */
	__u32 log_len;
	__u32 log_level;	/* with a log: 0 or 1 (the whole log), or
				 * BPF_LOG_STATS (4: its statistics only) */
	int btf_fd;		/* -1: none */
	const void *func_info;	/* struct bpf_func_info[func_info_cnt] */
	__u32 func_info_cnt;
	const void *line_info;	/* struct bpf_line_info[line_info_cnt] */
	__u32 line_info_cnt;
	__u32 prog_flags;	/* BPF_F_* (BPF_F_XDP_HAS_FRAGS) */
	__u32 expected_attach_type;
	const int *fd_array;	/* module BTFs of kfunc calls; NULL: none */
	/* tracing (fentry/fexit) of a BPF program: that program's fd and
	 * the BTF id of its function in its own BTF; else 0, 0 */
	int attach_prog_fd;
	__u32 attach_btf_id;
};
int bpf_prog_load(const struct bpf_prog_load_opts *o);

/* With log_len > 0 the kernel's BTF log goes to log. */
int bpf_btf_load(const void *btf, __u32 btf_len, char *log, __u32 log_len);
int bpf_obj_pin(int fd, const char *path);
int bpf_obj_get(const char *path);
int bpf_prog_get_fd_by_id(__u32 id);
int bpf_obj_get_info_by_fd(int fd, void *info, __u32 *info_len);
int bpf_link_create(int prog_fd, int target_ifindex, __u32 attach_type,
		    __u32 flags);
int bpf_link_detach(int link_fd);
/* A tracing program (fentry, fexit) attached where it was loaded to
 * attach: a link's fd.  (BPF_RAW_TRACEPOINT_OPEN without a name, 5.5.) */
int bpf_trace_attach(int prog_fd);
int bpf_link_get_fd_by_id(__u32 id);
/* Next id after start_id in *next_id; -ENOENT at the end. */
int bpf_link_get_next_id(__u32 start_id, __u32 *next_id);
int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id);
int bpf_btf_get_next_id(__u32 start_id, __u32 *next_id);
int bpf_btf_get_fd_by_id(__u32 id);

struct bpf_test_run {
	const void *data_in;
	void *data_out;		/* may be NULL */
	const void *ctx_in;	/* may be NULL */
	__u32 data_len_in;
	__u32 data_len_out;	/* in: room at data_out; out: bytes written */
	__u32 ctx_len_in;
	__u32 repeat;
	__u32 flags;
	__u32 batch_size;	/* BPF_F_TEST_XDP_LIVE_FRAMES: frames per batch, 0: 64 */
	__u32 retval;		/* out */
	__u32 duration;		/* out: mean ns per run */
};
int bpf_prog_test_run(int prog_fd, struct bpf_test_run *t);

#endif
