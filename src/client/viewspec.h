/*
 * viewspec.h — a filter of the chat list, as the agent writes it in the
 * console's filter prompt and in the config file's `view NAME = ...`
 * lines:
 *
 *   status=open channel=whatsapp source=telegram holder=me escalated=yes
 *
 * Words separated by blanks, each `field=value`, in any order, each field
 * at most once; every field given must hold (they combine with AND, as
 * the hub's GET /v1/chats filters do). Fields:
 *
 *   status     open | pending | solved | closed   (the ticket's status)
 *   channel    widget | waha | whatsapp | instagram | api
 *   source     a platform label: 1..32 of a-z 0-9 . _ -
 *   holder     me | nobody | <agent id>   (nobody: no agent holds it)
 *   escalated  yes | no
 *
 * The text comes from the agent's keyboard and from a file others may have
 * edited: anything else is refused with the word that is wrong.
 */
#ifndef HANDOFF_VIEWSPEC_H
#define HANDOFF_VIEWSPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"
#include "model.h"

/* Room for the longest canonical spec text, with its NUL. */
#define VIEW_SPEC_LEN 160
/* A view's name: 1..24 of A-Z a-z 0-9 _ - (it is a word of the config
 * file and a tab label at 80 columns). */
#define VIEW_NAME_MAX 24

/* Saved views a console shows at once (its tabs 5..9). */
#define VIEW_SAVED_MAX 5

enum view_holder { HOLDER_ANY, HOLDER_ME, HOLDER_NOBODY, HOLDER_AGENT };

struct view_spec {
	int status;         /* enum ticket_status; -1: any */
	int channel;        /* enum channel_type; -1: any */
	char source[SOURCE_PLATFORM_MAX_CHARS + 1]; /* "": any */
	enum view_holder holder;
	uuid_str agent;     /* HOLDER_AGENT: the agent's id */
	int escalated;      /* 0 no, 1 yes; -1: any */
};

/* The spec that lets every chat through. */
void view_spec_init(struct view_spec *v);

/* Parse `text` into *out (left as view_spec_init made it on failure, with
 * the reason in err). An empty text is the spec of every chat. */
bool view_spec_parse(const char *text, struct view_spec *out, struct errbuf *err);

/* The canonical text of v (fields in the order above), "" for every chat;
 * view_spec_parse gives v back from it. */
void view_spec_format(const struct view_spec *v, char *out, size_t len);

/* Whether the spec lets every chat through. */
bool view_spec_empty(const struct view_spec *v);

/* Does chat c pass? `me`: the signed-in agent's id ("" none: holder=me
 * matches nothing). The same rules as the hub's list filters. */
bool view_spec_matches(const struct view_spec *v, const char *me, const struct chat *c);

/* Whether `name` is a valid view name (see VIEW_NAME_MAX). */
bool view_name_valid(const char *name);

#endif
