/*
 * presence_line.c — "Ben is viewing · Sue is typing": who else is in the
 * open chat, as the hub's presence frames last said (store_presence), for
 * the thread head and for the composer's warning before a send.
 *
 * The agent's own consoles are left out (the hub lists every stream, this
 * one too), and an agent who types is shown once, as typing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "presence_line.h"
#include "textsafe.h"

static bool is_me(const struct console *c, const struct presence_person *p)
{
	const struct agent *me = session_me(c->session);

	return me && strcmp(me->id, p->id) == 0;
}

static bool in(const struct presence_person *list, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].id, id) == 0)
			return true;
	return false;
}

/* "Ben", "Ben and Sue", "Ben, Sue and Ann" of the colleagues in list
 * (skipping those in `skip`), appended to out; their number. */
static size_t names(const struct console *c, const struct presence_person *list, size_t n,
		    const struct presence_person *skip, size_t nskip, char *out, size_t len)
{
	const struct presence_person *shown[PRESENCE_LIST_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!is_me(c, &list[i]) && !in(skip, nskip, list[i].id))
			shown[k++] = &list[i];
	for (size_t i = 0; i < k; i++) {
		size_t used = strlen(out);
		const char *sep = i == 0 ? "" : i + 1 == k ? " and " : ", ";
		snprintf(out + used, len - used, "%s%s", sep, shown[i]->name);
	}
	return k;
}

void presence_phrase(const struct console *c, const char *chat_id, char *out, size_t len)
{
	const struct chat_presence *p = store_presence(c->store, chat_id);
	char raw[1024] = "";
	size_t n, used;

	out[0] = '\0';
	if (!p)
		return;
	n = names(c, p->viewing, p->nviewing, p->typing, p->ntyping, raw, sizeof raw);
	if (n) {
		used = strlen(raw);
		snprintf(raw + used, sizeof raw - used, " %s viewing", n == 1 ? "is" : "are");
	}
	char typing[512] = "";
	n = names(c, p->typing, p->ntyping, NULL, 0, typing, sizeof typing);
	if (n) {
		used = strlen(raw);
		snprintf(raw + used, sizeof raw - used, "%s%s %s typing", raw[0] ? " · " : "",
			 typing, n == 1 ? "is" : "are");
	}
	/* Names are the hub's, typed by people: neutralised for the screen. */
	char *safe = textsafe_dup(raw, strlen(raw), 0);
	snprintf(out, len, "%s", safe ? safe : "");
	free(safe);
}

bool presence_colleague_typing(const struct console *c, const char *chat_id, char *who,
			       size_t len)
{
	const struct chat_presence *p = store_presence(c->store, chat_id);
	char raw[512] = "";

	if (!p || !names(c, p->typing, p->ntyping, NULL, 0, raw, sizeof raw))
		return false;
	char *safe = textsafe_dup(raw, strlen(raw), 0);
	snprintf(who, len, "%s", safe ? safe : "A colleague");
	free(safe);
	return true;
}
