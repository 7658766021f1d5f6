/*
 * jsonfield.h — read one field of a JSON object, validated.
 *
 * The building blocks of every decoder, in the hub (request bodies) and in
 * the client (answers and events). Each reads `obj[name]`, checks its type,
 * its presence and its limits, and on failure fills `err` with a sentence
 * that names the field: "title: must be at most 200 characters".
 * On failure nothing is stored in *out.
 */
#ifndef HANDOFF_JSONFIELD_H
#define HANDOFF_JSONFIELD_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "enums.h"
#include "errbuf.h"
#include "model.h"

enum jf_presence {
	JF_REQUIRED, /* must be there and not null */
	JF_NULLABLE, /* must be there; null allowed (stored as NULL / "" / TS_NONE) */
	JF_OPTIONAL, /* may be absent or null; *out is left unchanged then */
};

/* A string of 0..max_chars characters (or min_chars.. with jf_string_range)
 * of valid UTF-8 without NUL; stores a newly allocated copy. */
bool jf_string(const cJSON *obj, const char *name, enum jf_presence p, size_t max_chars,
	       char **out, struct errbuf *err);
bool jf_string_range(const cJSON *obj, const char *name, enum jf_presence p, size_t min_chars,
		     size_t max_chars, char **out, struct errbuf *err);

/* A lowercase UUID v4 into a fixed buffer ("" for null). */
bool jf_uuid(const cJSON *obj, const char *name, enum jf_presence p, uuid_str out,
	     struct errbuf *err);

/* An ISO 8601 millisecond timestamp (TS_NONE for null). */
bool jf_timestamp(const cJSON *obj, const char *name, enum jf_presence p, int64_t *out,
		  struct errbuf *err);

/* A whole number in [min, max] (JSON numbers are doubles: anything with a
 * fraction, or beyond 2^53, is refused). */
bool jf_int(const cJSON *obj, const char *name, enum jf_presence p, int64_t min, int64_t max,
	    int64_t *out, struct errbuf *err);

bool jf_bool(const cJSON *obj, const char *name, enum jf_presence p, bool *out,
	     struct errbuf *err);

/* One of the names in `t` (for SYSTEM_TYPE null maps to value 0). */
bool jf_enum(const cJSON *obj, const char *name, enum jf_presence p, const struct enum_table *t,
	     int *out, struct errbuf *err);

/* An object member: *out points into `obj` (not copied); NULL when null or
 * absent and allowed. */
bool jf_object(const cJSON *obj, const char *name, enum jf_presence p, const cJSON **out,
	       struct errbuf *err);

/* Parse a complete JSON text from the network: valid UTF-8 first (cJSON
 * does not check), then JSON; returns NULL with a message otherwise. */
cJSON *json_parse_text(const char *text, size_t len, struct errbuf *err);

/* Adders for encoders: a string that may be NULL (-> null), an id that may be
 * "" (-> null), a timestamp that may be TS_NONE (-> null). They return false
 * when out of memory. */
bool json_add_string_or_null(cJSON *obj, const char *name, const char *s);
bool json_add_uuid_or_null(cJSON *obj, const char *name, const char *id);
bool json_add_timestamp(cJSON *obj, const char *name, int64_t ms);
bool json_add_int(cJSON *obj, const char *name, int64_t v);

/* Attach `child` (which may be NULL after a failed build) as obj[name];
 * on failure deletes child, so a chain of adders never leaks. */
bool json_add_child(cJSON *obj, const char *name, cJSON *child);

#endif
