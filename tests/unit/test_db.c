/*
 * test_db.c — the hub's database: schema and persistence, accounts, ingest,
 * messages and replies, events, stats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sched.h>
#include <sys/stat.h>
#include <time.h>

#include "test_db_fixture.h"

/* ---- schema, persistence, accounts -------------------------------------- */

static int user_version(struct db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_new_file_is_migrated_and_reopens_with_its_data(void **state)
{
	struct fx *fx = *state;
	struct agent who;
	uuid_str id;
	struct chat c;

	assert_int_equal(user_version(fx->db), DB_SCHEMA_VERSION);
	fx_new_chat(fx, "hello", false, id);
	db_close(fx->db);
	fx_open(fx);
	assert_int_equal(user_version(fx->db), DB_SCHEMA_VERSION);
	assert_true(db_authenticate(fx->db, fx->ana_token, &who));
	assert_string_equal(who.id, fx->ana.id);
	agent_free(&who);
	fx_get(fx, id, &c);
	assert_int_equal(c.version, 2);
	assert_string_equal(c.latest.text, "hello");
	chat_free(&c);
	assert_int_equal(db_events_head(fx->db), 2);
}

/* Does the file at `path` contain `needle`? */
static bool file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	size_t n = strlen(needle), len = 0, cap = 0;
	char *buf = NULL;
	int ch;

	if (!f)
		return false;
	while ((ch = fgetc(f)) != EOF) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		buf[len++] = (char)ch;
	}
	fclose(f);
	bool found = false;
	for (size_t i = 0; !found && i + n <= len; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

static void test_tokens_authenticate_and_only_their_hash_is_stored(void **state)
{
	struct fx *fx = *state;
	struct agent who;
	char wrong[TOKEN_STRLEN + 1], path[160];

	assert_int_equal(strlen(fx->ana_token), TOKEN_STRLEN);
	assert_memory_equal(fx->ana_token, "hot_", 4);
	assert_true(db_authenticate(fx->db, fx->ana_token, &who));
	assert_string_equal(who.name, "Ana");
	assert_int_equal(who.role, ACCOUNT_AGENT);
	agent_free(&who);

	memcpy(wrong, fx->ana_token, sizeof wrong);
	wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
	assert_false(db_authenticate(fx->db, wrong, &who));
	assert_false(db_authenticate(fx->db, "", &who));

	/* Neither the database nor its WAL holds the token's text (while both
	 * do hold the account's name: the files are really being read). */
	snprintf(path, sizeof path, "%s-wal", fx->path);
	assert_true(file_contains(path, "Cleo") || file_contains(fx->path, "Cleo"));
	assert_false(file_contains(fx->path, fx->ana_token + 4));
	assert_false(file_contains(path, fx->ana_token + 4));
}

static void test_agents_list_counts_held_chats(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct agent *list;
	struct chat c;
	size_t n;
	uuid_str a, b;

	fx_new_chat(fx, "one", false, a);
	fx_new_chat(fx, "two", false, b);
	assert_true(db_takeover(fx->db, &fx->cleo, a, false, &c, &err));
	chat_free(&c);
	assert_true(db_takeover(fx->db, &fx->cleo, b, false, &c, &err));
	chat_free(&c);
	assert_true(db_agents_list(fx->db, &list, &n, &err));
	assert_int_equal(n, 3); /* no ingest account */
	assert_string_equal(list[0].name, "Ana");
	assert_int_equal(list[0].active_chats, 0);
	assert_string_equal(list[2].name, "Cleo");
	assert_int_equal(list[2].active_chats, 2);
	for (size_t i = 0; i < n; i++)
		agent_free(&list[i]);
	free(list);
}

static void test_account_ensure_finds_by_name_and_role(void **state)
{
	struct fx *fx = *state;
	struct errbuf err;
	struct agent first, again, other_role;

	/* "Ana" exists as an agent: found, not duplicated */
	assert_true(db_account_ensure(fx->db, "Ana", ACCOUNT_AGENT, &first, &err));
	assert_string_equal(first.id, fx->ana.id);
	agent_free(&first);
	/* a new name is created once, then found */
	assert_true(db_account_ensure(fx->db, "Aria (bot)", ACCOUNT_INGEST, &first, &err));
	assert_true(db_account_ensure(fx->db, "Aria (bot)", ACCOUNT_INGEST, &again, &err));
	assert_string_equal(first.id, again.id);
	assert_int_equal(again.role, ACCOUNT_INGEST);
	/* the same name with another role is another account */
	assert_true(db_account_ensure(fx->db, "Aria (bot)", ACCOUNT_AGENT, &other_role, &err));
	assert_string_not_equal(other_role.id, first.id);
	agent_free(&first);
	agent_free(&again);
	agent_free(&other_role);
}

/* ---- ingest ---------------------------------------------------------------- */

static void test_ingest_creates_the_chat_with_two_events(void **state)
{
	struct fx *fx = *state;
	struct chat c;
	struct message m;

	fx_ingest_ex(fx, NULL, NULL, MSG_ROLE_USER, "Where is my order?", false, &c, &m);
	assert_true(uuid_valid(c.id));
	assert_string_equal(c.channel.name, "Website");
	assert_int_equal(c.channel.type, CHANNEL_WIDGET);
	assert_string_equal(c.owner.name, "Maria G.");
	assert_int_equal(c.mode, CHAT_MODE_AI);
	assert_int_equal(c.responder.type, RESPONDER_BOT);
	assert_false(c.escalated);
	assert_int_equal(c.escalated_at, TS_NONE);
	assert_false(c.ticket.present);
	assert_int_equal(c.state, CHAT_STATE_RUNNING);
	assert_int_equal(c.message_count, 1);
	assert_int_equal(c.version, 2);
	assert_true(c.latest.present);
	assert_string_equal(c.latest.text, "Where is my order?");
	assert_int_equal(c.latest.role, MSG_ROLE_USER);
	assert_false(c.previous.present);
	assert_int_equal(m.seq, 1);
	assert_string_equal(m.author.name, "Maria G.");
	assert_string_equal(m.author.id, "");

	assert_int_equal(fx->nevents, 2);
	assert_int_equal(fx->events[0].ev.type, EVENT_CHAT_CREATED);
	assert_int_equal(fx->events[0].ev.chat->version, 1);
	assert_int_equal(fx->events[0].ev.chat->message_count, 0);
	assert_false(fx->events[0].ev.chat->latest.present);
	assert_int_equal(fx->events[1].ev.type, EVENT_MESSAGE_CREATED);
	assert_int_equal(fx->events[1].seq, fx->events[0].seq + 1);
	assert_int_equal(fx->events[1].ev.chat->version, 2);
	assert_string_equal(fx->events[1].ev.message->id, m.id);
	chat_free(&c);
	message_free(&m);
}

static void test_ingest_external_id_maps_to_the_same_chat(void **state)
{
	struct fx *fx = *state;
	struct chat a, b, other;

	fx_ingest_ex(fx, NULL, "wa-77", MSG_ROLE_USER, "hi", false, &a, NULL);
	fx_ingest_ex(fx, NULL, "wa-77", MSG_ROLE_BOT, "hello, how can I help?", false, &b, NULL);
	fx_ingest_ex(fx, NULL, "wa-78", MSG_ROLE_USER, "hi", false, &other, NULL);
	assert_string_equal(a.id, b.id);
	assert_string_not_equal(a.id, other.id);
	assert_int_equal(b.message_count, 2);
	assert_int_equal(b.latest.role, MSG_ROLE_BOT);
	assert_int_equal(b.previous.role, MSG_ROLE_USER);
	assert_string_equal(a.channel.id, other.channel.id); /* (type, name) is one channel */
	chat_free(&a);
	chat_free(&b);
	chat_free(&other);
}

static void test_ingest_escalates_once(void **state)
{
	struct fx *fx = *state;
	struct message_page page = {0};
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "I want a human", true, id);
	assert_int_equal(fx->nevents, 3);
	assert_int_equal(fx->events[2].ev.message->system_type, SYSTEM_TYPE_CONVERSATION_ESCALATED);
	assert_string_equal(fx->events[2].ev.message->author.name, "system");
	assert_true(fx->events[2].ev.chat->escalated);
	assert_int_equal(fx->events[2].ev.chat->version, 3);

	fx_ingest_ex(fx, id, NULL, MSG_ROLE_USER, "please!", true, &c, NULL);
	assert_int_equal(fx->nevents, 4); /* the message only */
	assert_true(c.escalated);
	assert_true(chat_is_waiting(&c));
	assert_int_equal(c.escalated_at, fx->events[2].ev.chat->escalated_at);
	assert_int_equal(c.message_count, 3);
	assert_true(db_messages_list(fx->db, id, 0, -1, 10, &page, &err));
	assert_int_equal(page.count, 3);
	assert_int_equal(page.messages[1].role, MSG_ROLE_SYSTEM);
	message_page_free(&page);
	chat_free(&c);
}

