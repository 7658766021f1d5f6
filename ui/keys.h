/*
 * keys.h — keys by name: "j", "R", "Enter", "C-a", "M-Enter", "PgUp", "F1".
 *
 * A key is an int: a Unicode character, KEY_FN plus an ncurses KEY_* code
 * (function and cursor keys: ncurses' codes overlap real characters such
 * as U+0402, so they are moved above Unicode), or either with KEY_ALT
 * added (Alt, which terminals send as ESC then the key).
 * Names are what the config file's `bind = KEY ACTION` lines and the help
 * screen use, so both go through key_parse / key_format and always agree.
 */
#ifndef HANDOFF_UI_KEYS_H
#define HANDOFF_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Above every Unicode character; KEY_FN + KEY_* stays below KEY_ALT. */
#define KEY_FN 0x200000
#define KEY_ALT 0x400000

/* Control characters by letter: KEY_CTRL('a') == 1. */
#define KEY_CTRL(c) ((c) & 0x1f)

/* The code of a key name; -1 when the name means nothing. Names: a single
 * character ("j", "?", "é"); Enter, Tab, S-Tab, Esc, Space, Backspace,
 * Delete, Insert, Up, Down, Left, Right, Home, End, PgUp, PgDn, F1..F12;
 * C-x for Ctrl (letters and @[\]^_); M-x for Alt of any of these. */
int key_parse(const char *name);

/* The name of a key, as key_parse reads it, into out[len]. */
void key_format(int key, char *out, size_t len);

#endif
