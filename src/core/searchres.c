/*
 * searchres.c — decoding, encoding and cutting up a search result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfield.h"
#include "searchres.h"
#include "utf8.h"

void search_result_free(struct search_result *r)
{
	free(r->snippet);
	r->snippet = NULL;
}

/* One [start, length] of a snippet of `chars` characters that follows the
 * previous match, which ended at `*end`. */
static bool one_match(const cJSON *pair, size_t chars, size_t *end, struct search_match *m,
		      struct errbuf *err)
{
	const cJSON *s = cJSON_GetArrayItem(pair, 0), *l = cJSON_GetArrayItem(pair, 1);

	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsNumber(s) ||
	    !cJSON_IsNumber(l))
		return errbuf_set(err, "must be [start, length]");
	double start = s->valuedouble, len = l->valuedouble;
	/* Compared as doubles first, and the range before anything is
	 * converted: a huge number (1e300, or inf from 1e999) would overflow
	 * the conversion to an integer, which C leaves undefined. */
	if (!(start >= 0) || !(len >= 1))
		return errbuf_set(err, "must be whole numbers, the length at least 1");
	if (start + len > (double)chars)
		return errbuf_set(err, "ends past the snippet (%zu characters)", chars);
	if (start != (double)(int64_t)start || len != (double)(int64_t)len)
		return errbuf_set(err, "must be whole numbers, the length at least 1");
	if (start < (double)*end)
		return errbuf_set(err, "overlaps the previous match");
	m->start = (size_t)start;
	m->len = (size_t)len;
	*end = m->start + m->len;
	return true;
}

static bool decode_matches(const cJSON *j, struct search_result *r, struct errbuf *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "matches");
	size_t chars = utf8_count(r->snippet, strlen(r->snippet)), end = 0;
	const cJSON *pair;

	if (!cJSON_IsArray(arr))
		return errbuf_set(err, "matches: must be an array");
	if (cJSON_GetArraySize(arr) > SEARCHRES_MATCHES_MAX)
		return errbuf_set(err, "matches: more than %d", SEARCHRES_MATCHES_MAX);
	cJSON_ArrayForEach(pair, arr) {
		if (!one_match(pair, chars, &end, &r->matches[r->nmatches], err)) {
			char where[32];
			snprintf(where, sizeof where, "matches[%zu]", r->nmatches);
			errbuf_prefix(err, where);
			return false;
		}
		r->nmatches++;
	}
	return true;
}

bool search_result_from_json(const cJSON *j, struct search_result *out, struct errbuf *err)
{
	struct search_result r = {0};
	int role = 0;

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "must be an object");
	bool ok = jf_uuid(j, "chat_id", JF_REQUIRED, r.chat_id, err) &&
		  jf_uuid(j, "message_id", JF_REQUIRED, r.message_id, err) &&
		  jf_int(j, "seq", JF_REQUIRED, 1, INT64_MAX, &r.seq, err) &&
		  jf_timestamp(j, "created_at", JF_REQUIRED, &r.created_at, err) &&
		  jf_enum(j, "role", JF_REQUIRED, &msg_role_table, &role, err) &&
		  jf_string(j, "snippet", JF_REQUIRED, SEARCHRES_SNIPPET_MAX_CHARS, &r.snippet,
			    err) &&
		  jf_int(j, "snippet_start", JF_REQUIRED, 0, INT64_MAX, &r.snippet_start, err) &&
		  decode_matches(j, &r, err);
	if (!ok) {
		search_result_free(&r);
		return false;
	}
	r.role = (enum msg_role)role;
	*out = r;
	return true;
}

cJSON *search_result_to_json(const struct search_result *r)
{
	cJSON *o = cJSON_CreateObject(), *m = cJSON_CreateArray();
	bool ok = o && m;

	for (size_t i = 0; ok && i < r->nmatches; i++) {
		cJSON *pair = cJSON_CreateArray();
		ok = pair && cJSON_AddItemToArray(m, pair) &&
		     cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)r->matches[i].start)) &&
		     cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)r->matches[i].len));
	}
	if (!ok) {
		cJSON_Delete(o);
		cJSON_Delete(m);
		return NULL;
	}
	ok = json_add_uuid_or_null(o, "chat_id", r->chat_id) &&
	     json_add_uuid_or_null(o, "message_id", r->message_id) &&
	     json_add_int(o, "seq", r->seq) && json_add_timestamp(o, "created_at", r->created_at) &&
	     cJSON_AddStringToObject(o, "role", msg_role_name(r->role)) &&
	     cJSON_AddStringToObject(o, "snippet", r->snippet) &&
	     json_add_int(o, "snippet_start", r->snippet_start) && json_add_child(o, "matches", m);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void search_result_pieces(const struct search_result *r, search_piece_fn *piece, void *ctx)
{
	const char *s = r->snippet;
	size_t at = 0; /* characters of the snippet passed */

	for (size_t i = 0; i < r->nmatches; i++) {
		/* The decoder checked the offsets against the length: these
		 * cuts fall on character boundaries inside the snippet. */
		size_t before = utf8_prefix_bytes(s, r->matches[i].start - at);
		if (before)
			piece(ctx, s, before, false);
		s += before;
		size_t inside = utf8_prefix_bytes(s, r->matches[i].len);
		piece(ctx, s, inside, true);
		s += inside;
		at = r->matches[i].start + r->matches[i].len;
	}
	if (*s)
		piece(ctx, s, strlen(s), false);
}
