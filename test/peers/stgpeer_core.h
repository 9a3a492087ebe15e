/* A loopback stand-in for Stargazer's configuration port (the server side
 * of SG04, spec/stargazer-protocol.md) with users kept in memory, for
 * integration tests. Shared by the stgpeer program and the unit tests. */
#ifndef UBAPI_STGPEER_CORE_H
#define UBAPI_STGPEER_CORE_H

enum stgpeer_mode {
	STGPEER_NORMAL,
	STGPEER_REFUSE, /* every SetUser answers <SetUser result="error"/> */
	STGPEER_CLOSE,  /* read each request, hang up without an answer */
	STGPEER_SILENT, /* read each request, never answer, keep the socket */
};

struct stgpeer_opts {
	const char *admin_login;    /* NULL: "admin" */
	const char *admin_password; /* NULL: "123456" */
	enum stgpeer_mode mode;
	const char *log_path;   /* every request XML received, one per line; NULL: none */
	const char *state_path; /* user table dump after every change; NULL: none */
	int io_timeout_ms;      /* per connection; <= 0: 10000 */
};

struct stgpeer;

/* NULL (with a message on stderr) if the log cannot be opened. */
struct stgpeer *stgpeer_new(const struct stgpeer_opts *o);
void stgpeer_free(struct stgpeer *p);

int stgpeer_parse_mode(const char *s, enum stgpeer_mode *mode);
/* login[:cash[:credit[:passive[:down[:aonline[:tariff[:creditexpire[:password]]]]]]]];
 * omitted fields: 0, tariff "*_NO_TARIFF_*", password "*_EMPTY_PASSWORD_*". */
int stgpeer_add_user(struct stgpeer *p, const char *spec);
/* One such spec per line; blank lines and lines starting with # skipped. */
int stgpeer_load_users(struct stgpeer *p, const char *path);
/* Once any tariff is declared, "tariff now|delayed" must name one of them
 * (an unknown one fails the SetUser, as on the real server). */
void stgpeer_add_tariff(struct stgpeer *p, const char *name);

/* Binds "A.B.C.D:PORT", which must be in 127.0.0.0/8; port 0 picks a free
 * one. Returns the port, or -1. */
int stgpeer_listen(struct stgpeer *p, const char *addr);
/* Waits up to wait_ms for one connection and serves it to the end.
 * 1: served one, 0: nobody came, -1: error. */
int stgpeer_serve_once(struct stgpeer *p, int wait_ms);

/* "login cash credit passive down aonline tariff creditexpire" per user,
 * cash and credit as %f; replaced atomically. 0 or -1. */
int stgpeer_write_state(struct stgpeer *p);

#endif