static void test_ingest_refuses_bot_in_agent_mode_stopped_and_unknown_chats(void **state)
{
	struct fx *fx = *state;
	struct ingest in = {.role = MSG_ROLE_BOT, .text = "bot says", .channel_type = CHANNEL_API};
	struct api_error err;
	struct message m;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "help", true, id);
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	chat_free(&c);
	memcpy(in.chat_id, id, sizeof in.chat_id);
	size_t before = fx->nevents;
	fx_expect_error(db_ingest(fx->db, &fx->bot, &in, &c, &m, NULL, &err), &err, API_CONFLICT,
			"an agent holds this chat; the bot must stay silent");
	assert_int_equal(fx->nevents, before);

	/* the customer may still write */
	fx_ingest_ex(fx, id, NULL, MSG_ROLE_USER, "thanks", false, NULL, NULL);

	assert_true(db_stop(fx->db, &fx->ana, id, &c, &err));
	chat_free(&c);
	in.role = MSG_ROLE_USER;
	fx_expect_error(db_ingest(fx->db, &fx->bot, &in, &c, &m, NULL, &err), &err, API_CONFLICT,
			"chat is stopped");

	memcpy(in.chat_id, "11111111-2222-4333-8444-555555555555", sizeof in.chat_id);
	fx_expect_error(db_ingest(fx->db, &fx->bot, &in, &c, &m, NULL, &err), &err,
			API_RESOURCE_NOT_FOUND, NULL);
}

