/* ubapi: the command-line twin of the FastCGI front, for crontab. It takes
 * the same argument the old /bin/ubapi wrapper took and needs no key: who
 * may run it is decided by file permissions. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "actions.h"
#include "front.h"
#include "sbuf.h"

static const char usage[] =
	"usage: ubapi [--root DIR] 'ACTION[&NAME=VALUE...]'\n"
	"       ubapi --list | --help | --version\n"
	"\n"
	"Runs one Ubilling remote API action in-process, through the same front\n"
	"controller and action table as ubapi.fcgi, without the key. Prints the\n"
	"reply on stdout. Exit status: 0, 1 when the reply starts with ERROR,\n"
	"2 for usage errors.\n"
	"\n"
	"  --root DIR  Ubilling root (config/alter.ini, billing.ini, mysql.ini,\n"
	"              ubapi.ini); default $UBAPI_ROOT, else " UBAPI_DEFAULT_ROOT "\n"
	"  --list      print the action table (name, then what it needs)\n"
	"\n"
	"examples: ubapi 'identify&param=save'   ubapi 'reset&param=user1'\n";

static void list_actions(void)
{
	size_t n;
	const struct action *a = action_table(&n);
	for (size_t i = 0; i < n; i++) {
		printf("%s", a[i].name);
		if (a[i].flags & ACT_KEYLESS)
			printf(" keyless");
		if ((a[i].flags & ACT_LOCK) && a[i].lock_name)
			printf(" lock=%s", a[i].lock_name);
		else if (a[i].flags & ACT_LOCK)
			printf(" lock=ubapi_%s", a[i].name);
		if (a[i].flags & ACT_BILLING)
			printf(" billing");
		printf(" db\n");
	}
}

int main(int argc, char **argv)
{
	const char *root = NULL, *call = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("ubapi " UBAPI_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--list") == 0) {
			list_actions();
			return 0;
		} else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
			root = argv[++i];
		} else if (argv[i][0] == '-' || call) {
			fputs(usage, stderr);
			return 2;
		} else {
			call = argv[i];
		}
	}
	if (!call || !*call) {
		fputs(usage, stderr);
		return 2;
	}
	/* errors go to syslog as in the FastCGI front, and to stderr so that
	 * cron mails them */
	openlog("ubapi", LOG_PID | LOG_PERROR, LOG_USER);
	struct sbuf query = SBUF_INIT;
	sbuf_printf(&query, "action=%s", call);
	struct worker w;
	worker_init(&w, front_root(root));
	struct req r;
	worker_serve(&w, &r, sbuf_str(&query), "127.0.0.1", NULL, true);
	fwrite(sbuf_str(&r.reply.body), 1, r.reply.body.len, stdout);
	if (isatty(STDOUT_FILENO))
		putchar('\n');
	int rc = strncmp(sbuf_str(&r.reply.body), "ERROR", 5) == 0 ? 1 : 0;
	req_free(&r);
	worker_free(&w);
	sbuf_free(&query);
	return rc;
}
