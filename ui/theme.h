/*
 * theme.h — colour elements and the themes that fill them (htop's CRT
 * model): every part of the screen draws with the attribute of its
 * element, and a theme is the table of those attributes.
 *
 * Theme files are `element = FG BG [ATTR...]` lines (`#` comments):
 *   colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 *            bright-black .. bright-white, or colorN (0..255);
 *   attributes: bold, dim, underline, reverse, italic.
 * An element a theme leaves out keeps the built-in mono look, so a theme
 * can never make something invisible by forgetting it. Built-in themes are
 * compiled from the files in themes/; ~/.config/handoff/themes/NAME.theme (or
 * under $XDG_CONFIG_HOME) overrides and adds.
 *
 * Parsing is separate from curses (theme_parse fills plain numbers), so it
 * is tested without a terminal; theme_apply turns it into curses pairs for
 * the colours the terminal has: 256, 8 (colours above 7 fall back to the
 * nearest of the 8) or none (NO_COLOR, or a terminal without colour: the
 * attributes alone, from the mono theme).
 */
#ifndef HANDOFF_UI_THEME_H
#define HANDOFF_UI_THEME_H

#include <stdbool.h>

#include "errbuf.h"

enum element {
	EL_HEADER,          /* the top row */
	EL_TAB,             /* a queue tab */
	EL_TAB_ACTIVE,      /* the queue shown */
	EL_CONN_LIVE,       /* connection: live */
	EL_CONN_DOWN,       /* connection: reconnecting / offline */
	EL_ROW,             /* a chat in the list */
	EL_ROW_SELECTED,    /* the selected chat */
	EL_ROW_DIM,         /* secondary text of a row: preview, channel */
	EL_WAITING,         /* an escalated chat nobody holds, and its clock */
	EL_BREACH,          /* a chat past the hub's wait-time target, and its clock */
	EL_MINE,            /* held by the signed-in agent */
	EL_RULE,            /* the line between list and thread */
	EL_MSG_CUSTOMER,
	EL_MSG_BOT,
	EL_MSG_AGENT,
	EL_MSG_NOTE,        /* internal notes: never seen by the customer */
	EL_MSG_SYSTEM,      /* "escalated", "Ana joined" */
	EL_MSG_META,        /* time and author line */
	EL_NEUTRALISED,     /* ^[ and <U+202E>: hostile bytes shown visibly */
	EL_COMPOSER,
	EL_STATUS,          /* the status line */
	EL_STATUS_ERROR,    /* refusals and failures on the status line */
	EL_FBAR_KEY,        /* function bar: the key */
	EL_FBAR_LABEL,      /* function bar: what it does */
	EL_DIALOG,
	EL_MATCH,           /* the words a message search matched */
	EL_COUNT
};

#define COLOR_DEFAULT_ (-1)

struct theme_attr {
	short fg, bg;      /* -1 default, 0..255 */
	unsigned attrs;    /* THEME_* below */
	bool set;          /* given by the theme */
};

enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_ITALIC = 1 << 4,
};

struct theme {
	struct theme_attr el[EL_COUNT];
};

/* The element's name in theme files ("row.selected"), and back (-1). */
const char *element_name(enum element e);
int element_by_name(const char *name);

/* Parse a theme file's text into `t` (zeroed first); errors name
 * `source`:line. */
bool theme_parse(struct theme *t, const char *text, const char *source, struct errbuf *err);

/* Load theme `name`: the user's file if there is one, else the built-in
 * one; "no such theme" lists the built-in names. */
bool theme_load(struct theme *t, const char *name, struct errbuf *err);

/* A theme colour (-1..255) for a terminal with `ncolors` colours: itself
 * when it fits; else bright colours lose their brightness, the 6x6x6 cube
 * goes to the nearest of the 8 basic colours and the grey ramp to black or
 * white. */
short theme_color_fit(short color, int ncolors);

/* Built-in theme text by name, or NULL; names in order, NULL-terminated. */
const char *theme_builtin(const char *name);
extern const char *const theme_builtin_names[];

#endif
