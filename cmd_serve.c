// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_serve.c - tcpinspect serve: the program counts connections (flow
 * table) and sends an event per matching packet (per-interface counts
 * and rates); an HTTP API (srv.c, api.c) answers from both.  One epoll
 * set holds the listening socket, the connections and the event buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "api.h"
#include "bpf.h"
#include "cmd.h"
#include "export.h"
#include "session.h"
#include "sig.h"
#include "srv.h"

/*
 * The bearer token of --token-file: the file's first line.  Refused if
 * others may read the file (as ssh refuses such keys), if it is empty,
 * or if it is longer than room - 1 bytes (never cut to fit).
 */
static int read_token(const char *path, char *tok, size_t room)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st)) {
		msg("cannot read the token file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		msg("token file %s can be read by others (mode %03o): chmod 600 it",
		    path, st.st_mode & 0777);
		close(fd);
		return -1;
	}
	/* One byte more than fits: a file that long is refused whole. */
	while (len < room && (n = read(fd, tok + len, room - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			msg("cannot read the token file %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		len += n;
	}
	close(fd);
	if (len == room) {
		msg("token file %s is longer than %zu bytes: not cut to fit, refused",
		    path, room - 1);
		return -1;
	}
	tok[len] = 0;
	tok[strcspn(tok, "\r\n")] = 0;
	if (strlen(tok) < 16 || strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=") != strlen(tok)) {
		msg("token file %s: want one line of at least 16 token characters (letters, digits, -._~+/=)",
		    path);
		return -1;
	}
	return 0;
}

/* Whether the BPF maps stay readable without any privilege: a child
 * gives everything up and tries (kernels before 6.5 with
 * kernel.unprivileged_bpf_disabled refuse every bpf() then). */
static int maps_readable_unprivileged(const struct passwd *pw, int map_fd)
{
	static __u64 val[1024];
	__u32 key = 0;
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
			_exit(2);
		_exit(bpf_map_lookup_elem(map_fd, &key, val) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/*
 * --user: become that user (its group, no others), keeping CAP_BPF only
 * where the kernel needs it to read the maps.  The listening socket, the
 * BPF fds and the access log are open already; the program is attached
 * by bpf_link, which goes away with the process.  0 or -1 (said why).
 */
static int drop_privileges(const char *user, const struct attach *at, int n_if,
			   const struct inspector *in)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	const struct passwd *pw = getpwnam(user);
	int i, keep_bpf;

	if (!pw) {
		msg("--user %s: no such user (in /etc/passwd)", user);
		return -1;
	}
	for (i = 0; i < n_if; i++)
		if (at[i].kind != ATTACH_LINK) {
			msg("--user needs the program attached with a bpf_link (kernel 5.9 or later): an unprivileged process could not detach it from %s",
			    at[i].name);
			return -1;
		}
	keep_bpf = !maps_readable_unprivileged(pw, in->counters_fd);
	if (keep_bpf && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		goto fail;
	if (setgroups(1, &pw->pw_gid) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
		goto fail;
	if (keep_bpf) {
		d[CAP_BPF / 32].effective = d[CAP_BPF / 32].permitted =
			1u << (CAP_BPF % 32);
		if (syscall(SYS_capset, &h, d))
			goto fail;
	}
	if (!setuid(0)) {
		msg("--user %s: could still become root again", user);
		return -1;
	}
	/* Nothing executed from here on could gain privileges (set-id
	 * bits, file capabilities). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		msg("--user %s: cannot set no_new_privs: %s", user, strerror(errno));
		return -1;
	}
	msg("running as %s (uid %u)%s", user, pw->pw_uid,
	    keep_bpf ? ", keeping CAP_BPF: this kernel refuses bpf() to unprivileged processes" : "");
	return 0;
fail:
	msg("--user %s: cannot become that user: %s", user, strerror(errno));
	return -1;
}

/*
 * tcpinspect serve: the program counts connections (flow table) and
 * sends an event per matching packet (per-interface counts and rates);
 * an HTTP API answers from both.  One epoll set holds the listening
 * socket, the connections and the event buffer.
 */
_Static_assert(API_IF_MAX >= OPTS_IF_MAX, "statistics for every interface");

int cmd_serve(struct opts *o)
{
	static struct inspector in;
	static struct attach at[OPTS_IF_MAX];
	static struct probe kp;
	static struct srv srv = { .listen_fd = -1, .log_fd = -1, .spare_fd = -1 };
	static struct api api;
	static struct export ex = { .fd = -1 };
	static char token[512];
	struct flow_entry *table = NULL;	/* --ipfix: the table as read */
	size_t table_cnt;
	int exporting = o->ipfix || o->netflow9;
	/* Our own fds' epoll data: below SRV_DATA_MIN. */
	enum { EV_EVENTS, EV_LINKS };
	struct epoll_event ev[32], rev = { .events = EPOLLIN, .data.u64 = EV_EVENTS },
			   lev = { .events = EPOLLIN, .data.u64 = EV_LINKS };
	struct evbuf eb = EVB_INIT;
	__u64 cnt[TI_CNT_MAX], next_tick, now, deadline;
	const char *listen = o->listen ? o->listen : "127.0.0.1:9400";
	char err[512];
	sigset_t run_mask;
	int n_if, lfd, loopback = 0, epfd = -1, log_fd = STDERR_FILENO;
	int status = EXIT_USAGE, i, n, busy = 0, stopped = 0, timeout, gone = 0;
	long got;

	/* What can be refused before anything is held or attached. */
	if (o->user && !getpwnam(o->user)) {
		msg("--user %s: no such user (in /etc/passwd)", o->user);
		return EXIT_USAGE;
	}
	/* The socket first: a taken port or a bad token leaves nothing behind. */
	lfd = srv_listen(listen, &loopback, err, sizeof(err));
	if (lfd < 0) {
		msg("%s", err);
		return lfd == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (o->token_file && read_token(o->token_file, token, sizeof(token)))
		goto out_lfd;
	if (!loopback && !o->token_file) {
		msg("--listen %s is reachable from other hosts: give --token-file FILE (requests then need Authorization: Bearer TOKEN)",
		    listen);
		goto out_lfd;
	}
	if (o->access_log) {
		log_fd = open(o->access_log, O_WRONLY | O_APPEND | O_CREAT |
			      O_CLOEXEC | O_NOFOLLOW, 0600);
		if (log_fd < 0) {
			msg("cannot open the access log %s: %s", o->access_log,
			    strerror(errno));
			goto out_lfd;
		}
	}
	n_if = ses_begin(&in, o, &kp, at, &run_mask, &deadline);
	if (n_if < 0) {
		status = -n_if;
		goto out_log;
	}
	status = EXIT_RUNTIME;
	if (ses_events(&in, &eb))
		goto out_insp;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	srv.timeout_ms = (o->http_timeout_ns + 999999) / 1000000;	/* 0: the default */
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, evb_fd(&eb), &rev) ||
	    srv_init(&srv, lfd, epfd)) {
		msg("cannot set up epoll: %s", strerror(errno));
		goto out_eb;
	}
	lfd = -1;	/* srv's now */
	srv.token = o->token_file ? token : NULL;
	srv.log_fd = log_fd;
	srv.route = api_route;
	srv.route_arg = &api;
	if (api_init(&api, &in, &srv, o->filter)) {
		msg("out of memory for a table of %u flows", in.flows_max);
		goto out_srv;
	}
	for (i = 0; i < n_if; i++)
		api_add_iface(&api, at[i].name, at[i].ifindex);
	if (exporting) {	/* before attaching: a bad collector leaves nothing */
		struct export_cfg ec = {
			.version = o->ipfix ? IPFIX_V10 : IPFIX_NF9,
			.dest = o->ipfix ? o->ipfix : o->netflow9,
			.active_ns = o->active_ns ? o->active_ns : 60 * NS_PER_S,
			.idle_ns = o->idle_ns ? o->idle_ns : 15 * NS_PER_S,
			.ifindex = n_if == 1 ? at[0].ifindex : 0,
			.domain = n_if == 1 ? at[0].ifindex : 0,
			.flows_max = in.flows_max,
		};

		/* the export reads the whole table once a second: its own room */
		table = calloc(in.flows_max, sizeof(*table));
		if (!table) {
			msg("out of memory for a table of %u flows", in.flows_max);
			goto out_api;
		}
		i = export_open(&ex, &ec, err, sizeof(err));
		if (i) {
			msg("%s", err);
			status = i == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
			goto out_api;
		}
		api.ex = &ex;
	}
	if (ses_attach(at, n_if, &in))
		goto out_api;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, ses_watch_fd(), &lev)) {
		msg("cannot wait for the interfaces' notices: %s", strerror(errno));
		goto out_detach;
	}
	if (o->user && drop_privileges(o->user, at, n_if, &in))
		goto out_detach;
	msg("serving http://%s%s (GET /inspect?ip=, /flows, /stats, /metrics, /openapi.json)",
	    strchr(listen, ':') ? "" : "127.0.0.1:", listen);
	status = 0;
	next_tick = mono_ns() + 1000000000ull;
	while (!sig_stop) {
		now = mono_ns();
		if (now >= next_tick) {
			api_tick(&api, now);
			if (exporting) {
				table_cnt = insp_flows_read(&in, table, in.flows_max);
				export_tick(&ex, table, table_cnt, now,
					    insp_mono_to_real(), 0);
			}
			while (next_tick <= now)
				next_tick += 1000000000ull;
		}
		timeout = (next_tick - now) / 1000000 + 1;
		i = srv_timeout_ms(&srv);
		if (i >= 0 && i < timeout)
			timeout = i;
		/* as in a capture: unannounced events come within TI_WAKE_NS */
		if (busy && timeout > TI_WAKE_NS / 1000000 + 1)
			timeout = TI_WAKE_NS / 1000000 + 1;
		/* a snapshot of the flow table being read: between rounds */
		if (api.building >= 0)
			timeout = 0;
		n = epoll_pwait(epfd, ev, sizeof(ev) / sizeof(ev[0]), timeout,
				&run_mask);
		if (n < 0 && errno != EINTR) {
			msg("waiting failed: %s", strerror(errno));
			status = EXIT_RUNTIME;
			break;
		}
		busy = 0;
		for (i = 0; i < n; i++)
			if (srv_owns(&ev[i]))
				srv_event(&srv, &ev[i]);
			else if (ev[i].data.u64 == EV_LINKS)
				gone = 1;
			else
				busy = 1;
		got = evb_consume(&eb, api_event, &api, &stopped);
		busy |= got > 0;
		srv_expire(&srv);
		api_step(&api);
		/* An interface gone: dropped; with none left, the end. */
		if (gone) {
			gone = 0;
			n = ses_gone(at, n_if);
			for (i = 0; i < n_if; i++)
				if (at[i].gone)
					api_iface_gone(&api, at[i].ifindex);
			if (n == n_if) {
				status = EXIT_RUNTIME;
				break;
			}
		}
	}
out_detach:
	ses_detach(at, n_if);
	insp_counters(&in, cnt);
	fprintf(stderr, "%llu HTTP requests answered, %llu connections refused\n",
		(unsigned long long)srv.requests, (unsigned long long)srv.refused);
	if (exporting && status != EXIT_USAGE) {
		/* detached: what has not gone out yet goes now */
		table_cnt = insp_flows_read(&in, table, in.flows_max);
		export_tick(&ex, table, table_cnt, mono_ns(), insp_mono_to_real(), 1);
		fprintf(stderr, "%s to %s: %llu records in %llu messages, %llu send errors, %llu flows evicted before their counts went out\n",
			o->ipfix ? "IPFIX" : "NetFlow v9", ex.cfg.dest,
			(unsigned long long)ex.records, (unsigned long long)ex.messages,
			(unsigned long long)ex.errors, (unsigned long long)ex.evicted);
	}
	ses_seen_line(cnt);
	ses_malformed_line(cnt);
out_api:
	export_close(&ex);
	free(table);
	api_free(&api);
out_srv:
	srv_close(&srv);
out_eb:
	if (epfd >= 0)
		close(epfd);
	evb_close(&eb);
out_insp:
	insp_close(&in);
	ses_detach(at, n_if);
out_log:
	if (log_fd != STDERR_FILENO)
		close(log_fd);
out_lfd:
	if (lfd >= 0)
		close(lfd);
	return status;
}

