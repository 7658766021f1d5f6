/*
 * canned.h — canned replies (protocol v1.1): a shortcut name and a text
 * with placeholders, shared by the team or personal to one agent. The
 * object and its JSON, the fuzzy match a picker filters with, and the
 * expansion of the placeholders, shared by the hub, the CLI and the console.
 */
#ifndef HANDOFF_CANNED_H
#define HANDOFF_CANNED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errbuf.h"
#include "model.h"

/* A name is typed to find it, so it is short and one word; the text is a
 * reply, so it has a reply's limit. */
#define CANNED_NAME_MAX_CHARS 32
#define CANNED_TEXT_MAX_CHARS REPLY_MAX_CHARS
#define CANNED_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

struct canned {
	uuid_str id;
	char *name;
	char *text;
	bool shared;           /* the team's; else personal to owner_id */
	uuid_str owner_id;     /* "" when shared */
	int64_t created_at;
};

void canned_free(struct canned *r);

/* 1..CANNED_NAME_MAX_CHARS of CANNED_NAME_CHARS; false with why. */
bool canned_name_valid(const char *name, struct errbuf *err);

cJSON *canned_to_json(const struct canned *r);
bool canned_from_json(const cJSON *j, struct canned *out, struct errbuf *err);

/* How well `query` matches the reply `name`/`text` (ASCII case aside): -1
 * for no match; higher is better. Every query character in order in the
 * name (a fuzzy match), runs and a match at the start scoring more; else
 * the query as a substring of the text, below any name match. An empty
 * query matches everything equally. */
int canned_match(const char *query, const char *name, const char *text);

/* The text with {customer}, {agent} and {chat_title} replaced (NULL values
 * as ""); any other brace is left as typed. Newly allocated; NULL when out
 * of memory. */
char *canned_expand(const char *text, const char *customer, const char *agent,
		    const char *chat_title);

#endif
