/*
 * composer.c — the composer's keys and sending (see composer.h); drawing
 * is view_thread.c's.
 */
#include <stdio.h>
#include <string.h>

#include "composer.h"
#include "dialogs.h"
#include "editkeys.h"
#include "presence_line.h"
#include "views.h"

/* The hub hears of keystrokes at most this often: enough to keep
 * "typing" alive there (it lasts a few seconds), few enough to be
 * nothing on the wire. */
#define TYPING_TELL_MS 2000

/* Columns the composer's text wraps at: the thread pane, less its prompt. */
static int text_width_of(const struct console *c)
{
	int w = c->layout.thread.w - 2;
	return w > 1 ? w : 1;
}

static void send_now(struct console *c)
{
	struct composer *k = &c->composer;
	struct errbuf err;

	if (!session_reply(c->session, k->chat, k->text.text, k->internal, NULL, &err)) {
		console_say(c, true, "Not sent: %s", err.msg);
		return;
	}
	editbuf_clear(&k->text);
	k->active = false;
	thread_view_to_bottom(c);
	console_say(c, false, k->internal ? "Note saved" : "Sending...");
	console_dirty(c, DIRTY_THREAD);
}

/* "Send anyway": the composer still holds the text and the chat. */
static void send_anyway(struct console *c, const char *chat_id)
{
	if (c->composer.active && strcmp(c->composer.chat, chat_id) == 0 &&
	    editbuf_has_text(&c->composer.text))
		send_now(c);
}

/* A colleague typing in the same chat (a reply, or a note with the answer
 * in it) may be about to say the same: ask before sending on top of them. */
static void act_send(struct console *c)
{
	struct composer *k = &c->composer;
	char who[256], q[400];

	if (!editbuf_has_text(&k->text)) {
		console_say(c, true, "Nothing to send");
		return;
	}
	if (presence_colleague_typing(c, k->chat, who, sizeof who)) {
		snprintf(q, sizeof q, "%.200s typed in this chat seconds ago. Send anyway? "
				      "(n keeps editing)", who);
		console_dialog(c, dialog_confirm_new(q, send_anyway, k->chat));
		return;
	}
	send_now(c);
}

static void act_newline(struct console *c)
{
	if (!editbuf_insert(&c->composer.text, '\n'))
		console_say(c, true, "The text is at its limit (%d characters)", REPLY_MAX_CHARS);
	console_dirty(c, DIRTY_THREAD);
}

static void act_close(struct console *c)
{
	char reply[32], note[32];

	c->composer.active = false;
	if (editbuf_has_text(&c->composer.text))
		console_say(c, false, "Draft kept: %s (or %s) opens it again",
			    keymap_name(c->keys, KC_MAIN, "reply", reply, sizeof reply),
			    keymap_name(c->keys, KC_MAIN, "note", note, sizeof note));
	console_dirty(c, DIRTY_THREAD);
}

static void act_canned(struct console *c)
{
	struct dialog *d = dialog_canned_new(c);

	if (d)
		console_dialog(c, d);
}

/* "/" picks a canned reply only as the first thing typed, so a reply may
 * still hold a slash anywhere (and/or, 1/2). */
static void act_canned_at_start(struct console *c)
{
	if (c->composer.text.len == 0)
		act_canned(c);
	else
		composer_key(c, '/');
}

const struct action composer_actions[] = {
	{"send", "Send", "Send the reply (or save the note)", act_send},
	{"newline", "New line", "Start a new line", act_newline},
	{"close", "Keep draft", "Close the composer; the draft is kept for next time", act_close},
	{"canned", "Canned", "Pick a canned reply to insert at the cursor", act_canned},
	{"canned-at-start", NULL,
	 "In an empty composer, pick a canned reply; anywhere else, type a /", act_canned_at_start},
};
const size_t ncomposer_actions = sizeof composer_actions / sizeof *composer_actions;

bool composer_key(struct console *c, int key)
{
	switch (edit_key(c, &c->composer.text, key, text_width_of(c))) {
	case EDIT_NOT_MINE:
		return false;
	case EDIT_FULL:
		console_say(c, true, "The text is at its limit (%d characters)", REPLY_MAX_CHARS);
		break;
	case EDIT_DONE:
		break;
	}
	uint64_t now = uv_now(c->loop);
	if (now - c->composer.typing_told >= TYPING_TELL_MS) {
		c->composer.typing_told = now;
		session_typing(c->session);
	}
	console_dirty(c, DIRTY_THREAD);
	return true;
}

void composer_keys_said(const struct console *c, char *out, size_t len)
{
	char send[32], nl[32], close[32];

	snprintf(out, len, "%s sends, %s new line, %s closes and keeps the draft",
		 keymap_name(c->keys, KC_COMPOSER, "send", send, sizeof send),
		 keymap_name(c->keys, KC_COMPOSER, "newline", nl, sizeof nl),
		 keymap_name(c->keys, KC_COMPOSER, "close", close, sizeof close));
}

void composer_left(const struct console *c, char *out, size_t len)
{
	const struct editbuf *e = &c->composer.text;

	snprintf(out, len, "%zu characters left", e->max_chars - editbuf_chars(e));
}
