/*
 * composer.c — the composer's keys and sending (see composer.h); drawing
 * is view_thread.c's.
 */
#include <string.h>

#include "composer.h"
#include "editkeys.h"
#include "views.h"

/* Columns the composer's text wraps at: the thread pane, less its prompt. */
static int text_width_of(const struct console *c)
{
	int w = c->layout.thread.w - 2;
	return w > 1 ? w : 1;
}

static void send_it(struct console *c)
{
	struct composer *k = &c->composer;
	struct errbuf err;

	if (!editbuf_has_text(&k->text)) {
		console_say(c, true, "Nothing to send");
		return;
	}
	if (!session_reply(c->session, k->chat, k->text.text, k->internal, NULL, &err)) {
		console_say(c, true, "Not sent: %s", err.msg);
		return;
	}
	editbuf_clear(&k->text);
	k->active = false;
	thread_to_bottom(c);
	console_say(c, false, k->internal ? "Note saved" : "Sending...");
	console_dirty(c, DIRTY_THREAD);
}

bool composer_key(struct console *c, int key)
{
	struct editbuf *e = &c->composer.text;

	switch (key) {
	case '\r':
		send_it(c);
		return true;
	case KEY_ALT + '\r':
		editbuf_insert(e, '\n');
		break;
	case 27:
		c->composer.active = false;
		if (editbuf_has_text(e))
			console_say(c, false, "Draft kept: r (or n) opens it again");
		console_dirty(c, DIRTY_THREAD);
		return true;
	default:
		switch (editbuf_key(e, key, text_width_of(c))) {
		case EDIT_NOT_MINE:
			return false;
		case EDIT_FULL:
			console_say(c, true, "The text is at its limit (%d characters)",
				    REPLY_MAX_CHARS);
			break;
		case EDIT_DONE:
			break;
		}
	}
	console_dirty(c, DIRTY_THREAD);
	return true;
}
