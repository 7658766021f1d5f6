/*
 * outbox_journal.c — the outbox's journals: records, appends with fsync,
 * adoption of dead processes' journals, compaction.
 *
 * Crash safety rests on three orders:
 *   - a record is fsynced before the call that wrote it returns;
 *   - a new journal is written under a temporary name, fsynced, renamed,
 *     and the directory fsynced, before any journal it replaces is removed,
 *     so at every instant each live entry is in at least one journal;
 *   - journals are locked (flock) by their process from before they get
 *     their final name until the process ends, so no two processes ever
 *     write or adopt the same one.
 * Duplicates that a crash between the last two steps may leave behind are
 * merged by id at the next open; resending one is harmless (the hub
 * answers a known client_msg_id with the first message).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "jsonfield.h"
#include "log.h"
#include "outbox_journal.h"

#define PREFIX "outbox-"
#define SUFFIX ".jsonl"
#define TMP_SUFFIX ".jsonl.tmp"

static const char *const op_names[] = {
	[JOP_ADD] = "add", [JOP_FAILED] = "failed", [JOP_RETRY] = "retry",
	[JOP_SENT] = "sent", [JOP_DISCARD] = "discard",
};

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* fsync the directory, so a rename or unlink in it survives a power cut. */
static bool sync_dir(const char *dir, struct errbuf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return errbuf_set(err, "cannot open %s: %s", dir, strerror(errno));
	ok = fsync(fd) == 0;
	if (!ok)
		errbuf_set(err, "cannot sync %s: %s", dir, strerror(errno));
	close(fd);
	return ok;
}

/* Write all of buf, then fsync. On failure, cut the file back to `size` so
 * a partial record cannot glue itself to the next one. */
static bool write_synced(int fd, off_t size, const char *buf, size_t len, struct errbuf *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			errbuf_set(err, "cannot write the outbox: %s",
				   w < 0 ? strerror(errno) : "no space");
			goto cut;
		}
		done += (size_t)w;
	}
	if (fdatasync(fd) == 0)
		return true;
	errbuf_set(err, "cannot sync the outbox: %s", strerror(errno));
cut:
	if (ftruncate(fd, size) != 0)
		log_warn("outbox: cannot cut a partial record: %s", strerror(errno));
	return false;
}

