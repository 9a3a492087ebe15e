/* stgpeer: a loopback Stargazer configuration port for integration tests.
 *
 *   stgpeer --listen 127.0.0.1:PORT [--admin LOGIN:PASSWORD]
 *           [--mode normal|refuse|close|silent] [--users FILE]
 *           [--user login:cash:credit:passive:down:aonline:tariff:creditexpire[:password]]...
 *           [--tariff NAME]... [--log FILE] [--state FILE] [--io-timeout MS]
 *
 * Prints "stgpeer: listening on 127.0.0.1:PORT" (PORT 0 picks one), then
 * serves one connection at a time until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stgpeer_core.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(void)
{
	fputs("usage: stgpeer --listen 127.0.0.1:PORT [--admin LOGIN:PASSWORD]\n"
	      "               [--mode normal|refuse|close|silent] [--users FILE]\n"
	      "               [--user login:cash:credit:passive:down:aonline:tariff:creditexpire[:password]]...\n"
	      "               [--tariff NAME]... [--log FILE] [--state FILE] [--io-timeout MS]\n",
	      stderr);
	return 2;
}

struct args {
	struct stgpeer_opts o;
	const char *listen;
	char *admin; /* split in place at ':' */
	const char **users, **tariffs, *users_file;
	int nusers, ntariffs;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	a->users = xcalloc((size_t)argc, sizeof *a->users);
	a->tariffs = xcalloc((size_t)argc, sizeof *a->tariffs);
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!val)
			return -1;
		i++;
		if (strcmp(opt, "--listen") == 0)
			a->listen = val;
		else if (strcmp(opt, "--admin") == 0)
			a->admin = argv[i];
		else if (strcmp(opt, "--mode") == 0) {
			if (stgpeer_parse_mode(val, &a->o.mode) < 0)
				return -1;
		} else if (strcmp(opt, "--users") == 0)
			a->users_file = val;
		else if (strcmp(opt, "--user") == 0)
			a->users[a->nusers++] = val;
		else if (strcmp(opt, "--tariff") == 0)
			a->tariffs[a->ntariffs++] = val;
		else if (strcmp(opt, "--log") == 0)
			a->o.log_path = val;
		else if (strcmp(opt, "--state") == 0)
			a->o.state_path = val;
		else if (strcmp(opt, "--io-timeout") == 0 && str_is_digits(val))
			a->o.io_timeout_ms = atoi(val);
		else
			return -1;
	}
	if (a->admin) {
		char *colon = strchr(a->admin, ':');
		if (!colon)
			return -1;
		*colon = '\0';
		a->o.admin_login = a->admin;
		a->o.admin_password = colon + 1;
	}
	return a->listen ? 0 : -1;
}

static int setup(struct stgpeer *p, const struct args *a)
{
	if (a->users_file && stgpeer_load_users(p, a->users_file) < 0)
		return -1;
	for (int i = 0; i < a->nusers; i++)
		if (stgpeer_add_user(p, a->users[i]) < 0)
			return -1;
	for (int i = 0; i < a->ntariffs; i++)
		stgpeer_add_tariff(p, a->tariffs[i]);
	if (stgpeer_write_state(p) < 0)
		return -1;
	int port = stgpeer_listen(p, a->listen);
	if (port < 0)
		return -1;
	char ip[64];
	snprintf(ip, sizeof ip, "%.*s", (int)(strrchr(a->listen, ':') - a->listen), a->listen);
	printf("stgpeer: listening on %s:%d\n", ip, port);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	int rc = 2;
	if (parse_args(argc, argv, &a) < 0) {
		rc = usage();
		goto out;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct stgpeer *p = stgpeer_new(&a.o);
	rc = 1;
	if (p && setup(p, &a) == 0) {
		while (!stop && stgpeer_serve_once(p, 500) >= 0)
			;
		rc = stop ? 0 : 1;
	}
	stgpeer_free(p);
out:
	free(a.users);
	free(a.tariffs);
	return rc;
}
