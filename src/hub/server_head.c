/*
 * server_head.c — header values (see server_head.h).
 */
#include <string.h>
#include <strings.h>

#include "server_head.h"

#define BLANKS " \t"

static const char *skip_blanks(const char *s)
{
	return s + strspn(s, BLANKS);
}

/* Length of s[0..len) without trailing blanks. */
static size_t trim_end(const char *s, size_t len)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len;
}

bool head_bearer_token(const char *authorization, char *out, size_t outlen)
{
	static const char scheme[] = "Bearer";
	const char *s = skip_blanks(authorization);

	if (strncasecmp(s, scheme, strlen(scheme)) != 0)
		return false;
	s += strlen(scheme);
	if (*s != ' ' && *s != '\t')
		return false;
	s = skip_blanks(s);
	size_t len = trim_end(s, strlen(s));
	if (len == 0 || len >= outlen || memchr(s, ' ', len) || memchr(s, '\t', len))
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

/* Is the parameter s[0..len) ("name=value") acceptable after
 * application/json? Only a charset says anything we care about. */
static bool media_param_ok(const char *s, size_t len)
{
	static const char charset[] = "charset=";
	size_t n = strlen(charset);

	if (len < n || strncasecmp(s, charset, n) != 0)
		return true;
	s += n;
	len -= n;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	return len == 5 && strncasecmp(s, "utf-8", 5) == 0;
}

bool head_content_type_is_json(const char *content_type)
{
	static const char json[] = "application/json";
	const char *s = skip_blanks(content_type);

	if (strncasecmp(s, json, strlen(json)) != 0)
		return false;
	s = skip_blanks(s + strlen(json));
	while (*s == ';') {
		s = skip_blanks(s + 1);
		size_t len = strcspn(s, ";");
		if (!media_param_ok(s, trim_end(s, len)))
			return false;
		s += len;
	}
	return *s == '\0';
}

bool head_parse_uint(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		int d = *s - '0';
		if (v > (INT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}
