/*
 * canned.c — canned replies: the object, its JSON, matching and expansion
 * (see canned.h).
 */
#include <stdlib.h>
#include <string.h>

#include "canned.h"
#include "jsonfield.h"

void canned_free(struct canned *r)
{
	free(r->name);
	free(r->text);
	r->name = r->text = NULL;
}

bool canned_name_valid(const char *name, struct errbuf *err)
{
	size_t n = strlen(name);

	if (n < 1 || n > CANNED_NAME_MAX_CHARS || strspn(name, CANNED_NAME_CHARS) != n)
		return errbuf_set(err, "name: must be 1 to %d of letters, digits, '.', '_' and '-'",
				  CANNED_NAME_MAX_CHARS);
	return true;
}

cJSON *canned_to_json(const struct canned *r)
{
	cJSON *o = cJSON_CreateObject();

	if (o && !(cJSON_AddStringToObject(o, "id", r->id) &&
		   cJSON_AddStringToObject(o, "name", r->name ? r->name : "") &&
		   cJSON_AddStringToObject(o, "text", r->text ? r->text : "") &&
		   cJSON_AddBoolToObject(o, "shared", r->shared) &&
		   json_add_uuid_or_null(o, "owner_id", r->owner_id) &&
		   json_add_timestamp(o, "created_at", r->created_at))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

bool canned_from_json(const cJSON *j, struct canned *out, struct errbuf *err)
{
	struct canned r = {0};

	if (!cJSON_IsObject(j))
		return errbuf_set(err, "reply: must be an object");
	bool ok = jf_uuid(j, "id", JF_REQUIRED, r.id, err) &&
		  jf_string_range(j, "name", JF_REQUIRED, 1, CANNED_NAME_MAX_CHARS, &r.name, err) &&
		  canned_name_valid(r.name, err) &&
		  jf_string_range(j, "text", JF_REQUIRED, 1, CANNED_TEXT_MAX_CHARS, &r.text, err) &&
		  jf_bool(j, "shared", JF_REQUIRED, &r.shared, err) &&
		  jf_uuid(j, "owner_id", JF_NULLABLE, r.owner_id, err) &&
		  jf_timestamp(j, "created_at", JF_REQUIRED, &r.created_at, err);
	if (!ok) {
		canned_free(&r);
		return false;
	}
	*out = r;
	return true;
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* The query as a substring of `s`, ASCII case aside. */
static bool contains(const char *s, const char *query)
{
	size_t qn = strlen(query);

	for (; *s; s++) {
		size_t i = 0;
		while (i < qn && s[i] && lower(s[i]) == lower(query[i]))
			i++;
		if (i == qn)
			return true;
	}
	return false;
}

/* Names are short (CANNED_NAME_MAX_CHARS), so a greedy left-to-right walk
 * is enough: each matched character scores 1, 2 more when it follows the
 * previous match, and the first 3 more when it is the name's first. */
int canned_match(const char *query, const char *name, const char *text)
{
	if (!*query)
		return 0;

	int score = 1000; /* any name match ranks above a text match */
	const char *q = query, *prev = NULL;
	for (const char *p = name; *p && *q; p++) {
		if (lower(*p) != lower(*q))
			continue;
		score += 1 + (prev && p == prev + 1 ? 2 : 0) + (p == name && q == query ? 3 : 0);
		prev = p;
		q++;
	}
	if (!*q)
		return score;
	return text && contains(text, query) ? 1 : -1;
}

static const struct {
	const char *name;
	size_t len;
} placeholders[] = {
	{"{customer}", 10},
	{"{agent}", 7},
	{"{chat_title}", 12},
};
#define NPLACEHOLDERS (sizeof placeholders / sizeof *placeholders)

/* The placeholder `p` starts with (its index), or -1. */
static int placeholder_at(const char *p)
{
	for (size_t i = 0; i < NPLACEHOLDERS; i++)
		if (strncmp(p, placeholders[i].name, placeholders[i].len) == 0)
			return (int)i;
	return -1;
}

char *canned_expand(const char *text, const char *customer, const char *agent,
		    const char *chat_title)
{
	const char *values[NPLACEHOLDERS] = {customer ? customer : "", agent ? agent : "",
					     chat_title ? chat_title : ""};
	size_t cap = 1, len = 0;
	const char *p;
	int i;

	/* First the length, then the copy. */
	for (p = text; *p; p += i < 0 ? 1 : placeholders[i].len)
		cap += (i = placeholder_at(p)) < 0 ? 1 : strlen(values[i]);
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (p = text; *p;) {
		if ((i = placeholder_at(p)) < 0) {
			out[len++] = *p++;
			continue;
		}
		size_t n = strlen(values[i]);
		memcpy(out + len, values[i], n);
		len += n;
		p += placeholders[i].len;
	}
	out[len] = '\0';
	return out;
}
