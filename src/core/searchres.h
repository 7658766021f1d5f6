/*
 * searchres.h — one answer of GET /v1/search (protocol v1.1) as the CLI and
 * the console read it: where the message is, a snippet of its text and the
 * matched words inside the snippet.
 *
 * The snippet is customer text (hostile) and the offsets come from the
 * network: the decoder checks every match against the snippet's length, in
 * order and without overlap, so the code that highlights never indexes past
 * the text. Show each piece through textsafe.h.
 */
#ifndef HANDOFF_SEARCHRES_H
#define HANDOFF_SEARCHRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errbuf.h"
#include "model.h"

#define SEARCHRES_SNIPPET_MAX_CHARS 160
#define SEARCHRES_MATCHES_MAX 16

struct search_match {
	size_t start, len; /* characters of the snippet */
};

struct search_result {
	uuid_str chat_id, message_id;
	int64_t seq, created_at;
	enum msg_role role;
	char *snippet;
	int64_t snippet_start;       /* characters of the message before the snippet */
	struct search_match matches[SEARCHRES_MATCHES_MAX];
	size_t nmatches;
};

void search_result_free(struct search_result *r);

/* Refuses a match that is not [start, length] of whole numbers, that is
 * empty, that ends past the snippet, or that starts before the previous
 * one ends: "matches[2]: ends past the snippet (40 characters)". */
bool search_result_from_json(const cJSON *j, struct search_result *out, struct errbuf *err);
cJSON *search_result_to_json(const struct search_result *r);

/* Call `piece` for each run of the snippet in order, in bytes, `matched`
 * for the runs inside a match; the runs cover the snippet exactly. */
typedef void search_piece_fn(void *ctx, const char *s, size_t len, bool matched);
void search_result_pieces(const struct search_result *r, search_piece_fn *piece, void *ctx);

#endif
