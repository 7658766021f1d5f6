/*
 * bp_faults.c — the fault switches (see bp_faults.h), set by name from the
 * control interface through one table.
 */
#include "bp_faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_actors.h"
#include "bp_api.h"
#include "bp_error.h"

static const struct {
	const char *name;
	size_t offset;
	int is_int;              /* int field (else unsigned) */
	long min, max;
} FIELDS[] = {
	{"rateLimited", offsetof(struct bp_faults, rate_limited), 0, 0, 1000000},
	{"retryAfter", offsetof(struct bp_faults, retry_after), 1, 0, 3600},
	{"serverError", offsetof(struct bp_faults, server_error), 0, 0, 1000000},
	{"errorStatus", offsetof(struct bp_faults, error_status), 1, 500, 599},
	{"slow", offsetof(struct bp_faults, slow), 0, 0, 1000000},
	{"delayMs", offsetof(struct bp_faults, delay_ms), 0, 0, 600000},
	{"drop", offsetof(struct bp_faults, drop), 0, 0, 1000000},
	{"webhookTwice", offsetof(struct bp_faults, webhook_twice), 0, 0, 1000000},
	{"pageChange", offsetof(struct bp_faults, page_change), 0, 0, 1000000},
	{"pageInsert", offsetof(struct bp_faults, page_insert), 0, 1, 10000},
};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

bool bp_faults_set(struct bp_faults *f, const cJSON *o, char *why, size_t n)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o) {
		size_t i;
		for (i = 0; i < NFIELDS && strcmp(FIELDS[i].name, it->string) != 0; i++)
			;
		if (i == NFIELDS) {
			snprintf(why, n, "%s: no such fault switch", it->string);
			return false;
		}
		double v = cJSON_IsNumber(it) ? it->valuedouble : -1;
		if (v != (long)v || v < FIELDS[i].min || v > FIELDS[i].max) {
			snprintf(why, n, "%s: a whole number in %ld..%ld is required", it->string,
				 FIELDS[i].min, FIELDS[i].max);
			return false;
		}
		char *p = (char *)f + FIELDS[i].offset;
		if (FIELDS[i].is_int)
			*(int *)p = (int)v;
		else
			*(unsigned *)p = (unsigned)v;
	}
	return true;
}

cJSON *bp_faults_json(const struct bp_faults *f)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o && i < NFIELDS; i++) {
		const char *p = (const char *)f + FIELDS[i].offset;
		double v = FIELDS[i].is_int ? (double)*(const int *)p : (double)*(const unsigned *)p;
		cJSON_AddNumberToObject(o, FIELDS[i].name, v);
	}
	return o;
}

/* Spend one use of a switch; true when it was on. */
static bool spend(unsigned *count)
{
	if (*count == 0)
		return false;
	(*count)--;
	return true;
}

/* New records in front of a walk: conversations (which also make events),
 * or messages of the conversation being walked. */
static void change_pages(struct bp_sim *sim, const char *conv_id)
{
	struct bp_conv *c = conv_id ? bp_conv_find(&sim->store, conv_id) : NULL;

	for (unsigned i = 0; i < sim->faults.page_insert; i++) {
		struct bp_msg *m;
		if (c)
			bp_msg_text(&sim->store, c, c->customer_id[0] ? c->customer_id
								      : sim->store.bot_id,
				    "written while the pages were walked", BP_ORIGIN_CUSTOMER);
		else
			bp_customer_start(sim, "Late Customer", "channel", "webchat",
					  "started while the pages were walked", &m);
	}
}

bool bp_faults_before(struct bp_sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct bp_faults *f = &sim->faults;
	char *conv_id;

	if (spend(&f->rate_limited)) {
		bp_error(resp, BP_ERR_RATE_LIMITED, NULL);
		resp->retry_after = f->retry_after;
		return true;
	}
	if (spend(&f->server_error)) {
		bp_error_status(resp, BP_ERR_INTERNAL, f->error_status);
		return true;
	}
	if (f->page_change && bp_api_is_next_page(req, &conv_id)) {
		f->page_change--;
		change_pages(sim, conv_id);
		free(conv_id);
	}
	return false;
}

void bp_faults_after(struct bp_sim *sim, struct sim_resp *resp)
{
	struct bp_faults *f = &sim->faults;

	if (spend(&f->drop))
		resp->action = SIM_RESP_DROP;
	else if (spend(&f->slow))
		resp->delay_ms = f->delay_ms;
}

int bp_faults_webhook_copies(struct bp_faults *f)
{
	return spend(&f->webhook_twice) ? 2 : 1;
}
