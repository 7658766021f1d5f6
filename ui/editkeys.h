/*
 * editkeys.h — the editing keys shared by every text field of the console
 * (the composer, the search and title prompts, the rating's fields), so
 * they behave the same everywhere: arrows, Home/End, Ctrl-A/E/K/U/W,
 * Backspace, Delete, and characters typed.
 */
#ifndef HANDOFF_UI_EDITKEYS_H
#define HANDOFF_UI_EDITKEYS_H

#include "editbuf.h"

enum edit_result {
	EDIT_NOT_MINE,   /* not an editing key: the caller's */
	EDIT_DONE,       /* handled (even if there was nothing to do) */
	EDIT_FULL,       /* a character that did not fit: the text is at its limit */
};

/* Apply `key` to `e`. Up and Down move between rows of the text wrapped at
 * `width` columns; with width 0 (a one-line field) they are not mine. */
enum edit_result editbuf_key(struct editbuf *e, int key, int width);

#endif
