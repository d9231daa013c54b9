// SPDX-License-Identifier: GPL-2.0
/*
 * fltopt.c - libpcap 1.10's optimiser, on the blocks fltgen.c built,
 * and the blocks laid out as a classic BPF program (see fltcc.h).
 *
 * Its results are part of what an expression means: where a load or a
 * division would fail (past the captured bytes; by zero), libpcap's
 * filter rejects the packet, unless the optimiser removed that load
 * first because its value could not change the answer.  So this is
 * libpcap's algorithm, step for step and in the same order: value
 * numbering with constant folding and peephole rules, dead stores,
 * branch threading along edge dominators, or/and pull-ups, block
 * interning; two loops, the first moving branches without rewriting
 * statements, the second rewriting statements without moving branches.
 * The layout is libpcap's too (false branch first, from the end),
 * so that the program equals the one `tcpdump -d` prints.
 */
#include <errno.h>
#include <string.h>
#include "fltcc.h"

#define BITS	32
#define SET_MEMBER(p, a)	((p)[(a) / BITS] & (1u << ((a) % BITS)))
#define SET_INSERT(p, a)	((p)[(a) / BITS] |= (1u << ((a) % BITS)))

#define VAL_UNKNOWN	0
#define MODULUS		213

struct valnode {
	int code;
	__u32 v0, v1, val;
	struct valnode *next;
};

struct vmapinfo {
	int is_const;
	__u32 const_val;
};

struct opt {
	struct fcc *c;
	int done, non_branch_movement;
	__u32 n_blocks, n_edges, nodewords, edgewords;
	struct fblock **blocks;
	struct fedge **edges;
	struct fblock **levels;
	__u32 *space;
	struct vmapinfo *vmap;
	struct valnode *vnode_base, *next_vnode;
	struct valnode *hashtbl[MODULUS];
	__u32 curval, maxval;
};

static void set_intersect(__u32 *a, const __u32 *b, __u32 n)
{
	while (n--)
		*a++ &= *b++;
}

/* ---- marks and levels ------------------------------------------------ */

static int marked(struct fcc *c, struct fblock *b)
{
	return b->mark == c->cur_mark;
}

static void mark(struct fcc *c, struct fblock *b)
{
	b->mark = c->cur_mark;
}

static void unmark_all(struct fcc *c)
{
	c->cur_mark++;
}

static void find_levels_r(struct opt *o, struct fblock *b)
{
	int level;

	if (marked(o->c, b))
		return;
	mark(o->c, b);
	b->link = NULL;
	if (JT(b)) {
		find_levels_r(o, JT(b));
		find_levels_r(o, JF(b));
		level = (JT(b)->level > JF(b)->level ? JT(b)->level :
			 JF(b)->level) + 1;
	} else {
		level = 0;
	}
	b->level = level;
	b->link = o->levels[level];
	o->levels[level] = b;
}

static void find_levels(struct opt *o)
{
	memset(o->levels, 0, o->n_blocks * sizeof(*o->levels));
	unmark_all(o->c);
	find_levels_r(o, o->c->root);
}

static void find_dom(struct opt *o, struct fblock *root)
{
	struct fblock *b;
	__u32 i;
	int level;

	for (i = 0; i < o->n_blocks; i++)
		memset(o->blocks[i]->dom, 0xff, o->nodewords * 4);
	memset(root->dom, 0, o->nodewords * 4);
	for (level = root->level; level >= 0; --level) {
		for (b = o->levels[level]; b; b = b->link) {
			SET_INSERT(b->dom, b->id);
			if (!JT(b))
				continue;
			set_intersect(JT(b)->dom, b->dom, o->nodewords);
			set_intersect(JF(b)->dom, b->dom, o->nodewords);
		}
	}
}

static void propedom(struct opt *o, struct fedge *ep)
{
	SET_INSERT(ep->edom, ep->id);
	if (ep->succ) {
		set_intersect(ep->succ->et.edom, ep->edom, o->edgewords);
		set_intersect(ep->succ->ef.edom, ep->edom, o->edgewords);
	}
}

static void find_edom(struct opt *o, struct fblock *root)
{
	struct fblock *b;
	__u32 i;
	int level;

	for (i = 0; i < o->n_blocks; i++) {
		memset(o->blocks[i]->et.edom, 0xff, o->edgewords * 4);
		memset(o->blocks[i]->ef.edom, 0xff, o->edgewords * 4);
	}
	memset(root->et.edom, 0, o->edgewords * 4);
	memset(root->ef.edom, 0, o->edgewords * 4);
	for (level = root->level; level >= 0; --level) {
		for (b = o->levels[level]; b; b = b->link) {
			propedom(o, &b->et);
			propedom(o, &b->ef);
		}
	}
}

/* ---- uses and definitions ---------------------------------------------- */

#define ATOMMASK(n)	(1u << (n))
#define ATOMELEM(d, n)	((d) & ATOMMASK(n))

static int atomuse(const struct fstmt *s)
{
	int c = s->code;

	if (c == FLT_NOP)
		return -1;
	switch (BPF_CLASS(c)) {
	case BPF_RET:
		return BPF_RVAL(c) == BPF_A ? A_ATOM :
		       BPF_RVAL(c) == BPF_X ? X_ATOM : -1;
	case BPF_LD:
	case BPF_LDX:
		return BPF_MODE(c) == BPF_IND ? X_ATOM :
		       BPF_MODE(c) == BPF_MEM ? (int)s->k : -1;
	case BPF_ST:
		return A_ATOM;
	case BPF_STX:
		return X_ATOM;
	case BPF_JMP:
	case BPF_ALU:
		return BPF_SRC(c) == BPF_X ? AX_ATOM : A_ATOM;
	case BPF_MISC:
		return BPF_MISCOP(c) == BPF_TXA ? X_ATOM : A_ATOM;
	}
	return -1;
}