static void test_preview_is_cut_to_120_characters(void **state)
{
	struct fx *fx = *state;
	char text[4 * 130 + 1] = "";
	struct message m;
	struct chat c;

	for (int i = 0; i < 130; i++)
		strcat(text, "\xc3\xa9"); /* é, two bytes */
	fx_ingest_ex(fx, NULL, NULL, MSG_ROLE_USER, text, false, &c, &m);
	assert_int_equal(strlen(c.latest.text), 240);
	assert_string_equal(m.text, text); /* the message itself is whole */
	chat_free(&c);
	message_free(&m);
}

/* ---- messages and replies ---------------------------------------------- */

static void test_messages_pages_by_seq(void **state)
{
	struct fx *fx = *state;
	struct message_page p = {0};
	struct api_error err;
	char text[16];
	uuid_str id;

	fx_new_chat(fx, "m1", false, id);
	for (int i = 2; i <= 12; i++) {
		snprintf(text, sizeof text, "m%d", i);
		fx_ingest_ex(fx, id, NULL, MSG_ROLE_USER, text, false, NULL, NULL);
	}
	assert_true(db_messages_list(fx->db, id, 0, -1, 5, &p, &err));
	assert_int_equal(p.count, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(p.messages[i].seq, 8 + (int64_t)i);
	assert_string_equal(p.messages[4].text, "m12");
	assert_true(p.has_more_before);
	message_page_free(&p);

	assert_true(db_messages_list(fx->db, id, 8, -1, 5, &p, &err));
	assert_int_equal(p.count, 5);
	assert_int_equal(p.messages[0].seq, 3);
	assert_true(p.has_more_before);
	message_page_free(&p);

	assert_true(db_messages_list(fx->db, id, 3, -1, 5, &p, &err));
	assert_int_equal(p.count, 2);
	assert_int_equal(p.messages[0].seq, 1);
	assert_false(p.has_more_before);
	message_page_free(&p);

	assert_true(db_messages_list(fx->db, id, 0, 10, 5, &p, &err));
	assert_int_equal(p.count, 2);
	assert_int_equal(p.messages[0].seq, 11);
	assert_true(p.has_more_before);
	message_page_free(&p);

	/* after_seq=0 is a bound: the oldest page, not the newest. */
	assert_true(db_messages_list(fx->db, id, 0, 0, 5, &p, &err));
	assert_int_equal(p.count, 5);
	assert_int_equal(p.messages[0].seq, 1);
	assert_false(p.has_more_before);
	message_page_free(&p);

	fx_expect_error(db_messages_list(fx->db, id, 0, -1, 101, &p, &err), &err,
			API_INVALID_QUERY, NULL);
	fx_expect_error(db_messages_list(fx->db, "11111111-2222-4333-8444-555555555555", 0, -1, 5,
					 &p, &err),
			&err, API_RESOURCE_NOT_FOUND, NULL);
}

static void test_reply_needs_the_holder(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct message m;
	struct chat c;
	bool created;
	uuid_str id;

	fx_new_chat(fx, "help", true, id);
	fx_expect_error(db_reply(fx->db, &fx->ana, id, "hi", "r1", false, &m, &created, &err), &err,
			API_CONFLICT, "take over the chat before replying");
	assert_true(db_takeover(fx->db, &fx->cleo, id, false, &c, &err));
	chat_free(&c);
	fx_expect_error(db_reply(fx->db, &fx->ana, id, "hi", "r1", false, &m, &created, &err), &err,
			API_CONFLICT, "chat is held by agent Cleo");
	assert_true(db_reply(fx->db, &fx->cleo, id, "Hi, I am Cleo", "r1", false, &m, &created,
			     &err));
	assert_true(created);
	assert_int_equal(m.role, MSG_ROLE_AGENT);
	assert_string_equal(m.author.id, fx->cleo.id);
	assert_string_equal(m.client_msg_id, "r1");
	assert_int_equal(m.seq, 4); /* message, escalation, joined, reply */
	message_free(&m);
	fx_get(fx, id, &c);
	assert_string_equal(c.latest.text, "Hi, I am Cleo");
	assert_int_equal(c.latest.role, MSG_ROLE_AGENT);
	chat_free(&c);
}

static void test_reply_is_idempotent_by_client_msg_id(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct message first, again;
	struct chat c;
	bool created;
	uuid_str id;

	fx_new_chat(fx, "help", false, id);
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	chat_free(&c);
	assert_true(db_reply(fx->db, &fx->ana, id, "once", "abc-1", false, &first, &created, &err));
	assert_true(created);
	size_t events = fx->nevents;
	int64_t head = db_events_head(fx->db);
	assert_true(db_reply(fx->db, &fx->ana, id, "once", "abc-1", false, &again, &created, &err));
	assert_false(created);
	assert_string_equal(again.id, first.id);
	assert_int_equal(again.seq, first.seq);
	assert_int_equal(fx->nevents, events);
	assert_int_equal(db_events_head(fx->db), head);
	fx_get(fx, id, &c);
	assert_int_equal(c.message_count, 3);
	chat_free(&c);
	message_free(&first);
	message_free(&again);
}

static void test_notes_never_become_previews(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct message m;
	struct chat c;
	bool created;
	uuid_str id;

	fx_new_chat(fx, "customer text", false, id);
	fx_ingest_ex(fx, id, NULL, MSG_ROLE_BOT, "bot text", false, NULL, NULL);
	/* any agent, not holding the chat */
	assert_true(db_reply(fx->db, &fx->ana, id, "secret note", "n1", true, &m, &created, &err));
	assert_int_equal(m.role, MSG_ROLE_NOTE);
	assert_int_equal(m.seq, 3);
	message_free(&m);
	fx_get(fx, id, &c);
	assert_string_equal(c.latest.text, "bot text");
	assert_string_equal(c.previous.text, "customer text");
	assert_int_equal(c.message_count, 3);
	chat_free(&c);

	struct recorded *last = &fx->events[fx->nevents - 1];
	assert_true(last->note);
	assert_int_equal(last->ev.message->role, MSG_ROLE_NOTE);
	assert_string_equal(last->ev.chat->latest.text, "bot text");
	assert_false(fx->events[fx->nevents - 2].note);

	/* notes stay allowed after stop, replies do not */
	assert_true(db_stop(fx->db, &fx->ben, id, &c, &err));
	chat_free(&c);
	assert_true(db_reply(fx->db, &fx->ana, id, "after", "n2", true, &m, &created, &err));
	message_free(&m);
}

/* ---- events ----------------------------------------------------------- */

static void test_every_change_is_one_event_after_commit(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "hi", true, id);
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err));
	chat_free(&c);
	assert_true(db_takeover(fx->db, &fx->ana, id, false, &c, &err)); /* no change */
	chat_free(&c);
	fx_expect_error(db_takeover(fx->db, &fx->cleo, id, false, &c, &err), &err, API_CONFLICT,
			NULL);
	assert_true(db_handback(fx->db, &fx->ana, id, &c, &err));
	chat_free(&c);

	assert_int_equal(fx->nevents, 5);
	for (size_t i = 0; i < fx->nevents; i++) {
		assert_false(fx->events[i].in_txn);
		assert_int_equal(fx->events[i].seq, (int64_t)i + 1);
		assert_int_equal(fx->events[i].ev.seq, (int64_t)i + 1);
		assert_int_equal(fx->events[i].ev.chat->version, (int64_t)i + 1);
	}
	assert_int_equal(db_events_head(fx->db), 5);
	assert_int_equal(db_events_oldest(fx->db), 1);
}

