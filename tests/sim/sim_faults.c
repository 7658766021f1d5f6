/*
 * sim_faults.c — the fault switches (see sim_faults.h), set by name from
 * the control interface through one table.
 */
#include "sim_faults.h"

#include <stdio.h>
#include <string.h>

#include "sim.h"

static const struct {
	const char *name;
	size_t offset;
	int is_int;              /* int field (else unsigned) */
	long min, max;
} FIELDS[] = {
	{"rateLimited", offsetof(struct sim_faults, rate_limited), 0, 0, 1000000},
	{"retryAfter", offsetof(struct sim_faults, retry_after), 1, 0, 3600},
	{"serverError", offsetof(struct sim_faults, server_error), 0, 0, 1000000},
	{"errorStatus", offsetof(struct sim_faults, error_status), 1, 500, 599},
	{"slow", offsetof(struct sim_faults, slow), 0, 0, 1000000},
	{"delayMs", offsetof(struct sim_faults, delay_ms), 0, 0, 600000},
	{"drop", offsetof(struct sim_faults, drop), 0, 0, 1000000},
	{"webhookTwice", offsetof(struct sim_faults, webhook_twice), 0, 0, 1000000},
	{"pageChange", offsetof(struct sim_faults, page_change), 0, 0, 1000000},
	{"pageInsert", offsetof(struct sim_faults, page_insert), 0, 1, 10000},
};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

void sim_faults_reset(struct sim_faults *f)
{
	memset(f, 0, sizeof *f);
	f->retry_after = 1;
	f->error_status = 500;
	f->page_insert = 1;
}

bool sim_faults_set(struct sim_faults *f, const cJSON *o, char *why, size_t n)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o) {
		size_t i;
		if (strcmp(it->string, "only") == 0) {
			if (!cJSON_IsString(it) || strlen(it->valuestring) > SIM_FAULTS_ONLY_MAX) {
				snprintf(why, n, "only: a string of at most %d bytes is required",
					 SIM_FAULTS_ONLY_MAX);
				return false;
			}
			snprintf(f->only, sizeof f->only, "%s", it->valuestring);
			continue;
		}
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

cJSON *sim_faults_json(const struct sim_faults *f)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o && i < NFIELDS; i++) {
		const char *p = (const char *)f + FIELDS[i].offset;
		double v = FIELDS[i].is_int ? (double)*(const int *)p : (double)*(const unsigned *)p;
		cJSON_AddNumberToObject(o, FIELDS[i].name, v);
	}
	if (o)
		cJSON_AddStringToObject(o, "only", f->only);
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

/* Whether the switches act on `req` (see `only`). */
static bool in_scope(const struct sim_faults *f, const struct sim_req *req)
{
	return !f->only[0] || strstr(req->path, f->only) || strstr(req->query, f->only) ||
	       strstr(req->body, f->only);
}

bool sim_faults_before(struct sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct sim_faults *f = &sim->faults;

	if (!in_scope(f, req))
		return false;

	if (spend(&f->rate_limited)) {
		sim->plat->error(resp, 429);
		resp->retry_after = f->retry_after;
		return true;
	}
	if (spend(&f->server_error)) {
		sim->plat->error(resp, f->error_status);
		return true;
	}
	/* Spent only by a next-page fetch: the platform says which is one. */
	if (f->page_change && sim->plat->page_change(sim->state, req, f->page_insert))
		f->page_change--;
	return false;
}

void sim_faults_after(struct sim *sim, const struct sim_req *req, struct sim_resp *resp)
{
	struct sim_faults *f = &sim->faults;

	if (!in_scope(f, req))
		return;
	if (spend(&f->drop))
		resp->action = SIM_RESP_DROP;
	else if (spend(&f->slow))
		resp->delay_ms = f->delay_ms;
}

int sim_faults_webhook_copies(struct sim_faults *f)
{
	return spend(&f->webhook_twice) ? 2 : 1;
}
