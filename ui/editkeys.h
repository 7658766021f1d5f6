/*
 * editkeys.h — the editing keys shared by every text field of the console
 * (the composer, the search and title prompts, the rating's fields), so
 * they behave the same everywhere: the edit context's table (actions.h),
 * then any character typed.
 */
#ifndef HANDOFF_UI_EDITKEYS_H
#define HANDOFF_UI_EDITKEYS_H

#include "actions.h"
#include "editbuf.h"

/* The field an editing action works on, set for the time of one key. */
struct field {
	struct editbuf *buf;
	int width;       /* columns it wraps at; 0 for a one-line field */
	bool applied;    /* false when the action did not apply to it */
};

enum edit_result {
	EDIT_NOT_MINE,   /* not an editing key: the caller's */
	EDIT_DONE,       /* handled (even if there was nothing to do) */
	EDIT_FULL,       /* a character that did not fit: the text is at its limit */
};

/* Apply `key` to `e` with the console's edit context. Up and Down move
 * between rows of the text wrapped at `width` columns; with width 0 (a
 * one-line field) they are not mine. */
enum edit_result edit_key(struct console *c, struct editbuf *e, int key, int width);

/* Whether `key` types a character (not a function key, not Alt-something). */
bool edit_is_char(int key);

#endif
