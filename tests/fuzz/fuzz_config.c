/*
 * fuzz_config.c — the console's config file (settings.c) as any bytes: the
 * input is written as $XDG_CONFIG_HOME/handoff/config and loaded as the
 * console loads it. Loading either succeeds with a checked server URL, or
 * fails with a message; the description never shows a token.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "settings.h"

static char dir[64], file[96], confdir[80];

static void cleanup(void)
{
	unlink(file);
	rmdir(confdir);
	rmdir(dir);
}

static void init(void)
{
	snprintf(dir, sizeof dir, "/tmp/handoff-fuzz-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(confdir, sizeof confdir, "%s/handoff", dir);
	snprintf(file, sizeof file, "%s/config", confdir);
	if (mkdir(confdir, 0700) != 0)
		abort();
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0])
		init();
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();

	char home[80], xdg[96];
	snprintf(home, sizeof home, "HOME=%s", dir);
	snprintf(xdg, sizeof xdg, "XDG_CONFIG_HOME=%s", dir);
	const char *const envp[] = {home, xdg, NULL};
	struct config c;
	struct errbuf err;
	if (config_load(&c, &(struct config_args){0}, envp, &err)) {
		struct errbuf again;
		char *server = config_check_server(c.server, &again);
		FUZZ_CHECK(server != NULL && strcmp(server, c.server) == 0);
		free(server);
		char desc[2048];
		config_describe(&c, desc, sizeof desc);
		FUZZ_CHECK(!c.token || !strstr(desc, c.token));
		config_free(&c);
	} else {
		FUZZ_CHECK(err.msg[0] != '\0');
	}
	return 0;
}
