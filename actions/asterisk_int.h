/* What the asterisk param handlers share: the request's common part. */
#ifndef UBAPI_ASTERISK_INT_H
#define UBAPI_ASTERISK_INT_H

#include "actions.h"

struct ast {
	const char *number; /* trimmed raw number, "" when absent */
	const char *login;  /* raw login, "" when absent */
	bool have_user;     /* a users row for login */
	char cash[64], credit[64], expire[24], passive[8], tariff[64], ip[64];
};

void ast_setcredit(struct req *r, struct ast *a);
void ast_paycardpay(struct req *r, struct ast *a);
void ast_setpause(struct req *r, struct ast *a);
void ast_setunpause(struct req *r, struct ast *a);

void ast_getuserdatabylogin(struct req *r, struct ast *a);
void ast_getuserdatabymobile(struct req *r, struct ast *a);
void ast_getcontractsbymobile(struct req *r, struct ast *a);
void ast_addusermobile(struct req *r, struct ast *a);
void ast_data_by_login(struct req *r, struct ast *a, const char *param);
void ast_userinfo(struct req *r, struct ast *a, const char *param);

/* Ends the request with text and a weblog of the same text. */
void ast_say(struct req *r, const char *text);

#endif
