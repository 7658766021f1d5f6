/*
 * test_store.c — the store's chats and views: the hub's orders and filters,
 * idempotent apply, change notifications, and a property test against a
 * brute-force sort.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "store_fixture.h"

static struct store *new_store(struct fx_log *log)
{
	struct store *s = store_new();

	assert_non_null(s);
	if (log)
		assert_true(store_subscribe(s, fx_record, log));
	return s;
}

static void put(struct store *s, const struct chat *c)
{
	assert_int_equal(store_put_chat(s, c, NULL), STORE_CHANGED);
}

/* The view's ids top to bottom, as a string of chat numbers "3,1,2". */
static void view_ids(const struct store *s, enum view_kind k, char *out, size_t len)
{
	const struct view *v = store_view(s, k);
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < view_count(v); i++) {
		const struct chat *c = view_at(v, i);
		unsigned n = (unsigned)strtoul(c->id + 24, NULL, 16);
		used += (size_t)snprintf(out + used, len - used, "%s%u", i ? "," : "", n);
		assert_int_equal(view_index_of(v, c->id), i);
	}
	assert_null(view_at(v, view_count(v)));
}

#define assert_view(s, k, want)                                                     \
	do {                                                                         \
		char got_[512];                                                      \
		view_ids((s), (k), got_, sizeof got_);                               \
		assert_string_equal(got_, (want));                                  \
	} while (0)

/* recent: latest message newest first; ties on the time by id, descending;
 * a chat without messages by its created_at. */
static void test_recent_order_and_ties(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0 + 100);
	put(s, &c);
	fx_chat(&c, 2, FX_T0 + 300);
	put(s, &c);
	fx_chat(&c, 3, FX_T0 + 100); /* ties with 1: higher id first */
	put(s, &c);
	fx_chat(&c, 4, 0);
	c.latest.present = false;
	c.created_at = FX_T0 + 200;  /* no messages: created_at counts */
	put(s, &c);
	assert_view(s, VIEW_ALL, "2,4,3,1");
	assert_view(s, VIEW_UNASSIGNED, "2,4,3,1");
	assert_int_equal(view_count(store_view(s, VIEW_WAITING)), 0);
	assert_int_equal(store_chat_count(s), 4);
	store_free(s);
}

/* waiting: escalated_at oldest first, ties by id ascending; escalated but
 * held (mode AGENT) is not waiting. */
static void test_waiting_order_and_filter(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	fx_chat(&c, 5, FX_T0 + 900);
	fx_escalate(&c, FX_T0 + 50);
	put(s, &c);
	fx_chat(&c, 6, FX_T0 + 10);
	fx_escalate(&c, FX_T0 + 20);
	put(s, &c);
	fx_chat(&c, 7, FX_T0 + 10);
	fx_escalate(&c, FX_T0 + 50); /* ties with 5: lower id first */
	put(s, &c);
	fx_chat(&c, 8, FX_T0 + 10);
	fx_escalate(&c, FX_T0 + 1);
	fx_hold(&c, FX_OTHER);       /* escalated, but an agent holds it */
	put(s, &c);
	assert_view(s, VIEW_WAITING, "6,5,7");
	assert_view(s, VIEW_UNASSIGNED, "5,7,6");
	assert_view(s, VIEW_ALL, "5,8,7,6");
	store_free(s);
}

/* A stopped chat is still listed in ALL (the hub lists it). */
static void test_stopped_chat_stays_in_all(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	c.state = CHAT_STATE_STOPPED;
	c.responder.type = RESPONDER_NONE;
	put(s, &c);
	assert_view(s, VIEW_ALL, "1");
	assert_view(s, VIEW_UNASSIGNED, "1");
	store_free(s);
}

/* A new latest message moves the chat to the top: one CHANGED per view
 * with old and new rows. */
