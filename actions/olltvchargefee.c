/* olltvchargefee: OllTV's monthly fee for every active subscriber whose
 * balance covers it (and who is not frozen); the others are suspended at
 * oll.tv, and locally only once oll.tv confirmed. The front's run lock and
 * reqid keep it to one charge per overlapping or retried call. */
#include "actions.h"
#include "olltv.h"

void cmd_olltvchargefee(struct req *r)
{
	olltv_fee_processing(r);
}
