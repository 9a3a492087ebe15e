/* Ubilling's ini files, read the two ways PHP reads them (spec accounts §1.3). */
#ifndef UBAPI_INI_H
#define UBAPI_INI_H

#include <stddef.h>

enum ini_dialect {
	/* PHP parse_ini_file(): ';' comments anywhere outside quotes,
	 * yes/on/true -> "1", no/off/false/none/null -> "". */
	INI_PHP,
	/* Ubilling's RCMS reader (remoteapi gates): only whole-line ';'
	 * comments, one pair of surrounding quotes stripped, C escapes
	 * applied, yes/no kept as written. */
	INI_RCMS,
};

struct ini;

/* NULL when the file cannot be read; a missing file is not an error for
 * callers that treat it as empty, so they decide. */
struct ini *ini_load(const char *path, enum ini_dialect dialect);
struct ini *ini_parse(const char *text, size_t len, enum ini_dialect dialect);
void ini_free(struct ini *ini);

/* The value of the last occurrence of key (sections are flattened, as
 * Ubilling reads them), or NULL when the key is absent. */
const char *ini_get(const struct ini *ini, const char *key);
size_t ini_count(const struct ini *ini);

#endif
