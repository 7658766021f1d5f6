/*
 * tmux.h — end-to-end tests drive a program the way a person does: in a
 * terminal (tmux), typing with `send-keys` and reading with `capture-pane`.
 *
 * Every test program gets one private tmux server (`tmux -L handoff-e2e-PID
 * -f /dev/null`), so the developer's own tmux, its sessions and its config
 * are never touched, even when the tests run inside tmux ($TMUX is removed
 * from every tmux command's environment). The server is killed when the
 * program exits, and also when it crashes: a watchdog process waits for the
 * end of a pipe only this process holds. HANDOFF_E2E_KEEP=1 keeps the server
 * and its sessions for a look: `tmux -L <socket> attach` (the socket name is
 * printed on stderr).
 *
 * Waiting never sleeps blindly: the pane's output is copied by `pipe-pane`
 * into a FIFO this process reads, and tmux hooks (pane died, window resized)
 * write into a second one, so a wait blocks in poll() until the terminal
 * changes or its deadline passes, then captures the screen and checks again.
 * A wait that times out fails the test with the last screen in the message.
 *
 * All functions report failures through cmocka (fail_msg), naming the tmux
 * command and what tmux said; every tmux command has a deadline.
 */
#ifndef HANDOFF_TEST_TMUX_H
#define HANDOFF_TEST_TMUX_H

#include <stdbool.h>
#include <stddef.h>

struct tmux {
	char session[32];     /* session name on the private server ("e2e1") */
	char dir[80];         /* private temporary directory; HOME by default */
	int out_fd;           /* FIFO fed by pipe-pane: the program's output */
	int wake_fd;          /* FIFO fed by tmux hooks */
	unsigned long long bytes; /* bytes read from out_fd so far */
	int tee_fd;           /* > 0: every byte read is also written here */
	int cols, rows;       /* the size asked for */
	char *screen;         /* the last capture (owned) */
	bool started;
};

/* A condition on the screen text (lines separated by '\n'). */
typedef bool (*tmux_pred)(const char *screen, void *ctx);

/* The private server's socket name, for `tmux -L NAME attach`. */
const char *tmux_socket(void);

/*
 * Start `argv` (argv[0] looked up in the environment's PATH) in a new
 * detached session of cols x rows, with no status line, remain-on-exit on
 * (a crash leaves its last screen and exit status) and a manual window size
 * (attaching to watch does not resize it).
 *
 * The program's environment is exactly: TERM=tmux-256color, LANG=C.UTF-8,
 * LC_ALL=C.UTF-8, PATH=/usr/local/bin:/usr/bin:/bin, HOME=t->dir, then
 * ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS when this process has them, then
 * `env` (NAME=value, NULL-terminated, may be NULL): an entry replaces the
 * default of the same NAME, and a bare "NAME" removes it. Nothing else of
 * this process's environment leaks in (`env -i`; so argv[0] must not
 * contain '='). The program starts only once its output is being piped, so
 * not one byte of it is missed. It runs as the child of a small shell that
 * records its exit status (tmux's own is unreliable, see tmux.c); it is in
 * the terminal's foreground process group like that shell.
 */
void tmux_start(struct tmux *t, int cols, int rows, const char *const *env,
		const char *const *argv);

/* Send key names as tmux spells them ("Enter", "Escape", "C-a", "M-Enter",
 * "PageUp", "Tab", "BTab", "Up"...), NULL-terminated. */
__attribute__((sentinel))
void tmux_send_keys(struct tmux *t, ...);

/* Type text literally (send-keys -l): every character as itself. */
void tmux_type(struct tmux *t, const char *text);

/* Capture the visible screen as plain text, one '\n'-ended line per row,
 * trailing spaces trimmed; truncated to fit len (always NUL-terminated;
 * buf may be NULL). Returns the internal copy (t->screen), valid until the
 * next capture. Once the program has exited the capture has one line more
 * at the top: tmux's "Pane is dead" line at the bottom scrolled it off. */
const char *tmux_screen(struct tmux *t, char *buf, size_t len);

/* The same with SGR escape sequences (capture-pane -e), to check attributes
 * such as reverse video or colours. */
const char *tmux_screen_ansi(struct tmux *t, char *buf, size_t len);

/* Cursor position, 0-based column and row. */
void tmux_cursor(struct tmux *t, int *x, int *y);

/* The pane's current size in cells. */
void tmux_size(struct tmux *t, int *cols, int *rows);

/*
 * Waits. Each blocks in poll() until the program writes to its terminal or
 * tmux reports a change (pane died, window resized), re-captures the screen
 * and re-checks, up to timeout_ms; it captures once more before giving up.
 * On timeout the test fails at the caller's line with the last screen in
 * the message (the functions are macros so the failure names the test's
 * file and line). They return true, and never return on failure.
 */
#define tmux_wait_until(t, pred, ctx, ms) \
	tmux_wait_until_at((t), (pred), (ctx), (ms), #pred, __FILE__, __LINE__)
#define tmux_wait_for(t, text, ms) tmux_wait_for_at((t), (text), (ms), __FILE__, __LINE__)
#define tmux_wait_gone(t, text, ms) tmux_wait_gone_at((t), (text), (ms), __FILE__, __LINE__)
/* Wait until the program exits; returns its status as tmux_pane_dead. */
#define tmux_wait_dead(t, ms) tmux_wait_dead_at((t), (ms), __FILE__, __LINE__)

bool tmux_wait_until_at(struct tmux *t, tmux_pred pred, void *ctx, int timeout_ms,
			const char *what, const char *file, int line);
bool tmux_wait_for_at(struct tmux *t, const char *text, int timeout_ms, const char *file,
		      int line);
bool tmux_wait_gone_at(struct tmux *t, const char *text, int timeout_ms, const char *file,
		       int line);
int tmux_wait_dead_at(struct tmux *t, int timeout_ms, const char *file, int line);

/* The same wait without failing: false on timeout, with t->screen holding
 * the last capture. */
bool tmux_try_wait_until(struct tmux *t, tmux_pred pred, void *ctx, int timeout_ms);

/* True when the program has exited and tmux has read its terminal to the
 * end (the screen is final); *status (may be NULL) is its exit status, or
 * 128 + the signal number when a signal killed it; -1 while running. */
bool tmux_pane_dead(struct tmux *t, int *status);

/* Resize the window (and so the pane: the program gets SIGWINCH); fails
 * unless the pane has the new size afterwards. */
void tmux_resize(struct tmux *t, int cols, int rows);

/* Bytes the program has written to its terminal so far, as copied by
 * pipe-pane. The copy trails the screen by one hop through a pipe, so read
 * it once the output has settled (e.g. after the pane died). */
unsigned long long tmux_bytes_written(struct tmux *t);

/* From now on, also write every byte the program writes to its terminal
 * to fd (> 0; the benchmarks look at what the bytes are). */
void tmux_tee(struct tmux *t, int fd);

/* The exact total once the program has exited: kills the session (tmux
 * closes a pane's copy only then; capture what you need first) and waits
 * (up to timeout_ms) until every byte of the copy has been counted. */
unsigned long long tmux_bytes_final(struct tmux *t, int timeout_ms);

/* The private server's process id (tests of the harness's own cleanup). */
int tmux_server_pid(void);

/* Kill the session (unless HANDOFF_E2E_KEEP is set), close the FIFOs and
 * remove t->dir. Safe on a struct that never started or was killed. */
void tmux_kill(struct tmux *t);

/* Kill the private server now (also done at exit). */
void tmux_server_kill(void);

#endif
