// SPDX-License-Identifier: GPL-2.0
/*
 * seqtab.c - tcpdump's relative sequence numbers, in a bounded table
 * (see seqtab.h).  Buckets chain entries by index; entries are handed
 * out in order and, once all are in use, taken back oldest first, so
 * that nothing is allocated per segment and the table never grows.
 */
#include <stddef.h>
#include <string.h>
#include "seqtab.h"

static __u32 hash(const struct seq_entry *k, int alen)
{
	__u32 h = k->port * 2654435761u ^ k->family, i;

	for (i = 0; i < (__u32)alen; i += 4) {
		__u32 a, b;

		memcpy(&a, k->src + i, 4);
		memcpy(&b, k->dst + i, 4);
		h = (h ^ a) * 2246822519u;
		h = (h ^ b) * 3266489917u;
	}
	return (h ^ h >> 15) & (SEQTAB_SIZE - 1);
}

static int same(const struct seq_entry *a, const struct seq_entry *k, int alen)
{
	return a->family == k->family && a->port == k->port &&
	       !memcmp(a->src, k->src, alen) && !memcmp(a->dst, k->dst, alen);
}

/* Take entry i out of the chain of bucket b. */
static void unlink_entry(struct seqtab *t, __u32 b, __u32 i)
{
	__u32 *link = &t->head[b];

	while (*link && *link != i + 1)
		link = &t->e[*link - 1].next;
	if (*link)
		*link = t->e[i].next;
}

/* A free entry, or the oldest one, out of its bucket. */
static struct seq_entry *take(struct seqtab *t)
{
	struct seq_entry *e;
	__u32 i;

	if (t->used < SEQTAB_SIZE) {
		i = t->used++;
	} else {
		i = t->clock;
		t->clock = (t->clock + 1) & (SEQTAB_SIZE - 1);
		e = &t->e[i];
		unlink_entry(t, hash(e, e->family == 6 ? 16 : 4), i);
	}
	return &t->e[i];
}

void seq_rel(struct seqtab *t, int family, const __u8 *saddr, const __u8 *daddr,
	     __u16 sport, __u16 dport, __u32 seq, __u32 ack, __u8 flags,
	     struct seq_rel *r)
{
	int alen = family == 6 ? 16 : 4, rev = 0;
	struct seq_entry k, *e = NULL;
	__u32 b, i;

	/* One key for both directions: tcpdump's collating order. */
	if (sport > dport || (sport == dport && memcmp(saddr, daddr, alen) > 0))
		rev = 1;
	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.src, rev ? daddr : saddr, alen);
	memcpy(k.dst, rev ? saddr : daddr, alen);
	k.port = rev ? (__u32)dport << 16 | sport : (__u32)sport << 16 | dport;
	b = hash(&k, alen);
	for (i = t->head[b]; i; i = t->e[i - 1].next)
		if (same(&t->e[i - 1], &k, alen)) {
			e = &t->e[i - 1];
			break;
		}
	r->rev = rev;
	r->known = 0;
	r->seq = seq;
	r->ack = ack;
	if (!e || (flags & 0x02)) {		/* new, or a SYN: (re)record */
		if (!e) {
			e = take(t);
			memcpy(e, &k, offsetof(struct seq_entry, seq));
			e->family = family;
			e->next = t->head[b];
			t->head[b] = e - t->e + 1;
		}
		if (rev) {
			e->ack = seq;
			e->seq = ack - 1;
		} else {
			e->seq = seq;
			e->ack = ack - 1;
		}
	} else if (rev) {
		r->seq = seq - e->ack;
		r->ack = ack - e->seq;
		r->known = 1;
	} else {
		r->seq = seq - e->seq;
		r->ack = ack - e->ack;
		r->known = 1;
	}
	r->thseq = e->seq;
	r->thack = e->ack;
}
