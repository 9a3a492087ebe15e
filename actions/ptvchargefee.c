/* ptvchargefee: ProstoTV's monthly fee for every active subscriber, with no
 * call to ProstoTV (as in Ubilling: debtors go further negative, nobody is
 * suspended). The front's run lock and reqid keep it to one charge per
 * overlapping or retried call. */
#include "actions.h"
#include "prostotv.h"

void cmd_ptvchargefee(struct req *r)
{
	ptv_fee_processing(r);
}
