/*
 * dialogs.c — prompt, rate, status, assign and confirm (see dialogs.h);
 * help is help.c's.
 *
 * Each dialog is a struct with a struct dialog first, and a const class:
 * the key context its keys are looked up in (actions.h; its actions find
 * the dialog as c->dialog), a fallback for what the table does not name
 * (characters typed into a field), drawing and freeing. Results go to the
 * session; the hub's answer comes back on the status line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog_box.h"
#include "dialogs.h"
#include "editkeys.h"
#include "saved_views.h"
#include "textsafe.h"
#include "views.h"

static void close_dialog(struct console *c)
{
	console_dialog(c, NULL);
}

static void act_cancel(struct console *c) { close_dialog(c); }

static void plain_free(struct dialog *d)
{
	free(d);
}

/* ---- prompt: search, retitle, filter, view name ------------------------ */

struct prompt {
	struct dialog d;
	enum prompt_kind kind;
	uuid_str chat;
	struct editbuf text;
	bool selected;   /* the old text, selected: typing replaces it */
};

/* What each prompt says: title, the line above the field, what the text
 * is called when it is too long, its longest, and lines of help under it. */
static const struct {
	const char *title, *what, *called;
	size_t max_chars;
	const char *help[6];
} prompts[] = {
	[PROMPT_SEARCH] = {" Search ", "Customer, title or last message", "A search", 200, {NULL}},
	[PROMPT_RETITLE] = {" Title ", "The chat's title", "A title", TITLE_MAX_CHARS, {NULL}},
	[PROMPT_FILTER] = {" Filter ", "field=value ..., all must hold (empty: no filter)",
			   "A filter", VIEW_SPEC_LEN - 1,
			   {"status     open pending solved closed",
			    "channel    widget waha whatsapp instagram api",
			    "source     a platform label: telegram, botpress...",
			    "holder     me nobody <agent id>",
			    "escalated  yes no", NULL}},
	[PROMPT_VIEW_NAME] = {" Save view ", "A name: letters, digits, - or _", "A name",
			      VIEW_NAME_MAX, {NULL}},
};

static void prompt_draw(struct console *c, struct dialog *d)
{
	struct prompt *p = (struct prompt *)d;
	int nhelp = 0;

	while (prompts[p->kind].help[nhelp])
		nhelp++;
	struct box b = box_draw(c, 7 + (nhelp ? nhelp + 1 : 0), 64, prompts[p->kind].title);
	char left[64];

	box_line(c, &b, 1, prompts[p->kind].what, c->attrs[EL_DIALOG]);
	box_field(c, &b, 3, &p->text, true, p->selected);
	if (p->selected)
		snprintf(left, sizeof left, "Typing replaces it; arrows edit it");
	else
		snprintf(left, sizeof left, "%zu characters left",
			 p->text.max_chars - editbuf_chars(&p->text));
	box_line(c, &b, 4, left, c->attrs[EL_DIALOG]);
	for (int i = 0; i < nhelp; i++)
		box_line(c, &b, 6 + i, prompts[p->kind].help[i], c->attrs[EL_DIALOG]);
	box_keys(c, &b, nhelp ? 7 + nhelp : 5, KC_PROMPT);
}

static void done_retitle(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Title saved");
}

static void search_confirm(struct console *c, struct prompt *p)
{
	struct errbuf err;

	snprintf(c->search, sizeof c->search, "%s", p->text.text ? p->text.text : "");
	if (!session_search(c->session, c->search, &err)) {
		console_say(c, true, "%s", err.msg);
		return;
	}
	close_dialog(c);
	c->tab = c->search[0] ? TAB_SEARCH : TAB_ALL;
	list_reset(c);
	c->focus = PANE_LIST;
	console_dirty(c, DIRTY_ALL);
}