static int atomdef(const struct fstmt *s)
{
	if (s->code == FLT_NOP)
		return -1;
	switch (BPF_CLASS(s->code)) {
	case BPF_LD:
	case BPF_ALU:
		return A_ATOM;
	case BPF_LDX:
		return X_ATOM;
	case BPF_ST:
	case BPF_STX:
		return s->k;
	case BPF_MISC:
		return BPF_MISCOP(s->code) == BPF_TAX ? X_ATOM : A_ATOM;
	}
	return -1;
}

static void use_atom(int atom, __u32 def, __u32 *use)
{
	if (atom == AX_ATOM) {
		if (!ATOMELEM(def, X_ATOM))
			*use |= ATOMMASK(X_ATOM);
		if (!ATOMELEM(def, A_ATOM))
			*use |= ATOMMASK(A_ATOM);
	} else if (atom >= 0 && atom < N_ATOMS) {
		if (!ATOMELEM(def, atom))
			*use |= ATOMMASK(atom);
	}
}

static void compute_local_ud(struct fblock *b)
{
	__u32 def = 0, use = 0, killed = 0;
	struct fslist *s;
	int atom;

	for (s = b->stmts; s; s = s->next) {
		if (s->s.code == FLT_NOP)
			continue;
		use_atom(atomuse(&s->s), def, &use);
		atom = atomdef(&s->s);
		if (atom >= 0) {
			if (!ATOMELEM(use, atom))
				killed |= ATOMMASK(atom);
			def |= ATOMMASK(atom);
		}
	}
	if (BPF_CLASS(b->s.code) == BPF_JMP)
		use_atom(atomuse(&b->s), def, &use);
	b->def = def;
	b->kill = killed;
	b->in_use = use;
}

static void find_ud(struct opt *o, struct fblock *root)
{
	struct fblock *p;
	int i, maxlevel = root->level;

	for (i = maxlevel; i >= 0; --i) {
		for (p = o->levels[i]; p; p = p->link) {
			compute_local_ud(p);
			p->out_use = 0;
		}
	}
	for (i = 1; i <= maxlevel; ++i) {
		for (p = o->levels[i]; p; p = p->link) {
			p->out_use |= JT(p)->in_use | JF(p)->in_use;
			p->in_use |= p->out_use & ~p->kill;
		}
	}
}

/* ---- value numbering --------------------------------------------------- */

static void init_val(struct opt *o)
{
	o->curval = 0;
	o->next_vnode = o->vnode_base;
	memset(o->vmap, 0, o->maxval * sizeof(*o->vmap));
	memset(o->hashtbl, 0, sizeof(o->hashtbl));
}

static __u32 F(struct opt *o, int code, __u32 v0, __u32 v1)
{
	__u32 hash = ((__u32)code ^ (v0 << 4) ^ (v1 << 8)) % MODULUS, val;
	struct valnode *p;

	for (p = o->hashtbl[hash]; p; p = p->next)
		if (p->code == code && p->v0 == v0 && p->v1 == v1)
			return p->val;
	if (o->curval + 1 >= o->maxval ||
	    o->next_vnode >= o->vnode_base + o->maxval)
		fcc_fail(o->c, -E2BIG, "filter is too complex to optimize");
	val = ++o->curval;
	if (BPF_MODE(code) == BPF_IMM &&
	    (BPF_CLASS(code) == BPF_LD || BPF_CLASS(code) == BPF_LDX)) {
		o->vmap[val].const_val = v0;
		o->vmap[val].is_const = 1;
	}
	p = o->next_vnode++;
	p->val = val;
	p->code = code;
	p->v0 = v0;
	p->v1 = v1;
	p->next = o->hashtbl[hash];
	o->hashtbl[hash] = p;
	return val;
}

#define K(i)	F(o, BPF_LD | BPF_IMM | BPF_W, (i), 0)

static void vstore(struct fstmt *s, __u32 *valp, __u32 newval, int alter)
{
	if (alter && newval != VAL_UNKNOWN && *valp == newval)
		s->code = FLT_NOP;
	else
		*valp = newval;
}

static void fold_op(struct opt *o, struct fstmt *s, __u32 v0, __u32 v1)
{
	__u32 a = o->vmap[v0].const_val, b = o->vmap[v1].const_val;

	switch (BPF_OP(s->code)) {
	case BPF_ADD: a += b; break;
	case BPF_SUB: a -= b; break;
	case BPF_MUL: a *= b; break;
	case BPF_DIV:
		if (!b)
			fcc_fail(o->c, -EINVAL, "division by zero");
		a /= b;
		break;
	case BPF_MOD:
		if (!b)
			fcc_fail(o->c, -EINVAL, "modulus by zero");
		a %= b;
		break;
	case BPF_AND: a &= b; break;
	case BPF_OR: a |= b; break;
	case BPF_XOR: a ^= b; break;
	case BPF_LSH: a = b < 32 ? a << b : 0; break;
	case BPF_RSH: a = b < 32 ? a >> b : 0; break;
	}
	s->k = a;
	s->code = BPF_LD | BPF_IMM;
	o->non_branch_movement = 1;
	o->done = 0;
}

static struct fslist *this_op(struct fslist *s)
{
	while (s && s->s.code == FLT_NOP)
		s = s->next;
	return s;
}

static void opt_not(struct fblock *b)
{
	struct fblock *tmp = JT(b);

	JT(b) = JF(b);
	JF(b) = tmp;
}

