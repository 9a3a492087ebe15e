/* Native client of Stargazer's configuration protocol (SG04, port 5555), the
 * billing core a real Ubilling install talks to through sgconf_xml.
 * Protocol: spec/stargazer-protocol.md. One request per TCP connection. */
#ifndef UBAPI_STARGAZER_H
#define UBAPI_STARGAZER_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Error codes: every function below returns 0 or one of these. */
enum {
	STG_OK = 0,
	STG_E_INVALID = -1,  /* bad argument (login, amount, ...): nothing was sent */
	STG_E_TOOLONG = -2,  /* request XML over 1023 bytes: the server would drop it */
	STG_E_CONNECT = -3,  /* resolve or TCP connect failed (or timed out) */
	STG_E_TIMEOUT = -4,  /* no progress before the deadline after connecting */
	STG_E_CLOSED = -5,   /* connection closed or reset before a complete answer */
	STG_E_HEADER = -6,   /* ERHD: protocol header refused */
	STG_E_ADMIN = -7,    /* ERLG: no such admin */
	STG_E_PASSWORD = -8, /* ERLS: wrong admin password */
	STG_E_PROTO = -9,    /* unexpected status bytes, oversized answer */
	STG_E_REFUSED = -10, /* the server answered with an error */
	STG_E_ANSWER = -11,  /* answer malformed or not an answer to what was asked */
};

#define STG_MAX_XML 1023 /* §4.1: the server reads at most 1024 bytes of request */

struct stg_conf {
	const char *host;     /* NULL: "localhost" */
	int port;             /* <= 0: 5555 */
	const char *login;    /* admin login, 1..31 bytes */
	const char *password; /* admin password, used up to 32 bytes */
	int timeout_ms;       /* whole exchange, connect included; <= 0: 5000 */
};

const char *stg_strerror(int err);

/* One exchange on a fresh connection: sends xml, puts the decrypted answer
 * XML into answer (reset first). Returns 0 or a negative STG_E_* code. */
int stg_request(const struct stg_conf *c, const char *xml, struct sbuf *answer);

/* Appends the XML for one SetUser field in Ubilling's exact spacing,
 * <elem attr="value" />, with value XML-escaped. */
void stg_field(struct sbuf *out, const char *elem, const char *attr, const char *value);

/* <SetUser><login value="LOGIN" />FIELD_XML</SetUser>. Success is only
 * <SetUser result="ok"/>. On failure err (may be NULL) gets one line saying
 * why, fit for a log. */
int stg_set_user(const struct stg_conf *c, const char *login, const char *field_xml,
                 struct sbuf *err);

/* Ubilling's SetUser calls (api/sgconfxml). Amounts must match
 * -?[0-9]+(.[0-9]+)? so an empty or odd value can never reach the server,
 * which would take "" as 0. Flags are 0 or 1. */
int stg_add_cash(const struct stg_conf *c, const char *login, const char *amount, struct sbuf *err);
int stg_set_cash(const struct stg_conf *c, const char *login, const char *amount, struct sbuf *err);
int stg_set_credit(const struct stg_conf *c, const char *login, const char *amount, struct sbuf *err);
int stg_set_credit_expire(const struct stg_conf *c, const char *login, long long epoch,
                          struct sbuf *err);
int stg_set_passive(const struct stg_conf *c, const char *login, int on, struct sbuf *err);
int stg_set_down(const struct stg_conf *c, const char *login, int on, struct sbuf *err);
int stg_set_aonline(const struct stg_conf *c, const char *login, int on, struct sbuf *err);
int stg_set_tariff(const struct stg_conf *c, const char *login, const char *tariff,
                   struct sbuf *err);

/* Values as the server prints them ("45.000000", "1", "Test" or "Cur/Next"). */
struct stg_user {
	char *cash, *credit, *passive, *down, *aonline, *tariff, *creditexpire;
};

/* GetUser; u is filled only on success and then freed with stg_user_free.
 * An unknown user is STG_E_REFUSED with the server's reason in err. */
int stg_get_user(const struct stg_conf *c, const char *login, struct stg_user *u,
                 struct sbuf *err);
void stg_user_free(struct stg_user *u);

/* The rules the helpers apply before sending anything. */
bool stg_login_ok(const char *login); /* [A-Za-z0-9_.@-]{1,64} (§9.14) */
bool stg_amount_ok(const char *amount);

/* --- Below: the protocol's pieces, public for the unit tests and the
 * loopback test peer (test/peers), which speaks the server side. --- */

struct stg_key; /* Blowfish key schedule, derived as in §2.2 */

struct stg_key *stg_key_new(const char *password);
void stg_key_free(struct stg_key *k);
/* ECB on whole 8-byte blocks with Stargazer's little-endian halves (§2.3);
 * len must be a multiple of 8; in and out may be the same buffer. */
void stg_encrypt(const struct stg_key *k, const unsigned char *in, unsigned char *out, size_t len);
void stg_decrypt(const struct stg_key *k, const unsigned char *in, unsigned char *out, size_t len);

#define STG_FIELD_LEN 32
/* Handshake step 3: the login NUL-padded to 32 bytes. */
void stg_wire_login(const char *login, unsigned char out[STG_FIELD_LEN]);
/* Handshake step 5: the login with its NUL, encrypted, then raw zeros. */
void stg_wire_cryptologin(const struct stg_key *k, const char *login,
                          unsigned char out[STG_FIELD_LEN]);
/* Text + NUL, zero-padded to 8 and encrypted: a request or an answer. */
void stg_wire_seal(const struct stg_key *k, const char *text, struct sbuf *out);
/* Decrypts whole blocks of in, appending plaintext to text up to the first
 * NUL. Returns 1 once the NUL was seen, 0 if more blocks are needed. */
int stg_wire_open(const struct stg_key *k, const unsigned char *in, size_t len, struct sbuf *text);

/* A tolerant scanner for Stargazer's flat XML, one tag per call. */
enum { STG_XML_OPEN, STG_XML_CLOSE, STG_XML_EMPTY };
struct stg_xml_attr {
	char *name, *value; /* value with entities decoded */
};
struct stg_xml_tag {
	char *name;
	int kind;
	size_t nattr;
	struct stg_xml_attr *attr;
};
/* Reads the next tag from *pos (skipping text, comments and <?...?>).
 * Returns 1 with t filled (free it with stg_xml_tag_free), 0 at the end,
 * -1 on a malformed tag. */
int stg_xml_next(const char **pos, struct stg_xml_tag *t);
void stg_xml_tag_free(struct stg_xml_tag *t);
/* Attribute by name, case-insensitively; NULL when absent. */
const char *stg_xml_attr(const struct stg_xml_tag *t, const char *name);
/* 0 when xml is one balanced element with only blanks around it. */
int stg_xml_check(const char *xml);
void stg_xml_escape(struct sbuf *out, const char *s);

#endif
