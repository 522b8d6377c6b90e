/* inmate.h - the bare-metal environment of a non-root cell (the Jailhouse inmate library, RISC-V).
 *
 * Conventions of the Jailhouse RISC-V port (shared/spec/jailhouse-abi.md):
 *  - the image is loaded at GPA 0 and started there in S-mode with a0 = hart id, paging off;
 *  - a text command line may be loaded at image offset 0x100 (`jailhouse cell load ... -s "..." -a 0x100`);
 *  - the communication region (ABI revision 2) is at GPA 0x100000;
 *  - console: DEBUG_CONSOLE_PUTC when the comm region says so, else the 8250 UART it describes.
 * A demo defines inmate_main(); the library checks the comm region, sets up traps and calls it. */
#ifndef INMATE_H
#define INMATE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include <jailhouse/hypercall.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define NORETURN __attribute__((noreturn))

/* The communication region (ABI revision 2) at GPA 0x100000; the ABI itself is in jailhouse/hypercall.h. */
#define COMM_REGION_BASE 0x100000UL
#define comm_region ((struct jailhouse_comm_region *)COMM_REGION_BASE)

/* ---- the library ---- */
void inmate_main(void);                 /* the demo's entry */
unsigned long inmate_hart_id(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
NORETURN void stop(void);               /* halts this CPU (interrupts off, WFI forever) */

/* Command line at image offset 0x100. CMDLINE_BUFFER(n) in a demo reserves n bytes for it. */
#define CMDLINE_BUFFER(size) const char cmdline[size] __attribute__((section(".cmdline"), used)) = ""
extern const char cmdline[];
const char *cmdline_parse_str(const char *param, char *buffer, unsigned long size, const char *default_value);
long long cmdline_parse_int(const char *param, long long default_value);
bool cmdline_parse_bool(const char *param, bool default_value);

/* Timer: the `time` CSR (10 MHz on this board) and the SBI timer. */
unsigned long timer_get_frequency(void);
u64 timer_get_ticks(void);
u64 timer_ticks_to_ns(u64 ticks);
void timer_start(u64 ticks_from_now);   /* one-shot: raises IRQ_TIMER */
void timer_stop(void);

/* Interrupts: a handler for every interrupt; external ones by their PLIC source number. */
#define IRQ_TIMER    0x10000
#define IRQ_SOFTWARE 0x10001
typedef void (*irq_handler_t)(unsigned int irq);
void irq_init(irq_handler_t handler);
void irq_enable(unsigned int irq);      /* IRQ_TIMER, IRQ_SOFTWARE or a PLIC source */
void irq_disable(unsigned int irq);
void enable_irqs(void);
void disable_irqs(void);
void wait_for_interrupt(void);

/* Messages from the hypervisor (poll in the main loop). Returns the message handled, or NONE. */
typedef bool (*shutdown_policy_t)(void); /* true: approve a shutdown request */
u32 comm_region_handle_message(shutdown_policy_t approve);
void comm_region_set_state(u32 state);

/* PCI configuration space through ECAM at the comm region's pci_mmconfig_base. */
u32 pci_read_config(u16 bdf, unsigned int addr, unsigned int size);
void pci_write_config(u16 bdf, unsigned int addr, u32 value, unsigned int size);
int pci_find_device(u16 vendor, u16 device, u16 start_bdf); /* bdf or -1 */
int pci_find_cap(u16 bdf, u16 cap);                          /* config offset or -1 */

/* ivshmem 2.0 (shared/spec/ivshmem.md): one peer's view of a link. */
struct ivshmem_device {
	u16 bdf;
	u8 interrupt_pin;            /* 1..4 (INTx), 0 with MSI-X; delivered as vpci_irq_base + pin - 1 */
	unsigned long registers;     /* BAR0 */
	u32 id, peers;               /* this peer's id, Maximum Peers */
	u32 state_table_size;
	u64 rw_size, output_size;
	unsigned long shmem;         /* the shared memory (state table first) */
};
int ivshmem_find(struct ivshmem_device *dev, int start_bdf, unsigned long bar0); /* bdf or -1 */
volatile u32 *ivshmem_state_table(const struct ivshmem_device *dev);
void *ivshmem_rw_section(const struct ivshmem_device *dev);
void *ivshmem_output_section(const struct ivshmem_device *dev, u32 peer);
void ivshmem_set_state(const struct ivshmem_device *dev, u32 state);
void ivshmem_enable_interrupts(const struct ivshmem_device *dev, bool enable);
void ivshmem_doorbell(const struct ivshmem_device *dev, u32 peer, u32 vector);

/* The network stack (guests/net, net/net.h): its time source and the device description it wants. */
struct ivnet_config;
void net_config_from_ivshmem(struct ivnet_config *cfg, const struct ivshmem_device *dev);

/* Memory-mapped I/O. */
static inline u8 mmio_read8(unsigned long a) { return *(volatile u8 *)a; }
static inline u32 mmio_read32(unsigned long a) { return *(volatile u32 *)a; }
static inline void mmio_write8(unsigned long a, u8 v) { *(volatile u8 *)a = v; }
static inline void mmio_write32(unsigned long a, u32 v) { *(volatile u32 *)a = v; }

#define csr_read(csr) ({ unsigned long __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ asm volatile("csrw " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_set(csr, val) ({ asm volatile("csrs " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_clear(csr, val) ({ asm volatile("csrc " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })

/* From the support library (guests/lib): formatting into buffers. */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...);
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlen(const char *s);

#endif