static void test_move_on_new_latest_message(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	for (unsigned i = 1; i <= 3; i++) {
		fx_chat(&c, i, FX_T0 + i);
		put(s, &c);
	}
	assert_view(s, VIEW_ALL, "3,2,1");
	log.n = 0;
	fx_chat(&c, 1, FX_T0 + 10);
	c.version = 2;
	put(s, &c);
	assert_view(s, VIEW_ALL, "1,3,2");
	assert_int_equal(log.n, 2); /* ALL and UNASSIGNED */
	const struct store_change *ch = fx_find(&log, STORE_CHAT_CHANGED, VIEW_ALL);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 2);
	assert_int_equal(ch->new_index, 0);
	assert_string_equal(ch->chat_id, c.id);
	assert_non_null(fx_find(&log, STORE_CHAT_CHANGED, VIEW_UNASSIGNED));

	/* A change that keeps the order is "in place": old == new. */
	log.n = 0;
	fx_chat(&c, 3, FX_T0 + 3);
	c.title = "Renamed";
	c.version = 2;
	put(s, &c);
	ch = fx_find(&log, STORE_CHAT_CHANGED, VIEW_ALL);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 1);
	assert_int_equal(ch->new_index, 1);
	assert_string_equal(store_chat(s, c.id)->title, "Renamed");
	store_free(s);
}

/* Takeover by me: the chat leaves WAITING and UNASSIGNED, enters MINE. */
static void test_takeover_moves_waiting_to_mine(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c, other;
	struct message m;

	(void)state;
	assert_true(store_set_me(s, FX_ME));
	fx_chat(&other, 2, FX_T0 + 1);
	fx_escalate(&other, FX_T0 + 1);
	put(s, &other);
	fx_chat(&c, 1, FX_T0);
	fx_escalate(&c, FX_T0 + 5);
	put(s, &c);
	assert_view(s, VIEW_WAITING, "2,1");
	log.n = 0;

	fx_hold(&c, FX_ME);
	c.latest.at = FX_T0 + 50;
	c.latest.role = MSG_ROLE_SYSTEM;
	fx_message(&m, c.id, 2);
	struct event e = {.type = EVENT_MESSAGE_CREATED, .seq = 10, .chat = &c, .message = &m};
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_CHANGED);

	assert_view(s, VIEW_WAITING, "2");
	assert_view(s, VIEW_MINE, "1");
	assert_view(s, VIEW_UNASSIGNED, "2");
	assert_view(s, VIEW_ALL, "1,2");
	const struct store_change *ch = fx_find(&log, STORE_CHAT_REMOVED, VIEW_WAITING);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 1);
	assert_int_equal(ch->new_index, VIEW_NONE);
	ch = fx_find(&log, STORE_CHAT_ADDED, VIEW_MINE);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, VIEW_NONE);
	assert_int_equal(ch->new_index, 0);
	assert_non_null(fx_find(&log, STORE_CHAT_REMOVED, VIEW_UNASSIGNED));
	ch = fx_find(&log, STORE_CHAT_CHANGED, VIEW_ALL);
	assert_non_null(ch);
	assert_int_equal(ch->old_index, 1);
	assert_int_equal(ch->new_index, 0);
	assert_int_equal(log.n, 4); /* no thread is open: no THREAD_CHANGED */
	store_free(s);
}

/* The same event twice: the second changes nothing and tells nobody. */
static void test_idempotent_apply(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	struct event e = {.type = EVENT_CHAT_CREATED, .seq = 1, .chat = &c};
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_CHANGED);
	size_t heard = log.n;
	assert_int_equal(heard, 2); /* ALL, UNASSIGNED */
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_UNCHANGED);
	assert_int_equal(log.n, heard);
	assert_int_equal(store_chat_count(s), 1);
	store_free(s);
}

