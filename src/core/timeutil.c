/*
 * timeutil.c — the protocol's timestamps, "2026-11-23T10:01:02.123Z".
 *
 * The calendar arithmetic is done here, on integers, instead of through
 * timegm/mktime: those depend on TZ and the C library, and the protocol's
 * timestamps are always UTC. The day counting follows Howard Hinnant's
 * days_from_civil / civil_from_days, which uses a year that starts on
 * March 1st so the leap day falls at the end and needs no special case.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime; same as the build's -D */

#include <stdio.h>
#include <time.h>

#include "timeutil.h"

#define MS_PER_DAY INT64_C(86400000)

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. Only years
 * 1970..9999 reach here, so unlike Hinnant's original there is no rounding
 * toward negative infinity for years before 0. */
static int64_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;                                   /* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return (int64_t)era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil, for days 0..9999-12-31. */
static void civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int z, era, doe, yoe, doy, mp;

	z = (int)days + 719468; /* shift the epoch to 0000-03-01 */
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

/* True when `s` has exactly the shape of `pattern`, where 'D' stands for an
 * ASCII digit and any other character for itself. Checking the shape first
 * lets the field parsing below be plain arithmetic. */
static bool match_shape(const char *s, const char *pattern)
{
	for (; *pattern; s++, pattern++) {
		if (*pattern == 'D' ? (*s < '0' || *s > '9') : *s != *pattern)
			return false;
	}
	return *s == '\0';
}

static int field(const char *s, int ndigits)
{
	int v = 0;

	while (ndigits-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Parse the "YYYY-MM-DD" at the start of `s` (shape already checked) into
 * days since the epoch; `what` names the value in error messages. */
static bool parse_ymd(const char *s, const char *what, int64_t *days,
		      struct errbuf *err)
{
	int y = field(s, 4), m = field(s + 5, 2), d = field(s + 8, 2);

	/* The same range as timestamps, so any date can become a timestamp. */
	if (y < 1970)
		return errbuf_set(err, "%s: year must be 1970 or later", what);
	if (m < 1 || m > 12)
		return errbuf_set(err, "%s: month must be 01..12", what);
	if (d < 1 || d > days_in_month(y, m))
		return errbuf_set(err, "%s: %04d-%02d has no day %02d", what, y, m, d);
	*days = days_from_civil(y, m, d);
	return true;
}

/* Write v (0 <= v < 10^width) as exactly `width` digits; returns the end.
 * Hand-rolled rather than snprintf so the output width is fixed by
 * construction, not by the range of the values. */
static char *put_digits(char *p, int v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Write "YYYY-MM-DD" for days (0..9999-12-31) since the epoch; returns the end. */
static char *put_date(char *p, int64_t days)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	return put_digits(p, d, 2);
}

bool ts_parse(const char *s, int64_t *ms, struct errbuf *err)
{
	int64_t days;
	int hh, mi, ss;

	/* The input is not quoted back: it may be long or hostile. */
	if (!match_shape(s, "DDDD-DD-DDTDD:DD:DD.DDDZ"))
		return errbuf_set(err, "timestamp must be UTC with milliseconds, "
				       "like 2026-11-23T10:01:02.123Z");
	if (!parse_ymd(s, "timestamp", &days, err))
		return false;
	hh = field(s + 11, 2);
	mi = field(s + 14, 2);
	ss = field(s + 17, 2);
	if (hh > 23)
		return errbuf_set(err, "timestamp: hour must be 00..23");
	if (mi > 59)
		return errbuf_set(err, "timestamp: minute must be 00..59");
	/* No leap seconds: the protocol's clocks are POSIX clocks, which never
	 * show second 60. */
	if (ss > 59)
		return errbuf_set(err, "timestamp: second must be 00..59");
	*ms = days * MS_PER_DAY + ((hh * 60 + mi) * 60 + ss) * INT64_C(1000) +
	      field(s + 20, 3);
	return true;
}

char *ts_format(int64_t ms, char out[TS_STRLEN])
{
	int64_t last = (days_from_civil(9999, 12, 31) + 1) * MS_PER_DAY - 1;
	int rem;
	char *p;

	if (ms < 0)
		ms = 0;
	else if (ms > last)
		ms = last;
	p = put_date(out, ms / MS_PER_DAY);
	rem = (int)(ms % MS_PER_DAY);
	*p++ = 'T';
	p = put_digits(p, rem / 3600000, 2);
	*p++ = ':';
	p = put_digits(p, rem / 60000 % 60, 2);
	*p++ = ':';
	p = put_digits(p, rem / 1000 % 60, 2);
	*p++ = '.';
	p = put_digits(p, rem % 1000, 3);
	*p++ = 'Z';
	*p = '\0';
	return out;
}

int64_t ts_now(void)
{
	struct timespec t;

	/* CLOCK_REALTIME cannot fail with a valid clock id and pointer. */
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

bool date_parse(const char *s, int64_t *days, struct errbuf *err)
{
	if (!match_shape(s, "DDDD-DD-DD"))
		return errbuf_set(err, "date must look like 2026-11-23");
	return parse_ymd(s, "date", days, err);
}

char *date_format(int64_t days, char out[11])
{
	int64_t last = days_from_civil(9999, 12, 31);

	*put_date(out, days < 0 ? 0 : days > last ? last : days) = '\0';
	return out;
}

char *clock_format(int64_t s, char *out, size_t len)
{
	if (s < 3600)
		snprintf(out, len, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(out, len, "%lld:%02lld:%02lld", (long long)(s / 3600),
			 (long long)(s % 3600 / 60), (long long)(s % 60));
	return out;
}