static void opt_peep(struct opt *o, struct fblock *b)
{
	struct fslist *s, *next, *last;
	__u32 val;

	s = b->stmts;
	if (!s)
		return;
	last = s;
	for (;; s = next) {
		s = this_op(s);
		if (!s)
			break;
		next = this_op(s->next);
		if (!next)
			break;
		last = next;
		/* st M[k]; ldx M[k] -> st M[k]; tax */
		if (s->s.code == BPF_ST && next->s.code == (BPF_LDX | BPF_MEM) &&
		    s->s.k == next->s.k) {
			o->non_branch_movement = 1;
			o->done = 0;
			next->s.code = BPF_MISC | BPF_TAX;
		}
		/* ld #k; tax -> ldx #k; txa */
		if (s->s.code == (BPF_LD | BPF_IMM) &&
		    next->s.code == (BPF_MISC | BPF_TAX)) {
			s->s.code = BPF_LDX | BPF_IMM;
			next->s.code = BPF_MISC | BPF_TXA;
			o->non_branch_movement = 1;
			o->done = 0;
		}
		/* ld #k; [ldxms]; addx; tax; ild [x+m] -> [ldxms]; ild [x+k+m] */
		if (s->s.code == (BPF_LD | BPF_IMM)) {
			struct fslist *add, *tax, *ild;

			if (ATOMELEM(b->out_use, X_ATOM))
				continue;
			if (next->s.code != (BPF_LDX | BPF_MSH | BPF_B))
				add = next;
			else
				add = this_op(next->next);
			if (!add || add->s.code != (BPF_ALU | BPF_ADD | BPF_X))
				continue;
			tax = this_op(add->next);
			if (!tax || tax->s.code != (BPF_MISC | BPF_TAX))
				continue;
			ild = this_op(tax->next);
			if (!ild || BPF_CLASS(ild->s.code) != BPF_LD ||
			    BPF_MODE(ild->s.code) != BPF_IND)
				continue;
			ild->s.k += s->s.k;
			s->s.code = FLT_NOP;
			add->s.code = FLT_NOP;
			tax->s.code = FLT_NOP;
			o->non_branch_movement = 1;
			o->done = 0;
		}
	}
	/* jeq #k after an arithmetic operation nobody else reads */
	if (b->s.code == (BPF_JMP | BPF_JEQ | BPF_K) &&
	    !ATOMELEM(b->out_use, A_ATOM)) {
		if (last->s.code == (BPF_ALU | BPF_SUB | BPF_X)) {
			val = b->val[X_ATOM];
			if (o->vmap[val].is_const) {
				b->s.k += o->vmap[val].const_val;
				last->s.code = FLT_NOP;
				o->non_branch_movement = 1;
				o->done = 0;
			} else if (b->s.k == 0) {
				last->s.code = FLT_NOP;
				b->s.code = BPF_JMP | BPF_JEQ | BPF_X;
				o->non_branch_movement = 1;
				o->done = 0;
			}
		} else if (last->s.code == (BPF_ALU | BPF_SUB | BPF_K)) {
			last->s.code = FLT_NOP;
			b->s.k += last->s.k;
			o->non_branch_movement = 1;
			o->done = 0;
		} else if (last->s.code == (BPF_ALU | BPF_AND | BPF_K) &&
			   b->s.k == 0) {
			b->s.k = last->s.k;
			b->s.code = BPF_JMP | BPF_K | BPF_JSET;
			last->s.code = FLT_NOP;
			o->non_branch_movement = 1;
			o->done = 0;
			opt_not(b);
		}
	}
	/* jset #0: never; jset #0xffffffff: always */
	if (b->s.code == (BPF_JMP | BPF_K | BPF_JSET)) {
		if (b->s.k == 0)
			JT(b) = JF(b);
		if (b->s.k == 0xffffffffu)
			JF(b) = JT(b);
	}
	/* a comparison with a constant X is one with the constant */
	val = b->val[X_ATOM];
	if (o->vmap[val].is_const && BPF_SRC(b->s.code) == BPF_X) {
		b->s.code &= ~BPF_X;
		b->s.k = o->vmap[val].const_val;
	}
	/* a constant A decides */
	val = b->val[A_ATOM];
	if (o->vmap[val].is_const && BPF_SRC(b->s.code) == BPF_K) {
		__u32 v = o->vmap[val].const_val;

		switch (BPF_OP(b->s.code)) {
		case BPF_JEQ: v = v == b->s.k; break;
		case BPF_JGT: v = v > b->s.k; break;
		case BPF_JGE: v = v >= b->s.k; break;
		case BPF_JSET: v &= b->s.k; break;
		}
		if (JF(b) != JT(b)) {
			o->non_branch_movement = 1;
			o->done = 0;
		}
		if (v)
			JF(b) = JT(b);
		else
			JT(b) = JF(b);
	}
}