static void replay_record(void *ctx, const struct db_event *e)
{
	struct fx *fx = ctx;

	fx_record(fx, e);
}

static void test_events_after_replays_in_order(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct message m;
	bool created;
	uuid_str id;

	fx_new_chat(fx, "a", false, id);
	assert_true(db_reply(fx->db, &fx->ana, id, "note", "n", true, &m, &created, &err));
	message_free(&m);
	fx_new_chat(fx, "b", false, id);
	assert_int_equal(fx->nevents, 5);
	int64_t seqs[5];
	bool notes[5];
	for (int i = 0; i < 5; i++) {
		seqs[i] = fx->events[i].seq;
		notes[i] = fx->events[i].note;
	}
	fx_forget_events(fx);
	assert_int_equal(db_events_after(fx->db, 1, 100, NULL, replay_record, fx), 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fx->events[i].seq, seqs[i + 1]);
		assert_int_equal(fx->events[i].note, notes[i + 1]);
	}
	assert_true(fx->events[1].note);
	fx_forget_events(fx);
	assert_int_equal(db_events_after(fx->db, 0, 2, NULL, replay_record, fx), 2);
	assert_int_equal(db_events_after(fx->db, 5, 2, NULL, replay_record, fx), 0);
}

static void test_failed_operation_appends_and_announces_nothing(void **state)
{
	struct fx *fx = *state;
	struct api_error err;
	struct chat c;
	uuid_str id;

	fx_new_chat(fx, "hi", false, id);
	size_t before = fx->nevents;
	int64_t head = db_events_head(fx->db);
	/* assign to an unknown account fails before anything is written */
	fx_expect_error(db_assign(fx->db, &fx->ana, id, "11111111-2222-4333-8444-555555555555", &c,
				  &err),
			&err, API_RESOURCE_NOT_FOUND, NULL);
	fx_expect_error(db_assign(fx->db, &fx->ana, id, fx->bot.id, &c, &err), &err,
			API_INVALID_PAYLOAD, NULL);
	/* refused inside the write transaction: rolled back, nothing announced */
	fx_expect_error(db_handback(fx->db, &fx->ana, id, &c, &err), &err, API_CONFLICT,
			"chat is not held by an agent");
	assert_int_equal(fx->nevents, before);
	assert_int_equal(db_events_head(fx->db), head);
}

