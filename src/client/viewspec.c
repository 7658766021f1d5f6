/*
 * viewspec.c — parse, print and apply the chat list filters of saved views
 * (see viewspec.h). Table-driven: one row a field.
 */
#include <stdio.h>
#include <string.h>

#include "enums.h"
#include "uuid.h"
#include "viewspec.h"

static bool parse_status(const char *value, struct view_spec *v)
{
	return enum_parse(&ticket_status_table, value, &v->status);
}

static bool parse_channel(const char *value, struct view_spec *v)
{
	return enum_parse(&channel_type_table, value, &v->channel);
}

/* The hub's alphabet for platform labels (doc/protocol.md, v1.1). */
static bool parse_source(const char *value, struct view_spec *v)
{
	size_t n = strlen(value);

	if (n < 1 || n > SOURCE_PLATFORM_MAX_CHARS ||
	    strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return false;
	memcpy(v->source, value, n + 1);
	return true;
}

static bool parse_holder(const char *value, struct view_spec *v)
{
	if (strcmp(value, "me") == 0)
		v->holder = HOLDER_ME;
	else if (strcmp(value, "nobody") == 0)
		v->holder = HOLDER_NOBODY;
	else if (uuid_valid(value)) {
		v->holder = HOLDER_AGENT;
		snprintf(v->agent, sizeof v->agent, "%s", value);
	} else
		return false;
	return true;
}

static bool parse_escalated(const char *value, struct view_spec *v)
{
	if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
		return false;
	v->escalated = strcmp(value, "yes") == 0;
	return true;
}

static bool has_status(const struct view_spec *v) { return v->status >= 0; }
static bool has_channel(const struct view_spec *v) { return v->channel >= 0; }
static bool has_source(const struct view_spec *v) { return v->source[0] != '\0'; }
static bool has_holder(const struct view_spec *v) { return v->holder != HOLDER_ANY; }
static bool has_escalated(const struct view_spec *v) { return v->escalated >= 0; }

static const char *value_status(const struct view_spec *v) { return ticket_status_name(v->status); }
static const char *value_channel(const struct view_spec *v) { return channel_type_name(v->channel); }
static const char *value_source(const struct view_spec *v) { return v->source; }
static const char *value_escalated(const struct view_spec *v) { return v->escalated ? "yes" : "no"; }

static const char *value_holder(const struct view_spec *v)
{
	return v->holder == HOLDER_ME ? "me" : v->holder == HOLDER_NOBODY ? "nobody" : v->agent;
}

static const struct field {
	const char *name;
	const char *values; /* for the error: what would do */
	bool (*parse)(const char *value, struct view_spec *v);
	bool (*given)(const struct view_spec *v);
	const char *(*value)(const struct view_spec *v);
} fields[] = {
	{"status", "open, pending, solved or closed", parse_status, has_status, value_status},
	{"channel", "widget, waha, whatsapp, instagram or api", parse_channel, has_channel,
	 value_channel},
	{"source", "a platform label (a-z 0-9 . _ -)", parse_source, has_source, value_source},
	{"holder", "me, nobody or an agent's id", parse_holder, has_holder, value_holder},
	{"escalated", "yes or no", parse_escalated, has_escalated, value_escalated},
};
#define NFIELDS (sizeof fields / sizeof *fields)

void view_spec_init(struct view_spec *v)
{
	*v = (struct view_spec){.status = -1, .channel = -1, .escalated = -1};
}

bool view_spec_empty(const struct view_spec *v)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].given(v))
			return false;
	return true;
}

/* Words are short: a longer one is refused whole rather than cut. */
#define WORD_MAX 64

bool view_spec_parse(const char *text, struct view_spec *out, struct errbuf *err)
{
	struct view_spec v;
	const char *p = text;

	view_spec_init(&v);
	view_spec_init(out);
	for (;;) {
		char word[WORD_MAX + 1];
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t");
		if (n == 0)
			break;
		if (n > WORD_MAX)
			return errbuf_set(err, "a word of the filter is too long");
		memcpy(word, p, n);
		word[n] = '\0';
		p += n;
		char *eq = strchr(word, '=');
		if (!eq)
			return errbuf_set(err, "expected field=value, not \"%s\"", word);
		*eq = '\0';
		const struct field *f = NULL;
		for (size_t i = 0; i < NFIELDS && !f; i++)
			if (strcmp(fields[i].name, word) == 0)
				f = &fields[i];
		if (!f)
			return errbuf_set(err, "unknown field \"%s\" (status, channel, source, "
					       "holder, escalated)", word);
		if (f->given(&v))
			return errbuf_set(err, "%s is given twice", f->name);
		if (!f->parse(eq + 1, &v))
			return errbuf_set(err, "%s: \"%s\" is not %s", f->name, eq + 1, f->values);
	}
	*out = v;
	return true;
}

void view_spec_format(const struct view_spec *v, char *out, size_t len)
{
	size_t at = 0;

	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < NFIELDS && at < len; i++) {
		if (!fields[i].given(v))
			continue;
		int w = snprintf(out + at, len - at, "%s%s=%s", at ? " " : "", fields[i].name,
				 fields[i].value(v));
		if (w < 0)
			break;
		at += (size_t)w;
	}
}

bool view_spec_matches(const struct view_spec *v, const char *me, const struct chat *c)
{
	if (v->status >= 0 && !(c->ticket.present && (int)c->ticket.status == v->status))
		return false;
	if (v->channel >= 0 && (int)c->channel.type != v->channel)
		return false;
	if (v->source[0] && !(c->source.platform && strcmp(c->source.platform, v->source) == 0))
		return false;
	if (v->escalated >= 0 && c->escalated != (v->escalated == 1))
		return false;
	bool held = c->responder.type == RESPONDER_AGENT;
	switch (v->holder) {
	case HOLDER_ANY:
		break;
	case HOLDER_ME:
		return held && me && me[0] && strcmp(c->responder.id, me) == 0;
	case HOLDER_NOBODY:
		return !held;
	case HOLDER_AGENT:
		return held && strcmp(c->responder.id, v->agent) == 0;
	}
	return true;
}

bool view_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= VIEW_NAME_MAX &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}