static void opt_stmt(struct opt *o, struct fstmt *s, __u32 val[], int alter)
{
	int op;
	__u32 v;

	switch (s->code) {
	case BPF_LD | BPF_ABS | BPF_W:
	case BPF_LD | BPF_ABS | BPF_H:
	case BPF_LD | BPF_ABS | BPF_B:
		v = F(o, s->code, s->k, 0);
		vstore(s, &val[A_ATOM], v, alter);
		break;
	case BPF_LD | BPF_IND | BPF_W:
	case BPF_LD | BPF_IND | BPF_H:
	case BPF_LD | BPF_IND | BPF_B:
		v = val[X_ATOM];
		if (alter && o->vmap[v].is_const) {
			s->code = BPF_LD | BPF_ABS | BPF_SIZE(s->code);
			s->k += o->vmap[v].const_val;
			v = F(o, s->code, s->k, 0);
			o->non_branch_movement = 1;
			o->done = 0;
		} else {
			v = F(o, s->code, s->k, v);
		}
		vstore(s, &val[A_ATOM], v, alter);
		break;
	case BPF_LD | BPF_LEN:
		v = F(o, s->code, 0, 0);
		vstore(s, &val[A_ATOM], v, alter);
		break;
	case BPF_LD | BPF_IMM:
		v = K(s->k);
		vstore(s, &val[A_ATOM], v, alter);
		break;
	case BPF_LDX | BPF_IMM:
		v = K(s->k);
		vstore(s, &val[X_ATOM], v, alter);
		break;
	case BPF_LDX | BPF_MSH | BPF_B:
		v = F(o, s->code, s->k, 0);
		vstore(s, &val[X_ATOM], v, alter);
		break;
	case BPF_ALU | BPF_NEG:
		if (alter && o->vmap[val[A_ATOM]].is_const) {
			s->code = BPF_LD | BPF_IMM;
			s->k = 0u - o->vmap[val[A_ATOM]].const_val;
			val[A_ATOM] = K(s->k);
		} else {
			val[A_ATOM] = F(o, s->code, val[A_ATOM], 0);
		}
		break;
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		op = BPF_OP(s->code);
		if (alter) {
			if (s->k == 0) {
				if (op == BPF_ADD || op == BPF_LSH || op == BPF_RSH ||
				    op == BPF_OR || op == BPF_XOR) {
					s->code = FLT_NOP;
					break;
				}
				if (op == BPF_MUL || op == BPF_AND) {
					s->code = BPF_LD | BPF_IMM;
					val[A_ATOM] = K(s->k);
					break;
				}
				if (op == BPF_DIV)
					fcc_fail(o->c, -EINVAL, "division by zero");
				if (op == BPF_MOD)
					fcc_fail(o->c, -EINVAL, "modulus by zero");
			}
			if (o->vmap[val[A_ATOM]].is_const) {
				fold_op(o, s, val[A_ATOM], K(s->k));
				val[A_ATOM] = K(s->k);
				break;
			}
		}
		val[A_ATOM] = F(o, s->code, val[A_ATOM], K(s->k));
		break;
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_X:
		op = BPF_OP(s->code);
		if (alter && o->vmap[val[X_ATOM]].is_const) {
			if (o->vmap[val[A_ATOM]].is_const) {
				fold_op(o, s, val[A_ATOM], val[X_ATOM]);
				val[A_ATOM] = K(s->k);
			} else {
				s->code = BPF_ALU | BPF_K | op;
				s->k = o->vmap[val[X_ATOM]].const_val;
				if ((op == BPF_LSH || op == BPF_RSH) && s->k > 31)
					fcc_fail(o->c, -EINVAL,
						 "shift by more than 31 bits");
				o->non_branch_movement = 1;
				o->done = 0;
				val[A_ATOM] = F(o, s->code, val[A_ATOM], K(s->k));
			}
			break;
		}
		if (alter && o->vmap[val[A_ATOM]].is_const &&
		    o->vmap[val[A_ATOM]].const_val == 0) {
			if (op == BPF_ADD || op == BPF_OR || op == BPF_XOR) {
				s->code = BPF_MISC | BPF_TXA;
				vstore(s, &val[A_ATOM], val[X_ATOM], alter);
				break;
			} else if (op == BPF_MUL || op == BPF_DIV || op == BPF_MOD ||
				   op == BPF_AND || op == BPF_LSH || op == BPF_RSH) {
				s->code = BPF_LD | BPF_IMM;
				s->k = 0;
				vstore(s, &val[A_ATOM], K(s->k), alter);
				break;
			}
		}
		val[A_ATOM] = F(o, s->code, val[A_ATOM], val[X_ATOM]);
		break;
	case BPF_MISC | BPF_TXA:
		vstore(s, &val[A_ATOM], val[X_ATOM], alter);
		break;
	case BPF_LD | BPF_MEM:
		v = val[s->k];
		if (alter && o->vmap[v].is_const) {
			s->code = BPF_LD | BPF_IMM;
			s->k = o->vmap[v].const_val;
			o->non_branch_movement = 1;
			o->done = 0;
		}
		vstore(s, &val[A_ATOM], v, alter);
		break;
	case BPF_MISC | BPF_TAX:
		vstore(s, &val[X_ATOM], val[A_ATOM], alter);
		break;
	case BPF_LDX | BPF_MEM:
		v = val[s->k];
		if (alter && o->vmap[v].is_const) {
			s->code = BPF_LDX | BPF_IMM;
			s->k = o->vmap[v].const_val;
			o->non_branch_movement = 1;
			o->done = 0;
		}
		vstore(s, &val[X_ATOM], v, alter);
		break;
	case BPF_ST:
		vstore(s, &val[s->k], val[A_ATOM], alter);
		break;
	case BPF_STX:
		vstore(s, &val[s->k], val[X_ATOM], alter);
		break;
	}
}

static void deadstmt(struct opt *o, struct fstmt *s, struct fstmt *last[])
{
	int atom = atomuse(s);

	if (atom >= 0) {
		if (atom == AX_ATOM) {
			last[X_ATOM] = NULL;
			last[A_ATOM] = NULL;
		} else {
			last[atom] = NULL;
		}
	}
	atom = atomdef(s);
	if (atom >= 0) {
		if (last[atom]) {
			o->non_branch_movement = 1;
			o->done = 0;
			last[atom]->code = FLT_NOP;
		}
		last[atom] = s;
	}
}

