/*
 * replay.c — a main for the fuzz targets without libFuzzer: feeds the
 * target every file of its seed corpus, so `make check` (gcc, ASan and
 * UBSan) runs each decoder over the corpus, including the inputs that
 * once crashed it.
 *
 * The inputs are the files and directories given as arguments, else
 * $FUZZ_CORPUS/<name> where the program is tests/fuzz/fuzz_<name>. An
 * empty or missing corpus is a failure: a target that replays nothing
 * tests nothing.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			uint8_t *grown = realloc(buf, cap);
			if (!grown)
				abort();
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* The exact bytes in a buffer of their own size, so ASan sees a read
	 * past the end as libFuzzer would. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static long replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	long count = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) != 0) {
			closedir(d);
			return -1;
		}
		count++;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			struct stat st;
			bool file = stat(argv[i], &st) == 0 && S_ISREG(st.st_mode);
			long n = file ? (replay_file(argv[i]) == 0 ? 1 : -1) : replay_dir(argv[i]);
			if (n < 0)
				return 1;
			total += n;
		}
	} else {
		const char *root = getenv("FUZZ_CORPUS");
		const char *base = strrchr(argv[0], '/');
		base = base ? base + 1 : argv[0];
		if (strncmp(base, "fuzz_", 5) == 0)
			base += 5;
		if (!root) {
			fprintf(stderr, "%s: set FUZZ_CORPUS or name corpus directories\n", argv[0]);
			return 1;
		}
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/%s", root, base);
		total = replay_dir(dir);
		if (total < 0)
			return 1;
	}
	printf("%s: replayed %ld inputs\n", argv[0], total);
	return total > 0 ? 0 : 1;
}
