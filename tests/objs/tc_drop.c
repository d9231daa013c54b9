// SPDX-License-Identifier: GPL-2.0
/*
 * A TC program for `tcpinspect load --tc`: drops TCP to port 5003 (IPv4
 * without options, IPv6 without extension headers), lets everything
 * else go on to the next program or the default (TC_ACT_UNSPEC, tcx's
 * TCX_NEXT).  In section "tc" (--tc says where) and, as tc_drop_egress,
 * in "tcx/egress" (the section says it).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>

static inline __attribute__((always_inline)) int verdict(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *th;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return TC_ACT_UNSPEC;
	if (eth->h_proto == __builtin_bswap16(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return TC_ACT_UNSPEC;
		proto = ip->protocol;
		th = (void *)(ip + 1);
	} else if (eth->h_proto == __builtin_bswap16(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return TC_ACT_UNSPEC;
		proto = ip6->nexthdr;
		th = (void *)(ip6 + 1);
	} else {
		return TC_ACT_UNSPEC;
	}
	if (proto != IPPROTO_TCP || (void *)(th + 1) > end)
		return TC_ACT_UNSPEC;
	return th->dest == __builtin_bswap16(5003) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

__attribute__((section("tc"), used)) int tc_drop(struct __sk_buff *skb)
{
	return verdict(skb);
}

__attribute__((section("tcx/egress"), used)) int tc_drop_egress(struct __sk_buff *skb)
{
	return verdict(skb);
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
