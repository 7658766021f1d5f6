/*
 * log.h — one line per event on stderr: "2026-11-23T10:01:02.123Z WARN text".
 *
 * Nothing secret is ever passed here: callers log account names and ids,
 * never tokens or Authorization headers.
 */
#ifndef HANDOFF_LOG_H
#define HANDOFF_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below `level` are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);

/* Write to `f` instead of stderr (NULL: back to stderr). The console does,
 * since stderr is the screen it draws on. */
void log_set_file(FILE *f);

/* Would a message at `level` be written? For work done only to log. */
bool log_enabled(enum log_level level);

/* Control characters in a message (a request path, an account name, a
 * library's line) are written as '?': one message stays one line. */
__attribute__((format(printf, 2, 3)))
void log_msg(enum log_level level, const char *fmt, ...);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
