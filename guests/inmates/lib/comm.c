/* comm.c - the message protocol with the hypervisor through the communication region. */
#include "inmate.h"

void comm_region_set_state(u32 state)
{
	comm_region->cell_state = state;
}

u32 comm_region_handle_message(shutdown_policy_t approve)
{
	u32 msg = comm_region->msg_to_cell;
	switch (msg) {
	case JAILHOUSE_MSG_NONE:
		break;
	case JAILHOUSE_MSG_SHUTDOWN_REQUEST:
		jailhouse_send_reply_from_cell(comm_region, !approve || approve() ? JAILHOUSE_MSG_REQUEST_APPROVED
									   : JAILHOUSE_MSG_REQUEST_DENIED);
		break;
	case JAILHOUSE_MSG_RECONFIG_COMPLETED:
		jailhouse_send_reply_from_cell(comm_region, JAILHOUSE_MSG_RECEIVED);
		break;
	default:
		jailhouse_send_reply_from_cell(comm_region, JAILHOUSE_MSG_UNKNOWN);
		break;
	}
	return msg;
}
