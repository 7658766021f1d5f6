/*
 * console.h — the agent's console: the screen, its panes and dialogs, on
 * top of a session (src/client/session.h), all on one libuv loop.
 *
 * Data flows one way (doc/architecture.md, "Design"): the session feeds
 * the store, the store tells the console what changed, the console marks the parts of the
 * screen that show it dirty, and once per loop turn (a uv_prepare, just
 * before the loop waits) the dirty parts are drawn and one doupdate() sends
 * the difference to the terminal. Keys go through the binding table to
 * actions (actions.c), and actions go to the session.
 */
#ifndef HANDOFF_UI_CONSOLE_H
#define HANDOFF_UI_CONSOLE_H

#include <stdbool.h>

#include <curses.h>
#include <uv.h>

#include "actions.h"
#include "editbuf.h"
#include "editkeys.h"
#include "jumpscroll.h"
#include "keys.h"
#include "console_run.h"
#include "layout.h"
#include "session.h"
#include "settings.h"
#include "theme.h"

/* The tabs: the queues, in the order of their keys 1..4, the saved views
 * (keys 5..9, shown when saved), and the filtered list (shown while a
 * filter is set). */
enum tab {
	TAB_WAITING,
	TAB_MINE,
	TAB_ALL,
	TAB_SEARCH,
	TAB_VIEW, /* the first of VIEW_SAVED_MAX */
	TAB_FILTER = TAB_VIEW + VIEW_SAVED_MAX,
	TAB_COUNT
};

/* What needs drawing this turn. */
enum {
	DIRTY_HEADER = 1 << 0,
	DIRTY_LIST = 1 << 1,
	DIRTY_THREAD = 1 << 2,
	DIRTY_STATUS = 1 << 3,
	DIRTY_FBAR = 1 << 4,
	DIRTY_DIALOG = 1 << 5,
	DIRTY_DETAILS = 1 << 6,
	DIRTY_ALL = 0xff,
};

struct console;
struct dialog;

/* A modal dialog (rate, prompt, picker, confirm, help): htop's Panel idea,
 * a small class of function pointers. */
struct dialog_class {
	const char *name;
	enum key_context context;  /* where its keys are looked up first */
	void (*draw)(struct console *c, struct dialog *d);
	/* A key its context does not bind (a character typed into a field),
	 * or NULL; false when the key means nothing here. */
	bool (*key)(struct console *c, struct dialog *d, int key);
	void (*free)(struct dialog *d);
};

struct dialog {
	const struct dialog_class *cls;
};

/* The composer under the open thread (reply or internal note). */
struct composer {
	bool active;
	bool internal;       /* a note rather than a reply */
	uuid_str chat;       /* the chat it writes to */
	struct editbuf text;
	uint64_t typing_told; /* uv_now() when the hub last heard a keystroke */
};

/* Ticket status changes of the open chat seen while the console runs.
 * The hub keeps no message for them (the protocol has no system type for
 * a status change: it is a chat.updated event), so the thread shows the
 * ones this console saw, at the time the hub gives the change. */
#define TICKET_LINES_MAX 16
struct ticket_lines {
	bool known;                  /* `present` and `last` are the chat's */
	bool present;
	enum ticket_status last;
	size_t n;
	struct {
		int64_t at;          /* the chat's updated_at after the change */
		enum ticket_status status;
	} v[TICKET_LINES_MAX];
};

/* The customer details (view_details.c): the owner of the chat the agent
 * looks at, as the hub answered GET /v1/owners/{id}, and their chats. */
struct details {
	bool shown;
	bool focused;            /* the moving keys and Enter go to it */
	bool loading;            /* the hub's answer is on its way */
	uuid_str owner;          /* whose details are shown or asked for */
	char *name, *email, *phone, *external_id;  /* the customer's words */
	uuid_str *chats;         /* all their chats, newest first (in the store) */
	size_t n;
	size_t sel;              /* in the earlier chats: all but the one looked at */
	char error[ERRBUF_LEN];  /* why they could not be read, "" */
};

struct console {
	uv_loop_t *loop;
	struct session *session;
	struct store *store;
	const struct config *cfg;
	struct keymap keys[KC_COUNT];  /* one per key context (actions.h) */

	/* the screen */
	attr_t attrs[EL_COUNT];  /* the theme, as curses attributes */
	struct layout layout;
	int rows, cols;
	unsigned dirty;
	bool resized;            /* clear once before the next draw */
	uint64_t frame_ns;       /* when the last frame was sent (uv_hrtime) */
	uint64_t thread_in_ns;   /* when the open thread first changed since it (traced only) */
	bool utf8;               /* the environment's locale is UTF-8 (else ASCII art) */

	/* what the agent looks at */
	enum pane focus;
	enum tab tab;
	uuid_str selected;       /* the chat selected in the list ("" none) */
	size_t list_top;         /* the list's first row shown */
	bool list_settled;       /* the selection stays on its chat (list_follow) */
	bool list_at_end;        /* End was the last move: the selection follows the end */
	int64_t list_changes_at; /* when an age the list shows changes (ts_now ms), 0 never */
	int64_t dialog_changes_at; /* the same for the dialog up (dashboard), 0 never */
	int thread_view_scroll;  /* rows scrolled up from the bottom; 0 follows */
	struct jumpscroll jump;  /* the newest row's place in the thread (jumpscroll.h) */
	uuid_str drawn_chat;     /* the thread the last frame drew, */
	int64_t drawn_newest;    /* and the seq of its newest message */
	int unseen;              /* messages arrived while scrolled up */
	struct ticket_lines tickets; /* of the open thread */
	/* The message a search opened the thread at (dialog_find.c): the
	 * thread scrolls to it once its page is loaded, and marks it while
	 * that chat stays open. seq 0: none. */
	struct {
		uuid_str chat;
		int64_t seq;
		bool seeking;
	} found;
	struct composer composer;
	bool reply_countdown;    /* a reply "retrying in N s" is on screen */
	struct field field;      /* the text field editing keys go to (editkeys.h) */
	struct dialog *dialog;   /* the modal dialog up, or NULL */
	struct details details;  /* the customer details panel */
	char search[256];        /* the search tab's query */
	/* The saved views, tabs TAB_VIEW.. in this order (saved_views.c). */
	struct config_view saved[VIEW_SAVED_MAX];
	size_t nsaved;