static void prompt_confirm(struct console *c)
{
	struct prompt *p = (struct prompt *)c->dialog;
	struct errbuf err;

	const char *text = p->text.text ? p->text.text : "";

	if (p->kind == PROMPT_SEARCH)
		search_confirm(c, p);
	else if (p->kind == PROMPT_FILTER || p->kind == PROMPT_VIEW_NAME) {
		/* Applied or saved: the prompt goes; refused: it stays, the
		 * reason on the status line, to be corrected. */
		if (p->kind == PROMPT_FILTER ? saved_views_filter(c, text) : saved_views_save(c, text))
			close_dialog(c);
	} else if (!editbuf_has_text(&p->text))
		console_say(c, true, "A title cannot be empty");
	else if (!session_retitle(c->session, p->chat, p->text.text, done_retitle, c, &err))
		console_say(c, true, "%s", err.msg);
	else
		close_dialog(c);
}

const struct action prompt_actions[] = {
	{"confirm", "OK", "Search, save the title, apply the filter or save the view",
	 prompt_confirm},
	{"cancel", "Cancel", "Close, changing nothing", act_cancel},
};
const size_t nprompt_actions = sizeof prompt_actions / sizeof *prompt_actions;

/* Whether `key` deletes text in a field (Backspace, Delete, the kills). */
static bool deletes(struct console *c, int key)
{
	const struct action *a = keymap_lookup(&c->keys[KC_EDIT], key);

	return a && (strcmp(a->name, "backspace") == 0 || strcmp(a->name, "delete") == 0 ||
		     strncmp(a->name, "kill-", 5) == 0);
}

/* The old text comes selected, as in any dialog's field: the first
 * character typed (or a delete) replaces it, a move keeps it to edit. */
static bool prompt_key(struct console *c, struct dialog *d, int key)
{
	struct prompt *p = (struct prompt *)d;

	if (p->selected && (edit_is_char(key) || deletes(c, key))) {
		editbuf_clear(&p->text);
		p->selected = false;
		if (!edit_is_char(key))
			return true;
	}
	bool mine = box_field_key(c, &p->text, key, prompts[p->kind].called);
	if (mine)
		p->selected = false;
	return mine;
}

static void prompt_free(struct dialog *d)
{
	struct prompt *p = (struct prompt *)d;

	editbuf_free(&p->text);
	free(p);
}

static const struct dialog_class prompt_class = {"prompt", KC_PROMPT, prompt_draw, prompt_key,
						 prompt_free};

struct dialog *dialog_prompt_new(enum prompt_kind kind, const char *chat_id, const char *initial)
{
	struct prompt *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->d.cls = &prompt_class;
	p->kind = kind;
	snprintf(p->chat, sizeof p->chat, "%s", chat_id);
	editbuf_init(&p->text, prompts[kind].max_chars);
	editbuf_set(&p->text, initial);
	p->selected = p->text.len > 0;
	return &p->d;
}

/* ---- rate ------------------------------------------------------------------ */

struct rate {
	struct dialog d;
	uuid_str chat;
	int score;           /* 0 until a digit is typed */
	int field;           /* 0 score, 1 feedback, 2 suggested answer */
	struct editbuf feedback, suggested;
};

static void rate_draw(struct console *c, struct dialog *d)
{
	struct rate *r = (struct rate *)d;
	struct box b = box_draw(c, 11, 70, " Rate the conversation ");
	char stars[64];

	snprintf(stars, sizeof stars, "Score (1-5): %s%d  %s", r->field == 0 ? "> " : "  ",
		 r->score, r->score ? "*****" + (5 - r->score) : "type a digit");
	box_line(c, &b, 1, stars, c->attrs[EL_DIALOG] | (r->field == 0 ? A_BOLD : 0));
	box_line(c, &b, 3, "Feedback (optional):", c->attrs[EL_DIALOG]);
	box_field(c, &b, 4, &r->feedback, r->field == 1, false);
	box_line(c, &b, 6, "A better answer the bot could have given (optional):",
		 c->attrs[EL_DIALOG]);
	box_field(c, &b, 7, &r->suggested, r->field == 2, false);
	box_keys(c, &b, 9, KC_RATE);
}

