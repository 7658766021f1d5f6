/*
 * test_searchres.c — a search result from the network: the match offsets
 * are checked against the snippet (in characters, not bytes) before any
 * code cuts the snippet with them; hostile offsets are refused with the
 * field named, and the pieces of a good result cover the snippet exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searchres.h"

/* A result whose snippet is `snippet` (a JSON string literal's contents)
 * and whose matches are `matches` (JSON). */
static bool decode(const char *snippet, const char *matches, struct search_result *r,
		   struct errbuf *err)
{
	char text[1024];

	snprintf(text, sizeof text,
		 "{\"chat_id\":\"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\","
		 "\"message_id\":\"7f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b\",\"seq\":3,"
		 "\"created_at\":\"2026-11-30T10:00:00.000Z\",\"role\":\"user\","
		 "\"snippet\":\"%s\",\"snippet_start\":0,\"matches\":%s}",
		 snippet, matches);
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	bool ok = search_result_from_json(j, r, err);
	cJSON_Delete(j);
	return ok;
}

static void refused(const char *snippet, const char *matches, const char *why)
{
	struct search_result r;
	struct errbuf err = {0};

	if (decode(snippet, matches, &r, &err))
		fail_msg("accepted %s on \"%s\"", matches, snippet);
	if (!strstr(err.msg, why))
		fail_msg("%s: said \"%s\", not \"%s\"", matches, err.msg, why);
}

static void test_hostile_offsets_refused(void **state)
{
	(void)state;
	/* "pâté" is 4 characters, 5 bytes: an end counted in bytes is past it. */
	refused("p\u00e2t\u00e9", "[[0, 5]]", "matches[0]: ends past the snippet (4 characters)");
	refused("refund", "[[6, 1]]", "matches[0]: ends past");
	refused("refund", "[[4294967296, 1]]", "matches[0]: ends past");
	refused("refund", "[[1e300, 1]]", "matches[0]: ");
	refused("refund", "[[-1, 2]]", "matches[0]: must be whole numbers");
	refused("refund", "[[0, 0]]", "matches[0]: must be whole numbers");
	refused("refund", "[[0.5, 2]]", "matches[0]: must be whole numbers");
	/* Found by fuzzing: a number no integer holds is refused before any
	 * conversion (UBSan stopped on the cast). */
	refused("refund", "[[1e300, 2]]", "matches[0]: ends past the snippet (6 characters)");
	refused("refund", "[[0, 1e999]]", "matches[0]: ends past the snippet (6 characters)");
	refused("refund", "[[0, 2], [1, 2]]", "matches[1]: overlaps the previous match");
	refused("refund", "[[3, 2], [0, 2]]", "matches[1]: overlaps");
	refused("refund", "[[0]]", "matches[0]: must be [start, length]");
	refused("refund", "[[\"0\", 2]]", "matches[0]: must be [start, length]");
	refused("refund", "[0, 2]", "matches[0]: must be [start, length]");
	refused("refund", "{}", "matches: must be an array");
	refused("a b c d e f g h i j k l m n o p q",
		"[[0,1],[2,1],[4,1],[6,1],[8,1],[10,1],[12,1],[14,1],[16,1],[18,1],[20,1],"
		"[22,1],[24,1],[26,1],[28,1],[30,1],[32,1]]",
		"matches: more than 16");
}

struct pieces {
	char out[256];
};

static void collect(void *ctx, const char *s, size_t len, bool matched)
{
	struct pieces *p = ctx;
	size_t n = strlen(p->out);
	snprintf(p->out + n, sizeof p->out - n, "%s%.*s%s", matched ? "<" : "", (int)len, s,
		 matched ? ">" : "");
}

static void test_pieces_cut_on_characters(void **state)
{
	struct search_result r;
	struct errbuf err = {0};
	struct pieces p = {{0}};

	(void)state;
	/* Offsets in characters: "pâté" starts at 4 and is 4 long, 5 bytes. */
	assert_true(decode("Le p\u00e2t\u00e9 du p\u00e2t\u00e9", "[[3, 4], [11, 4]]", &r,
			   &err));
	search_result_pieces(&r, collect, &p);
	assert_string_equal(p.out, "Le <p\u00e2t\u00e9> du <p\u00e2t\u00e9>");
	search_result_free(&r);

	/* A match ending the snippet, none before it, and no matches at all. */
	memset(&p, 0, sizeof p);
	assert_true(decode("refund", "[[0, 6]]", &r, &err));
	search_result_pieces(&r, collect, &p);
	assert_string_equal(p.out, "<refund>");
	search_result_free(&r);
	memset(&p, 0, sizeof p);
	assert_true(decode("refund", "[]", &r, &err));
	search_result_pieces(&r, collect, &p);
	assert_string_equal(p.out, "refund");
	search_result_free(&r);
}

/* What the decoder accepted, encoded again, is the same object. */
static void test_round_trip(void **state)
{
	struct search_result r, back;
	struct errbuf err = {0};

	(void)state;
	assert_true(decode("My parcel was REFUNDED twice", "[[14, 8]]", &r, &err));
	cJSON *j = search_result_to_json(&r);
	assert_non_null(j);
	assert_true(search_result_from_json(j, &back, &err));
	assert_string_equal(back.snippet, r.snippet);
	assert_int_equal(back.nmatches, 1);
	assert_int_equal(back.matches[0].start, 14);
	assert_int_equal(back.matches[0].len, 8);
	assert_int_equal(back.seq, 3);
	cJSON_Delete(j);
	search_result_free(&r);
	search_result_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_offsets_refused),
		cmocka_unit_test(test_pieces_cut_on_characters),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
