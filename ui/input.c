/*
 * input.c — reading keys off the loop and sending each where it belongs:
 * the dialog if one is up, the composer while it is open, else the key
 * bindings (see input.h).
 */
#include <string.h>

#include "composer.h"
#include "input.h"
#include "views.h"

/* Wheel and clicks: a click selects a chat (twice: opens it); the wheel
 * scrolls whatever is under the pointer. */
static void mouse_event(struct console *c)
{
	MEVENT ev;

	if (getmouse(&ev) != OK || c->dialog)
		return;
	const struct rect *list = &c->layout.list;
	bool in_list = ev.x >= list->x && ev.x < list->x + list->w && ev.y >= list->y &&
		       ev.y < list->y + list->h;
	if (ev.bstate & BUTTON4_PRESSED) {
		if (in_list)
			list_move(c, -3);
		else
			thread_view_scroll(c, 3);
	} else if (ev.bstate & BUTTON5_PRESSED) {
		if (in_list)
			list_move(c, 3);
		else
			thread_view_scroll(c, -3);
	} else if (in_list && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) {
		const struct chat *before = console_selected(c);
		if (list_click(c, ev.y) && before == console_selected(c))
			console_open_chat(c, before->id);
		c->focus = PANE_LIST;
	}
}

/* Run the action `key` has in context kc; false when it has none. */
static bool run_in(struct console *c, enum key_context kc, int key)
{
	const struct action *a = keymap_lookup(&c->keys[kc], key);

	if (!a)
		return false;
	a->run(c);
	return true;
}

static void nothing_here(struct console *c, int key)
{
	char name[32], help[32];

	key_format(key, name, sizeof name);
	console_say(c, true, "%s does nothing here: %s shows the keys", name,
		    keymap_name(c->keys, KC_MAIN, "help", help, sizeof help));
}

void input_key(struct console *c, int key)
{
	if (key == KEY_FN + KEY_RESIZE)
		return; /* SIGWINCH does it (on_winch) */
	availability_key(c);
	if (key == KEY_FN + KEY_MOUSE) {
		mouse_event(c);
		return;
	}
	if (c->dialog) {
		struct dialog *d = c->dialog;
		if (!run_in(c, d->cls->context, key) && !(d->cls->key && d->cls->key(c, d, key)))
			nothing_here(c, key);
		console_dirty(c, DIRTY_DIALOG | DIRTY_FBAR);
		return;
	}
	if (c->composer.active && c->focus == PANE_THREAD && !c->details.focused &&
	    (run_in(c, KC_COMPOSER, key) || composer_key(c, key))) {
		console_dirty(c, DIRTY_FBAR);
		return;
	}
	if (run_in(c, KC_MAIN, key))
		console_dirty(c, DIRTY_FBAR);
	else
		nothing_here(c, key);
}

void input_on_readable(uv_poll_t *h, int status, int events)
{
	struct console *c = h->data;
	wint_t wch;
	int r;

	(void)status;
	(void)events;
	while (!c->quitting && (r = get_wch(&wch)) != ERR) {
		int key = r == KEY_CODE_YES ? KEY_FN + (int)wch : (int)wch;
		if (r == OK && wch == 27) {
			/* Alt sends ESC then the key; a lone ESC is Esc. ncurses
			 * has already waited ESCDELAY for the rest. */
			wint_t next;
			int r2 = get_wch(&next);
			if (r2 == OK)
				key = KEY_ALT + (next == '\n' ? '\r' : (int)next);
			else if (r2 == KEY_CODE_YES)
				key = KEY_ALT + KEY_FN + (int)next;
		} else if (key == KEY_FN + KEY_ENTER || key == '\n') {
			key = '\r';
		} else if (key == 0x7f) {
			key = KEY_FN + KEY_BACKSPACE; /* what most terminals send for it */
		}
		input_key(c, key);
	}
}
