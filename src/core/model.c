/*
 * model.c — lifetime of the protocol's objects (see model.h).
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

bool chat_is_waiting(const struct chat *c)
{
	return c->escalated && c->mode == CHAT_MODE_AI;
}

bool client_msg_id_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CLIENT_MSG_ID_MAX_CHARS &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

void owner_free(struct owner *o)
{
	free(o->external_id);
	free(o->name);
	free(o->email);
}

void chat_free(struct chat *c)
{
	free(c->title);
	free(c->channel.name);
	owner_free(&c->owner);
	free(c->latest.text);
	free(c->previous.text);
	free(c->responder.name);
	free(c->rating.feedback);
	free(c->rating.suggested_answer);
	free(c->source.platform);
	free(c->source.account_name);
	memset(c, 0, sizeof *c);
}

void message_free(struct message *m)
{
	free(m->author.name);
	free(m->text);
	free(m->client_msg_id);
	free(m->external_message_id);
	memset(m, 0, sizeof *m);
}

void agent_free(struct agent *a)
{
	free(a->name);
	free(a->email);
	memset(a, 0, sizeof *a);
}

bool agents_take_single(struct agent *list, size_t n, struct agent *out)
{
	bool one = n == 1;

	if (one)
		*out = list[0];
	else
		for (size_t i = 0; i < n; i++)
			agent_free(&list[i]);
	free(list);
	return one;
}

void event_free(struct event *e)
{
	if (e->chat) {
		chat_free(e->chat);
		free(e->chat);
	}
	if (e->message) {
		message_free(e->message);
		free(e->message);
	}
	if (e->me) {
		agent_free(e->me);
		free(e->me);
	}
	if (e->agent) {
		agent_free(e->agent);
		free(e->agent);
	}
	if (e->presence) {
		chat_presence_free(e->presence);
		free(e->presence);
	}
	memset(e, 0, sizeof *e);
}

void chat_presence_free(struct chat_presence *p)
{
	for (size_t i = 0; i < p->nviewing; i++)
		free(p->viewing[i].name);
	for (size_t i = 0; i < p->ntyping; i++)
		free(p->typing[i].name);
	memset(p, 0, sizeof *p);
}

/* Replace *p (a pointer copied from the source) by its own copy. NULL stays
 * NULL; a failed copy leaves NULL and reports it through *ok. */
static void own(char **p, bool *ok)
{
	if (!*p)
		return;
	*p = strdup(*p);
	if (!*p)
		*ok = false;
}

bool chat_copy(struct chat *dst, const struct chat *src)
{
	bool ok = true;

	*dst = *src;
	own(&dst->title, &ok);
	own(&dst->channel.name, &ok);
	own(&dst->owner.external_id, &ok);
	own(&dst->owner.name, &ok);
	own(&dst->owner.email, &ok);
	own(&dst->latest.text, &ok);
	own(&dst->previous.text, &ok);
	own(&dst->responder.name, &ok);
	own(&dst->rating.feedback, &ok);
	own(&dst->rating.suggested_answer, &ok);
	own(&dst->source.platform, &ok);
	own(&dst->source.account_name, &ok);
	if (!ok)
		chat_free(dst);
	return ok;
}

bool message_copy(struct message *dst, const struct message *src)
{
	bool ok = true;

	*dst = *src;
	own(&dst->author.name, &ok);
	own(&dst->text, &ok);
	own(&dst->client_msg_id, &ok);
	own(&dst->external_message_id, &ok);
	if (!ok)
		message_free(dst);
	return ok;
}

bool agent_copy(struct agent *dst, const struct agent *src)
{
	bool ok = true;

	*dst = *src;
	own(&dst->name, &ok);
	own(&dst->email, &ok);
	if (!ok)
		agent_free(dst);
	return ok;
}

bool chat_presence_copy(struct chat_presence *dst, const struct chat_presence *src)
{
	bool ok = true;

	*dst = *src;
	for (size_t i = 0; i < dst->nviewing; i++)
		own(&dst->viewing[i].name, &ok);
	for (size_t i = 0; i < dst->ntyping; i++)
		own(&dst->typing[i].name, &ok);
	if (!ok)
		chat_presence_free(dst);
	return ok;
}
