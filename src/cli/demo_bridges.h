/*
 * demo_bridges.h — the simulated platforms of `handoff --demo`: for each
 * platform of the table in demo_bridges.c, its simulator playing customers
 * and bot (--demo), and a real handoff-bridge carrying its chats into the
 * demo's hub under an ingest account of its own, as an operator would run
 * one. A new platform is a row of that table.
 *
 * A platform whose simulator or bridge is not there (an installed handoff:
 * the simulators are built in a source tree only) is left out, and the
 * demo says so in one notice; a row marked optional is left out silently
 * when its bridge refuses it (a platform this handoff-bridge does not
 * know).
 */
#ifndef HANDOFF_CLI_DEMO_BRIDGES_H
#define HANDOFF_CLI_DEMO_BRIDGES_H

#include <stddef.h>

#include "demo_proc.h"

struct demo_bridges {
	const char *hubd;        /* handoffd, to add the ingest accounts */
	const char *db;          /* the hub's database */
	int hub_port;
	char missing[256];       /* the platforms left out, ", "-separated */
	struct demo_platform_run *runs; /* one per row */
};

/* Before the hub opens the database: an ingest account (and its grants)
 * for each platform whose programs are here. False when out of memory. */
bool demo_bridges_prepare(struct demo_bridges *b, struct demo_procs *p);

/* With the hub listening on b->hub_port: the simulators, the bridges'
 * files and the bridges; returns once each bridge is connected to the hub
 * or was left out. */
void demo_bridges_start(struct demo_bridges *b, struct demo_procs *p);

/* The notice for the platforms left out, into out ("" when none). */
void demo_bridges_notice(const struct demo_bridges *b, char *out, size_t len);

void demo_bridges_free(struct demo_bridges *b);

#endif
