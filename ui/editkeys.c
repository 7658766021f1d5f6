/*
 * editkeys.c — the shared editing keys (see editkeys.h).
 */
#include <curses.h>

#include "editkeys.h"
#include "keys.h"

enum edit_result editbuf_key(struct editbuf *e, int key, int width)
{
	switch (key) {
	case KEY_FN + KEY_LEFT: editbuf_left(e); break;
	case KEY_FN + KEY_RIGHT: editbuf_right(e); break;
	case KEY_FN + KEY_HOME: case KEY_CTRL('a'): editbuf_home(e); break;
	case KEY_FN + KEY_END: case KEY_CTRL('e'): editbuf_end(e); break;
	case KEY_FN + KEY_BACKSPACE: case 127: case KEY_CTRL('h'): editbuf_backspace(e); break;
	case KEY_FN + KEY_DC: editbuf_delete(e); break;
	case KEY_CTRL('k'): editbuf_kill_to_end(e); break;
	case KEY_CTRL('u'): editbuf_kill_to_start(e); break;
	case KEY_CTRL('w'): editbuf_kill_word(e); break;
	case KEY_FN + KEY_UP:
	case KEY_FN + KEY_DOWN:
		if (width <= 0)
			return EDIT_NOT_MINE;
		editbuf_vertical(e, key == KEY_FN + KEY_UP ? -1 : 1, width);
		break;
	default:
		/* A character (not a function key, not Alt-something). */
		if (key < 0x20 || key >= KEY_FN || key == 0x7f)
			return EDIT_NOT_MINE;
		if (!editbuf_insert(e, (unsigned)key))
			return EDIT_FULL;
	}
	return EDIT_DONE;
}
