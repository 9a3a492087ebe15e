/* SendDog's SMS layer shared by the classic run (senddog_classic.c) and
 * the advanced, sms_services-driven one (senddog_advanced.c): the queue
 * read into memory, and the gateways, keyed by the classic service ids. */
#ifndef UBAPI_SENDDOG_SMS_H
#define UBAPI_SENDDOG_SMS_H

#include <stdbool.h>
#include <stddef.h>

#include "senddog.h"

/* One readable SMS queue entry. srvid: SMSSRVID ("" when absent). */
struct sd_msg {
	char *name, *number, *message, *srvid;
};

struct sd_msgs {
	char *dir;
	size_t listed; /* names found: the count senddog reports */
	size_t n;
	struct sd_msg *v;
};

/* Lists and reads content/tsms/ (PHP's getQueueData); entries that are
 * locked, young or malformed are left out (malformed old ones are set
 * aside). The files stay where they are. */
void sd_msgs_read(struct req *r, struct sd_msgs *q);
void sd_msgs_free(struct sd_msgs *q);

/* A settings table of the shape sd_services_load() fills, for a service
 * configured from elsewhere (an sms_services row). */
struct sd_services *sd_services_new(void);
void sd_services_put(struct sd_services *s, const char *key, const char *value);

/* Whether ubapi sends through gateway id itself. */
bool sd_sms_supported(const char *id);

/* Sends messages (all for one gateway) with settings s. srvid: the
 * sms_services id in advanced mode (NULL in classic mode): it selects the
 * advanced variants of a gateway and goes into sms_history. Each file is
 * claimed (locked, still there) right before it is sent or batched, and
 * deleted as the gateway's PHP class deletes it. */
void sd_sms_push(struct req *r, const struct sd_services *s, const char *id, const char *srvid,
		 const char *dir, struct sd_msg *m, size_t n);

/* The delivery-status routine of gateway id for the sms_history rows not
 * yet final (classic: all; advanced: those of srvid). false when the
 * gateway has none. */
bool sd_sms_status_native(const char *id);
bool sd_sms_status(struct req *r, const struct sd_services *s, const char *id, const char *srvid,
		   bool is_default);

#endif
