// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - capture file frames through an XDP program (see replay.h).
 *
 * BPF_PROG_TEST_RUN with a struct xdp_md as ctx_in: the kernel insists
 * on data_end == the bytes passed, data_meta == 0 and data the length
 * of the metadata in front (struct ti_meta: the record's original
 * length, the filter's len), and looks ingress_ifindex up in our
 * network namespace (rx_queue_index 0 exists on every device).  Frames
 * over a page (minus XDP headroom and the shared info tailroom) are run
 * as multi-buffer frames by kernels since 5.18 (the program is loaded
 * with BPF_F_XDP_HAS_FRAGS there); older kernels refuse them (EINVAL),
 * so they are run cut.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/bpf.h>
#include "bpf.h"
#include "replay.h"
#include "prog/tcpinspect.h"

#define FILE_MAX	(1ull << 30)
#define CUT_MIN		1514	/* never cut a frame a plain Ethernet link carries */
#define CUT_FIRST	4096

int replay_file_open(struct replay_file *f, const char *path)
{
	size_t room = 0, used = 0;
	struct stat st;
	char *p = NULL, *bigger;
	ssize_t n;
	int fd, ret = 0;

	memset(f, 0, sizeof(*f));
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((unsigned long long)st.st_size > FILE_MAX) {
			ret = -EFBIG;
			goto out;
		}
		p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			f->buf = p;
			f->len = st.st_size;
			f->mapped = 1;
			goto out;
		}
		p = NULL;
	}
	/* A pipe, or a file that cannot be mapped: read it all. */
	for (;;) {
		if (used == room) {
			if (room >= FILE_MAX) {
				ret = -EFBIG;
				break;
			}
			room = room ? room * 2 : 1 << 20;
			bigger = realloc(p, room);
			if (!bigger) {
				ret = -ENOMEM;
				break;
			}
			p = bigger;
		}
		n = read(fd, p + used, room - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
		used += n;
	}
	if (ret) {
		free(p);
		goto out;
	}
	f->buf = p;
	f->len = used;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

void replay_file_close(struct replay_file *f)
{
	if (f->mapped)
		munmap(f->buf, f->len);
	else
		free(f->buf);
	memset(f, 0, sizeof(*f));
}

/*
 * Run one frame, behind the metadata that says its original length
 * (struct ti_meta, as long as the kernel takes metadata in a test run:
 * st->no_meta once it did not); 0 or -errno (err says which record).
 */
static int run_frame(int prog_fd, const struct pcap_rec *rec,
		     struct replay_stats *st, __u8 *buf, char *err,
		     size_t err_len)
{
	__u32 len = rec->caplen, meta;
	struct ti_meta m = { TI_META_MAGIC, rec->len };
	int ret;

	if (st->cut_len && len > st->cut_len)
		len = st->cut_len;
	for (;;) {
		meta = st->no_meta ? 0 : sizeof(m);
		memcpy(buf, &m, sizeof(m));
		memcpy(buf + meta, rec->data, len);
		{
			struct xdp_md md = {
				.data = meta,
				.data_end = meta + len,
				.ingress_ifindex = REPLAY_IFINDEX,
			};
			struct bpf_test_run tr = {
				.data_in = buf,
				.data_len_in = meta + len,
				.ctx_in = &md,
				.ctx_len_in = sizeof(md),
				.repeat = 1,
			};

			ret = bpf_prog_test_run(prog_fd, &tr);
		}
		if (!ret)
			break;
		if (ret == -EINTR)
			continue;	/* a signal: its flag is seen before the next frame */
		if (ret == -EINVAL && meta && !st->no_meta && len <= CUT_MIN) {
			st->no_meta = 1;	/* a kernel without XDP metadata here */
			continue;
		}
		if ((ret == -EINVAL || ret == -ENOMEM || ret == -E2BIG) &&
		    len > CUT_MIN) {
			len = len > CUT_FIRST ? CUT_FIRST : len - 64;
			if (len < CUT_MIN)
				len = CUT_MIN;
			continue;
		}
		snprintf(err, err_len, "record %llu at offset %llu (%u bytes): cannot run it through the program: %s",
			 (unsigned long long)rec->nr, (unsigned long long)rec->off,
			 rec->caplen, strerror(-ret));
		return ret;
	}
	if (len < rec->caplen) {
		st->cut++;
		st->cut_len = len;
	}
	st->run++;
	return 0;
}

struct drain {
	replay_fn fn;
	void *arg;
	const struct pcap_rec *frame;
	struct replay_stats *st;
};

static int on_record(void *arg, const void *rec, __u32 len)
{
	struct drain *d = arg;

	d->st->events++;
	return d->fn(d->arg, rec, len, d->frame);
}

int replay_run(struct pcap_reader *r, int prog_fd, struct evbuf *eb,
	       replay_fn fn, void *arg, const volatile sig_atomic_t *stop,
	       struct replay_stats *st, char *err, size_t err_len)
{
	struct pcap_rec rec;
	struct drain d = { .fn = fn, .arg = arg, .frame = &rec, .st = st };
	__u8 *buf = NULL, *bigger;
	size_t room = 0;
	int ret, stopped = 0;

	for (;;) {
		if (stop && *stop) {
			ret = 1;
			break;
		}
		ret = pcap_next(r, &rec, err, err_len);
		if (ret <= 0)
			break;
		st->frames++;
		if (rec.caplen < REPLAY_MIN_LEN) {
			st->too_short++;
			continue;
		}
		if (rec.caplen + sizeof(struct ti_meta) > room) {
			room = rec.caplen + sizeof(struct ti_meta) + 4096;
			bigger = realloc(buf, room);
			if (!bigger) {
				snprintf(err, err_len, "record %llu: %u bytes: %s",
					 (unsigned long long)rec.nr, rec.caplen,
					 strerror(ENOMEM));
				ret = -ENOMEM;
				break;
			}
			buf = bigger;
		}
		ret = run_frame(prog_fd, &rec, st, buf, err, err_len);
		if (ret)
			break;
		evb_consume(eb, on_record, &d, &stopped);
		if (stopped) {
			ret = 1;
			break;
		}
	}
	free(buf);
	return ret;
}
