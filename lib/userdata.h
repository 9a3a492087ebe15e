/* Ubilling's "user all data" (zb_UserGetAllData) for one login, read from
 * MySQL rather than the USER_ALL_DATA cache (fresher; same fields).
 *
 * Fields in Ubilling's order: login, realname, Passive, Down, Password,
 * AlwaysOnline, Tariff, TariffChange, Credit, Cash, ip, mac, cityname,
 * streetname, buildnum, entrance, floor, apt, geo, [postal_code,
 * town_district, address_exten when ADDRESS_EXTENDED_ENABLED], fulladress,
 * phone, mobile, contract, email. Values are the server's strings (NULL ->
 * null). Where a user has several phones/contracts/emails rows, the last
 * join row wins, as in the cached array PHP builds. fulladress follows
 * ZERO_TOLERANCE / CITY_DISPLAY exactly as PHP's SQL concat does (NULL when
 * any part is NULL). */
#ifndef UBAPI_USERDATA_H
#define UBAPI_USERDATA_H

#include <cjson/cJSON.h>

#include "req.h"

/* 1 with *out an object, 0 when the login has no users row, -1 DB error. */
int userdata_get(struct req *r, const char *login, cJSON **out);
/* login => the same object for every user, in one query. 0, or -1. */
int userdata_all(struct req *r, cJSON **out);

/* The contragent assigned to login (Ubilling's agent assignment): strict
 * (getagentdata: ahenassignstrict first, then the street rules on
 * "city street build/apt") or not (asterisk getcontragentdata: the street
 * rules on the configured full address; users without an address get
 * none). *out is the contrahens row as an object in column order, or an
 * empty object (PHP []) when there is none. 0, or -1 on a DB error. */
int agent_data(struct req *r, const char *login, bool strict, cJSON **out);

/* The userbynum/userbyip reply: {"result":0} or {"result":1,"userdata":
 * {...}[+paymentid]} with PHP's headers. login NULL: not found. */
void userdata_reply(struct req *r, const char *login);

#endif
