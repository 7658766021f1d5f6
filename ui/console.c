/*
 * console.c — the console's life: the loop's handles, what the store and
 * the session report, and where keys go (see console.h).
 */
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "dialogs.h"
#include "input.h"
#include "log.h"
#include "screen.h"
#include "views.h"

static const enum view_kind tab_views[TAB_COUNT] = {
	[TAB_WAITING] = VIEW_WAITING,
	[TAB_MINE] = VIEW_MINE,
	[TAB_ALL] = VIEW_ALL,
	[TAB_SEARCH] = VIEW_SEARCH,
};

enum view_kind tab_view(enum tab t)
{
	return tab_views[t];
}

void console_dirty(struct console *c, unsigned what)
{
	c->dirty |= what;
}

void console_say(struct console *c, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->status, sizeof c->status, fmt, ap);
	va_end(ap);
	c->status_error = error;
	console_dirty(c, DIRTY_STATUS);
}

void console_report(struct console *c, const struct api_result *r, const char *ok)
{
	if (r->err == API_ERR_NONE)
		console_say(c, false, "%s", ok);
	else
		console_say(c, true, "%s", r->text);
}

const struct chat *console_selected(const struct console *c)
{
	return c->selected[0] ? store_chat(c->store, c->selected) : NULL;
}

const struct chat *console_target(struct console *c)
{
	const struct chat *ch = NULL;

	if (c->open[0] && (c->focus == PANE_THREAD || !console_selected(c)))
		ch = store_chat(c->store, c->open);
	if (!ch)
		ch = console_selected(c);
	if (!ch)
		console_say(c, true, "No chat selected: move to one with j/k first");
	return ch;
}

void console_open_chat(struct console *c, const char *chat_id)
{
	struct errbuf err;

	if (strcmp(c->open, chat_id) != 0) {
		if (!session_open_thread(c->session, chat_id, &err)) {
			console_say(c, true, "Cannot open the chat: %s", err.msg);
			return;
		}
		snprintf(c->open, sizeof c->open, "%s", chat_id);
		c->thread_scroll = 0;
		c->unseen = 0;
		if (c->composer.active && strcmp(c->composer.chat, chat_id) != 0)
			c->composer.active = false;
	}
	c->focus = PANE_THREAD;
	screen_resize(c);
}

void console_dialog(struct console *c, struct dialog *d)
{
	if (c->dialog && c->dialog->cls->free)
		c->dialog->cls->free(c->dialog);
	c->dialog = d;
	/* What was under the old dialog must be drawn again. */
	console_dirty(c, DIRTY_ALL);
}

/* ---- quitting ------------------------------------------------------------ */

static void on_handle_closed(uv_handle_t *h)
{
	struct console *c = h->data;

	c->handles_open--;
}

static size_t unsent_replies(struct console *c)
{
	struct outbox *ob = session_outbox(c->session);
	size_t n = 0;

	for (size_t i = 0; i < outbox_count(ob); i++)
		n += outbox_entry_at(ob, i)->state == OUTBOX_PENDING;
	return n;
}

void console_quit(struct console *c, bool confirmed)
{
	size_t unsent = unsent_replies(c);

	if (!confirmed && unsent) {
		console_dialog(c, dialog_quit_new(unsent));
		return;
	}
	if (c->quitting)
		return;
	c->quitting = true;
	console_dialog(c, NULL);
	uv_poll_stop(&c->input);
	uv_close((uv_handle_t *)&c->input, on_handle_closed);
	uv_close((uv_handle_t *)&c->winch, on_handle_closed);
	uv_close((uv_handle_t *)&c->frame, on_handle_closed);
	uv_close((uv_handle_t *)&c->clock, on_handle_closed);
	/* Unsent replies stay in the outbox journal for the next start. */
	session_free(c->session);
	c->session = NULL;
}

/* ---- what the store and the session say --------------------------------- */

static void on_store_change(void *ctx, const struct store_change *ch)
{
	struct console *c = ctx;

	switch (ch->kind) {
	case STORE_CHAT_ADDED:
	case STORE_CHAT_CHANGED:
	case STORE_CHAT_REMOVED:
		console_dirty(c, DIRTY_HEADER);
		if (ch->view == tab_view(c->tab)) {
			console_dirty(c, DIRTY_LIST);
			if (ch->kind == STORE_CHAT_REMOVED && strcmp(ch->chat_id, c->selected) == 0)
				list_follow(c, ch->old_index);
		}
		if (ch->view == VIEW_ALL && strcmp(ch->chat_id, c->open) == 0)
			console_dirty(c, DIRTY_THREAD);
		if (ch->kind == STORE_CHAT_ADDED && ch->view == VIEW_WAITING)
			attention_new_escalation(c, ch->chat_id);
		/* The first waiting chat starts the clock, the last stops it. */
		if (ch->view == VIEW_WAITING && ch->kind != STORE_CHAT_CHANGED)
			clock_update(c);
		break;
	case STORE_THREAD_CHANGED:
		if (strcmp(ch->chat_id, c->open) != 0)
			break;
		/* New at the bottom while the agent reads above: count them. */
		if (c->thread_scroll > 0) {
			const struct thread *t = store_thread(c->store, c->open);
			if (t && ch->seq_to == thread_newest_loaded(t))
				c->unseen += (int)(ch->seq_to - ch->seq_from + 1);
		}
		console_dirty(c, DIRTY_THREAD);
		break;
	case STORE_VIEW_RESET:
	case STORE_CLEARED:
		console_dirty(c, DIRTY_ALL);
		clock_update(c);
		break;
	}
}

