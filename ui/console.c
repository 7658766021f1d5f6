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
#include "saved_views.h"
#include "screen.h"
#include "trace.h"
#include "views.h"

static const enum view_kind tab_views[TAB_COUNT] = {
	[TAB_WAITING] = VIEW_WAITING,
	[TAB_MINE] = VIEW_MINE,
	[TAB_ALL] = VIEW_ALL,
	[TAB_SEARCH] = VIEW_SEARCH,
	[TAB_VIEW] = VIEW_SAVED,
	[TAB_VIEW + 1] = VIEW_SAVED + 1,
	[TAB_VIEW + 2] = VIEW_SAVED + 2,
	[TAB_VIEW + 3] = VIEW_SAVED + 3,
	[TAB_VIEW + 4] = VIEW_SAVED + 4,
	[TAB_FILTER] = VIEW_FILTER,
};
_Static_assert(VIEW_SAVED_MAX == 5, "a tab for every saved view");

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

const char *console_open(const struct console *c)
{
	return session_open_chat(c->session);
}

const struct chat *console_selected(const struct console *c)
{
	return c->selected[0] ? store_chat(c->store, c->selected) : NULL;
}

const struct chat *console_target(struct console *c)
{
	const struct chat *ch = NULL;

	if (console_open(c)[0] && (c->focus == PANE_THREAD || !console_selected(c)))
		ch = store_chat(c->store, console_open(c));
	if (!ch) {
		/* A key typed ahead of the frame that would have put the
		 * selection on the first row (a search just confirmed, a tab
		 * just switched) acts on that row, as the screen will show. */
		list_follow(c, 0);
		ch = console_selected(c);
	}
	if (!ch)
		console_say(c, true, "No chat selected: move to one with j/k first");
	return ch;
}

void console_open_chat(struct console *c, const char *chat_id)
{
	struct errbuf err;

	if (strcmp(console_open(c), chat_id) != 0) {
		/* What the agent read there, before the mark held back is lost. */
		attention_read_open(c, true);
		if (!session_open_thread(c->session, chat_id, &err)) {
			console_say(c, true, "Cannot open the chat: %s", err.msg);
			return;
		}
		c->thread_view_scroll = 0;
		c->unseen = 0;
		c->found.seq = 0;
		c->found.seeking = false;
		thread_view_ticket_seen(c, store_chat(c->store, chat_id), true);
		if (c->composer.active && strcmp(c->composer.chat, chat_id) != 0)
			c->composer.active = false;
	}
	c->focus = PANE_THREAD;
	screen_resize(c);
}

void console_open_at(struct console *c, const char *chat_id, int64_t seq)
{
	console_open_chat(c, chat_id);
	if (strcmp(console_open(c), chat_id) != 0)
		return;
	snprintf(c->found.chat, sizeof c->found.chat, "%s", chat_id);
	c->found.seq = seq;
	c->found.seeking = true;
	console_dirty(c, DIRTY_THREAD);
}

void console_dialog(struct console *c, struct dialog *d)
{
	if (c->dialog && c->dialog->cls->free)
		c->dialog->cls->free(c->dialog);
	c->dialog = d;
	c->dialog_changes_at = 0;
	/* What was under the old dialog must be drawn again. */
	console_dirty(c, DIRTY_ALL);
}

/* ---- quitting ------------------------------------------------------------ */

static void on_handle_closed(uv_handle_t *h)
{
	struct console *c = h->data;

	c->handles_open--;
}

