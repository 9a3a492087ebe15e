/* MikroTik RouterOS API, the classic plain-TCP protocol (port 8728):
 * sentences of length-prefixed words, replies !re / !done / !trap / !fatal,
 * the post-6.43 plain login and the legacy MD5 challenge login
 * (spec actions-network.md §6). Every socket operation has a timeout. */
#ifndef UBAPI_ROUTEROS_H
#define UBAPI_ROUTEROS_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Words longer than this are refused on read: no reply we use is close. */
#define ROS_MAX_WORD (1u << 20)
/* Words per sentence and sentences per command, so a hostile peer cannot
 * make us read forever. */
#define ROS_MAX_WORDS 4096
#define ROS_MAX_SENTENCES 100000

struct ros {
	int fd;
	int timeout_ms;
	unsigned char buf[4096];
	size_t pos, len;
};

struct ros_sentence {
	char **w; /* NUL-terminated copies (a word holding NUL is cut there) */
	size_t n;
};

struct ros_reply {
	struct ros_sentence *s;
	size_t n;
	bool trap; /* a !trap came before !done */
};

/* The length prefix of a word: 1 to 5 bytes into out; returns the count. */
size_t ros_len_encode(size_t len, unsigned char out[5]);
/* Decodes a prefix from in[0..avail): the prefix size (1..5) with *len set,
 * 0 when more bytes are needed. */
size_t ros_len_decode(const unsigned char *in, size_t avail, size_t *len);
/* Appends one word / the end-of-sentence byte to a buffer. */
void ros_word_put(struct sbuf *out, const char *word, size_t len);

/* TCP connect (non-blocking, timeout_ms) to host:port. 0 or -1. */
int ros_connect(struct ros *c, const char *host, unsigned port, int timeout_ms);
/* new_mode: /login =name= =password= (RouterOS >= 6.43); else the MD5
 * challenge-response. 0 logged in, -1 refused or broken. */
int ros_login(struct ros *c, const char *user, const char *password, bool new_mode);
/* connect + login, up to attempts times (PHP's RouterOS class: 3). */
int ros_open(struct ros *c, const char *host, unsigned port, const char *user,
	     const char *password, bool new_mode, int attempts, int timeout_ms);
void ros_close(struct ros *c);

/* Sends one sentence. Words are trimmed of surrounding whitespace, as PHP's
 * client does. 0 or -1. */
int ros_send(struct ros *c, const char *const *words, size_t n);
/* Reads one sentence. 0 or -1 (I/O error, timeout, oversize). */
int ros_read(struct ros *c, struct ros_sentence *s);
void ros_sentence_free(struct ros_sentence *s);
/* Sends a command and reads up to !done (or !fatal). 0 on !done (check
 * out->trap), -1 on !fatal or I/O failure. out may be NULL. */
int ros_command(struct ros *c, const char *const *words, size_t n, struct ros_reply *out);
void ros_reply_free(struct ros_reply *r);
/* The value of "=key=value" in a sentence, or NULL. */
const char *ros_attr(const struct ros_sentence *s, const char *key);

#endif