/* An older version never replaces a newer one (events and pages race). */
static void test_older_version_ignored(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	c.title = "v5";
	c.version = 5;
	put(s, &c);
	log.n = 0;
	c.title = "v4";
	c.version = 4;
	assert_int_equal(store_put_chat(s, &c, NULL), STORE_UNCHANGED);
	struct event e = {.type = EVENT_CHAT_UPDATED, .chat = &c};
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_UNCHANGED);
	assert_string_equal(store_chat(s, c.id)->title, "v5");
	assert_int_equal(log.n, 0);
	c.title = "v6";
	c.version = 6;
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_CHANGED);
	assert_string_equal(store_chat(s, c.id)->title, "v6");
	store_free(s);
}

/* MINE is empty until me is known; setting it rebuilds MINE (VIEW_RESET);
 * a hello event sets it. */
static void test_mine_follows_set_me(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	fx_hold(&c, FX_ME);
	put(s, &c);
	fx_chat(&c, 2, FX_T0 + 1);
	fx_hold(&c, FX_OTHER);
	put(s, &c);
	assert_int_equal(view_count(store_view(s, VIEW_MINE)), 0);
	assert_string_equal(store_me(s), "");

	log.n = 0;
	assert_true(store_set_me(s, FX_ME));
	assert_view(s, VIEW_MINE, "1");
	assert_int_equal(log.n, 1);
	assert_int_equal(log.c[0].kind, STORE_VIEW_RESET);
	assert_int_equal(log.c[0].view, VIEW_MINE);
	assert_true(store_set_me(s, FX_ME)); /* the same again: nothing to tell */
	assert_int_equal(log.n, 1);

	struct agent other = {.name = "Bo"};
	memcpy(other.id, FX_OTHER, sizeof other.id);
	struct event hello = {.type = EVENT_HELLO, .head = 7, .me = &other};
	assert_int_equal(store_apply_event(s, &hello, NULL), STORE_CHANGED);
	assert_string_equal(store_me(s), FX_OTHER);
	assert_view(s, VIEW_MINE, "2");
	assert_int_equal(store_apply_event(s, &hello, NULL), STORE_UNCHANGED);
	assert_true(store_set_me(s, NULL));
	assert_int_equal(view_count(store_view(s, VIEW_MINE)), 0);
	store_free(s);
}

/* SEARCH: title, owner name or latest preview; ASCII case folding only,
 * % and _ literal; NULL query: empty view; "" matches everything.
 * tests/integration/test_store_search holds the same rule against a real
 * hub's q=. */
static void test_search_matches_like_the_hub(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0 + 1);
	c.title = "Refund for ORDER 1182";
	put(s, &c);
	fx_chat(&c, 2, FX_T0 + 2);
	c.title = NULL;
	c.owner.name = "Élodie Refundsson";
	put(s, &c);
	fx_chat(&c, 3, FX_T0 + 3);
	c.latest.text = "can I get a rEfUnD?";
	put(s, &c);
	fx_chat(&c, 4, FX_T0 + 4);
	c.title = "100% sure_thing";
	c.latest.present = false;
	c.latest.text = NULL;
	put(s, &c);
	fx_chat(&c, 5, FX_T0 + 5);
	c.previous = (struct preview){.present = true, .text = "refund", .at = FX_T0};
	put(s, &c); /* the previous message is not searched */

	assert_int_equal(view_count(store_view(s, VIEW_SEARCH)), 0);
	assert_null(store_search(s));
	log.n = 0;
	assert_true(store_set_search(s, "REFUND", NULL));
	assert_string_equal(store_search(s), "REFUND");
	assert_view(s, VIEW_SEARCH, "3,2,1");
	assert_int_equal(log.n, 1);
	assert_int_equal(log.c[0].kind, STORE_VIEW_RESET);
	assert_int_equal(log.c[0].view, VIEW_SEARCH);

	assert_true(store_set_search(s, "élodie", NULL)); /* É is not ASCII: no folding */
	assert_int_equal(view_count(store_view(s, VIEW_SEARCH)), 0);
	assert_true(store_set_search(s, "Élodie", NULL));
	assert_view(s, VIEW_SEARCH, "2");
	assert_true(store_set_search(s, "0% S", NULL));
	assert_view(s, VIEW_SEARCH, "4");
	assert_true(store_set_search(s, "_", NULL));
	assert_view(s, VIEW_SEARCH, "4");
	assert_true(store_set_search(s, "", NULL));
	assert_view(s, VIEW_SEARCH, "5,3,2,1,4"); /* 4 has no messages: created_at */

	/* Live: a chat retitled into the query joins the view. */
	assert_true(store_set_search(s, "parcel", NULL));
	assert_view(s, VIEW_SEARCH, "5,2,1");
	log.n = 0;
	fx_chat(&c, 3, FX_T0 + 3);
	c.latest.text = "my parcel is here";
	c.version = 2;
	put(s, &c);
	assert_view(s, VIEW_SEARCH, "5,3,2,1");
	const struct store_change *ch = fx_find(&log, STORE_CHAT_ADDED, VIEW_SEARCH);
	assert_non_null(ch);
	assert_int_equal(ch->new_index, 1);
	assert_true(store_set_search(s, NULL, NULL));
	assert_int_equal(view_count(store_view(s, VIEW_SEARCH)), 0);
	store_free(s);
}

