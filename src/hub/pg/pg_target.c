/*
 * pg_target.c — a --db target that names a PostgreSQL database: which
 * targets do, the libpq conninfo in one, and how one is shown.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "pg.h"

#define CONNINFO_PREFIX "postgres:"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool pg_target_claims(const char *target)
{
	/* "postgres:" also starts "postgres://". */
	return starts_with(target, "postgresql://") || starts_with(target, CONNINFO_PREFIX);
}

const char *pg_target_conninfo(const char *target)
{
	if (starts_with(target, CONNINFO_PREFIX) && !starts_with(target, "postgres://"))
		return target + strlen(CONNINFO_PREFIX);
	return target;
}

/* Only what says which database it is: a password, and options that may
 * carry one, stay out of logs and answers. */
static const char *const shown_keys[] = {"host", "hostaddr", "port", "dbname", "user"};

void pg_target_display(const char *target, char *out, size_t len)
{
	PQconninfoOption *opts = PQconninfoParse(pg_target_conninfo(target), NULL);
	size_t used = 0;

	if (!opts) {
		snprintf(out, len, "(a PostgreSQL target libpq cannot read)");
		return;
	}
	out[0] = '\0';
	for (size_t k = 0; k < sizeof shown_keys / sizeof shown_keys[0]; k++) {
		for (PQconninfoOption *o = opts; o->keyword; o++) {
			if (strcmp(o->keyword, shown_keys[k]) != 0 || !o->val || !*o->val)
				continue;
			int n = snprintf(out + used, len - used, "%s%s=%s", used ? " " : "",
					 o->keyword, o->val);
			if (n < 0 || (size_t)n >= len - used) {
				PQconninfoFree(opts);
				return;
			}
			used += (size_t)n;
		}
	}
	if (!used)
		snprintf(out, len, "(libpq's defaults)");
	PQconninfoFree(opts);
}