	/* the status line */
	char status[512];
	bool status_error;
	struct stream_status conn;
	char conn_reason[160];

	/* availability (availability.c, v1.1) */
	bool away;               /* the hub was told the agent is away */
	bool away_auto;          /* ... by the idle timer: the next key ends it */
	uv_timer_t idle;         /* away_after (seconds) after the last key */
	struct {
		uuid_str chat;   /* the chat the hub offers, "" none */
		uint64_t until;  /* uv_now() when the offer runs out */
	} offer;

	/* attention */
	bool title_set;          /* the window title is ours (attention.c) */
	int64_t started_at;      /* escalations after this are news */

	/* the loop's handles */
	uv_poll_t input;
	uv_signal_t winch;
	uv_prepare_t frame;
	uv_timer_t clock;        /* wakes for what time alone changes on screen */
	uint64_t clock_ticked;   /* uv_now() of its last wake, 0 none yet */
	uv_timer_t frame_due;    /* draws a frame held back during a burst */
	uv_timer_t read_due;     /* marks the open chat read, held back (attention.c) */
	uint64_t read_marked;    /* uv_now() of the last read mark, 0 none yet */
	int handles_open;
	bool quitting;
	int exit_status;
};

/* Mark parts of the screen to draw this turn. */
void console_dirty(struct console *c, unsigned what);

/* Say something on the status line (printf-style); error: in the error
 * colour, and it stays until the next message. */
void console_say(struct console *c, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Say how a call to the hub went: `ok` on success, else the hub's words
 * (or why it could not be reached) as an error. */
void console_report(struct console *c, const struct api_result *r, const char *ok);

/* The id of the chat whose thread is open ("" when none): the session's. */
const char *console_open(const struct console *c);

/* The chat selected in the list, or NULL. */
const struct chat *console_selected(const struct console *c);

/* The chat an action applies to: the open thread's when the thread has the
 * focus (or is the only one shown), else the selected one; NULL (and a
 * word on the status line) when there is none. */
const struct chat *console_target(struct console *c);

/* The store view a tab shows. */
enum view_kind tab_view(enum tab t);

/* Show tab t afresh (its top, the list focused), loading its first page
 * if it never came. */
void tab_show(struct console *c, enum tab t);

/* Open a chat's thread and give it the focus. */
void console_open_chat(struct console *c, const char *chat_id);

/* The same, scrolled to the message `seq` and marking it (older pages are
 * loaded until it is there). */
void console_open_at(struct console *c, const char *chat_id, int64_t seq);

/* Put up a dialog (NULL: take it down); the old one is freed. */
void console_dialog(struct console *c, struct dialog *d);

/* Ask to quit (confirming first when replies are still unsent). */
void console_quit(struct console *c, bool confirmed);

/* Set the clock for the next change on screen that time alone makes (an
 * age in the list reaching its next second, minute or day, "reconnecting
 * in N s", a reply "retrying in N s"), at most once a second; stopped when
 * nothing on screen counts time. Called after every frame. */
void clock_update(struct console *c);

/* A chat entered the waiting queue: notice, bell and terminal title, if it is a
 * new escalation (attention.c). */
void attention_new_escalation(struct console *c, const char *chat_id);

/* A colleague gave the agent chat `ch` (`m`: the hub's notice): a word on
 * the status line, bell and terminal title as for an escalation. */
void attention_assigned(struct console *c, const struct chat *ch, const struct message *m);

/* The customer wrote in chat `ch`, which the agent holds: the notice, bell
 * and title, unless the agent is reading that thread at its newest line. */
void attention_answer(struct console *c, const struct chat *ch);

/* The open thread is on screen at its newest message: mark it read in the
 * hub (session_mark_read) when it has unread messages, at most once per
 * READ_MARK_GAP_MS unless `now` (the agent leaves the chat). Called each
 * frame. */
void attention_read_open(struct console *c, bool now);
#define READ_MARK_GAP_MS 250

/* Chat ch's unread messages as the screen counts them: none while the
 * agent reads its newest (the hub hears of it, attention_read_open), so
 * that each new message does not show "1 new" for one frame and take it
 * back in the next. */
int64_t attention_unread(const struct console *c, const struct chat *ch);

/* Availability (availability.c): the idle timer, set up with the screen's
 * handles (one more of handles_open) and closed on quit; every key
 * restarts it (and ends an away it set); the hub's offers. */
void availability_start(struct console *c);
void availability_close(struct console *c, uv_close_cb done);
void availability_key(struct console *c);
void availability_offer(struct console *c, const struct chat_offer *o);
void act_away(struct console *c);
void act_accept_offer(struct console *c);
void act_pass_offer(struct console *c);

/* Give the terminal back its own window title, if ours replaced it. */
void attention_end(struct console *c);

#endif
