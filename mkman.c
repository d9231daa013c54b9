// SPDX-License-Identifier: GPL-2.0
/*
 * mkman.c - the man page from its prose (docs/tcpinspect.8.in) and the
 * option table (opts.c): the lines `.\" @SYNOPSIS@` and `.\" @OPTIONS@`
 * are replaced by what the table says.  A build tool, not part of the
 * binary:  mkman < docs/tcpinspect.8.in > tcpinspect.8
 */
#include <stdio.h>
#include <string.h>
#include "opts.h"

/* Text for roff: backslashes doubled, '-' as \-, a leading '.' or '\''
 * guarded; NUL-terminated lines of s in turn. */
static void roff(FILE *f, const char *s)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = *s == '\n';
		if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\\' && s[1] == 'f')
			fputc('\\', f);	/* a font change the table asks for */
		else if (*s == '\\')
			fputs("\\e", f);
		else
			fputc(*s, f);
	}
}

static void synopsis(FILE *f)
{
	char name[32];
	size_t k;
	int c;

	for (c = 0; c < CMD_CNT; c++) {
		const struct cmd_info *ci = &cmd_info[c];

		fputs(".B tcpinspect\n", f);
		if (c == CMD_CAPTURE)
			fputs(".RB [ capture ]\n", f);
		else
			fprintf(f, ".B %s\n", ci->name);
		if (*ci->args) {
			fputs(".RI \"", f);
			roff(f, ci->args);
			fputs("\"\n", f);
		}
		for (k = 0; k < opt_cnt; k++) {
			const struct opt *op = &opt_table[k];

			if (!(op->cmds & (1u << c)) || op->cmds == ((1u << CMD_CNT) - 1) ||
			    (op->short_name && strchr(ci->req, op->short_name)))
				continue;
			fputs(".RB [ ", f);
			roff(f, opt_name(op, name, sizeof(name)));
			if (op->arg) {
				fputs(" \" \\fI", f);
				roff(f, op->arg);
				fputs("\\fR\"", f);
			}
			fprintf(f, " ]%s\n", op->repeat && op->arg ? "..." : "");
		}
		if (ci->expr)
			fputs(".RI [ expression ]\n", f);
		fputs(".br\n", f);
	}
	fputs(".B tcpinspect\n.RB \\-h \" | \" \\-\\-help \" | \" \\-\\-version\n", f);
}

static void options(FILE *f)
{
	size_t k;
	int c, n;

	for (k = 0; k < opt_cnt; k++) {
		const struct opt *op = &opt_table[k];

		fputs(".TP\n", f);
		if (op->short_name)
			fprintf(f, ".B \\-%c%s\n", op->short_name, op->long_name ? "," : "");
		if (op->long_name) {
			fputs(".B \\-\\-", f);
			roff(f, op->long_name);
			fputc('\n', f);
		}
		if (op->arg) {
			fputs(".I ", f);
			roff(f, op->arg);
			fputc('\n', f);
		}
		if (op->man) {
			roff(f, op->man);
			fputc('\n', f);
		} else {
			/* The help line as a sentence. */
			fprintf(f, "%c", op->help[0] >= 'a' && op->help[0] <= 'z' ?
				op->help[0] - 'a' + 'A' : op->help[0]);
			roff(f, op->help + 1);
			fputs(".\n", f);
		}
		if (op->cmds != ((1u << CMD_CNT) - 1)) {
			fputs("Commands: ", f);
			for (n = 0, c = 0; c < CMD_CNT; c++)
				if (op->cmds & (1u << c))
					fprintf(f, "%s%s", n++ ? ", " : "", cmd_info[c].name);
			fputs(".\n", f);
		}
	}
}

int main(void)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		if (!strcmp(line, ".\\\" @SYNOPSIS@\n"))
			synopsis(stdout);
		else if (!strcmp(line, ".\\\" @OPTIONS@\n"))
			options(stdout);
		else
			fputs(line, stdout);
	}
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