void console_quit(struct console *c, bool confirmed)
{
	size_t unsent = session_unsent(c->session);

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
	uv_close((uv_handle_t *)&c->frame_due, on_handle_closed);
	availability_close(c, on_handle_closed);
	uv_close((uv_handle_t *)&c->read_due, on_handle_closed);
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
		if (ch->view == VIEW_ALL && strcmp(ch->chat_id, console_open(c)) == 0) {
			thread_view_ticket_seen(c, store_chat(c->store, ch->chat_id), false);
			console_dirty(c, DIRTY_THREAD);
		}
		if (ch->kind == STORE_CHAT_ADDED && ch->view == VIEW_WAITING)
			attention_new_escalation(c, ch->chat_id);
		break;
	case STORE_THREAD_CHANGED:
		if (strcmp(ch->chat_id, console_open(c)) != 0)
			break;
		/* New at the bottom while the agent reads above: count them. */
		if (c->thread_view_scroll > 0) {
			const struct thread *t = store_thread(c->store, console_open(c));
			if (t && ch->seq_to == thread_newest_loaded(t))
				c->unseen += (int)(ch->seq_to - ch->seq_from + 1);
		}
		if (trace_on() && !c->thread_in_ns)
			c->thread_in_ns = uv_hrtime();
		console_dirty(c, DIRTY_THREAD);
		break;
	case STORE_PRESENCE_CHANGED:
		if (strcmp(ch->chat_id, console_open(c)) == 0)
			console_dirty(c, DIRTY_THREAD);
		break;
	case STORE_CLEARED:
		/* Starting over: the first row again until the first page came. */
		c->list_settled = false;
		/* fall through */
	case STORE_VIEW_RESET:
		console_dirty(c, DIRTY_ALL);
		break;
	}
}

static void on_state(void *ctx, const struct stream_status *st)
{
	struct console *c = ctx;

	c->conn = *st;
	snprintf(c->conn_reason, sizeof c->conn_reason, "%s", st->reason ? st->reason : "");
	c->conn.reason = c->conn_reason;
	/* The thread too: a reply waiting offline counts down to the
	 * stream's reconnect. */
	console_dirty(c, DIRTY_HEADER | DIRTY_STATUS | DIRTY_THREAD);
	if (st->state == STREAM_LIVE && strncmp(c->status, "Connecting", 10) == 0)
		console_say(c, false, "Connected. Enter opens a chat, t takes it over, ? shows "
				      "every key");
}

static void on_notice(void *ctx, bool error, const char *text)
{
	console_say(ctx, error, "%s", text);
}

static void on_assigned(void *ctx, const struct chat *ch, const struct message *m)
{
	attention_assigned(ctx, ch, m);
}

static void on_answer(void *ctx, const struct chat *ch, const struct message *m)
{
	(void)m;
	attention_answer(ctx, ch);
}

static void on_offer(void *ctx, const struct chat_offer *o)
{
	availability_offer(ctx, o);
}