static void on_state(void *ctx, const struct stream_status *st)
{
	struct console *c = ctx;

	c->conn = *st;
	snprintf(c->conn_reason, sizeof c->conn_reason, "%s", st->reason ? st->reason : "");
	c->conn.reason = c->conn_reason;
	console_dirty(c, DIRTY_HEADER | DIRTY_STATUS);
	if (st->state == STREAM_LIVE && strncmp(c->status, "Connecting", 10) == 0)
		console_say(c, false, "Connected. Enter opens a chat, t takes it over, ? shows "
				      "every key");
	clock_update(c);
}

static void on_notice(void *ctx, bool error, const char *text)
{
	console_say(ctx, error, "%s", text);
}

static void on_reply(void *ctx, const struct outbox_entry *e)
{
	struct console *c = ctx;

	if (strcmp(e->chat_id, c->open) == 0)
		console_dirty(c, DIRTY_THREAD);
	if (e->state == OUTBOX_SENT) {
		c->replies_sent = true; /* forget_sent, outside this callback */
		console_say(c, false, e->internal ? "Note saved" : "Reply sent");
	}
	else if (e->state == OUTBOX_FAILED)
		console_say(c, true, "%s not sent: %s (e sends it again)",
			    e->internal ? "Note" : "Reply", e->reason ? e->reason : "refused");
}

/* ---- the loop's handles -------------------------------------------------- */

static void on_winch(uv_signal_t *h, int signum)
{
	struct console *c = h->data;

	(void)signum;
	/* ncurses learns the new size from its own SIGWINCH handler only when
	 * it reads input; ask it directly. */
	endwin();
	refresh();
	screen_resize(c);
}

/* Replies the hub acknowledged are in the thread now: drop them from the
 * outbox's memory. Done here, outside the outbox's own callbacks. */
static void forget_sent(struct console *c)
{
	struct outbox *ob = session_outbox(c->session);

	if (!c->replies_sent)
		return;
	c->replies_sent = false;
	for (size_t i = outbox_count(ob); i-- > 0;) {
		const struct outbox_entry *e = outbox_entry_at(ob, i);
		if (e->state == OUTBOX_SENT)
			outbox_forget(ob, e->client_msg_id, NULL);
	}
}

static void on_frame(uv_prepare_t *h)
{
	struct console *c = h->data;

	if (c->quitting)
		return;
	forget_sent(c);
	screen_frame(c);
}

static void on_clock(uv_timer_t *h)
{
	struct console *c = h->data;

	/* Waiting times and "reconnecting in N s" are the only things that
	 * change with time alone. */
	console_dirty(c, DIRTY_HEADER | DIRTY_LIST | DIRTY_THREAD);
	clock_update(c);
}

void clock_update(struct console *c)
{
	bool needed = c->conn.state == STREAM_RETRYING || view_count(store_view(c->store,
									       VIEW_WAITING)) > 0;

	if (!needed)
		uv_timer_stop(&c->clock);
	else if (!uv_is_active((uv_handle_t *)&c->clock))
		uv_timer_start(&c->clock, on_clock, 1000, 1000);
}

static void start_handles(struct console *c)
{
	uv_poll_init(c->loop, &c->input, 0);
	uv_signal_init(c->loop, &c->winch);
	uv_prepare_init(c->loop, &c->frame);
	uv_timer_init(c->loop, &c->clock);
	c->input.data = c->winch.data = c->frame.data = c->clock.data = c;
	c->handles_open = 4;
	uv_poll_start(&c->input, UV_READABLE, input_on_readable);
	uv_signal_start(&c->winch, on_winch, SIGWINCH);
	uv_prepare_start(&c->frame, on_frame);
}

/* ncurses needs a UTF-8 locale for anything beyond ASCII; take the
 * environment's, and C.UTF-8 when that is not UTF-8 (LANG unset, often
 * over SSH). */
static void choose_locale(void)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

/* state_dir/console.log, owner-only like the rest of the state. */
static FILE *open_log(const char *state_dir)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/console.log", state_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	return fd < 0 ? NULL : fdopen(fd, "a");
}

int console_run(const struct config *cfg, const char *state_dir)
{
	static const struct session_callbacks cb = {on_state, on_notice, on_reply};
	struct console c;
	uv_loop_t loop;
	struct errbuf err;

	memset(&c, 0, sizeof c);
	choose_locale();
	c.cfg = cfg;
	c.tab = TAB_WAITING;
	c.bell = cfg->bell;
	c.title = cfg->title;
	c.started_at = ts_now();
	editbuf_init(&c.composer.text, REPLY_MAX_CHARS);
	if (!keymap_init(c.keys, cfg, &err)) {
		fprintf(stderr, "handoff: %s\n", err.msg);
		return 2;
	}
	uv_loop_init(&loop);
	c.loop = &loop;
	c.session = session_new(&loop, cfg, state_dir, &cb, &c, &err);
	if (!c.session) {
		fprintf(stderr, "handoff: %s\n", err.msg);
		uv_loop_close(&loop);
		return 1;
	}
	c.store = session_store(c.session);
	store_subscribe(c.store, on_store_change, &c);
	if (!screen_start(&c, cfg->theme, &err)) {
		screen_end();
		fprintf(stderr, "handoff: %s\n", err.msg);
		session_free(c.session);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		return 2;
	}
	/* From here stderr is the screen: log lines go to a file instead. */
	FILE *log = open_log(state_dir);
	if (!log)
		log = fopen("/dev/null", "w");
	log_set_file(log);
	start_handles(&c);
	console_say(&c, false, "Connecting to %s...", cfg->server);
	session_start(c.session);

	uv_run(&loop, UV_RUN_DEFAULT);

	screen_end();
	log_set_file(NULL);
	if (log)
		fclose(log);
	editbuf_free(&c.composer.text);
	uv_loop_close(&loop);
	return c.exit_status;
}
