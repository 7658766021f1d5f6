/*
 * store_presence.c — who else is in a chat, as the hub's presence frames
 * last said (doc/protocol.md, "Presence"). Ephemeral: nothing here comes
 * from the event log, so no seq orders it; each frame replaces what the
 * store held for its chat. Only chats with someone in them are kept, so
 * the table is as small as the number of chats open somewhere.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static struct chat_presence *presence_find(const struct store *s, const char *chat_id)
{
	for (size_t i = 0; i < s->npresence; i++)
		if (strcmp(s->presence[i].chat_id, chat_id) == 0)
			return &s->presence[i];
	return NULL;
}

const struct chat_presence *store_presence(const struct store *s, const char *chat_id)
{
	return presence_find(s, chat_id);
}

void store_presence_drop_all(struct store *s)
{
	for (size_t i = 0; i < s->npresence; i++)
		chat_presence_free(&s->presence[i]);
	free(s->presence);
	s->presence = NULL;
	s->npresence = 0;
}

enum store_result store_presence_put(struct store *s, const struct chat_presence *p,
				     struct errbuf *err)
{
	struct chat_presence *held = presence_find(s, p->chat_id), copy;

	if (!p->nviewing && !p->ntyping) {
		if (!held)
			return STORE_UNCHANGED;
		chat_presence_free(held);
		*held = s->presence[--s->npresence];
	} else {
		if (!chat_presence_copy(&copy, p)) {
			errbuf_set(err, "store: out of memory");
			return STORE_FAILED;
		}
		if (!held) {
			held = realloc(s->presence, (s->npresence + 1) * sizeof *held);
			if (!held) {
				chat_presence_free(&copy);
				errbuf_set(err, "store: out of memory");
				return STORE_FAILED;
			}
			s->presence = held;
			held = &s->presence[s->npresence++];
		} else {
			chat_presence_free(held);
		}
		*held = copy;
	}
	store_notify(s, &(struct store_change){.kind = STORE_PRESENCE_CHANGED,
					       .chat_id = p->chat_id, .old_index = VIEW_NONE,
					       .new_index = VIEW_NONE});
	return STORE_CHANGED;
}
