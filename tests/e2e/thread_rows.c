/*
 * thread_rows.c — every row of a screen with a streaming thread (see
 * thread_rows.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "thread_rows.h"

/* Trailing blanks off, in place. */
static char *trim(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

void msg_text(int i, char *buf, size_t len)
{
	static const char pad[] = "the quick brown fox jumps over the lazy dog again and again";
	snprintf(buf, len, "msg %03d %.*s", i, (i * 7) % 53, pad);
	trim(buf); /* the screen shows no trailing blank */
}

void split_rows(const char *screen, struct row *rows, int n)
{
	const char *l = screen;
	for (int y = 0; y < n; y++) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)len, l);
		char *rule = strstr(line, "│");
		rows[y].list[0] = rows[y].thread[0] = '\0';
		if (rule) {
			*rule = '\0';
			snprintf(rows[y].thread, sizeof rows[y].thread, "%s", rule + strlen("│"));
			snprintf(rows[y].list, sizeof rows[y].list, "%s", line);
		} else {
			snprintf(rows[y].thread, sizeof rows[y].thread, "%s", line);
		}
		l = end ? end + 1 : l + len;
	}
}

/* The list: the streamed chat first with the newest message, then chat
 * `listed`, listed - 1... each with its own text (the harness names every
 * customer Maria G.). */
static void check_list(const char *screen, struct row *rows, int newest, int body_rows,
		       int listed)
{
	char want[128];
	msg_text(newest, want, sizeof want);
	const char *preview = rows[2].list + strspn(rows[2].list, " ");
	if (strncmp(preview, want, strlen(preview) < strlen(want) ? strlen(preview) : strlen(want)) ||
	    strlen(preview) < 8)
		fail_msg("the streamed chat's row says \"%s\", not \"%s\":\n%s", preview, want, screen);
	for (int k = 0; 2 * k + 2 <= body_rows; k++) {
		char text[128];
		snprintf(text, sizeof text, "list chat %02d says hi", listed + 1 - k);
		if (!strstr(rows[2 * k + 1].list, "Maria G."))
			fail_msg("list row %d is \"%s\":\n%s", 2 * k + 1, rows[2 * k + 1].list, screen);
		if (k == 0)
			continue;
		if (strcmp(trim(rows[2 * k + 2].list) + strspn(rows[2 * k + 2].list, " "), text) != 0)
			fail_msg("list row %d is \"%s\", not %s:\n%s", 2 * k + 2, rows[2 * k + 2].list,
				 text, screen);
	}
}

int check_thread_screen(const char *screen, int newest, int body_rows, int listed)
{
	struct row rows[64];
	int first = -1, last = -1, last_y = -1, blank_under = 0;

	assert_true(body_rows < 64);
	split_rows(screen, rows, body_rows + 1);
	for (int y = 2; y <= body_rows; y++) {
		char *t = trim(rows[y].thread);
		int n;
		if (sscanf(t, " msg %d", &n) == 1) {
			char want[128];
			msg_text(n, want, sizeof want);
			if (strcmp(t + strspn(t, " "), want) != 0)
				fail_msg("row %d shows \"%s\", message %d is \"%s\":\n%s", y, t, n, want,
					 screen);
			/* Every message takes one row: consecutive rows. */
			if (last >= 0 && (n != last + 1 || y != last_y + 1))
				fail_msg("row %d shows message %d after %d on row %d:\n%s", y, n, last,
					 last_y, screen);
			if (first < 0)
				first = n;
			last = n;
			last_y = y;
		} else if (*t) {
			/* Only the thread's beginning may be above the messages. */
			if (first >= 0 || (!strstr(t, "Maria G.") && !strstr(t, "hello")))
				fail_msg("row %d shows \"%s\" in the thread:\n%s", y, t, screen);
		} else if (first >= 0) {
			blank_under++;
		} else {
			fail_msg("row %d is blank above the messages:\n%s", y, screen);
		}
	}
	if (last != newest)
		fail_msg("the newest message shown is %d, not %d:\n%s", last, newest, screen);
	if (listed > 0)
		check_list(screen, rows, newest, body_rows, listed);
	return blank_under;
}

void ingest_listed_chats(struct hub *h, const char *bot, int n)
{
	char ext[32], text[64];

	for (int i = 1; i <= n; i++) {
		snprintf(ext, sizeof ext, "listed-%02d", i);
		snprintf(text, sizeof text, "list chat %02d says hi", i);
		ingest(h, bot, ext, "user", text, false, NULL);
		/* The hub stamped the chat with its own clock's millisecond during
		 * the request; a whole millisecond after the answer, the next
		 * chat's is a later one. Waiting only for this clock's next
		 * millisecond (as before) could take a few µs, and a quick hub
		 * then stamped two chats alike. */
		long long at = now_ms();
		while (now_ms() <= at + 1)
			;
	}
}
