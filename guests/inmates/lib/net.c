/* net.c - what the shared network stack (guests/net) needs from the inmate library: time. */
#include "inmate.h"
#include "net/net.h"

uint64_t net_now(void) { return timer_get_ticks(); }
uint64_t net_tick_rate(void) { return timer_get_frequency(); }

/* The ivshmem device as the driver wants it. */
void net_config_from_ivshmem(struct ivnet_config *cfg, const struct ivshmem_device *dev)
{
	*cfg = (struct ivnet_config){
		.registers = dev->registers,
		.id = dev->id,
		.state_table = dev->shmem,
		.output_sections = (uintptr_t)ivshmem_output_section(dev, 0),
		.output_size = (uint32_t)dev->output_size,
		.bdf = dev->bdf,
	};
}