static void done_rate(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Rating saved");
}

static void rate_move(struct console *c, int by)
{
	struct rate *r = (struct rate *)c->dialog;
	r->field = (r->field + by) % 3;
}

static void rate_next(struct console *c) { rate_move(c, 1); }
static void rate_previous(struct console *c) { rate_move(c, 2); }

static void rate_confirm(struct console *c)
{
	struct rate *r = (struct rate *)c->dialog;
	struct errbuf err;

	if (!r->score) {
		console_say(c, true, "Type a score from 1 to 5 first");
		r->field = 0;
	} else if (!session_rate(c->session, r->chat, r->score,
				 editbuf_has_text(&r->feedback) ? r->feedback.text : NULL,
				 editbuf_has_text(&r->suggested) ? r->suggested.text : NULL,
				 done_rate, c, &err)) {
		console_say(c, true, "%s", err.msg);
	} else {
		close_dialog(c);
	}
}

const struct action rate_actions[] = {
	{"next-field", "Next", "The next field", rate_next},
	{"previous-field", "Previous", "The field before", rate_previous},
	{"confirm", "Rate", "Save the rating", rate_confirm},
	{"cancel", "Cancel", "Close, changing nothing", act_cancel},
};
const size_t nrate_actions = sizeof rate_actions / sizeof *rate_actions;

static bool rate_key(struct console *c, struct dialog *d, int key)
{
	struct rate *r = (struct rate *)d;

	if (r->field != 0)
		return box_field_key(c, r->field == 1 ? &r->feedback : &r->suggested, key,
				 "Feedback");
	if (key >= '1' && key <= '5')
		r->score = key - '0';
	else
		console_say(c, false, "Score: a digit from 1 to 5; Tab goes to the feedback");
	return true;
}

static void rate_free(struct dialog *d)
{
	struct rate *r = (struct rate *)d;

	editbuf_free(&r->feedback);
	editbuf_free(&r->suggested);
	free(r);
}

static const struct dialog_class rate_class = {"rate", KC_RATE, rate_draw, rate_key, rate_free};

struct dialog *dialog_rate_new(const char *chat_id)
{
	struct rate *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->d.cls = &rate_class;
	snprintf(r->chat, sizeof r->chat, "%s", chat_id);
	editbuf_init(&r->feedback, FEEDBACK_MAX_CHARS);
	editbuf_init(&r->suggested, FEEDBACK_MAX_CHARS);
	return &r->d;
}

/* ---- ticket status ----------------------------------------------------------- */

struct status_picker {
	struct dialog d;
	uuid_str chat;
};

static void done_status(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Ticket status saved");
}

static void set_status(struct console *c, const char *status)
{
	struct status_picker *p = (struct status_picker *)c->dialog;
	struct errbuf err;

	if (!session_set_status(c->session, p->chat, status, done_status, c, &err))
		console_say(c, true, "%s", err.msg);
	close_dialog(c);
}

static void st_open(struct console *c) { set_status(c, "open"); }
static void st_pending(struct console *c) { set_status(c, "pending"); }
static void st_solved(struct console *c) { set_status(c, "solved"); }
static void st_closed(struct console *c) { set_status(c, "closed"); }

/* The names are the hub's statuses. */
const struct action status_actions[] = {
	{"open", "Open", "open", st_open},
	{"pending", "Pending", "pending (waiting on the customer)", st_pending},
	{"solved", "Solved", "solved", st_solved},
	{"closed", "Closed", "closed", st_closed},
	{"cancel", "Cancel", "Close, changing nothing", act_cancel},
};
const size_t nstatus_actions = sizeof status_actions / sizeof *status_actions;

