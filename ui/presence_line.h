/*
 * presence_line.h — who else is in a chat, in words (presence_line.c).
 */
#ifndef HANDOFF_UI_PRESENCE_LINE_H
#define HANDOFF_UI_PRESENCE_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "console.h"

/* "Ben is viewing · Sue is typing" for chat_id, neutralised for display;
 * "" when no colleague is there. */
void presence_phrase(const struct console *c, const char *chat_id, char *out, size_t len);

/* Whether a colleague is typing in chat_id now (the hub keeps "typing" a
 * few seconds after their last key); their names into who, neutralised. */
bool presence_colleague_typing(const struct console *c, const char *chat_id, char *who,
			       size_t len);

#endif