static void test_old_events_are_pruned_but_cursors_stay_exact(void **state)
{
	struct fx *fx = *state;
	struct chat_query q;
	struct chat_page page = {0};
	struct api_error err;
	uuid_str id;

	db_set_retention(fx->db, 10);
	for (int i = 0; i < 20; i++)
		fx_new_chat(fx, "x", false, id);
	int64_t head = db_events_head(fx->db), oldest = db_events_oldest(fx->db);
	assert_int_equal(head, 40);
	assert_true(head - oldest + 1 >= 10);
	assert_true(head - oldest + 1 <= 12);

	/* a walk that began before the floor is refused */
	chat_query_init(&q);
	q.limit = 5;
	assert_true(db_chats_list(fx->db, &fx->ana, &q, &page, &err));
	char *cursor = strdup(page.next_cursor);
	chat_page_free(&page);
	for (int i = 0; i < 20; i++)
		fx_new_chat(fx, "y", false, id);
	q.cursor = cursor;
	fx_expect_error(db_chats_list(fx->db, &fx->ana, &q, &page, &err), &err, API_INVALID_QUERY,
			"cursor expired; start the list again");
	free(cursor);

	/* replay offers only the contiguous retained events */
	head = db_events_head(fx->db);
	oldest = db_events_oldest(fx->db);
	fx_forget_events(fx);
	assert_int_equal(db_events_after(fx->db, 0, 100, NULL, replay_record, fx), head - oldest + 1);
	assert_int_equal(fx->events[0].seq, oldest);
}

