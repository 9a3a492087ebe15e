/* Running external programs without a shell (DECISIONS 22): an argv vector,
 * stdout captured, stderr dropped, a hard time limit. Named runcmd, not
 * spawn: lib/ is on the include path and would hide the system <spawn.h>. */
#ifndef UBAPI_RUNCMD_H
#define UBAPI_RUNCMD_H

#include <stddef.h>

#include "sbuf.h"

struct spawn_result {
	int status;     /* exit code, 128+signal when killed, -1 when it never ran */
	int timed_out;  /* killed because timeout_ms passed */
};

/* Runs argv[0] (searched in PATH when it has no '/') with argv, stdin from
 * /dev/null, stdout appended to out (at most max_out bytes, the rest read
 * and discarded), stderr to /dev/null. timeout_ms <= 0 means no limit.
 * Returns 0 when the program ran (see res->status), -1 when it could not. */
int spawn_run(char *const argv[], int timeout_ms, size_t max_out, struct sbuf *out,
	      struct spawn_result *res);
/* A waitpid() status as a shell reports it: the exit code, 128 + the
 * signal, or -1. */
int spawn_exit_code(int wait_status);
/* The same as spawn_run with stdin read from the file input_path (NULL: /dev/null). */
int spawn_run_input(char *const argv[], const char *input_path, int timeout_ms, size_t max_out,
		    struct sbuf *out, struct spawn_result *res);

/* Splits a config value such as "/usr/bin/sudo" or "/usr/local/bin/expect -f"
 * on blanks into a NULL-terminated argv with room for extra more entries.
 * *argc gets the number of words. Free with spawn_argv_free(). */
char **spawn_argv_split(const char *cmd, size_t extra, size_t *argc);
void spawn_argv_free(char **argv);

#endif