static void opt_deadstores(struct opt *o, struct fblock *b)
{
	struct fstmt *last[N_ATOMS] = { NULL };
	struct fslist *s;
	int atom;

	for (s = b->stmts; s; s = s->next)
		deadstmt(o, &s->s, last);
	deadstmt(o, &b->s, last);
	for (atom = 0; atom < N_ATOMS; ++atom) {
		if (last[atom] && !ATOMELEM(b->out_use, atom)) {
			last[atom]->code = FLT_NOP;
			o->non_branch_movement = 1;
			o->done = 0;
		}
	}
}

static void opt_blk(struct opt *o, struct fblock *b, int do_stmts)
{
	struct fslist *s;
	struct fedge *p;
	__u32 aval, xval;
	int i;

	p = b->in_edges;
	if (!p) {
		memset(b->val, 0, sizeof(b->val));
	} else {
		memcpy(b->val, p->pred->val, sizeof(b->val));
		while ((p = p->next)) {
			for (i = 0; i < N_ATOMS; ++i)
				if (b->val[i] != p->pred->val[i])
					b->val[i] = 0;
		}
	}
	aval = b->val[A_ATOM];
	xval = b->val[X_ATOM];
	for (s = b->stmts; s; s = s->next)
		opt_stmt(o, &s->s, b->val, do_stmts);
	if (do_stmts &&
	    ((b->out_use == 0 && aval != VAL_UNKNOWN && b->val[A_ATOM] == aval &&
	      xval != VAL_UNKNOWN && b->val[X_ATOM] == xval) ||
	     BPF_CLASS(b->s.code) == BPF_RET)) {
		if (b->stmts) {
			b->stmts = NULL;
			o->non_branch_movement = 1;
			o->done = 0;
		}
	} else {
		opt_peep(o, b);
		opt_deadstores(o, b);
	}
	if (BPF_SRC(b->s.code) == BPF_K)
		b->oval = K(b->s.k);
	else
		b->oval = b->val[X_ATOM];
	b->et.code = b->s.code;
	b->ef.code = -b->s.code;
}

/* ---- branches ---------------------------------------------------------- */

static int use_conflict(struct fblock *b, struct fblock *succ)
{
	__u32 use = succ->out_use;
	int atom;

	if (!use)
		return 0;
	for (atom = 0; atom < N_ATOMS; ++atom)
		if (ATOMELEM(use, atom) && b->val[atom] != succ->val[atom])
			return 1;
	return 0;
}

static struct fblock *fold_edge(struct fblock *child, struct fedge *ep)
{
	int sense, code = ep->code;

	if (code < 0) {
		code = -code;
		sense = 0;
	} else {
		sense = 1;
	}
	if (child->s.code != code)
		return NULL;
	if (child->val[A_ATOM] != ep->pred->val[A_ATOM])
		return NULL;
	if (child->oval == ep->pred->oval)
		return sense ? JT(child) : JF(child);
	if (sense && code == (BPF_JMP | BPF_JEQ | BPF_K))
		return JF(child);
	return NULL;
}

static void opt_j(struct opt *o, struct fedge *ep)
{
	struct fblock *target;
	__u32 i, k, x;

	if (!JT(ep->succ))
		return;
	if (JT(ep->succ) == JF(ep->succ)) {
		if (!use_conflict(ep->pred, JT(ep->succ))) {
			o->non_branch_movement = 1;
			o->done = 0;
			ep->succ = JT(ep->succ);
		}
	}
top:
	for (i = 0; i < o->edgewords; ++i) {
		x = ep->edom[i];
		while (x) {
			k = __builtin_ctz(x);
			x &= ~(1u << k);
			k += i * BITS;
			target = fold_edge(ep->succ, o->edges[k]);
			if (target && !use_conflict(ep->pred, target)) {
				o->done = 0;
				ep->succ = target;
				if (JT(target))
					goto top;
				return;
			}
		}
	}
}

/* a block's branch: 1 the true one, 0 the false one */
static struct fblock **branch(struct fblock *b, int t)
{
	return t ? &JT(b) : &JF(b);
}

/*
 * libpcap's or_pullup (is_or) and and_pullup: in a chain of blocks
 * joined by their false (or: true) branches that all jump the other way
 * to where b does, move the first that tests b's value of A up front.
 */
static void pullup(struct opt *o, struct fblock *b, int is_or)
{
	struct fblock **diffp, **samep, *pull;
	struct fedge *ep = b->in_edges;
	int at_top;
	__u32 val;

	if (!ep)
		return;
	val = ep->pred->val[A_ATOM];
	for (ep = ep->next; ep; ep = ep->next)
		if (val != ep->pred->val[A_ATOM])
			return;
	if (JT(b->in_edges->pred) == b)
		diffp = &JT(b->in_edges->pred);
	else
		diffp = &JF(b->in_edges->pred);
	at_top = 1;
	for (;;) {
		if (!*diffp)
			return;
		if (*branch(*diffp, is_or) != *branch(b, is_or))
			return;
		if (!SET_MEMBER((*diffp)->dom, b->id))
			return;
		if ((*diffp)->val[A_ATOM] != val)
			break;
		diffp = branch(*diffp, !is_or);
		at_top = 0;
	}
	samep = branch(*diffp, !is_or);
	for (;;) {
		if (!*samep)
			return;
		if (*branch(*samep, is_or) != *branch(b, is_or))
			return;
		if (!SET_MEMBER((*samep)->dom, b->id))
			return;
		if ((*samep)->val[A_ATOM] == val)
			break;
		samep = branch(*samep, !is_or);
	}
	pull = *samep;
	*samep = *branch(pull, !is_or);
	*branch(pull, !is_or) = *diffp;
	if (at_top) {
		for (ep = b->in_edges; ep; ep = ep->next) {
			if (JT(ep->pred) == b)
				JT(ep->pred) = pull;
			else
				JF(ep->pred) = pull;
		}
	} else {
		*diffp = pull;
	}
	o->done = 0;
}