/* ---- property test: random updates against a brute-force sort ----------- */

#define P_CHATS   1000
#define P_ROUNDS  12000
#define P_CHECK   400

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static struct chat truth[P_CHATS + 1];
static const char *p_search;

/* The reference predicates and orders, written from doc/protocol.md. */
static bool has_folded(const char *text, const char *q)
{
	char a[256], b[64];
	size_t i;

	if (!text)
		return false;
	for (i = 0; text[i] && i < sizeof a - 1; i++)
		a[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
	a[i] = '\0';
	for (i = 0; q[i] && i < sizeof b - 1; i++)
		b[i] = (char)(q[i] >= 'A' && q[i] <= 'Z' ? q[i] + 32 : q[i]);
	b[i] = '\0';
	return strstr(a, b) != NULL;
}

static bool ref_in(enum view_kind k, const struct chat *c, const char *me)
{
	switch (k) {
	case VIEW_WAITING:
		return c->escalated && c->mode == CHAT_MODE_AI;
	case VIEW_MINE:
		return me && c->responder.type == RESPONDER_AGENT && !strcmp(c->responder.id, me);
	case VIEW_UNASSIGNED:
		return c->responder.type != RESPONDER_AGENT;
	case VIEW_ALL:
		return true;
	case VIEW_SEARCH:
		return p_search && (has_folded(c->title, p_search) ||
				    has_folded(c->owner.name, p_search) ||
				    (c->latest.present && has_folded(c->latest.text, p_search)));
	case VIEW_FILTER:
	case VIEW_SAVED:
		break; /* no filter is set here: empty (test_viewspec has them) */
	}
	return false;
}

static enum view_kind ref_kind;

static int ref_cmp(const void *pa, const void *pb)
{
	const struct chat *a = *(const struct chat *const *)pa, *b = *(const struct chat *const *)pb;
	int64_t ka, kb;

	if (ref_kind == VIEW_WAITING) {
		ka = a->escalated_at;
		kb = b->escalated_at;
		return ka != kb ? (ka < kb ? -1 : 1) : strcmp(a->id, b->id);
	}
	ka = a->latest.present ? a->latest.at : a->created_at;
	kb = b->latest.present ? b->latest.at : b->created_at;
	return ka != kb ? (ka > kb ? -1 : 1) : -strcmp(a->id, b->id);
}

/* What listeners were told, replayed on plain arrays of chat numbers. */
static uint32_t mirror[VIEW_COUNT][P_CHATS];
static size_t mirror_n[VIEW_COUNT];
static const struct store *mirror_store;

static uint32_t num(const char *id)
{
	return (uint32_t)strtoul(id + 24, NULL, 16);
}

static void mirror_listener(void *ctx, const struct store_change *ch)
{
	(void)ctx;
	if (ch->kind == STORE_VIEW_RESET) {
		const struct view *v = store_view(mirror_store, ch->view);
		mirror_n[ch->view] = view_count(v);
		for (size_t i = 0; i < mirror_n[ch->view]; i++)
			mirror[ch->view][i] = num(view_at(v, i)->id);
		return;
	}
	if (ch->kind != STORE_CHAT_ADDED && ch->kind != STORE_CHAT_CHANGED &&
	    ch->kind != STORE_CHAT_REMOVED)
		return;
	uint32_t *m = mirror[ch->view];
	size_t *n = &mirror_n[ch->view];
	if (ch->old_index != VIEW_NONE) {
		assert_true(ch->old_index < *n);
		assert_int_equal(m[ch->old_index], num(ch->chat_id));
		memmove(&m[ch->old_index], &m[ch->old_index + 1],
			(*n - ch->old_index - 1) * sizeof *m);
		(*n)--;
	}
	if (ch->new_index != VIEW_NONE) {
		assert_true(ch->new_index <= *n);
		memmove(&m[ch->new_index + 1], &m[ch->new_index], (*n - ch->new_index) * sizeof *m);
		m[ch->new_index] = num(ch->chat_id);
		(*n)++;
	}
}

static void check_against_reference(const struct store *s, const char *me)
{
	static const struct chat *ref[P_CHATS];

	for (int k = 0; k < VIEW_COUNT; k++) {
		const struct view *v = store_view(s, (enum view_kind)k);
		size_t n = 0;
		for (unsigned i = 1; i <= P_CHATS; i++)
			if (truth[i].version && ref_in((enum view_kind)k, &truth[i], me))
				ref[n++] = &truth[i];
		ref_kind = (enum view_kind)k;
		qsort(ref, n, sizeof *ref, ref_cmp);
		assert_int_equal(view_count(v), n);
		assert_int_equal(mirror_n[k], n);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(view_at(v, i)->id, ref[i]->id);
			assert_int_equal(view_index_of(v, ref[i]->id), i);
			assert_int_equal(mirror[k][i], num(ref[i]->id));
		}
	}
}

