/*
 * demo_sim.h — a simulated workspace inside the hub (`handoffd --demo`).
 *
 * Customers on several channels write, a bot answers, some chats escalate,
 * customers answer the agents who take over. Everything goes through the
 * same db calls as real traffic, so the console sees ordinary events.
 * The same seed gives the same workspace.
 */
#ifndef HANDOFF_HUB_DEMO_SIM_H
#define HANDOFF_HUB_DEMO_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "errbuf.h"

struct db;
struct demo;

/* Start the simulation on `loop`: creates (once) the demo accounts, seeds a
 * first screenful of chats, then runs on uv timers. The token of the agent a
 * person signs in as is kept in `token_path` (mode 0600): written when the
 * account is created, reused on later starts with the same database. */
struct demo *demo_start(uv_loop_t *loop, struct db *db, uint64_t seed, const char *token_path,
			struct errbuf *err);

/* Run `factor` times faster than a person can follow (tests use a large
 * factor so the timers fire on every loop turn). The default is 1. */
void demo_set_speed(struct demo *d, double factor);

/* Stop the timers and free everything; the last of it goes when the loop
 * runs the timer's close callback, after which the loop can run dry. */
void demo_stop(struct demo *d);

#endif