static void link_inedge(struct fedge *parent, struct fblock *child)
{
	parent->next = child->in_edges;
	child->in_edges = parent;
}

static void find_inedges(struct opt *o, struct fblock *root)
{
	struct fblock *b;
	__u32 i;
	int level;

	for (i = 0; i < o->n_blocks; ++i)
		o->blocks[i]->in_edges = NULL;
	for (level = root->level; level > 0; --level) {
		for (b = o->levels[level]; b; b = b->link) {
			link_inedge(&b->et, JT(b));
			link_inedge(&b->ef, JF(b));
		}
	}
}

static void opt_blks(struct opt *o, int do_stmts)
{
	struct fblock *p;
	int i, maxlevel;

	init_val(o);
	maxlevel = o->c->root->level;
	find_inedges(o, o->c->root);
	for (i = maxlevel; i >= 0; --i)
		for (p = o->levels[i]; p; p = p->link)
			opt_blk(o, p, do_stmts);
	if (do_stmts)
		return;
	for (i = 1; i <= maxlevel; ++i) {
		for (p = o->levels[i]; p; p = p->link) {
			opt_j(o, &p->et);
			opt_j(o, &p->ef);
		}
	}
	find_inedges(o, o->c->root);
	for (i = 1; i <= maxlevel; ++i) {
		for (p = o->levels[i]; p; p = p->link) {
			pullup(o, p, 1);
			pullup(o, p, 0);
		}
	}
}

static void opt_root(struct fblock **b)
{
	struct fslist *tmp, *s;

	s = (*b)->stmts;
	(*b)->stmts = NULL;
	while (BPF_CLASS((*b)->s.code) == BPF_JMP && JT(*b) == JF(*b))
		*b = JT(*b);
	tmp = (*b)->stmts;
	if (tmp)
		fcc_sappend(s ? s : tmp, s ? tmp : NULL);
	(*b)->stmts = s ? s : tmp;
	if (BPF_CLASS((*b)->s.code) == BPF_RET)
		(*b)->stmts = NULL;
}

static void opt_loop(struct opt *o, int do_stmts)
{
	int loop_count = 0;

	for (;;) {
		o->done = 1;
		o->non_branch_movement = 0;
		find_levels(o);
		find_dom(o, o->c->root);
		find_ud(o, o->c->root);
		find_edom(o, o->c->root);
		opt_blks(o, do_stmts);
		if (o->done)
			break;
		if (o->non_branch_movement) {
			loop_count = 0;
		} else if (++loop_count >= 100) {
			o->done = 1;
			break;
		}
	}
}

/* ---- set-up and block interning --------------------------------------- */

static __u32 slength(struct fslist *s);

static __u32 count_blocks(struct fcc *c, struct fblock *p)
{
	if (!p || marked(c, p))
		return 0;
	mark(c, p);
	return count_blocks(c, JT(p)) + count_blocks(c, JF(p)) + 1;
}

static void number_blks_r(struct opt *o, struct fblock *p)
{
	__u32 n;

	if (!p || marked(o->c, p))
		return;
	mark(o->c, p);
	n = o->n_blocks++;
	p->id = n;
	o->blocks[n] = p;
	number_blks_r(o, JT(p));
	number_blks_r(o, JF(p));
}

static void opt_init(struct opt *o)
{
	struct fcc *c = o->c;
	__u32 n, i, max_stmts = 0;
	__u32 *p;

	unmark_all(c);
	n = count_blocks(c, c->root);
	o->blocks = fcc_alloc(c, n * sizeof(*o->blocks));
	unmark_all(c);
	o->n_blocks = 0;
	number_blks_r(o, c->root);
	o->n_edges = 2 * o->n_blocks;
	o->edges = fcc_alloc(c, o->n_edges * sizeof(*o->edges));
	o->levels = fcc_alloc(c, o->n_blocks * sizeof(*o->levels));
	o->edgewords = o->n_edges / BITS + 1;
	o->nodewords = o->n_blocks / BITS + 1;
	o->space = fcc_alloc(c, ((size_t)o->n_blocks * o->nodewords +
				 (size_t)o->n_edges * o->edgewords) * 4);
	p = o->space;
	for (i = 0; i < n; ++i) {
		o->blocks[i]->dom = p;
		p += o->nodewords;
	}
	for (i = 0; i < n; ++i) {
		struct fblock *b = o->blocks[i];

		b->et.edom = p;
		p += o->edgewords;
		b->ef.edom = p;
		p += o->edgewords;
		b->et.id = i;
		o->edges[i] = &b->et;
		b->ef.id = o->n_blocks + i;
		o->edges[o->n_blocks + i] = &b->ef;
		b->et.pred = b;
		b->ef.pred = b;
	}
	for (i = 0; i < n; ++i)
		max_stmts += slength(o->blocks[i]->stmts) + 1;
	o->maxval = 3 * max_stmts;
	o->vmap = fcc_alloc(c, o->maxval * sizeof(*o->vmap));
	o->vnode_base = fcc_alloc(c, o->maxval * sizeof(*o->vnode_base));
}