static void test_random_updates_match_brute_force(void **state)
{
	static const char *const titles[] = {"Order problem", "REFUND please", NULL,
					     "refund for ORDER", "Café crème"};
	static const char *const owners[] = {"Maria G.", "Li Wei", "Ole Refsnes"};
	static const char *const previews[] = {"Where is my parcel?", "refund?", "ok"};
	static const char *const searches[] = {"refund", "ORDER", "", "li w", NULL};
	const char *me = NULL;
	struct store *s = new_store(NULL);

	(void)state;
	memset(truth, 0, sizeof truth);
	memset(mirror_n, 0, sizeof mirror_n);
	mirror_store = s;
	p_search = NULL;
	assert_true(store_subscribe(s, mirror_listener, NULL));
	for (int round = 1; round <= P_ROUNDS; round++) {
		unsigned i = 1 + rnd(P_CHATS);
		struct chat c = truth[i];
		if (!c.version) {
			fx_chat(&c, i, 0);
			c.version = 0;
		}
		/* Few distinct times: many ties, so the id tie-break is exercised. */
		c.latest.present = rnd(8) != 0;
		c.latest.at = FX_T0 + rnd(40);
		c.latest.text = (char *)previews[rnd(3)];
		c.created_at = FX_T0 + rnd(40);
		c.title = (char *)titles[rnd(5)];
		c.owner.name = (char *)owners[rnd(3)];
		c.escalated = rnd(2);
		c.escalated_at = c.escalated ? FX_T0 + rnd(20) : TS_NONE;
		c.mode = rnd(2) ? CHAT_MODE_AGENT : CHAT_MODE_AI;
		unsigned r = rnd(4);
		c.responder.type = r < 2 ? RESPONDER_AGENT : r == 2 ? RESPONDER_BOT : RESPONDER_NONE;
		strcpy(c.responder.id, r == 0 ? FX_ME : r == 1 ? FX_OTHER : "");
		bool stale = truth[i].version && rnd(10) == 0;
		c.version = stale ? truth[i].version - rnd(2) : truth[i].version + 1 + rnd(3);
		enum store_result got = store_put_chat(s, &c, NULL);
		assert_int_equal(got, stale ? STORE_UNCHANGED : STORE_CHANGED);
		if (!stale)
			truth[i] = c;
		if (round % 997 == 0) {
			p_search = searches[rnd(5)];
			assert_true(store_set_search(s, p_search, NULL));
		}
		if (round % 1499 == 0) {
			me = rnd(2) ? FX_ME : FX_OTHER;
			assert_true(store_set_me(s, me));
		}
		if (round % P_CHECK == 0)
			check_against_reference(s, me);
	}
	check_against_reference(s, me);
	store_free(s);
}

