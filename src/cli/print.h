/*
 * print.h — how the scripting commands show objects.
 *
 * Human mode: plain lines, every piece of text that came from the network
 * neutralised with textsafe.h (no escape sequence reaches the terminal).
 * JSON mode: the decoded objects re-encoded with codec.h, compact, one
 * document per line, with every control character — C0, DEL, C1 — and the
 * bidi controls written as \uXXXX escapes, so the output is also safe to
 * cat to a terminal.
 */
#ifndef HANDOFF_CLI_PRINT_H
#define HANDOFF_CLI_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "model.h"

/* One chat on one line: id, customer, channel, responder, mode (with "!"
 * when escalated), ticket status, how long it has waited, title or latest
 * preview. `now` in ms since the epoch. */
void print_chat_line(FILE *f, const struct chat *c, int64_t now);

/* A chat in full, one field per line (show). */
void print_chat_detail(FILE *f, const struct chat *c, int64_t now);

/* One message: "#seq time role author: text" (newlines kept, indented). */
void print_msg(FILE *f, const struct message *m);

/* One search hit: chat id, customer, title, time, role, "#seq" and the
 * snippet; with `bold` (a terminal) the matched words in bold, else the
 * snippet as plain text. `c`, the hit's chat, may be NULL. */
struct search_result;
void print_search_hit(FILE *f, const struct search_result *r, const struct chat *c, bool bold);

/* `j` compact on one line, made terminal-safe as described above, then
 * deleted. False when out of memory (j NULL included). */
bool print_json(FILE *f, cJSON *j);

/* Rewrite a compact JSON text so C1 controls, DEL and bidi controls inside
 * strings are \u escapes (cJSON escapes only C0). Newly allocated. */
char *json_terminal_safe(const char *s);

#endif
