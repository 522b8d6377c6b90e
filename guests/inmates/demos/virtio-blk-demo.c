/* virtio-blk-demo - a virtio disk from the inmate side (the front-end of a virtio-ivshmem link; the root
 * cell serves an image with `virtio-ivshmem-block`).
 *
 * Reads a sector and says what it holds, writes this run's pattern (a header with the run number, then
 * bytes derived from it), flushes, reads it back and compares, and prints the sector's checksum.  A later
 * run (after `jailhouse cell shutdown/load/start`) finds the previous run's pattern: the back-end keeps the
 * data.  Command line: vpci_irq_base=N (default 37), bar=ADDR, sector=N (default 1), and mib=N: then it
 * also writes and reads N MiB in requests of up to 64 KiB (the throughput `npm run bench` measures). */
#include "virtio.h"

CMDLINE_BUFFER(128);

#define MAGIC "JHLAB-VBLK run "

static struct virtio_blk blk;
static u8 sector_buf[512], check_buf[512];
static u8 bulk[64 * 1024];

static void handle_irq(unsigned int irq)
{
	if (blk.vi.hdr && irq == blk.vi.irq)
		virtio_ivshmem_interrupt(&blk.vi);
}

static u32 fnv1a(const u8 *p, unsigned long n, u32 h)
{
	for (unsigned long i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static unsigned long previous_run(const u8 *s)
{
	unsigned long run = 0, i = sizeof(MAGIC) - 1;
	if (memcmp(s, MAGIC, sizeof(MAGIC) - 1))
		return 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		run = run * 10 + (s[i] - '0');
	return run;
}

static int fail(const char *what)
{
	printk("virtio-blk-demo: %s failed: %s\n", what, blk.vi.error ? blk.vi.error : "I/O error");
	return -1;
}

static int bulk_transfer(unsigned long mib)
{
	unsigned long bytes = mib << 20, chunk = sizeof(bulk) < blk.data_size ? sizeof(bulk) : blk.data_size;
	u64 area = blk.capacity > 16 ? blk.capacity - 16 : 0;   /* sectors 16.. are the bulk area */
	if (area * 512 < chunk)
		return printk("virtio-blk-demo: the disk is too small for mib=\n"), -1;
	u64 start = timer_get_ticks();
	u32 sum = 2166136261u;
	u64 at = 0;
	for (unsigned long done = 0; done < bytes; done += chunk) {
		if (at + chunk / 512 > area)
			at = 0;
		for (unsigned long i = 0; i < chunk; i++)
			bulk[i] = (u8)(done / chunk + i);
		if (virtio_blk_write(&blk, 16 + at, bulk, (u32)chunk))
			return fail("bulk write");
		at += chunk / 512;
	}
	at = 0;
	for (unsigned long done = 0; done < bytes; done += chunk) {
		if (at + chunk / 512 > area)
			at = 0;
		if (virtio_blk_read(&blk, 16 + at, bulk, (u32)chunk))
			return fail("bulk read");
		sum = fnv1a(bulk, chunk, sum);
		at += chunk / 512;
	}
	u64 ticks = timer_get_ticks() - start;
	printk("virtio-blk-demo: wrote %lu MiB, read %lu MiB in %lu KiB requests, checksum %08x, %lu ms board time\n", mib, mib,
	       chunk >> 10, sum, (unsigned long)(ticks * 1000 / timer_get_frequency()));
	return 0;
}

/* After the work: answer the hypervisor's messages (a shutdown request is approved) until stopped. */
static void idle(void)
{
	for (;;) {
		if (comm_region_handle_message(0) == JAILHOUSE_MSG_SHUTDOWN_REQUEST)
			stop();
		disable_irqs();
		timer_start(timer_get_frequency() / 100);
		irq_enable(IRQ_TIMER);
		wait_for_interrupt();
		enable_irqs();
	}
}

static void run(void)
{
	unsigned int irq_base = (unsigned int)cmdline_parse_int("vpci_irq_base", 37);
	unsigned long bar = (unsigned long)cmdline_parse_int("bar", 0x40000000);
	u64 sector = (u64)cmdline_parse_int("sector", 1);
	long mib = cmdline_parse_int("mib", 0);
	irq_init(handle_irq);
	enable_irqs();
	printk("virtio-blk-demo: waiting for the back-end\n");
	if (virtio_blk_open(&blk, irq_base, bar, 0)) {
		fail("setup");
		return;
	}
	printk("virtio-blk-demo: disk of %lu sectors (%lu KiB), size_max %u, seg_max %u, flush %s\n",
	       (unsigned long)blk.capacity, (unsigned long)(blk.capacity / 2), blk.size_max, blk.seg_max,
	       blk.vi.features >> VIRTIO_BLK_F_FLUSH & 1 ? "yes" : "no");
	if (virtio_blk_read(&blk, sector, sector_buf, 512)) {
		fail("read");
		return;
	}
	unsigned long prev = previous_run(sector_buf);
	if (prev)
		printk("virtio-blk-demo: sector %lu holds the pattern of run %lu\n", (unsigned long)sector, prev);
	else
		printk("virtio-blk-demo: sector %lu holds no pattern yet (checksum %08x)\n", (unsigned long)sector,
		       fnv1a(sector_buf, 512, 2166136261u));
	unsigned long run = prev + 1;
	int n = snprintf((char *)sector_buf, 512, MAGIC "%lu\n", run);
	for (int i = n; i < 512; i++)
		sector_buf[i] = (u8)(i * 7 + run);
	if (virtio_blk_write(&blk, sector, sector_buf, 512) || virtio_blk_flush(&blk)) {
		fail("write");
		return;
	}
	if (virtio_blk_read(&blk, sector, check_buf, 512)) {
		fail("read back");
		return;
	}
	if (memcmp(sector_buf, check_buf, 512)) {
		printk("virtio-blk-demo: run %lu: sector %lu read back DIFFERS\n", run, (unsigned long)sector);
		return;
	}
	printk("virtio-blk-demo: run %lu wrote sector %lu, read back ok, checksum %08x\n", run, (unsigned long)sector,
	       fnv1a(check_buf, 512, 2166136261u));
	if (mib > 0 && bulk_transfer((unsigned long)mib))
		return;
	printk("virtio-blk-demo: done\n");
}

void inmate_main(void)
{
	run();
	idle();
}
