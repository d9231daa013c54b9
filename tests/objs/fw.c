// SPDX-License-Identifier: GPL-2.0
/*
 * Somebody else's firewall, for the tests of capturing beside it: drops
 * TCP to port 5001 (IPv4 and IPv6, no extension headers), answers ARP
 * and everything else with XDP_PASS.  Built with BTF, as the programs
 * of xdp-tools and Cilium are, so that fentry/fexit can find its
 * function.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>

#define DROP_PORT 5001

__attribute__((section("xdp"), used)) int fw_drop5001(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *th;
	__u8 proto;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == __builtin_bswap16(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return XDP_PASS;
		proto = ip->protocol;
		th = (void *)(ip + 1);
	} else if (eth->h_proto == __builtin_bswap16(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_PASS;
		proto = ip6->nexthdr;
		th = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if (proto != IPPROTO_TCP || (void *)(th + 1) > end)
		return XDP_PASS;
	return th->dest == __builtin_bswap16(DROP_PORT) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
