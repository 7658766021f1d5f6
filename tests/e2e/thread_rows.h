/*
 * thread_rows.h — reading every row of a console screen on which
 * messages stream into the open thread (test_thread_scroll, test_thread_pace):
 * the list's part and the thread's part of each row, and the checks that
 * a stale row, a row drawn twice, a half-cleared tail or a list row
 * overwritten fail.
 */
#ifndef HANDOFF_TEST_THREAD_ROWS_H
#define HANDOFF_TEST_THREAD_ROWS_H

/* Message i's text: lengths vary (14 to 66 columns), so a row that was
 * not cleared keeps a visible tail of the longer one drawn before it. */
void msg_text(int i, char *buf, size_t len);

struct hub;

/* Chats "list chat 01 says hi" .. "list chat NN says hi" (external ids
 * listed-01..), one after another through `bot`'s ingest token on h, each
 * at least a millisecond after the one before, and the caller's next
 * chat a millisecond after the last: the list sorts by the latest
 * message's time, and two in one millisecond would be ordered by their
 * random ids. */
void ingest_listed_chats(struct hub *h, const char *bot, int n);

/* Screen row y split at the list's rule; a row without one is all thread. */
struct row {
	char list[1024], thread[1024];
};

void split_rows(const char *screen, struct row *rows, int n);

/*
 * Check the thread in screen rows 2..body_rows: message rows are
 * consecutive messages, each exactly its text, on consecutive rows; above
 * them only the thread's beginning ("Maria G.", "hello"); blank rows only
 * under them; the newest is `newest`. With `listed` > 0 the list beside
 * it: the streamed chat first, showing the newest, then "list chat NN
 * says hi" from NN = listed down. Fails the test with the screen; returns
 * the blank rows under the newest message.
 */
int check_thread_screen(const char *screen, int newest, int body_rows, int listed);

#endif
