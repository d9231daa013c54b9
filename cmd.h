/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h - the commands main.c dispatches to, one file each:
 * cmd_capture.c, cmd_flows.c, cmd_replay.c, cmd_load.c (load, unload),
 * cmd_show.c, cmd_probe.c, cmd_serve.c, cmd_trace.c.  Each takes the
 * parsed command line, prints what it has to say, and returns the exit
 * status.
 */
#ifndef TCPINSPECT_CMD_H
#define TCPINSPECT_CMD_H

#include "opts.h"

int cmd_capture(struct opts *o);
int cmd_flows(struct opts *o);
int cmd_replay(struct opts *o);
int cmd_load(struct opts *o);
int cmd_unload(struct opts *o);
int cmd_show(struct opts *o);
int cmd_probe(struct opts *o);
int cmd_serve(struct opts *o);
int cmd_trace(struct opts *o);

#endif
