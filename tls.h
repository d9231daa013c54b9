/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tls.h - what a TLS ClientHello or ServerHello says (server name,
 * application protocols, version), from the first bytes of a TCP
 * payload, as far as they go: the summary tcpinspect shows with -v and
 * in JSON.  Pure: no syscalls, no allocation, no globals; every string
 * points into the bytes given.
 */
#ifndef TCPINSPECT_TLS_H
#define TCPINSPECT_TLS_H

#include <linux/types.h>

#define TLS_ALPN_MAX	8	/* protocols kept from a ClientHello's list */

struct tls_sum {
	int type;		/* 1: ClientHello, 2: ServerHello */
	__u16 version;		/* the highest offered (ClientHello) or the one
				 * chosen (ServerHello): supported_versions', or
				 * the hello's own field if the bytes hold every
				 * extension and that is not one; else 0 */
	const __u8 *sni;	/* the first host_name of server_name, or NULL */
	__u32 sni_len;
	__u32 alpn_cnt;		/* protocols in alpn[] */
	struct {
		const __u8 *p;
		__u32 len;
	} alpn[TLS_ALPN_MAX];
	__u16 cipher;		/* ServerHello: the suite chosen, if there */
	int cut;		/* the bytes end inside the hello */
};

/*
 * Whether the n bytes at b begin a TLS handshake record holding a
 * ClientHello or a ServerHello: 1 with s filled from the fields that
 * lie whole within the bytes, the record and the handshake message;
 * else 0.  GREASE values (RFC 8701) are skipped.
 */
int tls_sum(const __u8 *b, __u32 n, struct tls_sum *s);

/* "1.3", "1.2", "1.1", "1.0", "SSLv3", or NULL for another value. */
const char *tls_version_name(__u16 v);

#endif