static int eq_slist(struct fslist *x, struct fslist *y)
{
	for (;;) {
		while (x && x->s.code == FLT_NOP)
			x = x->next;
		while (y && y->s.code == FLT_NOP)
			y = y->next;
		if (!x)
			return !y;
		if (!y)
			return !x;
		if (x->s.code != y->s.code || x->s.k != y->s.k)
			return 0;
		x = x->next;
		y = y->next;
	}
}

static int eq_blk(struct fblock *b0, struct fblock *b1)
{
	return b0->s.code == b1->s.code && b0->s.k == b1->s.k &&
	       b0->et.succ == b1->et.succ && b0->ef.succ == b1->ef.succ &&
	       eq_slist(b0->stmts, b1->stmts);
}

static void make_marks(struct fcc *c, struct fblock *p)
{
	if (!marked(c, p)) {
		mark(c, p);
		if (BPF_CLASS(p->s.code) != BPF_RET) {
			make_marks(c, JT(p));
			make_marks(c, JF(p));
		}
	}
}

static void intern_blocks(struct opt *o)
{
	struct fblock *p;
	__u32 i, j;
	int done1;

top:
	done1 = 1;
	for (i = 0; i < o->n_blocks; ++i)
		o->blocks[i]->link = NULL;
	unmark_all(o->c);
	make_marks(o->c, o->c->root);
	for (i = o->n_blocks - 1; i != 0;) {
		--i;
		if (!marked(o->c, o->blocks[i]))
			continue;
		for (j = i + 1; j < o->n_blocks; ++j) {
			if (!marked(o->c, o->blocks[j]))
				continue;
			if (eq_blk(o->blocks[i], o->blocks[j])) {
				o->blocks[i]->link = o->blocks[j]->link ?
					o->blocks[j]->link : o->blocks[j];
				break;
			}
		}
	}
	for (i = 0; i < o->n_blocks; ++i) {
		p = o->blocks[i];
		if (!JT(p))
			continue;
		if (JT(p)->link) {
			done1 = 0;
			JT(p) = JT(p)->link;
		}
		if (JF(p)->link) {
			done1 = 0;
			JF(p) = JF(p)->link;
		}
	}
	if (!done1)
		goto top;
}

void fcc_optimize(struct fcc *c)
{
	struct opt o = { .c = c };

	opt_init(&o);
	opt_loop(&o, 0);
	opt_loop(&o, 1);
	intern_blocks(&o);
	opt_root(&c->root);
}

/* ---- layout ------------------------------------------------------------ */

/* Classic instructions a pseudo statement stands for (libpcap's). */
static __u32 pseudo_len(const struct fstmt *s)
{
	if (s->code == FLT_PCHAIN)
		return s->p1 ? 31 : 19;
	return 19;	/* FLT_GENEVE */
}

static __u32 slength(struct fslist *s)
{
	__u32 n = 0;

	for (; s; s = s->next) {
		if (s->s.code == FLT_PCHAIN || s->s.code == FLT_GENEVE)
			n += pseudo_len(&s->s);
		else if (s->s.code != FLT_NOP)
			n++;
	}
	return n;
}

static __u32 count_stmts(struct fcc *c, struct fblock *p)
{
	__u32 n;

	if (!p || marked(c, p))
		return 0;
	mark(c, p);
	n = count_stmts(c, JT(p)) + count_stmts(c, JF(p));
	return slength(p->stmts) + n + 1 + p->longjt + p->longjf;
}

static struct sock_filter ins(__u16 code, __u8 jt, __u8 jf, __u32 k)
{
	struct sock_filter f = { code, jt, jf, k };

	return f;
}

#define JEQ_K	(BPF_JMP | BPF_JEQ | BPF_K)

/* protochain's loop, as gen_protochain lays it out */
static void lay_pchain(const struct fstmt *s, struct sock_filter *d)
{
	__u32 v = s->k, l3 = s->p2, r = s->p3, i = 0;
	/* offsets in this run: s[i] of libpcap's code is d[i - 1] */
	const __u32 again = 3;

	d[i++] = ins(BPF_LD | BPF_ABS | BPF_B, 0, 0, l3 + (s->p1 ? 6 : 9));
	if (s->p1) {
		const __u32 end = 31, v6adv = 9, ahcheck = 18;

		d[i++] = ins(BPF_LDX | BPF_IMM, 0, 0, 40);
		/* s[3]: i = 2 */
		d[i] = ins(JEQ_K, end - 3 - 1, 0, v), i++;
		d[i] = ins(JEQ_K, end - 4 - 1, 0, 59), i++;
		d[i] = ins(JEQ_K, v6adv - 5 - 1, 0, 0), i++;
		d[i] = ins(JEQ_K, v6adv - 6 - 1, 0, 60), i++;
		d[i] = ins(JEQ_K, v6adv - 7 - 1, 0, 43), i++;
		d[i] = ins(JEQ_K, v6adv - 8 - 1, ahcheck - 8 - 1, 44), i++;
		d[i++] = ins(BPF_LD | BPF_IND | BPF_B, 0, 0, l3);
		d[i++] = ins(BPF_ST, 0, 0, r);
		d[i++] = ins(BPF_LD | BPF_IND | BPF_B, 0, 0, l3 + 1);
		d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1);
		d[i++] = ins(BPF_ALU | BPF_MUL | BPF_K, 0, 0, 8);
		d[i++] = ins(BPF_ALU | BPF_ADD | BPF_X, 0, 0, 0);
		d[i++] = ins(BPF_MISC | BPF_TAX, 0, 0, 0);
		d[i++] = ins(BPF_LD | BPF_MEM, 0, 0, r);
		d[i++] = ins(BPF_JMP | BPF_JA, 0, 0, again - 17 - 1);
		d[i] = ins(JEQ_K, 0, end - 18 - 1, 51), i++;
	} else {
		const __u32 end = 19;

		d[i++] = ins(BPF_LDX | BPF_MSH | BPF_B, 0, 0, l3);
		d[i] = ins(JEQ_K, end - 3 - 1, 0, v), i++;
		d[i] = ins(JEQ_K, end - 4 - 1, 0, 59), i++;
		d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 0);
		d[i] = ins(JEQ_K, 0, end - 6 - 1, 51), i++;
	}
	d[i++] = ins(BPF_MISC | BPF_TXA, 0, 0, 0);
	d[i++] = ins(BPF_LD | BPF_IND | BPF_B, 0, 0, l3);
	d[i++] = ins(BPF_ST, 0, 0, r);
	d[i++] = ins(BPF_MISC | BPF_TXA, 0, 0, 0);
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 1);
	d[i++] = ins(BPF_MISC | BPF_TAX, 0, 0, 0);
	d[i++] = ins(BPF_LD | BPF_IND | BPF_B, 0, 0, l3);
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 2);
	d[i++] = ins(BPF_ALU | BPF_MUL | BPF_K, 0, 0, 4);
	d[i++] = ins(BPF_MISC | BPF_TAX, 0, 0, 0);
	d[i++] = ins(BPF_LD | BPF_MEM, 0, 0, r);
	/* this ja is s[i + 1]: back to s[again] */
	d[i] = ins(BPF_JMP | BPF_JA, 0, 0, again - (i + 1) - 1), i++;
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 0);
}

