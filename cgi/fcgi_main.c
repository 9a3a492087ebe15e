/* ubapi.fcgi: the FastCGI front. Serves on an inherited socket (spawn-fcgi,
 * systemd socket activation, mod_fcgid) or on --listen with --workers
 * prefork workers; each worker keeps its configuration and one database
 * connection across requests. */
#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "front.h"
#include "util.h"

#define MAX_WORKERS 256

static const char usage[] =
	"usage: ubapi.fcgi [--root DIR] [--listen unix:PATH|HOST:PORT] [--workers N]\n"
	"\n"
	"Without --listen (and without ubapi.ini listen=) it serves on the socket it\n"
	"inherited: fd 0 from spawn-fcgi or mod_fcgid, or systemd's LISTEN_FDS.\n";

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t in_request;

static void on_worker_term(int sig)
{
	(void)sig;
	/* idle in accept(): nothing to finish, leave now */
	if (!in_request)
		_exit(0);
	stop_requested = 1;
}

static void on_master_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void write_reply(FCGX_Request *fr, const struct req *r)
{
	const char *reason = r->reply.status == 200 ? "OK"
			   : r->reply.status == 400 ? "Bad Request" : "Error";
	FCGX_FPrintF(fr->out,
		     "Status: %d %s\r\nContent-Type: %s\r\n"
		     "Cache-Control: no-store, no-cache, must-revalidate\r\nPragma: no-cache\r\n",
		     r->reply.status, reason, r->reply.content_type);
	if (r->reply.headers.len)
		FCGX_PutStr(r->reply.headers.s, (int)r->reply.headers.len, fr->out);
	FCGX_PutStr("\r\n", 2, fr->out);
	if (r->reply.body.len)
		FCGX_PutStr(r->reply.body.s, (int)r->reply.body.len, fr->out);
}

static int serve(int listen_fd, const char *root)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_worker_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct worker w;
	worker_init(&w, root);
	FCGX_Request fr;
	FCGX_InitRequest(&fr, listen_fd, 0);
	while (!stop_requested && FCGX_Accept_r(&fr) >= 0) {
		in_request = 1;
		struct req r;
		worker_serve(&w, &r, FCGX_GetParam("QUERY_STRING", fr.envp),
			     FCGX_GetParam("REMOTE_ADDR", fr.envp),
			     FCGX_GetParam("HTTP_X_FORWARDED_FOR", fr.envp), false);
		write_reply(&fr, &r);
		req_free(&r);
		/* Apache's mod_proxy_fcgi sends the empty FCGI_STDIN record after
		 * the params and answers 503 if we closed before it could: read
		 * stdin to its end first, as php-fpm does. */
		while (FCGX_GetChar(fr.in) != EOF)
			;
		/* The web server has now sent everything and closes on END_REQUEST;
		 * without detaching, libfcgi would shut down and wait for that
		 * close before the next accept, a scheduler round trip per request. */
		FCGX_Detach(&fr);
		FCGX_Finish_r(&fr);
		in_request = 0;
	}
	FCGX_Free(&fr, 1);
	worker_free(&w);
	return 0;
}

/* systemd socket activation hands over fd 3 with LISTEN_PID/LISTEN_FDS. */
static int inherited_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (pid && fds && atol(pid) == (long)getpid() && atoi(fds) >= 1)
		return 3;
	return FCGI_LISTENSOCK_FILENO;
}

static int open_listener(const char *spec, const char *mode)
{
	const char *path = strncmp(spec, "unix:", 5) == 0 ? spec + 5 : spec;
	if (path != spec)
		unlink(path); /* a stale socket from a previous run */
	int fd = FCGX_OpenSocket(path, 128);
	if (fd < 0) {
		fprintf(stderr, "ubapi.fcgi: cannot listen on %s: %s\n", spec, strerror(errno));
		return -1;
	}
	if (path != spec)
		chmod(path, (mode_t)strtol(mode, NULL, 8));
	return fd;
}

static int run_workers(int listen_fd, const char *root, int nworkers)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_master_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	pid_t pids[MAX_WORKERS] = { 0 };
	time_t last_spawn[MAX_WORKERS] = { 0 };
	while (!stop_requested) {
		for (int i = 0; i < nworkers; i++) {
			if (pids[i] > 0)
				continue;
			/* a worker that keeps dying must not turn into a fork loop */
			if (time(NULL) - last_spawn[i] < 1)
				continue;
			last_spawn[i] = time(NULL);
			pid_t pid = fork();
			if (pid == 0)
				_exit(serve(listen_fd, root));
			if (pid > 0)
				pids[i] = pid;
		}
		int status;
		pid_t dead = waitpid(-1, &status, 0);
		if (dead < 0) {
			if (errno == EINTR)
				continue;
			sleep(1);
			continue;
		}
		for (int i = 0; i < nworkers; i++)
			if (pids[i] == dead) {
				pids[i] = 0;
				if (!stop_requested)
					syslog(LOG_WARNING, "ubapi.fcgi: worker %d exited (status %d), restarting",
					       (int)dead, status);
			}
	}
	for (int i = 0; i < nworkers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < nworkers; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *root_arg = NULL, *listen_arg = NULL;
	int nworkers = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
			root_arg = argv[++i];
		else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen_arg = argv[++i];
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
			nworkers = atoi(argv[++i]);
		else if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	const char *root = front_root(root_arg);
	openlog("ubapi.fcgi", LOG_PID, LOG_DAEMON);
	if (FCGX_Init() != 0) {
		fputs("ubapi.fcgi: FCGX_Init failed\n", stderr);
		return 1;
	}
	/* ubapi.ini may name the listener and pool size instead of flags */
	struct config cfg;
	config_init(&cfg, root);
	char *listen_spec = xstrdup(listen_arg ? listen_arg : cfg_ubapi(&cfg, "listen", ""));
	char *mode = xstrdup(cfg_ubapi(&cfg, "listen_mode", "0666"));
	if (nworkers <= 0)
		nworkers = (int)cfg_ubapi_long(&cfg, "workers", 0);
	config_free(&cfg);
	if (nworkers > MAX_WORKERS || nworkers < 0) {
		fprintf(stderr, "ubapi.fcgi: --workers must be 1..%d\n", MAX_WORKERS);
		return 2;
	}
	int fd = *listen_spec ? open_listener(listen_spec, mode) : inherited_socket();
	free(listen_spec);
	free(mode);
	if (fd < 0)
		return 1;
	if (nworkers == 0)
		return serve(fd, root);
	return run_workers(fd, root, nworkers);
}
