/*
 * log.c — levelled, timestamped lines on stderr (see log.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "timeutil.h"

static enum log_level min_level = LOG_INFO;
static FILE *out; /* NULL: stderr */

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void log_set_level(enum log_level level)
{
	min_level = level;
}

bool log_enabled(enum log_level level)
{
	return level >= min_level;
}

void log_set_file(FILE *f)
{
	out = f;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024], ts[TS_STRLEN];
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* A trailing newline (libraries end their lines with one) is dropped;
	 * any other control character is neutralised. */
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	/* One fprintf per line, so lines from a crash dump stay whole. */
	fprintf(out ? out : stderr, "%s %s %s\n", ts_format(ts_now(), ts), level_names[level], line);
	if (out)
		fflush(out);
}
