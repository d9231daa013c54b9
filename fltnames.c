// SPDX-License-Identifier: GPL-2.0
/*
 * fltnames.c - the names a filter expression may use, looked up as
 * libpcap looks them up through the C library's files backend, but in
 * text the caller read (struct flt_names: /etc/hosts, /etc/networks,
 * /etc/services, /etc/protocols, /etc/ethers) and, for services and
 * protocols, in built-in tables: netbase's lists, so that "port http"
 * and "proto \udp" work on a box without those files.  A file's answer
 * comes first.  No DNS.  Pure: no syscalls, no allocation.
 */
#include <string.h>
#include <arpa/inet.h>
#include "fltcc.h"

#define IPP_TCP		6
#define IPP_UDP		17

/* netbase's /etc/services (Debian 12), comments and spacing dropped */
static const char builtin_services[] =
	"tcpmux 1/tcp\necho 7/tcp\necho 7/udp\ndiscard 9/tcp sink null\n"
	"discard 9/udp sink null\nsystat 11/tcp users\ndaytime 13/tcp\n"
	"daytime 13/udp\nnetstat 15/tcp\nqotd 17/tcp quote\n"
	"chargen 19/tcp ttytst source\nchargen 19/udp ttytst source\n"
	"ftp-data 20/tcp\nftp 21/tcp\nfsp 21/udp fspd\nssh 22/tcp\n"
	"telnet 23/tcp\nsmtp 25/tcp mail\ntime 37/tcp timserver\n"
	"time 37/udp timserver\nwhois 43/tcp nicname\ntacacs 49/tcp\n"
	"tacacs 49/udp\ndomain 53/tcp\ndomain 53/udp\nbootps 67/udp\n"
	"bootpc 68/udp\ntftp 69/udp\ngopher 70/tcp\nfinger 79/tcp\n"
	"http 80/tcp www\nkerberos 88/tcp kerberos5 krb5 kerberos-sec\n"
	"kerberos 88/udp kerberos5 krb5 kerberos-sec\niso-tsap 102/tcp tsap\n"
	"acr-nema 104/tcp dicom\npop3 110/tcp pop-3\nsunrpc 111/tcp portmapper\n"
	"sunrpc 111/udp portmapper\nauth 113/tcp authentication tap ident\n"
	"nntp 119/tcp readnews untp\nntp 123/udp\nepmap 135/tcp loc-srv\n"
	"netbios-ns 137/udp\nnetbios-dgm 138/udp\nnetbios-ssn 139/tcp\n"
	"imap2 143/tcp imap\nsnmp 161/tcp\nsnmp 161/udp\n"
	"snmp-trap 162/tcp snmptrap\nsnmp-trap 162/udp snmptrap\n"
	"cmip-man 163/tcp\ncmip-man 163/udp\ncmip-agent 164/tcp\n"
	"cmip-agent 164/udp\nmailq 174/tcp\nxdmcp 177/udp\nbgp 179/tcp\n"
	"smux 199/tcp\nqmtp 209/tcp\nz3950 210/tcp wais\nipx 213/udp\n"
	"ptp-event 319/udp\nptp-general 320/udp\npawserv 345/tcp\nzserv 346/tcp\n"
	"rpc2portmap 369/tcp\nrpc2portmap 369/udp\ncodaauth2 370/tcp\n"
	"codaauth2 370/udp\nclearcase 371/udp Clearcase\nldap 389/tcp\n"
	"ldap 389/udp\nsvrloc 427/tcp\nsvrloc 427/udp\nhttps 443/tcp\n"
	"https 443/udp\nsnpp 444/tcp\nmicrosoft-ds 445/tcp\nkpasswd 464/tcp\n"
	"kpasswd 464/udp\nsubmissions 465/tcp ssmtp smtps urd\nsaft 487/tcp\n"
	"isakmp 500/udp\nrtsp 554/tcp\nrtsp 554/udp\nnqs 607/tcp\n"
	"asf-rmcp 623/udp\nqmqp 628/tcp\nipp 631/tcp\nldp 646/tcp\nldp 646/udp\n"
	"exec 512/tcp\nbiff 512/udp comsat\nlogin 513/tcp\nwho 513/udp whod\n"
	"shell 514/tcp cmd syslog\nsyslog 514/udp\nprinter 515/tcp spooler\n"
	"talk 517/udp\nntalk 518/udp\nroute 520/udp router routed\n"
	"gdomap 538/tcp\ngdomap 538/udp\nuucp 540/tcp uucpd\nklogin 543/tcp\n"
	"kshell 544/tcp krcmd\ndhcpv6-client 546/udp\ndhcpv6-server 547/udp\n"
	"afpovertcp 548/tcp\nnntps 563/tcp snntp\nsubmission 587/tcp\n"
	"ldaps 636/tcp\nldaps 636/udp\ntinc 655/tcp\ntinc 655/udp\nsilc 706/tcp\n"
	"kerberos-adm 749/tcp\ndomain-s 853/tcp\ndomain-s 853/udp\n"
	"rsync 873/tcp\nftps-data 989/tcp\nftps 990/tcp\ntelnets 992/tcp\n"
	"imaps 993/tcp\npop3s 995/tcp\nsocks 1080/tcp\nproofd 1093/tcp\n"
	"rootd 1094/tcp\nopenvpn 1194/tcp\nopenvpn 1194/udp\n"
	"rmiregistry 1099/tcp\nlotusnote 1352/tcp lotusnotes\nms-sql-s 1433/tcp\n"
	"ms-sql-m 1434/udp\ningreslock 1524/tcp\n"
	"datametrics 1645/tcp old-radius\ndatametrics 1645/udp old-radius\n"
	"sa-msg-port 1646/tcp old-radacct\nsa-msg-port 1646/udp old-radacct\n"
	"kermit 1649/tcp\ngroupwise 1677/tcp\nl2f 1701/udp l2tp\n"
	"radius 1812/tcp\nradius 1812/udp\nradius-acct 1813/tcp radacct\n"
	"radius-acct 1813/udp radacct\ncisco-sccp 2000/tcp\nnfs 2049/tcp\n"
	"nfs 2049/udp\ngnunet 2086/tcp\ngnunet 2086/udp\nrtcm-sc104 2101/tcp\n"
	"rtcm-sc104 2101/udp\ngsigatekeeper 2119/tcp\ngris 2135/tcp\n"
	"cvspserver 2401/tcp\nvenus 2430/tcp\nvenus 2430/udp\nvenus-se 2431/tcp\n"
	"venus-se 2431/udp\ncodasrv 2432/tcp\ncodasrv 2432/udp\n"
	"codasrv-se 2433/tcp\ncodasrv-se 2433/udp\nmon 2583/tcp\nmon 2583/udp\n"
	"dict 2628/tcp\nf5-globalsite 2792/tcp\ngsiftp 2811/tcp\ngpsd 2947/tcp\n"
	"gds-db 3050/tcp gds_db\nicpv2 3130/udp icp\nisns 3205/tcp\n"
	"isns 3205/udp\niscsi-target 3260/tcp\nmysql 3306/tcp\n"
	"ms-wbt-server 3389/tcp\nnut 3493/tcp\nnut 3493/udp\ndistcc 3632/tcp\n"
	"daap 3689/tcp\nsvn 3690/tcp subversion\nsuucp 4031/tcp\n"
	"sysrqd 4094/tcp\nsieve 4190/tcp\nepmd 4369/tcp\nremctl 4373/tcp\n"
	"f5-iquery 4353/tcp\nntske 4460/tcp\nipsec-nat-t 4500/udp\niax 4569/udp\n"
	"mtn 4691/tcp\nradmin-port 4899/tcp\nsip 5060/tcp\nsip 5060/udp\n"
	"sip-tls 5061/tcp\nsip-tls 5061/udp\nxmpp-client 5222/tcp jabber-client\n"
	"xmpp-server 5269/tcp jabber-server\ncfengine 5308/tcp\nmdns 5353/udp\n"
	"postgresql 5432/tcp postgres\nfreeciv 5556/tcp rptp\namqps 5671/tcp\n"
	"amqp 5672/tcp\namqp 5672/sctp\nx11 6000/tcp x11-0\nx11-1 6001/tcp\n"
	"x11-2 6002/tcp\nx11-3 6003/tcp\nx11-4 6004/tcp\nx11-5 6005/tcp\n"
	"x11-6 6006/tcp\nx11-7 6007/tcp\ngnutella-svc 6346/tcp\n"
	"gnutella-svc 6346/udp\ngnutella-rtr 6347/tcp\ngnutella-rtr 6347/udp\n"
	"redis 6379/tcp\nsge-qmaster 6444/tcp sge_qmaster\n"
	"sge-execd 6445/tcp sge_execd\nmysql-proxy 6446/tcp\nbabel 6696/udp\n"
	"ircs-u 6697/tcp\nbbs 7000/tcp\nafs3-fileserver 7000/udp\n"
	"afs3-callback 7001/udp\nafs3-prserver 7002/udp\nafs3-vlserver 7003/udp\n"
	"afs3-kaserver 7004/udp\nafs3-volser 7005/udp\nafs3-bos 7007/udp\n"
	"afs3-update 7008/udp\nafs3-rmtsys 7009/udp\nfont-service 7100/tcp xfs\n"
	"http-alt 8080/tcp webcache\npuppet 8140/tcp\nbacula-dir 9101/tcp\n"
	"bacula-fd 9102/tcp\nbacula-sd 9103/tcp\nxmms2 9667/tcp\nnbd 10809/tcp\n"
	"zabbix-agent 10050/tcp\nzabbix-trapper 10051/tcp\namanda 10080/tcp\n"
	"dicom 11112/tcp\nhkp 11371/tcp\ndb-lsp 17500/tcp\ndcap 22125/tcp\n"
	"gsidcap 22128/tcp\nwnn6 22273/tcp\nrtmp 1/ddp\nnbp 2/ddp\necho 4/ddp\n"
	"zip 6/ddp\nkerberos4 750/udp kerberos-iv kdc\n"
	"kerberos4 750/tcp kerberos-iv kdc\n"
	"kerberos-master 751/udp kerberos_master\nkerberos-master 751/tcp\n"
	"passwd-server 752/udp passwd_server\n"
	"krb-prop 754/tcp krb_prop krb5_prop hprop\nzephyr-srv 2102/udp\n"
	"zephyr-clt 2103/udp\nzephyr-hm 2104/udp\niprop 2121/tcp\n"
	"supfilesrv 871/tcp\nsupfiledbg 1127/tcp\npoppassd 106/tcp\n"
	"moira-db 775/tcp moira_db\nmoira-update 777/tcp moira_update\n"
	"moira-ureg 779/udp moira_ureg\nspamd 783/tcp\nskkserv 1178/tcp\n"
	"predict 1210/udp\nrmtcfg 1236/tcp\nxtel 1313/tcp\nxtelw 1314/tcp\n"
	"zebrasrv 2600/tcp\nzebra 2601/tcp\nripd 2602/tcp\nripngd 2603/tcp\n"
	"ospfd 2604/tcp\nbgpd 2605/tcp\nospf6d 2606/tcp\nospfapi 2607/tcp\n"
	"isisd 2608/tcp\nfax 4557/tcp\nhylafax 4559/tcp\nmunin 4949/tcp lrrd\n"
	"rplay 5555/udp\nnrpe 5666/tcp\nnsca 5667/tcp\ncanna 5680/tcp\n"
	"syslog-tls 6514/tcp\nsane-port 6566/tcp sane saned\nircd 6667/tcp\n"
	"zope-ftp 8021/tcp\ntproxy 8081/tcp\nomniorb 8088/tcp\n"
	"clc-build-daemon 8990/tcp\nxinetd 9098/tcp\ngit 9418/tcp\n"
	"zope 9673/tcp\nwebmin 10000/tcp\nkamanda 10081/tcp\n"
	"amandaidx 10082/tcp\namidxtape 10083/tcp\nsgi-cmsd 17001/udp\n"
	"sgi-crsd 17002/udp\nsgi-gcd 17003/udp\nsgi-cad 17004/tcp\n"
	"binkp 24554/tcp\nasp 27374/tcp\nasp 27374/udp\ncsync2 30865/tcp\n"
	"dircproxy 57000/tcp\ntfido 60177/tcp\nfido 60179/tcp\n";

