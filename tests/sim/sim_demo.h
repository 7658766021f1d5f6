/*
 * sim_demo.h — the simulators' part in `handoff --demo`: customers who
 * come and write at a human pace, the same script on every platform.
 *
 * With --demo (sim_main), a simulator opens a conversation for a new
 * customer every few seconds (the first at once, so the demo's list fills
 * quickly) and has each customer write the next line of their scene a few
 * seconds after the last. Some scenes ask for a human: the platform's bot,
 * on as with --bot-auto, escalates those as it would any other, and stays
 * silent while a human holds the conversation, however the customer goes
 * on. The platform supplies only how a customer opens a conversation and
 * writes (struct sim_platform's demo_open and demo_say); the script, its
 * pace and its bookkeeping are here.
 */
#ifndef HANDOFF_SIM_DEMO_H
#define HANDOFF_SIM_DEMO_H

#include <stdbool.h>

#include <cjson/cJSON.h>

struct sim;
struct sim_demo;

/* Start the script on sim's loop; NULL when out of memory. */
struct sim_demo *sim_demo_start(struct sim *sim);

/* Stop it (at shutdown) and free it once its timer is closed; NULL is a
 * no-op. */
void sim_demo_stop(struct sim_demo *d);

/* The ids of the conversations the script opened, oldest first, as
 * {"conversations": [...]} (GET /_sim/demo); empty when d is NULL. */
cJSON *sim_demo_json(const struct sim_demo *d);

/* Whether a customer's message asks for a person: the words every
 * simulated bot escalates on. */
bool sim_asks_for_human(const char *text);

#endif
