#include "multigen.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "runcmd.h"
#include "switches.h"
#include "util.h"

extern char **environ;

/* One program of a pipeline with its redirections. */
struct stage {
	char **argv;
	size_t argc, cap;
	char *in, *out, *err;
	bool out_app, err_app, err_to_out;
};

enum conn { CONN_SEQ, CONN_AND };

struct pipeline {
	struct stage *st;
	size_t n;
	enum conn next; /* how the following pipeline depends on this one */
};

struct qline {
	struct pipeline *p;
	size_t n;
};

struct mlg_queue {
	char *path;
	struct sbuf file;
	struct qline *lines;
	size_t n, cap;
	bool used;
};

/* A pipeline must end within this, or it is killed: radclient's own retries
 * (-r 3 -t 1) take seconds, a hung helper must not pile up across runs. */
#define PIPE_TIMEOUT_MS 60000

struct mlg_queue *mlg_queue_new(const struct config *cfg, const char *kind, const char *id)
{
	struct mlg_queue *q = xcalloc(1, sizeof *q);
	char name[64];
	snprintf(name, sizeof name, "%s_queue_%s", kind, id);
	q->path = exports_path(cfg, name);
	return q;
}

bool mlg_queue_used(const struct mlg_queue *q)
{
	return q->used;
}

const char *mlg_queue_path(const struct mlg_queue *q)
{
	return q->path;
}

static void stage_free(struct stage *s)
{
	for (size_t i = 0; i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	free(s->in);
	free(s->out);
	free(s->err);
}

static void line_free(struct qline *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t k = 0; k < l->p[i].n; k++)
			stage_free(&l->p[i].st[k]);
		free(l->p[i].st);
	}
	free(l->p);
	l->p = NULL;
	l->n = 0;
}

void mlg_queue_free(struct mlg_queue *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		line_free(&q->lines[i]);
	free(q->lines);
	sbuf_free(&q->file);
	free(q->path);
	free(q);
}

/* --- template parsing ------------------------------------------------------ */

enum redir { R_NONE, R_IN, R_OUT, R_OUTAPP, R_ERR, R_ERRAPP };

struct parser {
	struct qline *l;
	struct pipeline *cur;
	struct stage *st;
	mlg_render_fn render;
	void *ctx;
};

static void new_pipeline(struct parser *p)
{
	struct qline *l = p->l;
	l->p = xrealloc(l->p, (l->n + 1) * sizeof *l->p);
	p->cur = &l->p[l->n++];
	memset(p->cur, 0, sizeof *p->cur);
	p->st = NULL;
}

static void new_stage(struct parser *p)
{
	if (!p->cur)
		new_pipeline(p);
	struct pipeline *c = p->cur;
	c->st = xrealloc(c->st, (c->n + 1) * sizeof *c->st);
	p->st = &c->st[c->n++];
	memset(p->st, 0, sizeof *p->st);
}

static void push_arg(struct parser *p, char *word)
{
	if (!p->st)
		new_stage(p);
	struct stage *s = p->st;
	if (s->argc + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->argv = xrealloc(s->argv, s->cap * sizeof *s->argv);
	}
	s->argv[s->argc++] = word;
	s->argv[s->argc] = NULL;
}

