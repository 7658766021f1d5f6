/*
 * jsonfield.c — validated access to JSON object members (see jsonfield.h).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfield.h"
#include "utf8.h"

/* Integers above 2^53 do not survive a trip through a JSON double. */
#define JSON_MAX_SAFE_INT 9007199254740991LL

enum lookup { LOOKUP_ERROR, LOOKUP_NULL, LOOKUP_FOUND };

/* Find `name` and apply the presence rule. LOOKUP_NULL means "absent or null,
 * and that is allowed": the caller stores its null (or, for JF_OPTIONAL,
 * nothing at all). */
static enum lookup lookup(const cJSON *obj, const char *name, enum jf_presence p,
			  const cJSON **item, struct errbuf *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!it) {
		if (p == JF_OPTIONAL)
			return LOOKUP_NULL;
		errbuf_set(err, "%s: is missing", name);
		return LOOKUP_ERROR;
	}
	if (cJSON_IsNull(it)) {
		if (p == JF_REQUIRED) {
			errbuf_set(err, "%s: must not be null", name);
			return LOOKUP_ERROR;
		}
		return LOOKUP_NULL;
	}
	*item = it;
	return LOOKUP_FOUND;
}

bool jf_string_range(const cJSON *obj, const char *name, enum jf_presence p, size_t min_chars,
		     size_t max_chars, char **out, struct errbuf *err)
{
	const cJSON *it = NULL;

	switch (lookup(obj, name, p, &it, err)) {
	case LOOKUP_ERROR:
		return false;
	case LOOKUP_NULL:
		if (p != JF_OPTIONAL)
			*out = NULL;
		return true;
	case LOOKUP_FOUND:
		break;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return errbuf_set(err, "%s: must be a string", name);

	const char *s = it->valuestring;
	size_t len = strlen(s);
	if (!utf8_valid(s, len))
		return errbuf_set(err, "%s: is not valid UTF-8", name);
	size_t chars = utf8_count(s, len);
	if (chars < min_chars)
		return errbuf_set(err, min_chars == 1 ? "%s: must not be empty"
						      : "%s: is too short", name);
	if (chars > max_chars)
		return errbuf_set(err, "%s: must be at most %zu characters", name, max_chars);

	char *copy = strdup(s);
	if (!copy)
		return errbuf_set(err, "%s: out of memory", name);
	*out = copy;
	return true;
}

bool jf_string(const cJSON *obj, const char *name, enum jf_presence p, size_t max_chars,
	       char **out, struct errbuf *err)
{
	return jf_string_range(obj, name, p, 0, max_chars, out, err);
}

bool jf_uuid(const cJSON *obj, const char *name, enum jf_presence p, uuid_str out,
	     struct errbuf *err)
{
	const cJSON *it = NULL;

	switch (lookup(obj, name, p, &it, err)) {
	case LOOKUP_ERROR:
		return false;
	case LOOKUP_NULL:
		if (p != JF_OPTIONAL)
			out[0] = '\0';
		return true;
	case LOOKUP_FOUND:
		break;
	}
	if (!cJSON_IsString(it) || !uuid_valid(it->valuestring))
		return errbuf_set(err, "%s: must be a lowercase UUID v4", name);
	memcpy(out, it->valuestring, UUID_STRLEN + 1);
	return true;
}

bool jf_timestamp(const cJSON *obj, const char *name, enum jf_presence p, int64_t *out,
		  struct errbuf *err)
{
	const cJSON *it = NULL;

	switch (lookup(obj, name, p, &it, err)) {
	case LOOKUP_ERROR:
		return false;
	case LOOKUP_NULL:
		if (p != JF_OPTIONAL)
			*out = TS_NONE;
		return true;
	case LOOKUP_FOUND:
		break;
	}
	if (!cJSON_IsString(it))
		return errbuf_set(err, "%s: must be a timestamp string", name);
	if (!ts_parse(it->valuestring, out, err)) {
		errbuf_prefix(err, name);
		return false;
	}
	return true;
}

bool jf_int(const cJSON *obj, const char *name, enum jf_presence p, int64_t min, int64_t max,
	    int64_t *out, struct errbuf *err)
{
	const cJSON *it = NULL;

	switch (lookup(obj, name, p, &it, err)) {
	case LOOKUP_ERROR:
		return false;
	case LOOKUP_NULL:
		if (p != JF_OPTIONAL)
			return errbuf_set(err, "%s: must be a number", name);
		return true;
	case LOOKUP_FOUND:
		break;
	}
	if (!cJSON_IsNumber(it))
		return errbuf_set(err, "%s: must be a number", name);

	double d = it->valuedouble;
	if (!isfinite(d) || d != floor(d) || fabs(d) > (double)JSON_MAX_SAFE_INT)
		return errbuf_set(err, "%s: must be a whole number", name);
	int64_t v = (int64_t)d;
	if (v < min || v > max)
		return errbuf_set(err, "%s: must be between %lld and %lld", name, (long long)min,
				  (long long)max);
	*out = v;
	return true;
}

bool jf_bool(const cJSON *obj, const char *name, enum jf_presence p, bool *out,
	     struct errbuf *err)
{
	const cJSON *it = NULL;

	switch (lookup(obj, name, p, &it, err)) {
	case LOOKUP_ERROR:
		return false;
	case LOOKUP_NULL:
		if (p != JF_OPTIONAL)
			return errbuf_set(err, "%s: must be true or false", name);
		return true;
	case LOOKUP_FOUND:
		break;
	}
	if (!cJSON_IsBool(it))
		return errbuf_set(err, "%s: must be true or false", name);
	*out = cJSON_IsTrue(it);
	return true;
}

bool jf_enum(const cJSON *obj, const char *name, enum jf_presence p, const struct enum_table *t,
	     int *out, struct errbuf *err)
{
	const cJSON *it = NULL;

	switch (lookup(obj, name, p, &it, err)) {
	case LOOKUP_ERROR:
		return false;
	case LOOKUP_NULL:
		/* Only a table whose value 0 has no name can spell null. */
		if (p != JF_OPTIONAL) {
			if (t->names[0] != NULL)
				return errbuf_set(err, "%s: must not be null", name);
			*out = 0;
		}
		return true;
	case LOOKUP_FOUND:
		break;
	}
	if (!cJSON_IsString(it))
		return errbuf_set(err, "%s: must be a string", name);
	if (!enum_parse(t, it->valuestring, out))
		return errbuf_set(err, "%s: unknown %s", name, t->what);
	return true;
}

bool jf_object(const cJSON *obj, const char *name, enum jf_presence p, const cJSON **out,
	       struct errbuf *err)
{
	const cJSON *it = NULL;

	switch (lookup(obj, name, p, &it, err)) {
	case LOOKUP_ERROR:
		return false;
	case LOOKUP_NULL:
		if (p != JF_OPTIONAL)
			*out = NULL;
		return true;
	case LOOKUP_FOUND:
		break;
	}
	if (!cJSON_IsObject(it))
		return errbuf_set(err, "%s: must be an object", name);
	*out = it;
	return true;
}

/* cJSON turns "\u0000" into a NUL that silently cuts the string short, and
 * so does any \u not followed by four hex digits ("\ue\u00e9" reads as
 * 0): a truncated customer message is worse than a refused one. Only an
 * escape counts: an odd run of backslashes before the 'u'. NULL when all
 * are fine, else why. */
static const char *bad_u_escape(const char *text, size_t len)
{
	for (size_t i = 0; i + 2 <= len; i++) {
		if (text[i] != '\\' || text[i + 1] != 'u')
			continue;
		size_t run = 1;
		while (run <= i && text[i - run] == '\\')
			run++;
		if (run % 2 == 0)
			continue;
		bool hex = i + 6 <= len;
		for (size_t k = i + 2; hex && k < i + 6; k++)
			hex = isxdigit((unsigned char)text[k]);
		if (!hex)
			return "\\u must be followed by four hex digits";
		if (memcmp(text + i + 2, "0000", 4) == 0)
			return "strings must not contain NUL (\\u0000)";
	}
	return NULL;
}

cJSON *json_parse_text(const char *text, size_t len, struct errbuf *err)
{
	if (!utf8_valid(text, len)) {
		errbuf_set(err, "body is not valid UTF-8");
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		errbuf_set(err, "body contains a NUL byte");
		return NULL;
	}
	const char *why = bad_u_escape(text, len);
	if (why) {
		errbuf_set(err, "%s", why);
		return NULL;
	}
	/* cJSON's own trailing-garbage check wants a NUL inside `len`, which a
	 * network buffer does not have: check what follows the value here. */
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!j) {
		errbuf_set(err, "body is not valid JSON (near byte %zu)",
			   end ? (size_t)(end - text) : (size_t)0);
		return NULL;
	}
	size_t at = (size_t)(end - text);
	while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n'))
		at++;
	if (at < len) {
		cJSON_Delete(j);
		errbuf_set(err, "body is not valid JSON (extra data at byte %zu)", at);
		return NULL;
	}
	return j;
}

bool json_add_string_or_null(cJSON *obj, const char *name, const char *s)
{
	return s ? cJSON_AddStringToObject(obj, name, s) != NULL
		 : cJSON_AddNullToObject(obj, name) != NULL;
}

bool json_add_uuid_or_null(cJSON *obj, const char *name, const char *id)
{
	return json_add_string_or_null(obj, name, id[0] ? id : NULL);
}

bool json_add_timestamp(cJSON *obj, const char *name, int64_t ms)
{
	char buf[TS_STRLEN];

	if (ms == TS_NONE)
		return cJSON_AddNullToObject(obj, name) != NULL;
	return cJSON_AddStringToObject(obj, name, ts_format(ms, buf)) != NULL;
}

bool json_add_int(cJSON *obj, const char *name, int64_t v)
{
	return cJSON_AddNumberToObject(obj, name, (double)v) != NULL;
}

bool json_add_child(cJSON *obj, const char *name, cJSON *child)
{
	if (!child)
		return false;
	if (!cJSON_AddItemToObject(obj, name, child)) {
		cJSON_Delete(child);
		return false;
	}
	return true;
}
