/*
 * server_text.c — the text indexes catch up a little after the writes.
 *
 * A back end whose commits leave the text indexes to be written later
 * (storage.h's text_catch_up; SQLite, see db_text_later) is asked to catch
 * up TEXT_LATER_MS after the first commit since it last did. Under a flood
 * of messages that writes each index's segment once for every message of
 * those milliseconds instead of once per message: at 1,000 messages a
 * second it was half of every ingest's instructions (doc/performance.md).
 * A search or a list with q never waits for the timer: the back end
 * catches up first, so what it answers has every committed message.
 */
#include "log.h"
#include "server_internal.h"

/* How long a commit's text waits to be indexed with the next ones'. Long
 * enough to gather a burst's messages, short enough that one catch-up
 * stays small (20 messages at 1,000/s). */
#define TEXT_LATER_MS 20

bool text_init(struct server *s)
{
	if (uv_timer_init(s->loop, &s->text.timer) != 0)
		return false;
	s->text.timer.data = s;
	s->text.ready = true;
	return true;
}

void text_close(struct server *s)
{
	if (s->text.ready && !uv_is_closing((uv_handle_t *)&s->text.timer))
		uv_close((uv_handle_t *)&s->text.timer, NULL);
}

static void on_text_timer(uv_timer_t *t)
{
	struct server *s = t->data;
	struct api_error err;

	if (!s->st->ops->text_catch_up(s->st, &err))
		log_error("text indexes: %s (the next commit tries again)", err.description);
}

void text_kick(struct server *s)
{
	if (s->text.ready && s->st->ops->text_catch_up && !s->stopping &&
	    !uv_is_active((uv_handle_t *)&s->text.timer))
		uv_timer_start(&s->text.timer, on_text_timer, TEXT_LATER_MS, 0);
}