/* Ends the current pipeline; false when it or one of its stages is empty. */
static bool end_pipeline(struct parser *p, enum conn c)
{
	if (!p->cur)
		return c == CONN_SEQ; /* "; ;" and a leading newline are harmless */
	for (size_t i = 0; i < p->cur->n; i++)
		if (p->cur->st[i].argc == 0)
			return false;
	if (p->cur->n == 0)
		return false;
	p->cur->next = c;
	p->cur = NULL;
	p->st = NULL;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool ends_word(char c)
{
	return c == '\0' || is_blank(c) || strchr("\n;|&<>()`$", c) != NULL;
}

/* One word, quotes removed, into w; *pos past it. NULL on bad syntax. */
static const char *read_word(const char *s, size_t *pos, struct sbuf *w)
{
	size_t i = *pos;
	while (!ends_word(s[i])) {
		char c = s[i];
		if (c == '\'') {
			const char *e = strchr(s + i + 1, '\'');
			if (!e)
				return "unterminated quote";
			sbuf_add(w, s + i + 1, (size_t)(e - (s + i + 1)));
			i = (size_t)(e - s) + 1;
		} else if (c == '"') {
			i++;
			while (s[i] && s[i] != '"') {
				if (s[i] == '$' || s[i] == '`')
					return "shell expansion";
				if (s[i] == '\\' && s[i + 1] && strchr("\"\\$`\n", s[i + 1])) {
					if (s[i + 1] != '\n')
						sbuf_putc(w, s[i + 1]);
					i += 2;
					continue;
				}
				sbuf_putc(w, s[i++]);
			}
			if (!s[i])
				return "unterminated quote";
			i++;
		} else if (c == '\\') {
			if (!s[i + 1])
				return "trailing backslash";
			if (s[i + 1] != '\n')
				sbuf_putc(w, s[i + 1]);
			i += 2;
		} else {
			sbuf_putc(w, c);
			i++;
		}
	}
	if (s[i] && strchr("()`$", s[i]))
		return "shell expansion";
	*pos = i;
	return NULL;
}

static const char *parse_template(struct parser *p, const char *s)
{
	size_t i = 0;
	enum redir pend = R_NONE;
	for (;;) {
		while (is_blank(s[i]))
			i++;
		char c = s[i];
		if (c == '\0')
			break;
		if (pend != R_NONE && strchr("\n;|&<>#", c))
			return "redirection without a file";
		if (c == '#') {
			while (s[i] && s[i] != '\n')
				i++;
			continue;
		}
		if (c == '\n' || c == ';') {
			if (!end_pipeline(p, CONN_SEQ))
				return "empty command";
			i++;
			continue;
		}
		if (c == '&') {
			if (s[i + 1] == '&') {
				if (!end_pipeline(p, CONN_AND))
					return "empty command";
				i += 2;
				continue;
			}
			if (s[i + 1] == '>')
				return "unsupported redirection";
			/* "cmd &": the queue already runs detached */
			if (!end_pipeline(p, CONN_SEQ))
				return "empty command";
			i++;
			continue;
		}
		if (c == '|') {
			if (s[i + 1] == '|')
				return "unsupported operator ||";
			if (!p->st || p->st->argc == 0)
				return "empty command";
			new_stage(p);
			i++;
			continue;
		}
		if (c == '<') {
			if (s[i + 1] == '<' || s[i + 1] == '&' || s[i + 1] == '(')
				return "unsupported redirection";
			pend = R_IN;
			i++;
			continue;
		}
		if (c == '>' || (c == '1' && s[i + 1] == '>') || (c == '2' && s[i + 1] == '>')) {
			bool err = c == '2';
			if (c != '>')
				i++;
			i++;
			bool app = s[i] == '>';
			if (app)
				i++;
			if (s[i] == '&') {
				/* only 2>&1 */
				if (err && !app && s[i + 1] == '1' && ends_word(s[i + 2])) {
					if (!p->st)
						new_stage(p);
					p->st->err_to_out = true;
					i += 2;
					continue;
				}
				return "unsupported redirection";
			}
			if (s[i] == '|' || s[i] == '(')
				return "unsupported redirection";
			pend = err ? (app ? R_ERRAPP : R_ERR) : (app ? R_OUTAPP : R_OUT);
			continue;
		}
		if (strchr("()`$", c))
			return "shell expansion";
		struct sbuf w = SBUF_INIT;
		const char *why = read_word(s, &i, &w);
		if (why) {
			sbuf_free(&w);
			return why;
		}
		char *word = p->render(p->ctx, sbuf_str(&w));
		sbuf_free(&w);
		if (pend == R_NONE) {
			push_arg(p, word);
			continue;
		}
		if (!*word || strstr(word, "..")) {
			free(word);
			return "bad redirection target";
		}
		if (!p->st)
			new_stage(p);
		char **slot = pend == R_IN ? &p->st->in : (pend == R_OUT || pend == R_OUTAPP) ? &p->st->out : &p->st->err;
		free(*slot);
		*slot = word;
		if (pend == R_OUT || pend == R_OUTAPP)
			p->st->out_app = pend == R_OUTAPP;
		if (pend == R_ERR || pend == R_ERRAPP)
			p->st->err_app = pend == R_ERRAPP;
		pend = R_NONE;
	}
	if (pend != R_NONE)
		return "redirection without a file";
	if (p->cur && !end_pipeline(p, CONN_SEQ))
		return "empty command";
	return NULL;
}

bool mlg_queue_add(struct mlg_queue *q, const char *tpl, const char *line, mlg_render_fn render,
		   void *ctx, const char **why)
{
	q->used = true;
	sbuf_puts(&q->file, line);
	sbuf_putc(&q->file, '\n');
	struct qline l = { 0 };
	struct parser p = { .l = &l, .render = render, .ctx = ctx };
	*why = parse_template(&p, tpl ? tpl : "");
	if (*why) {
		line_free(&l);
		return false;
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->lines = xrealloc(q->lines, q->cap * sizeof *q->lines);
	}
	q->lines[q->n++] = l;
	return true;
}

/* --- running --------------------------------------------------------------- */

static void add_open(posix_spawn_file_actions_t *fa, int fd, const char *path, bool write, bool app)
{
	int flags = write ? (O_WRONLY | O_CREAT | (app ? O_APPEND : O_TRUNC)) : O_RDONLY;
	posix_spawn_file_actions_addopen(fa, fd, path, flags, 0644);
}

/* Runs one pipeline; the exit status of its last program. out_fd and err_fd
 * are where unredirected output goes. */
static int run_pipeline(const struct pipeline *pl, int out_fd, int err_fd)
{
	size_t n = pl->n;
	pid_t *pids = xcalloc(n, sizeof *pids);
	int prev_rd = -1;
	for (size_t k = 0; k < n; k++) {
		const struct stage *s = &pl->st[k];
		int pfd[2] = { -1, -1 };
		if (k + 1 < n) {
			if (pipe(pfd) != 0)
				break;
			fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
			fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
		}
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		if (s->in)
			add_open(&fa, 0, s->in, false, false);
		else if (prev_rd >= 0)
			posix_spawn_file_actions_adddup2(&fa, prev_rd, 0);
		else
			add_open(&fa, 0, "/dev/null", false, false);
		if (s->out)
			add_open(&fa, 1, s->out, true, s->out_app);
		else if (pfd[1] >= 0)
			posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
		else
			posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
		if (s->err)
			add_open(&fa, 2, s->err, true, s->err_app);
		else if (s->err_to_out)
			posix_spawn_file_actions_adddup2(&fa, 1, 2);
		else
			posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
		posix_spawnattr_t attr;
		posix_spawnattr_init(&attr);
		sigset_t none, dfl;
		sigemptyset(&none);
		sigemptyset(&dfl);
		sigaddset(&dfl, SIGPIPE);
		sigaddset(&dfl, SIGCHLD);
		posix_spawnattr_setsigmask(&attr, &none);
		posix_spawnattr_setsigdefault(&attr, &dfl);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
		pid_t pid = -1;
		if (posix_spawnp(&pid, s->argv[0], &fa, &attr, s->argv, environ) != 0)
			pid = -1;
		posix_spawnattr_destroy(&attr);
		posix_spawn_file_actions_destroy(&fa);
		pids[k] = pid;
		if (prev_rd >= 0)
			close(prev_rd);
		if (pfd[1] >= 0)
			close(pfd[1]);
		prev_rd = pfd[0];
	}
	if (prev_rd >= 0)
		close(prev_rd);
	int status = 127;
	long long deadline = clock_mono_ms() + PIPE_TIMEOUT_MS;
	size_t left = 0;
	for (size_t k = 0; k < n; k++)
		left += pids[k] > 0;
	while (left > 0) {
		for (size_t k = 0; k < n; k++) {
			if (pids[k] <= 0)
				continue;
			int st;
			pid_t w = waitpid(pids[k], &st, WNOHANG);
			if (w == 0)
				continue;
			if (w == pids[k] && k + 1 == n)
				status = spawn_exit_code(st);
			pids[k] = 0;
			left--;
		}
		if (left == 0)
			break;
		if (clock_mono_ms() > deadline) {
			for (size_t k = 0; k < n; k++)
				if (pids[k] > 0)
					kill(pids[k], SIGKILL);
			deadline = clock_mono_ms() + 1000;
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	free(pids);
	return status;
}

static void run_lines(const struct mlg_queue *q, int out_fd, int err_fd)
{
	for (size_t i = 0; i < q->n; i++) {
		int last = 0;
		enum conn c = CONN_SEQ;
		for (size_t k = 0; k < q->lines[i].n; k++) {
			const struct pipeline *pl = &q->lines[i].p[k];
			if (c == CONN_AND && last != 0) {
				c = pl->next;
				continue;
			}
			last = run_pipeline(pl, out_fd, err_fd);
			c = pl->next;
		}
	}
}

/* PHP's last queue line is `echo "" > file`: the file stays, holding "\n". */
static void empty_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t w = write(fd, "\n", 1);
		(void)w;
		close(fd);
	}
}

void mlg_queue_run(struct mlg_queue *q, const char *logpath)
{
	if (!q->used)
		return;
	/* The file as PHP leaves it before running: its lines, then the echo
	 * that empties it (kept for operators who run the file by hand). */
	sbuf_printf(&q->file, "/bin/echo \"\" > %s\n", q->path);
	file_append(q->path, q->file.s, q->file.len);
	chmod(q->path, 0755);
	if (logpath) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0664);
		int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int o = fd >= 0 ? fd : nul;
		run_lines(q, o, o);
		if (fd >= 0)
			close(fd);
		if (nul >= 0)
			close(nul);
		empty_file(q->path);
		return;
	}
	/* Detached, as PHP's "&": the reply does not wait for radclient. A
	 * double fork with setsid, so the worker never keeps a zombie and the
	 * runner outlives a worker restart. The runner touches no DB or FastCGI
	 * state and leaves with _exit(). */
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		setsid();
		pid_t g = fork();
		if (g != 0)
			_exit(0);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
		}
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
		run_lines(q, nul >= 0 ? nul : 1, nul >= 0 ? nul : 2);
		empty_file(q->path);
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}