/* netbase's /etc/protocols */
static const char builtin_protocols[] =
	"ip 0 IP\nhopopt 0 HOPOPT\nicmp 1 ICMP\nigmp 2 IGMP\nggp 3 GGP\n"
	"ipencap 4 IP-ENCAP\nst 5 ST\ntcp 6 TCP\negp 8 EGP\nigp 9 IGP\n"
	"pup 12 PUP\nudp 17 UDP\nhmp 20 HMP\nxns-idp 22 XNS-IDP\nrdp 27 RDP\n"
	"iso-tp4 29 ISO-TP4\ndccp 33 DCCP\nxtp 36 XTP\nddp 37 DDP\n"
	"idpr-cmtp 38 IDPR-CMTP\nipv6 41 IPv6\nipv6-route 43 IPv6-Route\n"
	"ipv6-frag 44 IPv6-Frag\nidrp 45 IDRP\nrsvp 46 RSVP\ngre 47 GRE\n"
	"esp 50 IPSEC-ESP\nah 51 IPSEC-AH\nskip 57 SKIP\nipv6-icmp 58 IPv6-ICMP\n"
	"ipv6-nonxt 59 IPv6-NoNxt\nipv6-opts 60 IPv6-Opts\nrspf 73 RSPF CPHB\n"
	"vmtp 81 VMTP\neigrp 88 EIGRP\nospf 89 OSPFIGP\nax.25 93 AX.25\n"
	"ipip 94 IPIP\netherip 97 ETHERIP\nencap 98 ENCAP\npim 103 PIM\n"
	"ipcomp 108 IPCOMP\nvrrp 112 VRRP\nl2tp 115 L2TP\nisis 124 ISIS\n"
	"sctp 132 SCTP\nfc 133 FC\nmobility-header 135 Mobility-Header\n"
	"udplite 136 UDPLite\nmpls-in-ip 137 MPLS-in-IP\nmanet 138\nhip 139 HIP\n"
	"shim6 140 Shim6\nwesp 141 WESP\nrohc 142 ROHC\nethernet 143 Ethernet\n"
	"mptcp 262 MPTCP\n";

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next line of text: its words in w[] (at most max), up to '#'. */
struct words {
	const char *s[16];
	__u32 len[16];
	int n;
};

