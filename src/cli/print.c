/*
 * print.c — human and JSON output of the scripting commands.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "searchres.h"
#include "textsafe.h"

/* Text from the network, made safe for the terminal; one line unless
 * `multiline`. Never NULL. */
static void put_safe(FILE *f, const char *s, bool multiline)
{
	if (!s)
		return;
	char *safe = textsafe_dup(s, strlen(s), multiline ? TEXTSAFE_KEEP_NEWLINES : 0);
	fputs(safe ? safe : "?", f);
	free(safe);
}

/* "45s", "12m", "3h05m", "2d04h". */
static void format_duration(char *out, size_t n, int64_t ms)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(out, n, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, n, "%" PRId64 "m", s / 60);
	else if (s < 86400)
		snprintf(out, n, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(out, n, "%" PRId64 "d%02" PRId64 "h", s / 86400, s / 3600 % 24);
}

/* Local time, "2026-11-23 10:01". */
static void format_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == TS_NONE || !localtime_r(&t, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, n, "-");
}

static void put_responder(FILE *f, const struct responder *r)
{
	switch (r->type) {
	case RESPONDER_BOT:
		fputs("bot", f);
		break;
	case RESPONDER_NONE:
		fputs("nobody", f);
		break;
	case RESPONDER_AGENT:
		put_safe(f, r->name ? r->name : r->id, false);
		break;
	}
}

void print_chat_line(FILE *f, const struct chat *c, int64_t now)
{
	char waited[32] = "-";

	if (chat_is_waiting(c) && c->escalated_at != TS_NONE)
		format_duration(waited, sizeof waited, now - c->escalated_at);
	fprintf(f, "%s  ", c->id);
	put_safe(f, c->owner.name, false);
	fprintf(f, "  %s  ", channel_type_name(c->channel.type));
	put_responder(f, &c->responder);
	fprintf(f, "  %s%s  %s  %s  ", chat_mode_name(c->mode), c->escalated ? "!" : "",
		c->state == CHAT_STATE_STOPPED ? "stopped"
		: c->ticket.present           ? ticket_status_name(c->ticket.status)
					      : "-",
		waited);
	if (c->title)
		put_safe(f, c->title, false);
	else if (c->latest.present)
		put_safe(f, c->latest.text, false);
	fputc('\n', f);
}

void print_chat_detail(FILE *f, const struct chat *c, int64_t now)
{
	char when[32];

	fprintf(f, "Chat:      %s\nTitle:     ", c->id);
	put_safe(f, c->title ? c->title : "(none)", false);
	fputs("\nCustomer:  ", f);
	put_safe(f, c->owner.name, false);
	if (c->owner.email) {
		fputs(" <", f);
		put_safe(f, c->owner.email, false);
		fputc('>', f);
	}
	fprintf(f, "\nChannel:   %s (", channel_type_name(c->channel.type));
	put_safe(f, c->channel.name, false);
	fputs(")\nResponder: ", f);
	put_responder(f, &c->responder);
	fprintf(f, "\nMode:      %s%s", chat_mode_name(c->mode),
		c->escalated ? ", escalated" : "");
	if (chat_is_waiting(c) && c->escalated_at != TS_NONE) {
		format_duration(when, sizeof when, now - c->escalated_at);
		fprintf(f, ", waiting %s", when);
	}
	fprintf(f, "\nState:     %s\nTicket:    %s\n", chat_state_name(c->state),
		c->ticket.present ? ticket_status_name(c->ticket.status) : "(none)");
	if (c->rating.present) {
		fprintf(f, "Rating:    %d/5", c->rating.score);
		if (c->rating.feedback) {
			fputs(" ", f);
			put_safe(f, c->rating.feedback, false);
		}
		fputc('\n', f);
	}
	format_time(when, sizeof when, c->created_at);
	fprintf(f, "Created:   %s\nMessages:  %" PRId64 "\n", when, c->message_count);
}

void print_msg(FILE *f, const struct message *m)
{
	char when[32];

	format_time(when, sizeof when, m->created_at);
	fprintf(f, "#%" PRId64 " %s %s ", m->seq, when, msg_role_name(m->role));
	put_safe(f, m->author.name, false);
	fputs(": ", f);
	if (m->role == MSG_ROLE_SYSTEM)
		fprintf(f, "[%s] ", system_type_name(m->system_type));
	/* Keep the customer's line breaks, indented so a message cannot
	 * pass itself off as the next one. */
	char *safe = m->text ? textsafe_dup(m->text, strlen(m->text), TEXTSAFE_KEEP_NEWLINES) : NULL;
	for (const char *p = safe ? safe : ""; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fputs("    ", f);
	}
	free(safe);
	fputc('\n', f);
}

/* The \u escape for the code point starting at s (n bytes), or 0 when
 * it may stay as it is. */
static unsigned escape_needed(const unsigned char *s, size_t *n)
{
	if (s[0] == 0x7f) {
		*n = 1;
		return 0x7f;
	}
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) { /* C1 controls */
		*n = 2;
		return s[1];
	}
	if (s[0] == 0xd8 && s[1] == 0x9c) { /* U+061C arabic letter mark */
		*n = 2;
		return 0x061c;
	}
	if ((s[0] == 0xe2 || s[0] == 0xef) && s[1] && s[2]) {
		unsigned cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
		if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff) {
			*n = 3;
			return cp;
		}
	}
	return 0;
}

char *json_terminal_safe(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len * 6 + 1); /* every byte could become \u00XX */
	size_t o = 0;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n;
		unsigned cp = escape_needed(p, &n);
		if (cp) {
			o += (size_t)sprintf(out + o, "\\u%04x", cp);
			p += n;
		} else {
			out[o++] = (char)*p++;
		}
	}
	out[o] = '\0';
	return out;
}

bool print_json(FILE *f, cJSON *j)
{
	char *text = j ? cJSON_PrintUnformatted(j) : NULL;
	char *safe = text ? json_terminal_safe(text) : NULL;

	if (safe)
		fprintf(f, "%s\n", safe);
	free(safe);
	free(text);
	cJSON_Delete(j);
	return safe != NULL;
}

/* Each piece made safe on its own, so a control character in the text can
 * neither end the bold early nor start one. */
struct piece_out {
	FILE *f;
	bool bold;
};

static void put_piece(void *ctx, const char *s, size_t len, bool matched)
{
	struct piece_out *o = ctx;
	char *safe = textsafe_dup(s, len, 0);

	if (matched && o->bold)
		fputs("\033[1m", o->f);
	fputs(safe ? safe : "?", o->f);
	if (matched && o->bold)
		fputs("\033[22m", o->f);
	free(safe);
}

void print_search_hit(FILE *f, const struct search_result *r, const struct chat *c, bool bold)
{
	char when[32];
	struct piece_out out = {f, bold};

	format_time(when, sizeof when, r->created_at);
	fprintf(f, "%s  ", r->chat_id);
	put_safe(f, c ? c->owner.name : "?", false);
	fputs("  ", f);
	put_safe(f, c && c->title ? c->title : "-", false);
	fprintf(f, "  %s  %s #%" PRId64 "  %s", when, msg_role_name(r->role), r->seq,
		r->snippet_start > 0 ? "..." : "");
	search_result_pieces(r, put_piece, &out);
	fputc('\n', f);
}