static void status_picker_draw(struct console *c, struct dialog *d)
{
	(void)d;
	struct box b = box_draw(c, 9, 52, " Ticket status ");
	char keys[64], line[160];

	for (size_t i = 0; i + 1 < nstatus_actions; i++) {
		keymap_keys_of(&c->keys[KC_STATUS], &status_actions[i], keys, sizeof keys);
		snprintf(line, sizeof line, "%-3s %s", keys, status_actions[i].help);
		box_line(c, &b, 1 + (int)i, line, c->attrs[EL_DIALOG]);
	}
	box_keys(c, &b, 7, KC_STATUS);
}

static const struct dialog_class status_class = {"status", KC_STATUS, status_picker_draw, NULL,
						 plain_free};

struct dialog *dialog_status_new(const char *chat_id)
{
	struct status_picker *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->d.cls = &status_class;
	snprintf(p->chat, sizeof p->chat, "%s", chat_id);
	return &p->d;
}

/* ---- assign ------------------------------------------------------------------ */

struct assign_call;

struct assign {
	struct dialog d;
	struct console *c;
	uuid_str chat;
	struct agent *agents;
	size_t n, sel;
	struct assign_call *call;  /* the list on its way, or NULL */
};

/* The request for the agents outlives the dialog if the agent closes it
 * first: then `a` is NULL and the answer is dropped. */
struct assign_call {
	struct assign *a;
};

static void assign_draw(struct console *c, struct dialog *d)
{
	struct assign *a = (struct assign *)d;
	struct box b = box_draw(c, (int)a->n + 5, 60, " Assign to ");
	char line[160];

	if (a->call) {
		box_line(c, &b, 1, "Asking the hub for the agents...", c->attrs[EL_DIALOG]);
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct agent *ag = &a->agents[i];
		/* A v1.1 hub tells who is there and how loaded: "online, 1/3". */
		if (ag->status != AGENT_STATUS_NONE)
			snprintf(line, sizeof line, "%s%s  (%s, %s, %lld/%lld chats)",
				 i == a->sel ? "> " : "  ", ag->name, account_role_name(ag->role),
				 agent_status_name(ag->status), (long long)ag->active_chats,
				 (long long)ag->capacity);
		else
			snprintf(line, sizeof line, "%s%s  (%s, %lld chats)",
				 i == a->sel ? "> " : "  ", ag->name, account_role_name(ag->role),
				 (long long)ag->active_chats);
		char *safe = textsafe_dup(line, strlen(line), 0);
		box_line(c, &b, 1 + (int)i, safe ? safe : "?",
			 c->attrs[EL_DIALOG] | (i == a->sel ? A_REVERSE : 0));
		free(safe);
	}
	box_keys(c, &b, (int)a->n + 2, KC_ASSIGN);
}

/* Keep the agents who can hold a chat (not ingest bridges). */
static void assign_take_agents(struct assign *a, const struct api_agent_list *l)
{
	a->agents = calloc(l->n ? l->n : 1, sizeof *a->agents);
	for (size_t i = 0; a->agents && i < l->n; i++) {
		if (l->agents[i].role == ACCOUNT_INGEST)
			continue;
		if (!agent_copy(&a->agents[a->n], &l->agents[i]))
			break;
		a->n++;
	}
}

static void on_agents(void *ctx, const struct api_result *r)
{
	struct assign_call *call = ctx;
	struct assign *a = call->a;

	free(call);
	if (!a)
		return;
	a->call = NULL;
	if (r->err != API_ERR_NONE) {
		console_say(a->c, true, "Cannot list the agents: %s", r->text);
		console_dialog(a->c, NULL);
		return;
	}
	assign_take_agents(a, r->agents);
	console_dirty(a->c, DIRTY_DIALOG);
}

static void done_assign(void *ctx, const struct api_result *r)
{
	console_report(ctx, r, "Assigned");
}

static void assign_down(struct console *c)
{
	struct assign *a = (struct assign *)c->dialog;
	if (a->sel + 1 < a->n)
		a->sel++;
}

static void assign_up(struct console *c)
{
	struct assign *a = (struct assign *)c->dialog;
	if (a->sel > 0)
		a->sel--;
}