/* A resync event drops everything and says so; the store fills again. */
static void test_resync_clears(void **state)
{
	struct fx_log log = {0};
	struct store *s = new_store(&log);
	struct chat c;

	(void)state;
	assert_true(store_set_me(s, FX_ME));
	assert_true(store_set_search(s, "order", NULL));
	for (unsigned i = 1; i <= 300; i++) {
		fx_chat(&c, i, FX_T0 + i);
		put(s, &c);
	}
	assert_int_equal(store_thread_open(s, c.id, NULL), STORE_CHANGED);
	log.n = 0;
	struct event e = {.type = EVENT_RESYNC};
	assert_int_equal(store_apply_event(s, &e, NULL), STORE_CHANGED);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.c[0].kind, STORE_CLEARED);
	assert_int_equal(store_chat_count(s), 0);
	for (int k = 0; k < VIEW_COUNT; k++)
		assert_int_equal(view_count(store_view(s, (enum view_kind)k)), 0);
	assert_null(store_chat(s, c.id));
	assert_null(store_thread(s, c.id));
	assert_string_equal(store_me(s), FX_ME); /* kept */
	assert_string_equal(store_search(s), "order");
	put(s, &c); /* the same version again: it is new to the cleared store */
	assert_view(s, VIEW_SEARCH, "300");
	store_free(s);
}

static struct store *reentry_store;
static enum store_result reentry_result;

static void reentering_listener(void *ctx, const struct store_change *ch)
{
	struct chat c;

	(void)ctx;
	(void)ch;
	fx_chat(&c, 77, FX_T0);
	reentry_result = store_put_chat(reentry_store, &c, NULL);
}

/* A listener cannot change the store under the notification in progress. */
static void test_listener_cannot_reenter(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	reentry_store = s;
	assert_true(store_subscribe(s, reentering_listener, NULL));
	fx_chat(&c, 1, FX_T0);
	put(s, &c);
	assert_int_equal(reentry_result, STORE_FAILED);
	assert_int_equal(store_chat_count(s), 1);
	store_unsubscribe(s, reentering_listener, NULL);
	fx_chat(&c, 2, FX_T0);
	reentry_result = STORE_UNCHANGED;
	put(s, &c);
	assert_int_equal(reentry_result, STORE_UNCHANGED); /* no longer called */
	store_free(s);
}

/* Several listeners all hear, in the order added; unsubscribe removes one. */
static void test_several_listeners(void **state)
{
	struct fx_log a = {0}, b = {0};
	struct store *s = new_store(&a);
	struct chat c;

	(void)state;
	assert_true(store_subscribe(s, fx_record, &b));
	fx_chat(&c, 1, FX_T0);
	put(s, &c);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 2);
	store_unsubscribe(s, fx_record, &a);
	fx_chat(&c, 2, FX_T0);
	put(s, &c);
	assert_int_equal(a.n, 2);
	assert_int_equal(b.n, 4);
	store_free(s);
}

