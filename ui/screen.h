/*
 * screen.h — curses for the console: start and end it, turn a theme into
 * attributes for the colours the terminal has, follow its size, and draw
 * a frame (only the dirty parts, one doupdate).
 */
#ifndef HANDOFF_UI_SCREEN_H
#define HANDOFF_UI_SCREEN_H

#include <stdbool.h>

#include "console.h"
#include "errbuf.h"

/* Start curses on the terminal and fill c->attrs from theme `name`
 * (mono when NO_COLOR is set or the terminal has no colours). */
bool screen_start(struct console *c, const char *theme, struct errbuf *err);

/* Give the terminal back as it was. Safe to call twice. */
void screen_end(void);

/* Read the terminal's size again and lay the screen out for it. */
void screen_resize(struct console *c);

/* Draw what is dirty and send it to the terminal in one doupdate; or,
 * within SCREEN_FRAME_GAP_MS of the last frame, draw nothing and return
 * the milliseconds until it may (0: drawn, or nothing to draw). */
unsigned screen_frame(struct console *c);

/* During a burst at most one frame per this many ms: what arrives within
 * it is drawn together. Without it a console that fell behind drew once
 * per read from the hub (three or four events), and on a busy machine
 * each frame waited for a CPU, so it never caught up. An event that just
 * misses a frame waits up to this long: 4 ms put the p99 at 1,000/s at
 * the budget's edge (event → screen ≤ 10 ms), 3 keeps three or more
 * events a frame at that rate. */
#define SCREEN_FRAME_GAP_MS 3

#endif
