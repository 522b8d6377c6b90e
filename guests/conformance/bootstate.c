/* bootstate - what a guest can see of the machine the firmware hands over (QEMU virt + OpenSBI):
 * UART0 as OpenSBI's uart8250_init leaves it (8N1, FIFO on, divisor 2, modem lines off), scounteren = 7,
 * the mask ROM at 0x1000 (reset vector + fw_dynamic_info naming this program, read-only, writes ignored),
 * the PCI MMIO and port windows reading all ones where nothing is mapped (writes ignored), and the
 * firmware's region 0x80000000..0x8007ffff closed to S-mode (loads 5, stores 7, fetches 1). */
#include "guest.h"

#define R8(a) (*(volatile unsigned char *)(unsigned long)(a))
#define R16(a) (*(volatile unsigned short *)(unsigned long)(a))
#define R32(a) (*(volatile unsigned int *)(unsigned long)(a))
#define R64(a) (*(volatile unsigned long *)(unsigned long)(a))
#define UART0 0x10000000UL

extern char _start[];

static void test_uart(unsigned char regs[8], unsigned char dll, unsigned char dlm)
{
	puts("[uart0]");
	CHECK_EQ(regs[1], 0x00); /* IER: no interrupts */
	CHECK_EQ(regs[2], 0xc1); /* IIR: FIFOs enabled, nothing pending */
	CHECK_EQ(regs[3], 0x03); /* LCR: 8N1, DLAB off */
	CHECK_EQ(regs[4], 0x00); /* MCR */
	CHECK_EQ(regs[5] & 0x60, 0x60); /* LSR: transmitter empty */
	CHECK_EQ(regs[7], 0x00); /* SCR */
	CHECK_EQ(dll, 2);
	CHECK_EQ(dlm, 0);
}

static void test_rom(unsigned long hartid, unsigned long dtb)
{
	static const unsigned int vector[] = { 0x00000297, 0x02828613, 0xf1402573, 0x0202b583, 0x0182b283, 0x00028067 };
	struct trap_record t;
	puts("[rom]");
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(R32(0x1000 + 4 * i), vector[i]);
	CHECK_EQ(R64(0x1018), 0x80000000UL);        /* the firmware */
	CHECK_EQ(R64(0x1020), dtb);                 /* the device tree */
	CHECK_EQ(R64(0x1028), 0x4942534fUL);        /* fw_dynamic_info: "OSBI" */
	CHECK_EQ(R64(0x1030), 2);                   /* version */
	CHECK_EQ(R64(0x1038), (unsigned long)_start); /* next_addr */
	CHECK_EQ(R64(0x1040), 1);                   /* next_mode: S */
	CHECK_EQ(R64(0x1048), 0);                   /* options */
	CHECK_EQ(R64(0x1050), hartid);              /* boot_hart */
	CHECK_EQ(R16(0x1058), 0);
	CHECK_EQ(R8(0x1fff), 0);
	CHECK_EQ(R32(0xfffc), 0);
	t = EXPECT_TRAP(R32(0x1000) = 0x12345678);
	CHECK_EQ(t.count, 0);
	CHECK_EQ(R32(0x1000), vector[0]);
}

static void test_pci_windows(void)
{
	static const unsigned long at[] = { 0x40000000, 0x40001000, 0x7ffffff8, 0x03000000, 0x0300fff8 };
	struct trap_record t;
	puts("[pci-windows]");
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		unsigned long a = at[i];
		t = EXPECT_TRAP({
			CHECK_EQ(R64(a), ~0UL);
			CHECK_EQ(R32(a + 4), 0xffffffffUL);
			CHECK_EQ(R16(a + 2), 0xffff);
			CHECK_EQ(R8(a + 1), 0xff);
			R32(a) = 0;
			CHECK_EQ(R32(a), 0xffffffffUL);
		});
		CHECK_EQ(t.count, 0);
	}
}

static void test_firmware_region(void)
{
	static const unsigned long at[] = { 0x80000000, 0x80040000, 0x8007fff8 };
	struct trap_record t;
	puts("[firmware]");
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		unsigned long a = at[i], v = 0;
		t = EXPECT_TRAP(v = R64(a));
		CHECK_EQ(t.count, 1);
		CHECK_EQ(t.scause, CAUSE_LOAD_ACCESS);
		CHECK_EQ(t.stval, a);
		t = EXPECT_TRAP(R32(a + 4) = (unsigned int)v);
		CHECK_EQ(t.count, 1);
		CHECK_EQ(t.scause, CAUSE_STORE_ACCESS);
		CHECK_EQ(t.stval, a + 4);
	}
	t = EXPECT_TRAP(asm volatile("jalr ra, %0" :: "r"(0x80000000UL) : "ra", "memory"));
	CHECK_EQ(t.scause, CAUSE_FETCH_ACCESS);
	CHECK_EQ(t.stval, 0x80000000UL);
	/* the RAM right after it is the guest's */
	t = EXPECT_TRAP({ R64(0x80080000) = 0x1234; CHECK_EQ(R64(0x80080000), 0x1234); });
	CHECK_EQ(t.count, 0);
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned char regs[8];
	/* first of all, before anything else touches UART0 beyond the runtime's marker */
	for (int r = 1; r < 8; r++)
		regs[r] = R8(UART0 + r);
	R8(UART0 + 3) = regs[3] | 0x80;
	unsigned char dll = R8(UART0), dlm = R8(UART0 + 1);
	R8(UART0 + 3) = regs[3];
	unsigned long scounteren = csr_read(scounteren);

	puts("bootstate: start");
	test_uart(regs, dll, dlm);
	puts("[scounteren]");
	CHECK_EQ(scounteren, 7);
	test_rom(hartid, dtb);
	test_pci_windows();
	test_firmware_region();
	test_done("bootstate");
}
