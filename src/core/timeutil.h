/*
 * timeutil.h — the protocol's timestamps: ISO 8601 UTC with milliseconds,
 * "2026-11-23T10:01:02.123Z", held in memory as milliseconds since the epoch.
 */
#ifndef HANDOFF_TIMEUTIL_H
#define HANDOFF_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"

/* An absent (JSON null) timestamp. */
#define TS_NONE INT64_MIN

/* Buffer size for ts_format, terminating NUL included. */
#define TS_STRLEN 25

/* Parse exactly "YYYY-MM-DDTHH:MM:SS.mmmZ" (years 1970..9999) into *ms.
 * Anything else — other offsets, missing milliseconds, Feb 30, hour 24 — is
 * refused with a message in `err`. */
bool ts_parse(const char *s, int64_t *ms, struct errbuf *err);

/* Format ms (>= 0) into out[TS_STRLEN]; returns out. Values outside years
 * 1970..9999 (TS_NONE included) are clamped into that range, so the result
 * always fits and always parses back with ts_parse. */
char *ts_format(int64_t ms, char out[TS_STRLEN]);

/* Wall-clock now in milliseconds since the epoch. */
int64_t ts_now(void);

/* Parse a calendar date "YYYY-MM-DD" into days since 1970-01-01. Years are
 * 1970..9999, as for timestamps, so every date is also a valid timestamp. */
bool date_parse(const char *s, int64_t *days, struct errbuf *err);

/* `s` seconds (>= 0) as a clock: "0:42", "1:05:00" (the console's waits
 * and countdowns). Returns out. */
char *clock_format(int64_t s, char *out, size_t len);

/* Format days since 1970-01-01 as "YYYY-MM-DD" into out[11]; clamped to
 * 1970-01-01..9999-12-31 like ts_format. */
char *date_format(int64_t days, char out[11]);

#endif
