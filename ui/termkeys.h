/*
 * termkeys.h — the escape sequences terminals send for cursor, editing and
 * function keys, taught to ncurses where the terminal description lacks
 * them.
 *
 * ncurses decodes only what terminfo lists for $TERM, and terminals and
 * multiplexers disagree: tmux sends ESC [ 1 ~ for Home whatever TERM says
 * inside it, while xterm-256color lists ESC O H; rxvt sends ESC [ 7 ~, the
 * Linux console ESC [ [ A for F1. A sequence nobody decodes arrives as Esc
 * and letters (Alt-[ then "1~"). So the common variants are added, never
 * replacing what terminfo says.
 */
#ifndef HANDOFF_UI_TERMKEYS_H
#define HANDOFF_UI_TERMKEYS_H

/* Define, for the current curses screen, every sequence of the table that
 * decodes to nothing yet (with keypad on, get_wch then returns the KEY_*
 * code). Returns how many were added. */
int termkeys_define(void);

#endif
