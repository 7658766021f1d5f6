/*
 * input.h — keys from the terminal, read when stdin is readable (a uv_poll
 * on fd 0), never by a blocking getch: what the composer, a dialog or the
 * key bindings should get, and the mouse.
 */
#ifndef HANDOFF_UI_INPUT_H
#define HANDOFF_UI_INPUT_H

#include <uv.h>

#include "console.h"

void input_on_readable(uv_poll_t *h, int status, int events);

/* One key, as if typed (tests of dispatch call it too). */
void input_key(struct console *c, int key);

#endif
