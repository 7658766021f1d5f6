/*
 * pgserver.c — a private PostgreSQL server for a test program (see
 * pgserver.h).
 *
 * The server is started as `postgres`, our own child, rather than through
 * `pg_ctl start`: pg_ctl leaves the server to run on its own, and nothing
 * would stop it after a test that crashed. A child can be given a death
 * signal instead. Stopping sends the signal `pg_ctl stop -m immediate`
 * sends.
 */
#define _GNU_SOURCE
#include <config.h>

#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgserver.h"

/* How long the server may take to accept connections, and to stop. */
#define START_MS 60000
#define STOP_MS  10000

struct pgserver {
	char dir[64];
	char conninfo[160];
	pid_t pid; /* the server, our child */
};

/* Who runs initdb and postgres: we, or the postgres user when we are root. */
struct runas {
	bool drop;
	uid_t uid;
	gid_t gid;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Say why on stderr, then what the program's log holds; returns false. */
static bool failed(const struct pgserver *s, const char *why, const char *logfile)
{
	char path[96], buf[4096];
	size_t n;

	fprintf(stderr, "pgserver: %s; %s/%s says:\n", why, s->dir, logfile);
	snprintf(path, sizeof path, "%s/%s", s->dir, logfile);
	FILE *f = fopen(path, "r");
	while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stderr);
	if (f)
		fclose(f);
	return false;
}

/* Run argv as `who`, in the directory, with stdout and stderr appended to
 * <dir>/<logfile>; with `tied`, the child gets SIGQUIT when the calling
 * thread ends. Returns the child's pid, or -1. Between fork and exec only
 * system calls. */
static pid_t spawn(const struct pgserver *s, char *const argv[], const struct runas *who,
		   const char *logfile, bool tied)
{
	char path[96];
	pid_t parent = getpid();

	snprintf(path, sizeof path, "%s/%s", s->dir, logfile);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (who->drop && (setgroups(0, NULL) != 0 || setgid(who->gid) != 0 ||
				  setuid(who->uid) != 0))
			_exit(126);
		/* The postgres user may not be allowed into the test's own. */
		if (chdir(s->dir) != 0)
			_exit(126);
		/* After the change of user, which clears a death signal; and
		 * if the parent is already gone, it will never be sent. */
		if (tied && (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != parent))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd);
	return pid;
}

static bool run_initdb(struct pgserver *s, const struct runas *who)
{
	char data[80];
	int status = 0;

	snprintf(data, sizeof data, "%s/data", s->dir);
	char *argv[] = {PG_BINDIR "/initdb", "-D", data, "-A", "trust", "-U", "handoff",
			"-E", "UTF8", "--no-locale", "--no-sync", NULL};
	pid_t pid = spawn(s, argv, who, "initdb.log", false);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return failed(s, "initdb failed", "initdb.log");
	return true;
}

/* The server on a socket in the directory only; durability is not what
 * tests need, speed is. A benchmark that wants a production server's
 * commits (flushed to disk before they are answered) sets
 * HANDOFF_PG_DURABLE. */
static bool start_server(struct pgserver *s, const struct runas *who)
{
	char data[80], sockets[96];
	bool durable = getenv("HANDOFF_PG_DURABLE") != NULL;

	snprintf(data, sizeof data, "%s/data", s->dir);
	snprintf(sockets, sizeof sockets, "unix_socket_directories=%s", s->dir);
	char *argv[] = {PG_BINDIR "/postgres", "-D", data, "-c", "listen_addresses=",
			"-c", sockets, "-c", "shared_buffers=16MB",
			"-c", durable ? "fsync=on" : "fsync=off",
			"-c", durable ? "synchronous_commit=on" : "synchronous_commit=off",
			"-c", durable ? "full_page_writes=on" : "full_page_writes=off", NULL};
	s->pid = spawn(s, argv, who, "server.log", true);
	return s->pid > 0 || failed(s, "cannot start postgres", "server.log");
}

/* Until the server accepts connections, the server gone, or the deadline. */
static bool wait_ready(struct pgserver *s)
{
	char conninfo[160];
	long long deadline = now_ms() + START_MS;

	snprintf(conninfo, sizeof conninfo, "host=%s dbname=postgres user=handoff", s->dir);
	while (PQping(conninfo) != PQPING_OK) {
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = -1;
			return failed(s, "postgres exited", "server.log");
		}
		if (now_ms() > deadline)
			return failed(s, "postgres did not accept connections within 60 s",
				      "server.log");
		poll(NULL, 0, 10);
	}
	return true;
}

bool pgserver_create_db(const struct pgserver *s, const char *name, char *out, size_t len)
{
	char conninfo[160], sql[96];

	/* The name is spelled into the statement (CREATE DATABASE takes no
	 * parameter): the tests' own names, checked. */
	if (!*name || strlen(name) > 40 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
						     strlen(name)) {
		fprintf(stderr, "pgserver: bad database name \"%s\"\n", name);
		return false;
	}
	snprintf(conninfo, sizeof conninfo, "host=%s dbname=postgres user=handoff", s->dir);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "pgserver: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	if (ok)
		snprintf(out, len, "host=%s dbname=%s user=handoff", s->dir, name);
	return ok;
}

struct pgserver *pgserver_start(void)
{
	struct pgserver *s = calloc(1, sizeof *s);
	struct runas who = {0};

	if (!s)
		return NULL;
	s->pid = -1;
	snprintf(s->dir, sizeof s->dir, "/tmp/handoff-pg-XXXXXX");
	if (!mkdtemp(s->dir)) {
		perror("pgserver: mkdtemp");
		free(s);
		return NULL;
	}
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("postgres");
		if (!pw) {
			fprintf(stderr, "pgserver: as root, initdb and postgres run as the postgres "
					"user, and there is none (install the Debian package postgresql)\n");
			pgserver_stop(s);
			return NULL;
		}
		who = (struct runas){true, pw->pw_uid, pw->pw_gid};
		if (chown(s->dir, who.uid, who.gid) != 0) {
			perror("pgserver: chown");
			pgserver_stop(s);
			return NULL;
		}
	}
	if (!run_initdb(s, &who) || !start_server(s, &who) || !wait_ready(s) ||
	    !pgserver_create_db(s, "handoff", s->conninfo, sizeof s->conninfo)) {
		pgserver_stop(s);
		return NULL;
	}
	return s;
}

const char *pgserver_conninfo(const struct pgserver *s)
{
	return s->conninfo;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *at)
{
	remove(path);
	return 0;
}

void pgserver_stop(struct pgserver *s)
{
	if (!s)
		return;
	if (s->pid > 0) {
		/* A pidfd becomes readable when the server has exited: a wait
		 * with a deadline, after which it is killed outright. */
		int pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		kill(s->pid, SIGQUIT);
		if (pidfd < 0 || poll(&p, 1, STOP_MS) <= 0)
			kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		if (pidfd >= 0)
			close(pidfd);
	}
	nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(s);
}