static cJSON *record_new(enum journal_op op, const char *id)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(o, "op", op_names[op]) == NULL ||
	    cJSON_AddStringToObject(o, "id", id) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *add_record(const struct outbox_entry *e)
{
	cJSON *o = record_new(JOP_ADD, e->client_msg_id);

	if (o == NULL || cJSON_AddStringToObject(o, "chat_id", e->chat_id) == NULL ||
	    cJSON_AddStringToObject(o, "text", e->text) == NULL ||
	    cJSON_AddBoolToObject(o, "internal", e->internal) == NULL ||
	    !json_add_timestamp(o, "created_at", e->created_at)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *state_record(enum journal_op op, const char *id, const char *reason)
{
	cJSON *o = record_new(op, id);

	if (o != NULL && reason != NULL && cJSON_AddStringToObject(o, "reason", reason) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Print `o` (deleting it) as one line and append it. */
static bool append_record(struct journal *j, cJSON *o, struct errbuf *err)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;
	size_t len;
	char *line;
	bool ok;

	cJSON_Delete(o);
	if (text == NULL)
		return errbuf_set(err, "out of memory");
	len = strlen(text);
	line = realloc(text, len + 2);
	if (line == NULL) {
		free(text);
		return errbuf_set(err, "out of memory");
	}
	line[len++] = '\n';
	line[len] = '\0';
	ok = write_synced(j->fd, j->size, line, len, err);
	if (ok)
		j->size += (off_t)len;
	free(line);
	return ok;
}

bool journal_append_add(struct journal *j, const struct outbox_entry *e, struct errbuf *err)
{
	return append_record(j, add_record(e), err);
}

bool journal_append(struct journal *j, enum journal_op op, const char *id, const char *reason,
		    struct errbuf *err)
{
	return append_record(j, state_record(op, id, reason), err);
}

/* ---- reading ------------------------------------------------------------ */

/* Apply one decoded record to the entries of one journal. */
static bool replay(struct entry_vec *vec, const cJSON *o, struct errbuf *err)
{
	char *op = NULL, *id = NULL, *text = NULL, *reason = NULL;
	uuid_str chat_id;
	bool internal = false, ok = false;
	int64_t created_at;
	long at;

	if (!jf_string(o, "op", JF_REQUIRED, 16, &op, err) ||
	    !jf_string_range(o, "id", JF_REQUIRED, 1, CLIENT_MSG_ID_MAX_CHARS, &id, err))
		goto out;
	if (!client_msg_id_valid(id)) {
		errbuf_set(err, "id: not a valid client_msg_id");
		goto out;
	}
	at = entry_vec_find(vec, id);
	if (strcmp(op, "add") == 0) {
		struct outbox_entry *e;

		if (!jf_uuid(o, "chat_id", JF_REQUIRED, chat_id, err) ||
		    !jf_string_range(o, "text", JF_REQUIRED, 1, REPLY_MAX_CHARS, &text, err) ||
		    !jf_bool(o, "internal", JF_REQUIRED, &internal, err) ||
		    !jf_timestamp(o, "created_at", JF_REQUIRED, &created_at, err))
			goto out;
		if (at >= 0) {
			errbuf_set(err, "id %s added twice", id);
			goto out;
		}
		e = outbox_entry_new(id, chat_id, text, internal, created_at);
		if (e == NULL || !entry_vec_push(vec, e)) {
			outbox_entry_free(e);
			errbuf_set(err, "out of memory");
			goto out;
		}
		ok = true;
		goto out;
	}
	if (at < 0) {
		errbuf_set(err, "%s for an unknown id %s", op, id);
		goto out;
	}
	if (strcmp(op, "sent") == 0 || strcmp(op, "discard") == 0) {
		entry_vec_remove(vec, (size_t)at);
		ok = true;
	} else if (strcmp(op, "retry") == 0) {
		struct outbox_entry *e = vec->v[at];

		e->state = OUTBOX_PENDING;
		free(e->reason);
		e->reason = NULL;
		ok = true;
	} else if (strcmp(op, "failed") == 0) {
		struct outbox_entry *e = vec->v[at];

		if (!jf_string(o, "reason", JF_REQUIRED, OUTBOX_REASON_MAX_CHARS, &reason, err))
			goto out;
		e->state = OUTBOX_FAILED;
		free(e->reason);
		e->reason = reason;
		reason = NULL;
		ok = true;
	} else {
		errbuf_set(err, "op: unknown record \"%s\"", op);
	}
out:
	free(op);
	free(id);
	free(text);
	free(reason);
	return ok;
}

/* Read a whole journal from fd; false when it cannot be read at all. */
static char *read_all(int fd, size_t *len, const char *path)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > JOURNAL_MAX_BYTES) {
		log_warn("outbox: %s is too large or unreadable; left alone", path);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		return NULL;
	while (got < (size_t)st.st_size) {
		ssize_t r = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* Replay every complete line of a journal into `vec`; count bad lines. */
static void load_lines(const char *buf, size_t len, const char *path, struct entry_vec *vec,
		       size_t *bad)
{
	size_t start = 0, lineno = 0;

	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct errbuf e = {{0}};
		cJSON *o;

		lineno++;
		if (nl == NULL) {
			/* No newline: the write a crash interrupted. */
			log_info("outbox: %s:%zu: ignoring a torn last record", path, lineno);
			break;
		}
		if (end > start) {
			o = json_parse_text(buf + start, end - start, &e);
			if (o == NULL || !cJSON_IsObject(o) || !replay(vec, o, &e)) {
				if (e.msg[0] == '\0')
					errbuf_set(&e, "not a JSON object");
				log_warn("outbox: %s:%zu: skipping a bad record: %s", path, lineno,
					 e.msg);
				(*bad)++;
			}
			cJSON_Delete(o);
		}
		start = end + 1;
	}
}

/* A journal we hold the lock of, until it is removed. */
struct adopted {
	int fd;
	char *path;
	bool bad;
};

/* Open and lock `path` without waiting. Returns the fd, or -1 when another
 * process holds it, it is gone already (unlinked by an adopter that beat us
 * to it), or it is not a regular file. */
static int lock_free_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_nlink == 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Merge one journal's entries into `live`, skipping ids already there. */
static bool merge(struct entry_vec *live, struct entry_vec *one)
{
	for (size_t i = 0; i < one->n; i++) {
		if (entry_vec_find(live, one->v[i]->client_msg_id) >= 0)
			continue;
		if (!entry_vec_push(live, one->v[i]))
			return false;
		one->v[i] = NULL;
	}
	return true;
}

/* Stable insertion sort by created_at: journals are each in order already,
 * so this is nearly linear. */
static void sort_by_created(struct entry_vec *vec)
{
	for (size_t i = 1; i < vec->n; i++) {
		struct outbox_entry *e = vec->v[i];
		size_t k = i;

		while (k > 0 && vec->v[k - 1]->created_at > e->created_at) {
			vec->v[k] = vec->v[k - 1];
			k--;
		}
		vec->v[k] = e;
	}
}

/* Lock, read and replay the journal at `path` if its lock is free. */
static bool adopt_one(const char *path, struct adopted **list, size_t *nlist,
		      struct entry_vec *live, size_t *bad_lines)
{
	struct entry_vec one = {0};
	struct adopted *grown;
	size_t len = 0, bad = 0;
	char *buf;
	int fd = lock_free_file(path);

	if (fd < 0)
		return true;
	buf = read_all(fd, &len, path);
	if (buf == NULL) {
		close(fd);
		return true;
	}
	load_lines(buf, len, path, &one, &bad);
	free(buf);
	grown = realloc(*list, (*nlist + 1) * sizeof **list);
	if (grown == NULL || !merge(live, &one)) {
		*list = grown ? grown : *list;
		entry_vec_free(&one);
		close(fd);
		return false;
	}
	entry_vec_free(&one);
	*list = grown;
	(*list)[*nlist].fd = fd;
	(*list)[*nlist].path = strdup(path);
	(*list)[*nlist].bad = bad > 0;
	if ((*list)[*nlist].path == NULL) {
		close(fd);
		return false;
	}
	(*nlist)++;
	*bad_lines += bad;
	return true;
}

/* Adopt what dead processes left in `dir`; remove their stale temp files. */
static bool adopt_all(const char *dir, struct adopted **list, size_t *nlist,
		      struct entry_vec *live, size_t *bad_lines, struct errbuf *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool ok = true;

	if (d == NULL)
		return errbuf_set(err, "cannot read %s: %s", dir, strerror(errno));
	while (ok && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		char *path;

		if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
			continue;
		if (!has_suffix(name, SUFFIX) && !has_suffix(name, TMP_SUFFIX))
			continue;
		path = path_join(dir, name);
		if (path == NULL) {
			ok = errbuf_set(err, "out of memory");
			break;
		}
		if (has_suffix(name, TMP_SUFFIX)) {
			/* Unlocked: a compaction that died before its rename;
			 * everything in it is still in the journals it read. */
			int fd = lock_free_file(path);

			if (fd >= 0) {
				unlink(path);
				close(fd);
			}
		} else if (!adopt_one(path, list, nlist, live, bad_lines)) {
			ok = errbuf_set(err, "out of memory reading %s", path);
		}
		free(path);
	}
	closedir(d);
	return ok;
}

/* Create our journal under a temporary name, locked. The lock is taken
 * before the file can be seen under its final name; another process may
 * still catch the temporary file in the instant between open and flock and
 * remove it as stale, so check it is still linked. Returns the fd, -1 on
 * failure, -2 when the file was taken away (try another name). */
static int create_locked_tmp(const char *tmp, struct errbuf *err)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	struct stat st;

	if (fd < 0) {
		errbuf_set(err, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0 || st.st_nlink == 0) {
		close(fd);
		errbuf_set(err, "cannot lock %s", tmp);
		return -2;
	}
	/* umask may have taken bits away, never added: make it exactly 0600. */
	if (fchmod(fd, 0600) != 0) {
		errbuf_set(err, "cannot chmod %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	return fd;
}

/* Write the compacted journal and give it its final name. */
static bool write_own(struct journal *j, const struct entry_vec *live, struct errbuf *err)
{
	char name[sizeof PREFIX + UUID_STRLEN + sizeof SUFFIX], id[UUID_STRLEN + 1];
	char *tmp = NULL;
	int fd = -2;

	for (int tries = 0; fd == -2 && tries < 5; tries++) {
		if (!uuid_generate(id, err))
			return false;
		snprintf(name, sizeof name, PREFIX "%s" SUFFIX, id);
		free(j->path);
		j->path = path_join(j->dir, name);
		tmp = j->path ? malloc(strlen(j->path) + 5) : NULL;
		if (tmp == NULL)
			return errbuf_set(err, "out of memory");
		sprintf(tmp, "%s.tmp", j->path);
		fd = create_locked_tmp(tmp, err);
		if (fd < 0) {
			free(tmp);
			tmp = NULL;
		}
	}
	if (fd < 0)
		return false;
	j->fd = fd;
	j->size = 0;
	for (size_t i = 0; i < live->n; i++) {
		const struct outbox_entry *e = live->v[i];

		if (e->state == OUTBOX_SENT)
			continue;
		if (!journal_append_add(j, e, err) ||
		    (e->state == OUTBOX_FAILED &&
		     !journal_append(j, JOP_FAILED, e->client_msg_id, e->reason, err)))
			goto fail;
	}
	if (fsync(fd) != 0) {
		errbuf_set(err, "cannot sync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, j->path) != 0) {
		errbuf_set(err, "cannot rename %s: %s", tmp, strerror(errno));
		goto fail;
	}
	free(tmp);
	j->compact_at = j->size * 2 > j->compact_min ? j->size * 2 : j->compact_min;
	return sync_dir(j->dir, err);
fail:
	unlink(tmp);
	free(tmp);
	close(fd);
	j->fd = -1;
	return false;
}

void journal_maybe_compact(struct journal *j, const struct entry_vec *live)
{
	struct journal old = *j;
	struct errbuf err = {{0}};

	if (j->size <= j->compact_at)
		return;
	j->path = NULL;
	if (!write_own(j, live, &err)) {
		log_warn("outbox: cannot compact the journal: %s", err.msg);
		free(j->path);
		*j = old;
		/* Do not try again at every record. */
		j->compact_at = j->size * 2;
		return;
	}
	/* The new journal is durable: the old one may go. */
	unlink(old.path);
	close(old.fd);
	free(old.path);
	if (!sync_dir(j->dir, &err))
		log_warn("outbox: %s", err.msg);
}

bool journal_open(struct journal *j, const char *dir, struct entry_vec *live, off_t compact_min,
		  struct errbuf *err)
{
	struct adopted *list = NULL;
	size_t nlist = 0;
	struct stat st;
	bool ok;

	memset(j, 0, sizeof *j);
	j->fd = -1;
	j->compact_min = compact_min > 0 ? compact_min : JOURNAL_COMPACT_BYTES;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return errbuf_set(err, "%s is not a directory", dir);
	/* It holds unsent replies: private, whoever created it. */
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) != 0)
		return errbuf_set(err, "cannot chmod %s: %s", dir, strerror(errno));
	j->dir = strdup(dir);
	if (j->dir == NULL)
		return errbuf_set(err, "out of memory");
	ok = adopt_all(dir, &list, &nlist, live, &j->bad_lines, err);
	if (ok) {
		sort_by_created(live);
		ok = write_own(j, live, err);
	}
	/* Only now that every entry is safe in our journal. */
	for (size_t i = 0; i < nlist; i++) {
		if (ok && list[i].bad) {
			char *kept = malloc(strlen(list[i].path) + 5);

			if (kept != NULL) {
				sprintf(kept, "%s.bad", list[i].path);
				if (rename(list[i].path, kept) == 0)
					log_warn("outbox: kept %s for inspection", kept);
			}
			free(kept);
		} else if (ok) {
			unlink(list[i].path);
		}
		close(list[i].fd);
		free(list[i].path);
	}
	free(list);
	if (ok && nlist > 0)
		ok = sync_dir(dir, err);
	if (!ok) {
		journal_close(j, false);
		entry_vec_free(live);
	}
	return ok;
}

void journal_close(struct journal *j, bool remove)
{
	if (j->fd >= 0) {
		if (remove && j->path != NULL)
			unlink(j->path);
		close(j->fd);
	}
	j->fd = -1;
	free(j->path);
	free(j->dir);
	j->path = j->dir = NULL;
}
