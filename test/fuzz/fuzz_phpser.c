/* libFuzzer target for the PHP unserialize() reader.
 *
 * Build and run (not part of the CMake build):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L \
 *     -D_DEFAULT_SOURCE -Ilib lib/sbuf.c lib/util.c lib/money.c lib/phpjson.c \
 *     lib/phpser.c test/fuzz/fuzz_phpser.c -lcjson -lm -o fuzz_phpser
 *   ./fuzz_phpser -max_total_time=60 -max_len=4096 corpus/
 *
 * Besides "no crash, no leak, no read past the input", every accepted input
 * must survive a round trip: writing the tree back and reading that again
 * gives a tree that writes to the same bytes, and the JSON printer accepts
 * or refuses it without crashing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phpjson.h"
#include "phpser.h"
#include "sbuf.h"

static void round_trip(const cJSON *v)
{
	struct sbuf w1 = SBUF_INIT, w2 = SBUF_INIT, js = SBUF_INIT;
	if (phpser_write_json(v, &w1) != 0)
		abort();
	cJSON *again = phpser_parse(w1.s, w1.len);
	if (!again || phpser_write_json(again, &w2) != 0)
		abort();
	if (w1.len != w2.len || memcmp(w1.s, w2.s, w1.len) != 0)
		abort();
	(void)phpjson_print_php(v, &js);
	cJSON_Delete(again);
	sbuf_free(&w1);
	sbuf_free(&w2);
	sbuf_free(&js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly size bytes, so ASan sees any overread. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	cJSON *v = phpser_parse(buf, size);
	free(buf);
	if (v) {
		round_trip(v);
		cJSON_Delete(v);
	}
	return 0;
}
