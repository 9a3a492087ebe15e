/* The unit tests' whole framework: CHECK records a pass or a failure with
 * its line, check_summary() prints "N passed, M failed" (the closing line
 * CI reads) and gives the exit status. */
#ifndef UBAPI_CHECK_H
#define UBAPI_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) check_record((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str_at((got), (want), __FILE__, __LINE__)
/* For helpers that report their caller's line. */
#define CHECK_AT(ok, what, line) check_record((ok), (what), __FILE__, (line))
#define CHECK_STR_AT(got, want, line) check_str_at((got), (want), __FILE__, (line))

static inline void check_record(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
}

static inline void check_str_at(const char *got, const char *want, const char *file, int line)
{
	int ok = got && want ? strcmp(got, want) == 0 : got == want;
	check_record(ok, "string equality", file, line);
	if (!ok)
		fprintf(stderr, "    got  \"%s\"\n    want \"%s\"\n", got ? got : "(null)",
			want ? want : "(null)");
}

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