/* ---- stats ---------------------------------------------------------------- */

static void test_stats_count_per_day_with_zeros(void **state)
{
	struct fx *fx = *state;
	struct day_stats *days;
	struct api_error err;
	struct chat c;
	size_t n;
	uuid_str a, b;

	fx_new_chat(fx, "one", true, a);
	fx_new_chat(fx, "two", false, b);
	assert_true(db_takeover(fx->db, &fx->ana, a, false, &c, &err));
	chat_free(&c);
	int64_t today = ts_now() / 86400000;
	assert_true(db_stats_daily(fx->db, today - 2, today, &days, &n, &err));
	assert_int_equal(n, 3);
	assert_int_equal(days[0].day, today - 2);
	assert_int_equal(days[0].conversations, 0);
	assert_int_equal(days[2].conversations, 2);
	assert_int_equal(days[2].escalations, 1);
	assert_int_equal(days[2].taken_over, 1);
	free(days);
	fx_expect_error(db_stats_daily(fx->db, today, today - 1, &days, &n, &err), &err,
			API_INVALID_QUERY, NULL);
	fx_expect_error(db_stats_daily(fx->db, today - 366, today, &days, &n, &err), &err,
			API_INVALID_QUERY, NULL);
	assert_true(db_stats_daily(fx->db, today - 365, today, &days, &n, &err));
	assert_int_equal(n, 366);
	free(days);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

/* ---- the write-ahead log ------------------------------------------------ */

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Sustained ingest, as a busy widget makes it: 2,500 customer messages of
 * 3,000 characters, each in its own transaction (about 160 MB through the
 * WAL). The checkpoints must keep up while the hub runs: the WAL file stays
 * within its bound (about 65 MB, db_checkpoint.c) instead of holding
 * everything ever written, and the messages
 * reach the database file itself, not only at close. */
#define WAL_BOUND (68LL << 20)
#define TEXTS_BYTES (2500LL * 3000)

static void test_wal_stays_bounded_under_sustained_ingest(void **state)
{
	struct fx *fx = *state;
	char *text = malloc(3001), wal[160];
	long long peak = 0;
	struct chat c;

	assert_non_null(text);
	memset(text, 'x', 3000);
	text[3000] = '\0';
	snprintf(wal, sizeof wal, "%s-wal", fx->path);
	for (int i = 0; i < 2500; i++) {
		fx_ingest_ex(fx, NULL, "wal", MSG_ROLE_USER, text, false, i ? NULL : &c, NULL);
		fx_forget_events(fx);
		long long size = file_size(wal);
		peak = size > peak ? size : peak;
	}
	free(text);
	if (peak > WAL_BOUND)
		fail_msg("the WAL file reached %lld bytes (bound %lld)", peak, WAL_BOUND);
	/* The last checkpoint may still be copying; the texts alone are
	 * 7.5 MB, so the file holds most of them once it is done. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (file_size(fx->path) < TEXTS_BYTES) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec > 10)
			fail_msg("the database file is %lld bytes after the ingest",
				 file_size(fx->path));
		sched_yield();
	}
	db_close(fx->db);
	fx_open(fx);
	struct chat again;
	fx_get(fx, c.id, &again);
	assert_int_equal(again.message_count, 2500);
	chat_free(&again);
	chat_free(&c);
}

/* Another process's reader holding an old snapshot (a backup) pins the
 * WAL, so the RESTART a commit waits for cannot copy it all. The hub must
 * not then wait at every commit, and once the reader is gone the WAL file
 * is cut back again. */
static void test_a_pinned_wal_does_not_stall_every_commit(void **state)
{
	struct fx *fx = *state;
	char *text = malloc(3001), wal[160];
	sqlite3 *reader;
	struct timespec t0, t1;
	int i;

	assert_non_null(text);
	memset(text, 'x', 3000);
	text[3000] = '\0';
	snprintf(wal, sizeof wal, "%s-wal", fx->path);
	assert_int_equal(sqlite3_open_v2(fx->path, &reader, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM messages;", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	/* About 48,000 WAL pages: three times past the RESTART mark. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 3200; i++) {
		fx_ingest_ex(fx, NULL, "pinned", MSG_ROLE_USER, text, false, NULL, NULL);
		fx_forget_events(fx);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (t1.tv_sec - t0.tv_sec > 60)
		fail_msg("3,200 commits took %lld s beside a pinned WAL",
			 (long long)(t1.tv_sec - t0.tv_sec));
	assert_true(file_size(wal) > WAL_BOUND); /* it really was pinned */

	assert_int_equal(sqlite3_exec(reader, "COMMIT;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(reader);
	for (i = 0; i < 1000 && file_size(wal) > WAL_BOUND; i++) {
		fx_ingest_ex(fx, NULL, "pinned", MSG_ROLE_USER, text, false, NULL, NULL);
		fx_forget_events(fx);
	}
	free(text);
	if (file_size(wal) > WAL_BOUND)
		fail_msg("the WAL is still %lld bytes after the reader left", file_size(wal));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_new_file_is_migrated_and_reopens_with_its_data),
		T(test_tokens_authenticate_and_only_their_hash_is_stored),
		T(test_agents_list_counts_held_chats),
		T(test_account_ensure_finds_by_name_and_role),
		T(test_ingest_creates_the_chat_with_two_events),
		T(test_ingest_external_id_maps_to_the_same_chat),
		T(test_ingest_escalates_once),
		T(test_ingest_refuses_bot_in_agent_mode_stopped_and_unknown_chats),
		T(test_preview_is_cut_to_120_characters),
		T(test_messages_pages_by_seq),
		T(test_reply_needs_the_holder),
		T(test_reply_is_idempotent_by_client_msg_id),
		T(test_notes_never_become_previews),
		T(test_every_change_is_one_event_after_commit),
		T(test_events_after_replays_in_order),
		T(test_failed_operation_appends_and_announces_nothing),
		T(test_old_events_are_pruned_but_cursors_stay_exact),
		T(test_stats_count_per_day_with_zeros),
		T(test_wal_stays_bounded_under_sustained_ingest),
		T(test_a_pinned_wal_does_not_stall_every_commit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