static const char *line_words(const char *p, const char *end, struct words *w)
{
	const char *eol = memchr(p, '\n', end - p);
	const char *stop;

	if (!eol)
		eol = end;
	stop = memchr(p, '#', eol - p);
	if (!stop)
		stop = eol;
	w->n = 0;
	while (p < stop) {
		while (p < stop && is_space(*p))
			p++;
		if (p >= stop)
			break;
		if (w->n < 16)
			w->s[w->n] = p;
		while (p < stop && !is_space(*p))
			p++;
		if (w->n < 16)
			w->len[w->n] = p - w->s[w->n];
		w->n++;
	}
	if (w->n > 16)
		w->n = 16;
	return eol < end ? eol + 1 : end;
}

static int eq(const char *a, __u32 al, const char *b, __u32 bl)
{
	return al == bl && !memcmp(a, b, al);
}

static int eq_nocase(const char *a, __u32 al, const char *b, __u32 bl)
{
	__u32 i;

	if (al != bl)
		return 0;
	for (i = 0; i < al; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return 0;
	}
	return 1;
}

/* decimal digits only (getaddrinfo's numeric service): the value or -1 */
static long number(const char *s, __u32 len)
{
	long v = 0;
	__u32 i;

	if (!len || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

/* "name port/proto aliases...": the port of name for proto, or -1 */
static long service(const char *t, size_t tlen, const char *name, __u32 len,
		    const char *proto)
{
	const char *p = t, *end = t + tlen, *slash;
	struct words w;
	long port;
	int i;

	while (t && p < end) {
		p = line_words(p, end, &w);
		if (w.n < 2)
			continue;
		slash = memchr(w.s[1], '/', w.len[1]);
		if (!slash || !eq(slash + 1, w.s[1] + w.len[1] - slash - 1, proto,
				  strlen(proto)))
			continue;
		port = number(w.s[1], slash - w.s[1]);
		if (port < 0 || port > 65535)
			continue;
		for (i = 0; i < w.n; i++)
			if (i != 1 && eq(w.s[i], w.len[i], name, len))
				return port;
	}
	return -1;
}

static long service_any(const struct flt_names *n, const char *name,
			__u32 len, const char *proto)
{
	long port = -1;

	if (n && n->services)
		port = service(n->services, n->services_len, name, len, proto);
	if (port < 0)
		port = service(builtin_services, sizeof(builtin_services) - 1,
			       name, len, proto);
	return port;
}

int fcc_name_port(const struct flt_names *n, const char *name, __u32 len,
		  int *port, int *proto)
{
	long tcp, udp, num = number(name, len);

	if (num >= 0) {
		tcp = udp = num;
	} else {
		tcp = service_any(n, name, len, "tcp");
		udp = service_any(n, name, len, "udp");
	}
	if (tcp >= 0) {
		*port = tcp;
		*proto = udp == tcp ? PROTO_UNDEF : IPP_TCP;
		return 0;
	}
	if (udp >= 0) {
		*port = udp;
		*proto = IPP_UDP;
		return 0;
	}
	return -1;
}

/* "name number aliases..." */
static long protocol(const char *t, size_t tlen, const char *name, __u32 len)
{
	const char *p = t, *end = t + tlen;
	struct words w;
	long v;
	int i;

	while (t && p < end) {
		p = line_words(p, end, &w);
		if (w.n < 2 || (v = number(w.s[1], w.len[1])) < 0 || v > 255)
			continue;
		for (i = 0; i < w.n; i++)
			if (i != 1 && eq(w.s[i], w.len[i], name, len))
				return v;
	}
	return -1;
}

int fcc_name_proto(const struct flt_names *n, const char *name, __u32 len)
{
	long v = -1;

	if (n && n->protocols)
		v = protocol(n->protocols, n->protocols_len, name, len);
	if (v < 0)
		v = protocol(builtin_protocols, sizeof(builtin_protocols) - 1,
			     name, len);
	return v;
}

/*
 * A network number as the C library reads /etc/networks: inet_network()
 * (a.b.c.d, each part decimal, 0 octal or 0x hex) of the number padded
 * with ".0" to four parts, so "10.1" is 10.1.0.0 (glibc's files).
 */
static int inet_net(const char *s, __u32 len, __u32 *out)
{
	__u32 v = 0, part, parts = 0, i = 0, base;

	while (i < len) {
		if (parts == 4)
			return -1;
		base = 10;
		if (s[i] == '0' && i + 1 < len && (s[i + 1] | 0x20) == 'x') {
			base = 16;
			i += 2;
		} else if (s[i] == '0') {
			base = 8;
		}
		part = 0;
		if (i >= len || s[i] == '.')
			return -1;
		while (i < len && s[i] != '.') {
			char c = s[i] | 0x20;
			__u32 d = c >= '0' && c <= '9' ? (__u32)(c - '0') :
				  c >= 'a' && c <= 'f' ? (__u32)(c - 'a' + 10) : 99;

			if (d >= base)
				return -1;
			part = part * base + d;
			if (part > 255)
				return -1;
			i++;
		}
		v = v << 8 | part;
		parts++;
		if (i < len)
			i++;
	}
	if (!parts)
		return -1;
	*out = parts == 4 ? v : v << 8 * (4 - parts);
	return 0;
}

int fcc_name_net(const struct flt_names *n, const char *name, __u32 len,
		 __u32 *net)
{
	const char *p, *end;
	struct words w;
	int i;

	if (!n || !n->networks)
		return -1;
	p = n->networks;
	end = p + n->networks_len;
	while (p < end) {
		p = line_words(p, end, &w);
		if (w.n < 2)
			continue;
		for (i = 0; i < w.n; i++)
			if (i != 1 && eq(w.s[i], w.len[i], name, len))
				return inet_net(w.s[1], w.len[1], net);
	}
	return -1;
}

static int parse_addr(const char *s, __u32 len, struct fcc_addr *a)
{
	char buf[64];

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (inet_pton(AF_INET, buf, a->a) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a->a) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

/*
 * Every line of the hosts file that names it (case aside): its
 * address, IPv6 ones first, each family in file order (as getaddrinfo
 * hands them to libpcap here; the order changes no answer).
 */
int fcc_name_host(const struct flt_names *n, const char *name, __u32 len,
		  struct fcc_addr *out, int max)
{
	const char *p, *end;
	struct words w;
	int i, cnt = 0, j, fam;

	if (!n || !n->hosts)
		return 0;
	for (fam = 6; fam >= 4; fam -= 2) {
		p = n->hosts;
		end = p + n->hosts_len;
		while (p < end && cnt < max) {
			p = line_words(p, end, &w);
			if (w.n < 2)
				continue;
			for (i = 1; i < w.n; i++)
				if (eq_nocase(w.s[i], w.len[i], name, len))
					break;
			if (i == w.n || parse_addr(w.s[0], w.len[0], &out[cnt]) ||
			    out[cnt].family != fam)
				continue;
			for (j = 0; j < cnt; j++)	/* the same address twice: once */
				if (out[j].family == out[cnt].family &&
				    !memcmp(out[j].a, out[cnt].a, 16))
					break;
			if (j == cnt)
				cnt++;
		}
	}
	return cnt;
}

/* "xx:xx:xx:xx:xx:xx name" */
int fcc_name_ether(const struct flt_names *n, const char *name, __u32 len,
		   __u8 *mac)
{
	const char *p, *end;
	struct words w;

	if (!n || !n->ethers)
		return -1;
	p = n->ethers;
	end = p + n->ethers_len;
	while (p < end) {
		p = line_words(p, end, &w);
		if (w.n < 2 || !eq_nocase(w.s[1], w.len[1], name, len))
			continue;
		{
			__u32 i = 0, k = 0;
			const char *s = w.s[0];

			memset(mac, 0, 6);
			while (k < 6 && i < w.len[0]) {
				__u32 v = 0, d = 0;

				while (i < w.len[0] && s[i] != ':' && d < 3) {
					char c = s[i] | 0x20;

					if (c >= '0' && c <= '9')
						v = v * 16 + c - '0';
					else if (c >= 'a' && c <= 'f')
						v = v * 16 + c - 'a' + 10;
					else
						break;
					i++;
					d++;
				}
				if (!d || v > 255)
					break;
				mac[k++] = v;
				if (i < w.len[0] && s[i] == ':')
					i++;
			}
			if (k == 6)
				return 0;
		}
	}
	return -1;
}
