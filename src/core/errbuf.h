/*
 * errbuf.h — a one-line, human-readable error that travels back to the caller.
 *
 * Every fallible function in the core takes a `struct errbuf *` (which may be
 * NULL when the caller does not care) and fills it with a sentence the UI can
 * show as is: "title: must be at most 200 characters", never a code.
 */
#ifndef HANDOFF_ERRBUF_H
#define HANDOFF_ERRBUF_H

#define ERRBUF_LEN 256

struct errbuf {
	char msg[ERRBUF_LEN];
};

/* Format the message into `e` (printf-style); does nothing if `e` is NULL.
 * Always returns false, so a failing path can say `return errbuf_set(...)`. */
__attribute__((format(printf, 2, 3)))
_Bool errbuf_set(struct errbuf *e, const char *fmt, ...);

/* Prepend "prefix: " to the message already in `e` (used to name the JSON
 * field that failed as the error climbs out of nested objects). */
void errbuf_prefix(struct errbuf *e, const char *prefix);

#endif
