/*
 * backoff.c — jittered exponential backoff, Retry-After, retry policy.
 */
#include <string.h>

#include "backoff.h"
#include "timeutil.h"

void backoff_init(struct backoff *b, double base_s, double cap_s, uint64_t seed)
{
	b->base_s = base_s;
	b->cap_s = cap_s;
	b->attempt = 0;
	/* xorshift has the all-zero state as a fixed point. */
	b->rng = seed ? seed : UINT64_C(0x9E3779B97F4A7C15);
}

void backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}

/* xorshift64*: tiny, seedable and plenty for spreading retries; rand() is
 * shared global state and would make the schedule depend on other code. */
static uint64_t next_random(struct backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * UINT64_C(2685821657736338717);
}

uint64_t backoff_next_ms(struct backoff *b)
{
	double d = b->base_s;
	uint64_t hi, lo;

	/* Doubling stops at the cap, so a long outage cannot overflow. */
	for (unsigned i = 0; i < b->attempt && d < b->cap_s; i++)
		d *= 2;
	if (d > b->cap_s)
		d = b->cap_s;
	if (b->attempt < UINT32_MAX)
		b->attempt++;
	hi = (uint64_t)(d * 1000.0);
	lo = hi / 2;
	return lo + next_random(b) % (hi - lo + 1);
}

/* Skip HTTP optional whitespace. */
static const char *skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* True when nothing but optional whitespace is left. */
static bool only_ows(const char *s)
{
	return *skip_ows(s) == '\0';
}

static bool parse_delta_seconds(const char *s, uint64_t *delay_ms)
{
	uint64_t secs = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9') {
		/* Saturate: a huge number is just "a long time", clamped below. */
		if (secs < RETRY_AFTER_MAX_MS)
			secs = secs * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (p == s || !only_ows(p))
		return false;
	*delay_ms = secs * 1000 > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : secs * 1000;
	return true;
}

static const char *const weekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* n decimal digits at s into *out. */
static bool digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (s[i] - '0');
	}
	return true;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, English names, always GMT,
 * so it is matched by position instead of strptime, which follows the
 * locale. The calendar check is date_parse's. */
static bool parse_imf_fixdate(const char *s, int64_t *ms)
{
	char ymd[11];
	int hh, mm, ss, mon = -1;
	int64_t days;

	if (strlen(s) < 29 || !only_ows(s + 29) || memcmp(s + 3, ", ", 2) != 0 ||
	    s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
	    s[22] != ':' || memcmp(s + 25, " GMT", 4) != 0)
		return false;
	for (int i = 0; i < 12; i++)
		if (memcmp(s + 8, months[i], 3) == 0)
			mon = i + 1;
	if (mon < 0 || !digits(s + 17, 2, &hh) || !digits(s + 20, 2, &mm) ||
	    !digits(s + 23, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return false;
	/* Rearrange into "YYYY-MM-DD"; date_parse checks the digits. */
	memcpy(ymd, s + 12, 4);
	ymd[4] = '-';
	ymd[5] = (char)('0' + mon / 10);
	ymd[6] = (char)('0' + mon % 10);
	ymd[7] = '-';
	memcpy(ymd + 8, s + 5, 2);
	ymd[10] = '\0';
	if (!date_parse(ymd, &days, NULL))
		return false;
	/* A wrong day name means the sender's date is not what it thinks. */
	if (memcmp(s, weekdays[days % 7], 3) != 0)
		return false;
	*ms = ((days * 24 + hh) * 60 + mm) * INT64_C(60000) + ss * INT64_C(1000);
	return true;
}

bool retry_after_parse(const char *value, int64_t now_ms, uint64_t *delay_ms)
{
	const char *s = skip_ows(value);
	int64_t when;

	if (*s >= '0' && *s <= '9')
		return parse_delta_seconds(s, delay_ms);
	if (!parse_imf_fixdate(s, &when))
		return false;
	if (when <= now_ms)
		*delay_ms = 0;
	else if ((uint64_t)(when - now_ms) > RETRY_AFTER_MAX_MS)
		*delay_ms = RETRY_AFTER_MAX_MS;
	else
		*delay_ms = (uint64_t)(when - now_ms);
	return true;
}

static const char *const idempotent_methods[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};

bool http_method_idempotent(const char *method)
{
	for (size_t i = 0; i < sizeof idempotent_methods / sizeof *idempotent_methods; i++)
		if (strcmp(method, idempotent_methods[i]) == 0)
			return true;
	return false;
}

/* Server errors that say "try again", as opposed to 501 Not Implemented or
 * 505 HTTP Version Not Supported, which will say the same thing next time. */
static const long transient_statuses[] = {500, 502, 503, 504};

bool should_retry(const char *method, long status, bool connection_error)
{
	if (connection_error)
		return http_method_idempotent(method);
	if (status == 429)
		return true;
	for (size_t i = 0; i < sizeof transient_statuses / sizeof *transient_statuses; i++)
		if (status == transient_statuses[i])
			return http_method_idempotent(method);
	return false;
}
