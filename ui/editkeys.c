/*
 * editkeys.c — the shared editing keys (see editkeys.h).
 */
#include "console.h"
#include "editkeys.h"
#include "keys.h"

static struct editbuf *buf(struct console *c) { return c->field.buf; }

static void ed_left(struct console *c) { editbuf_left(buf(c)); }
static void ed_right(struct console *c) { editbuf_right(buf(c)); }
static void ed_home(struct console *c) { editbuf_home(buf(c)); }
static void ed_end(struct console *c) { editbuf_end(buf(c)); }
/* The edits count "nothing to delete" as done: the key was still the field's. */
static void ed_backspace(struct console *c) { editbuf_backspace(buf(c)); }
static void ed_delete(struct console *c) { editbuf_delete(buf(c)); }
static void ed_kill_end(struct console *c) { editbuf_kill_to_end(buf(c)); }
static void ed_kill_start(struct console *c) { editbuf_kill_to_start(buf(c)); }
static void ed_kill_word(struct console *c) { editbuf_kill_word(buf(c)); }

/* A one-line field has no rows to move between: Up and Down go on to the
 * caller (the main keys under the composer's first row: none). */
static void vertical(struct console *c, int dir)
{
	if (c->field.width <= 0)
		c->field.applied = false;
	else
		editbuf_vertical(buf(c), dir, c->field.width);
}

static void ed_line_up(struct console *c) { vertical(c, -1); }
static void ed_line_down(struct console *c) { vertical(c, 1); }

const struct action edit_actions[] = {
	{"left", NULL, "Cursor left", ed_left},
	{"right", NULL, "Cursor right", ed_right},
	{"home", NULL, "Start of the line", ed_home},
	{"end", NULL, "End of the line", ed_end},
	{"backspace", NULL, "Delete the character before the cursor", ed_backspace},
	{"delete", NULL, "Delete the character under the cursor", ed_delete},
	{"kill-to-end", NULL, "Delete to the end of the line", ed_kill_end},
	{"kill-to-start", NULL, "Delete to the start of the line", ed_kill_start},
	{"kill-word", NULL, "Delete the word before the cursor", ed_kill_word},
	{"line-up", NULL, "The row above (in the composer)", ed_line_up},
	{"line-down", NULL, "The row below (in the composer)", ed_line_down},
};
const size_t nedit_actions = sizeof edit_actions / sizeof *edit_actions;

bool edit_is_char(int key)
{
	return key >= 0x20 && key < KEY_FN && key != 0x7f;
}

enum edit_result edit_key(struct console *c, struct editbuf *e, int key, int width)
{
	const struct action *a = keymap_lookup(&c->keys[KC_EDIT], key);

	if (a) {
		c->field = (struct field){e, width, true};
		a->run(c);
		c->field.buf = NULL;
		return c->field.applied ? EDIT_DONE : EDIT_NOT_MINE;
	}
	if (!edit_is_char(key))
		return EDIT_NOT_MINE;
	return editbuf_insert(e, (unsigned)key) ? EDIT_DONE : EDIT_FULL;
}