/* geneve's offsets, as gen_geneve_offsets lays them out */
static void lay_geneve(const struct fstmt *s, struct sock_filter *d)
{
	__u32 i = 0;

	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, s->k);
	d[i++] = ins(BPF_MISC | BPF_TAX, 0, 0, 0);
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 2);
	d[i++] = ins(BPF_ST, 0, 0, s->p1);
	d[i++] = ins(BPF_LD | BPF_IND | BPF_B, 0, 0, 0);
	d[i++] = ins(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0x3f);
	d[i++] = ins(BPF_ALU | BPF_MUL | BPF_K, 0, 0, 4);
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 8);
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_X, 0, 0, 0);
	d[i++] = ins(BPF_ST, 0, 0, s->p2);
	d[i++] = ins(BPF_LD | BPF_IND | BPF_H, 0, 0, 2);
	d[i++] = ins(BPF_LDX | BPF_MEM, 0, 0, s->p2);
	d[i++] = ins(JEQ_K, 0, 5, 0x6558);
	d[i++] = ins(BPF_MISC | BPF_TXA, 0, 0, 0);
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 12);
	d[i++] = ins(BPF_ST, 0, 0, s->p1);
	d[i++] = ins(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 2);
	d[i++] = ins(BPF_MISC | BPF_TAX, 0, 0, 0);
	d[i++] = ins(BPF_STX, 0, 0, s->p3);
}

struct conv {
	struct sock_filter *start, *tail;
};

static int convert_code_r(struct fcc *c, struct conv *cv, struct fblock *p)
{
	struct sock_filter *dst;
	struct fslist *src;
	__u32 slen, off;
	__u8 extra = 0;

	if (!p || marked(c, p))
		return 1;
	mark(c, p);
	if (!convert_code_r(c, cv, JF(p)))
		return 0;
	if (!convert_code_r(c, cv, JT(p)))
		return 0;
	slen = slength(p->stmts);
	dst = cv->tail -= slen + 1 + p->longjt + p->longjf;
	p->offset = dst - cv->start;
	for (src = p->stmts; src; src = src->next) {
		if (src->s.code == FLT_NOP)
			continue;
		if (src->s.code == FLT_PCHAIN) {
			lay_pchain(&src->s, dst);
			dst += pseudo_len(&src->s);
			continue;
		}
		if (src->s.code == FLT_GENEVE) {
			lay_geneve(&src->s, dst);
			dst += pseudo_len(&src->s);
			continue;
		}
		*dst++ = ins(src->s.code, 0, 0, src->s.k);
	}
	dst->code = p->s.code;
	dst->k = p->s.k;
	if (JT(p)) {
		off = JT(p)->offset - (p->offset + slen) - 1;
		if (off >= 256) {
			if (!p->longjt) {
				p->longjt++;
				return 0;
			}
			dst->jt = extra;
			extra++;
			dst[extra] = ins(BPF_JMP | BPF_JA, 0, 0, off - extra);
		} else {
			dst->jt = off;
		}
		off = JF(p)->offset - (p->offset + slen) - 1;
		if (off >= 256) {
			if (!p->longjf) {
				p->longjf++;
				return 0;
			}
			dst->jf = extra;
			extra++;
			dst[extra] = ins(BPF_JMP | BPF_JA, 0, 0, off - extra);
		} else {
			dst->jf = off;
		}
	}
	return 1;
}

int fcc_layout(struct fcc *c, struct sock_filter *out, __u32 max, __u32 *cnt)
{
	struct conv cv;
	__u32 n;

	for (;;) {
		unmark_all(c);
		n = count_stmts(c, c->root);
		if (n > max || n > FLT_MAX_CBPF)
			fcc_fail(c, -E2BIG, "the program needs more than %u classic "
				 "instructions", max < FLT_MAX_CBPF ? max : FLT_MAX_CBPF);
		memset(out, 0, n * sizeof(*out));
		cv.start = out;
		cv.tail = out + n;
		unmark_all(c);
		if (convert_code_r(c, &cv, c->root))
			break;
	}
	*cnt = n;
	return 0;
}
