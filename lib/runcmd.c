#include "runcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "util.h"

extern char **environ;

int spawn_exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

int spawn_run(char *const argv[], int timeout_ms, size_t max_out, struct sbuf *out,
	      struct spawn_result *res)
{
	return spawn_run_input(argv, NULL, timeout_ms, max_out, out, res);
}

int spawn_run_input(char *const argv[], const char *input_path, int timeout_ms, size_t max_out,
		    struct sbuf *out, struct spawn_result *res)
{
	res->status = -1;
	res->timed_out = 0;
	if (!argv || !argv[0] || !argv[0][0])
		return -1;
	int pfd[2];
	if (pipe(pfd) != 0)
		return -1;
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, input_path ? input_path : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Its own process group, so a timeout also ends what the program started. */
	posix_spawnattr_setpgroup(&attr, 0);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	sigset_t dfl;
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int rc = strchr(argv[0], '/') ? posix_spawn(&pid, argv[0], &fa, &attr, argv, environ)
				       : posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		return -1;
	}
	long long deadline = timeout_ms > 0 ? clock_mono_ms() + timeout_ms : 0;
	size_t taken = 0;
	char buf[8192];
	for (;;) {
		int wait_ms = -1;
		if (deadline) {
			long long left = deadline - clock_mono_ms();
			if (left <= 0) {
				res->timed_out = 1;
				kill(-pid, SIGKILL);
				break;
			}
			wait_ms = left > 1000 ? 1000 : (int)left;
		}
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int n = poll(&p, 1, wait_ms);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		ssize_t got = read(pfd[0], buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (taken < max_out) {
			size_t keep = (size_t)got;
			if (keep > max_out - taken)
				keep = max_out - taken;
			sbuf_add(out, buf, keep);
			taken += keep;
		}
	}
	close(pfd[0]);
	int st = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, deadline && !res->timed_out ? WNOHANG : 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			st = -1;
			break;
		}
		if (w == 0) {
			/* stdout closed but the program lives on: give it the rest of its time */
			if (clock_mono_ms() >= deadline) {
				res->timed_out = 1;
				kill(-pid, SIGKILL);
			} else {
				struct timespec ts = { 0, 10 * 1000000L };
				nanosleep(&ts, NULL);
			}
		}
	}
	res->status = st == -1 ? -1 : spawn_exit_code(st);
	return 0;
}

char **spawn_argv_split(const char *cmd, size_t extra, size_t *argc)
{
	size_t n = 0, cap = 4 + extra;
	char **v = xcalloc(cap, sizeof *v);
	const char *p = cmd ? cmd : "";
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ' ' && *e != '\t')
			e++;
		if (n + extra + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = xstrndup(p, (size_t)(e - p));
		p = e;
	}
	for (size_t i = n; i < cap; i++)
		v[i] = NULL;
	if (argc)
		*argc = n;
	return v;
}

void spawn_argv_free(char **argv)
{
	if (!argv)
		return;
	for (size_t i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}
