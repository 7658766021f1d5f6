/*
 * errbuf.c — a one-line, human-readable error that travels back to the caller.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "errbuf.h"

/* A message may quote user text, and the UI shows it as is: when truncation
 * cut a multi-byte UTF-8 character in half, drop the broken tail so the
 * message stays valid UTF-8. `len` is the length of the NUL-terminated msg. */
static void trim_partial_utf8(char *msg, size_t len)
{
	size_t i = len, need;
	unsigned char lead;

	/* Walk back over at most three continuation bytes to the lead byte. */
	while (i > 0 && len - i < 3 && ((unsigned char)msg[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)msg[i - 1];
	if (lead < 0xC0)
		return; /* ASCII, or a stray continuation: nothing we split */
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (len - (i - 1) < need)
		msg[i - 1] = '\0';
}

_Bool errbuf_set(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e == NULL)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		e->msg[0] = '\0';
	else if ((size_t)n >= sizeof e->msg)
		trim_partial_utf8(e->msg, sizeof e->msg - 1);
	return false;
}

void errbuf_prefix(struct errbuf *e, const char *prefix)
{
	char tmp[ERRBUF_LEN];
	int n;

	if (e == NULL)
		return;
	n = snprintf(tmp, sizeof tmp, "%s: %s", prefix, e->msg);
	if (n < 0)
		return;
	memcpy(e->msg, tmp, strlen(tmp) + 1);
	if ((size_t)n >= sizeof e->msg)
		trim_partial_utf8(e->msg, sizeof e->msg - 1);
}