static void assign_confirm(struct console *c)
{
	struct assign *a = (struct assign *)c->dialog;
	struct errbuf err;

	if (!a->n)
		return;
	if (!session_assign(c->session, a->chat, a->agents[a->sel].id, done_assign, c, &err))
		console_say(c, true, "%s", err.msg);
	close_dialog(c);
}

const struct action assign_actions[] = {
	{"down", "Next", "The next agent", assign_down},
	{"up", "Previous", "The agent before", assign_up},
	{"confirm", "Assign", "Give the chat to the chosen agent", assign_confirm},
	{"cancel", "Cancel", "Close, changing nothing", act_cancel},
};
const size_t nassign_actions = sizeof assign_actions / sizeof *assign_actions;

static void assign_free(struct dialog *d)
{
	struct assign *a = (struct assign *)d;

	if (a->call)
		a->call->a = NULL;
	for (size_t i = 0; i < a->n; i++)
		agent_free(&a->agents[i]);
	free(a->agents);
	free(a);
}

static const struct dialog_class assign_class = {"assign", KC_ASSIGN, assign_draw, NULL,
						 assign_free};

struct dialog *dialog_assign_new(struct console *c, const char *chat_id)
{
	struct assign *a = calloc(1, sizeof *a);
	struct errbuf err;

	if (!a || !(a->call = malloc(sizeof *a->call))) {
		free(a);
		return NULL;
	}
	a->d.cls = &assign_class;
	a->c = c;
	a->call->a = a;
	snprintf(a->chat, sizeof a->chat, "%s", chat_id);
	if (!session_agents(c->session, on_agents, a->call, &err)) {
		console_say(c, true, "Cannot list the agents: %s", err.msg);
		free(a->call);
		free(a);
		return NULL;
	}
	return &a->d;
}

/* ---- confirm: a y/n question ----------------------------------------------- */

struct confirm {
	struct dialog d;
	char question[400];
	confirm_fn *yes;
	uuid_str chat;
};

static void confirm_draw(struct console *c, struct dialog *d)
{
	struct confirm *q = (struct confirm *)d;
	struct box b = box_draw(c, 8, 60, " Sure? ");

	int rows = box_wrapped(c, &b, 1, q->question, c->attrs[EL_DIALOG]);
	box_keys(c, &b, rows + 2, KC_CONFIRM);
}

static void confirm_yes(struct console *c)
{
	struct confirm *q = (struct confirm *)c->dialog;
	confirm_fn *yes = q->yes;
	uuid_str chat;

	/* Closed first: `yes` may put up a dialog of its own, or quit. */
	memcpy(chat, q->chat, sizeof chat);
	close_dialog(c);
	yes(c, chat);
}

const struct action confirm_actions[] = {
	{"yes", "Yes", "Yes, do it", confirm_yes},
	{"no", "No", "No, change nothing", act_cancel},
};
const size_t nconfirm_actions = sizeof confirm_actions / sizeof *confirm_actions;

static const struct dialog_class confirm_class = {"confirm", KC_CONFIRM, confirm_draw, NULL,
						  plain_free};

struct dialog *dialog_confirm_new(const char *question, confirm_fn *yes, const char *chat_id)
{
	struct confirm *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	q->d.cls = &confirm_class;
	snprintf(q->question, sizeof q->question, "%s", question);
	snprintf(q->chat, sizeof q->chat, "%s", chat_id);
	q->yes = yes;
	return &q->d;
}

static void quit_now(struct console *c, const char *chat_id)
{
	(void)chat_id;
	console_quit(c, true);
}

struct dialog *dialog_quit_new(size_t unsent)
{
	char q[200];

	snprintf(q, sizeof q, "%zu repl%s still sending. They are kept and sent the next time "
		 "the console starts. Quit now?", unsent, unsent == 1 ? "y is" : "ies are");
	return dialog_confirm_new(q, quit_now, "");
}
