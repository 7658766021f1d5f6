/*
 * platforms.c — the table of platforms a bridge can carry (platform.h).
 * A new platform is one file defining its `struct bridge_platform` and
 * one row here.
 */
#include <stdlib.h>
#include <string.h>

#include "platform.h"

extern const struct bridge_platform platform_agents;
extern const struct bridge_platform platform_botpress;
extern const struct bridge_platform platform_chats;
extern const struct bridge_platform platform_conversations;
extern const struct bridge_platform platform_threads;

static const struct bridge_platform *const platforms[] = {
	&platform_botpress,
	&platform_chats,
	&platform_conversations,
	&platform_threads,
	&platform_agents,
};

#define NPLATFORMS (sizeof platforms / sizeof platforms[0])

const struct bridge_platform *platform_find(const char *name)
{
	for (size_t i = 0; name && i < NPLATFORMS; i++)
		if (strcmp(platforms[i]->name, name) == 0)
			return platforms[i];
	return NULL;
}

const char *platform_names(void)
{
	static char buf[256];

	if (!buf[0])
		for (size_t i = 0; i < NPLATFORMS; i++) {
			if (i)
				strncat(buf, ", ", sizeof buf - strlen(buf) - 1);
			strncat(buf, platforms[i]->name, sizeof buf - strlen(buf) - 1);
		}
	return buf;
}

void pf_message_free(struct pf_message *m)
{
	free(m->id);
	free(m->conv_id);
	free(m->user_id);
	free(m->text);
	memset(m, 0, sizeof *m);
}

void pf_result_free(struct pf_result *r)
{
	for (size_t i = 0; r->msgs && i < r->nmsgs; i++)
		pf_message_free(&r->msgs[i]);
	free(r->msgs);
	for (size_t i = 0; r->wanting && i < r->nwanting; i++) {
		free(r->wanting[i].conv_id);
		free(r->wanting[i].mark);
	}
	free(r->wanting);
	free(r->cursor);
	free(r->channel_type);
	free(r->channel_name);
	free(r->customer_name);
	free(r->summary);
	free(r->reply);
	free(r->days);
	r->days = NULL;
	r->ndays = 0;
	r->msgs = NULL;
	r->wanting = NULL;
	r->nmsgs = r->nwanting = 0;
	r->cursor = r->channel_type = r->channel_name = r->customer_name = r->summary = NULL;
	r->reply = NULL;
}