/* Odd but decodable input never crashes and is refused or held sanely. */
static void test_odd_input(void **state)
{
	struct store *s = new_store(NULL);
	struct errbuf err = {{0}};
	struct chat c;

	(void)state;
	memset(&c, 0, sizeof c); /* every string NULL, responder bot */
	assert_int_equal(store_put_chat(s, &c, &err), STORE_FAILED); /* no id */
	assert_true(err.msg[0] != '\0');
	fx_id(c.id, 1);
	c.escalated = true;
	c.escalated_at = TS_NONE; /* sorts first, as SQLite's NULL does */
	c.latest.present = true;  /* with a NULL text */
	c.version = INT64_MAX;
	put(s, &c);
	fx_chat(&c, 2, FX_T0);
	fx_escalate(&c, FX_T0);
	put(s, &c);
	assert_view(s, VIEW_WAITING, "1,2");
	assert_true(store_set_search(s, "x", NULL));
	assert_view(s, VIEW_SEARCH, "");
	assert_true(store_set_me(s, "not-a-uuid-and-much-too-long-to-be-one-at-all"));
	assert_view(s, VIEW_MINE, "");
	assert_null(store_chat(s, NULL));
	assert_int_equal(view_index_of(store_view(s, VIEW_ALL), "nope"), VIEW_NONE);
	assert_null(store_view(s, (enum view_kind)VIEW_COUNT));

	struct event e = {.type = EVENT_CHAT_UPDATED};
	assert_int_equal(store_apply_event(s, &e, &err), STORE_FAILED);
	e.type = EVENT_MESSAGE_CREATED;
	e.chat = &c;
	assert_int_equal(store_apply_event(s, &e, &err), STORE_FAILED);
	e.type = EVENT_HELLO;
	e.chat = NULL;
	assert_int_equal(store_apply_event(s, &e, &err), STORE_UNCHANGED);
	e.type = (enum event_type)42;
	assert_int_equal(store_apply_event(s, &e, &err), STORE_FAILED);
	assert_int_equal(store_chat_count(s), 2);
	store_free(s);
}

/* Chat pointers stay valid while the store grows; they show the newest copy. */
static void test_chat_pointers_are_stable(void **state)
{
	struct store *s = new_store(NULL);
	struct chat c;

	(void)state;
	fx_chat(&c, 1, FX_T0);
	put(s, &c);
	const struct chat *first = store_chat(s, c.id);
	for (unsigned i = 2; i <= 3000; i++) {
		fx_chat(&c, i, FX_T0 + i);
		put(s, &c);
	}
	fx_chat(&c, 1, FX_T0 + 5000);
	c.title = "Newest";
	c.version = 2;
	put(s, &c);
	assert_ptr_equal(store_chat(s, c.id), first);
	assert_string_equal(first->title, "Newest");
	assert_ptr_equal(view_at(store_view(s, VIEW_ALL), 0), first);
	assert_int_equal(store_chat_count(s), 3000);
	/* Interned names are shared, yet each chat reads its own. */
	assert_string_equal(view_at(store_view(s, VIEW_ALL), 1500)->channel.name, "Website");
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recent_order_and_ties),
		cmocka_unit_test(test_waiting_order_and_filter),
		cmocka_unit_test(test_stopped_chat_stays_in_all),
		cmocka_unit_test(test_move_on_new_latest_message),
		cmocka_unit_test(test_takeover_moves_waiting_to_mine),
		cmocka_unit_test(test_idempotent_apply),
		cmocka_unit_test(test_older_version_ignored),
		cmocka_unit_test(test_mine_follows_set_me),
		cmocka_unit_test(test_search_matches_like_the_hub),
		cmocka_unit_test(test_random_updates_match_brute_force),
		cmocka_unit_test(test_resync_clears),
		cmocka_unit_test(test_listener_cannot_reenter),
		cmocka_unit_test(test_several_listeners),
		cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_chat_pointers_are_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