static void on_reply(void *ctx, const struct session_reply *r)
{
	struct console *c = ctx;

	if (strcmp(r->chat_id, console_open(c)) == 0)
		console_dirty(c, DIRTY_THREAD);
	if (r->state == SESSION_REPLY_SENT) {
		console_say(c, false, r->internal ? "Note saved" : "Reply sent");
	} else if (r->state == SESSION_REPLY_FAILED) {
		char retry[32], drop[32];
		keymap_name(c->keys, KC_MAIN, "retry", retry, sizeof retry);
		keymap_name(c->keys, KC_MAIN, "drop", drop, sizeof drop);
		console_say(c, true, "%s not sent: %s (%s sends it again, %s drops it)",
			    r->internal ? "Note" : "Reply", r->reason ? r->reason : "refused", retry,
			    drop);
	}
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

static void on_frame_due(uv_timer_t *h);

/* Draw now, or when the frame gap is over (screen.h). */
static void frame(struct console *c)
{
	bool drawing = c->dirty != 0;
	unsigned wait_ms = screen_frame(c);

	if (wait_ms) {
		if (!uv_is_active((uv_handle_t *)&c->frame_due))
			uv_timer_start(&c->frame_due, on_frame_due, wait_ms, 0);
	} else if (drawing) {
		/* Drawn: a frame held back is in it (on_frame_due must not
		 * cut the next gap short). What the frame shows decides when
		 * time alone changes it next. */
		uv_timer_stop(&c->frame_due);
		clock_update(c);
	}
}

static void on_frame_due(uv_timer_t *h)
{
	struct console *c = h->data;

	if (c->quitting)
		return;
	/* No frame since the one that set it: the gap is over. The loop's
	 * clock, which set the timer, counts whole ms and lags, so
	 * screen_frame's own reading may still see a few µs of it left and
	 * wait another whole ms. */
	c->frame_ns = 0;
	frame(c);
}

static void on_frame(uv_prepare_t *h)
{
	struct console *c = h->data;

	if (c->quitting)
		return;
	attention_read_open(c, false);
	frame(c);
}

static void on_clock(uv_timer_t *h)
{
	struct console *c = h->data;

	c->clock_ticked = uv_now(c->loop);
	/* Ages in the list, "reconnecting in N s", a reply's "retrying in
	 * N s" and the dashboard's clocks are the only things that change
	 * with time alone. The frame this draws sets the clock again. */
	console_dirty(c, DIRTY_HEADER | DIRTY_LIST | DIRTY_THREAD |
				 (c->dialog_changes_at ? DIRTY_DIALOG : 0));
}

/* Past the change a wake is for: the loop's clock counts whole
 * milliseconds, and a wake a little early would draw the old text. */
#define CLOCK_SLACK_MS 2
#define CLOCK_MIN_GAP_MS 1000

void clock_update(struct console *c)
{
	int64_t wait = INT64_MAX; /* ms from now until the next change */
	uint64_t now = uv_now(c->loop);

	if (c->list_changes_at)
		wait = c->list_changes_at - ts_now() + CLOCK_SLACK_MS;
	if (c->dialog_changes_at && c->dialog_changes_at - ts_now() + CLOCK_SLACK_MS < wait)
		wait = c->dialog_changes_at - ts_now() + CLOCK_SLACK_MS;
	if (c->conn.state == STREAM_RETRYING) {
		/* "reconnecting in N s" drops when the time left crosses a
		 * whole second. */
		int64_t left = c->conn.retry_at_ms > now ? (int64_t)(c->conn.retry_at_ms - now) : 0;
		int64_t next = left % 1000 ? left % 1000 : 1000;
		if (next < wait)
			wait = next;
	}
	if (c->reply_countdown && wait > 1000)
		wait = 1000;
	if (wait == INT64_MAX) {
		uv_timer_stop(&c->clock);
		return;
	}
	uint64_t due = now + (uint64_t)(wait > 0 ? wait : 0);
	/* Rows counting seconds in different phases share one wake a
	 * second: a row's new second shows up to a second late instead. */
	if (c->clock_ticked && due < c->clock_ticked + CLOCK_MIN_GAP_MS)
		due = c->clock_ticked + CLOCK_MIN_GAP_MS;
	uv_timer_start(&c->clock, on_clock, due - now, 0);
}

static void start_handles(struct console *c)
{
	uv_poll_init(c->loop, &c->input, 0);
	uv_signal_init(c->loop, &c->winch);
	uv_prepare_init(c->loop, &c->frame);
	uv_timer_init(c->loop, &c->clock);
	uv_timer_init(c->loop, &c->frame_due);
	uv_timer_init(c->loop, &c->read_due);
	c->input.data = c->winch.data = c->frame.data = c->clock.data = c->frame_due.data =
		c->read_due.data = c;
	c->handles_open = 6;
	uv_poll_start(&c->input, UV_READABLE, input_on_readable);
	uv_signal_start(&c->winch, on_winch, SIGWINCH);
	uv_prepare_start(&c->frame, on_frame);
	availability_start(c);
}

/* ncurses needs a UTF-8 locale for anything beyond ASCII; take the
 * environment's, and C.UTF-8 when that is not UTF-8 (LANG unset, often
 * over SSH). Returns whether the environment's was UTF-8: drawings
 * (the charts) fall back to ASCII when it was not, as the terminal may
 * not show more. */
static bool choose_locale(void)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return true;
	setlocale(LC_CTYPE, "C.UTF-8");
	return false;
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
	static const struct session_callbacks cb = {on_state, on_notice, on_reply, on_assigned,
						     on_answer, on_offer};
	struct console c;
	uv_loop_t loop;
	struct errbuf err;

	memset(&c, 0, sizeof c);
	c.utf8 = choose_locale();
	c.cfg = cfg;
	c.tab = TAB_WAITING;
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
	saved_views_start(&c);
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

	attention_end(&c);
	screen_end();
	log_set_file(NULL);
	if (log)
		fclose(log);
	editbuf_free(&c.composer.text);
	details_free(&c);
	uv_loop_close(&loop);
	return c.exit_status;
}
