/* rootos.h - the root-cell OS of the Jailhouse Lab: a small bare-metal shell OS that plays the part Linux
 * plays in Jailhouse's root cell (see README.md).  Kernel-wide declarations: the board as the device tree
 * describes it, the console, the harts, the RAM disk, the shell. */
#ifndef ROOTOS_H
#define ROOTOS_H

#include "guest.h"

#define ROOTOS_NAME     "rootos"
#define ROOTOS_VERSION  "0.1"
#define MAX_CPUS        GUEST_MAX_HARTS   /* one stack per hart in lib/guest.ld */

/* ---- the board (fdt.c) ---- */
struct board {
	unsigned long dtb, dtb_size;
	unsigned long ram_base, ram_size;
	unsigned long timebase;              /* Hz */
	unsigned long harts;                 /* bitmap of harts the device tree lists as "okay" */
	unsigned long uart_base, uart_irq;   /* UART0 (the stdout-path) */
	unsigned long plic_base;
	unsigned long initrd_start, initrd_end;
	const char *bootargs;                /* "" when absent */
	const char *model;
};
extern struct board board;
/* Parses the flattened device tree at `dtb` into `board`; returns 0 or -1 if it is no device tree. */
int fdt_parse(unsigned long dtb, struct board *b);

/* ---- console (console.c): UART0 with interrupt-driven receive, output with "\n" -> "\r\n" ---- */
void console_init(void);
void con_putc(char c);
void con_write(const char *s, size_t n);
void con_puts(const char *s);                 /* no newline added */
int con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int con_getc(void);                           /* blocks (WFI) until a byte arrives, or CON_REDRAW: */
#define CON_REDRAW (-2)                       /* a background job printed over the editor's line */
/* A command is running: Ctrl-C now interrupts it (instead of reaching the line editor). */
void con_set_busy(int busy);
int con_interrupted(void);                    /* Ctrl-C was typed while busy (cleared by con_set_busy) */
/* Waits `ticks` of the time CSR in WFI; returns early (nonzero) on Ctrl-C. */
int sleep_ticks(unsigned long ticks);
int con_getc_within(unsigned long ticks);    /* a byte typed within ticks, or -1 (time up, or Ctrl-C while busy) */
/* Other PLIC sources on the boot hart's context: `fn(src, ctx)` runs in the trap handler for each claim
 * of `src` (and the source is enabled); irq_unregister disables it again.  0, or -1 when the table is
 * full or `src` is taken. */
int irq_register(uint32_t src, void (*fn)(uint32_t src, void *ctx), void *ctx);
void irq_unregister(uint32_t src);
/* Lines a background job printed while the line editor waited: the editor then redraws its line. */
int con_take_interleaved(void);
/* The shell moved to `hart`: the console's PLIC enables move to that hart's S-mode context. */
void console_move_to(unsigned long hart);

/* ---- harts (smp.c) ---- */
typedef long (*cpu_fn)(void *arg);
void smp_init(void);                          /* brings every hart of the device tree online */
unsigned long cpus_online(void);              /* bitmap */
int cpu_online(unsigned long cpu);
/* Runs fn(arg) on `cpu` (which must be online); smp_call_post returns at once, smp_call_wait waits
 * for the result.  On the calling CPU itself the function runs directly. */
void smp_call_post(unsigned long cpu, cpu_fn fn, void *arg);
long smp_call_wait(unsigned long cpu);
long smp_call(unsigned long cpu, cpu_fn fn, void *arg);
/* Linux's remove_cpu()/add_cpu(): HSM hart_stop on the CPU itself / hart_start from here. 0 or -errno.
 * Any online CPU may go, the shell's own included: the shell then moves to the lowest online CPU that
 * is not in `avoid` (-EBUSY when there is none), as Linux migrates tasks off a CPU going offline. */
long cpu_down(unsigned long cpu, unsigned long avoid);
long cpu_up(unsigned long cpu);

/* ---- the initial RAM disk (initrd.c), cpio newc, read-only ---- */
struct file {
	const char *name;          /* path without leading "/" or "./" (NUL-terminated in the archive) */
	unsigned long mode;
	const uint8_t *data;
	unsigned long size;
};
int initrd_init(unsigned long start, unsigned long end);   /* number of entries or -1 */
const struct file *file_lookup(const char *path);           /* NULL if absent */
int file_count(void);
const struct file *file_at(int i);
#define S_IFMT  0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000

/* ---- shell (shell.c, readline.c, commands.c) ---- */
#define SHELL_PROMPT "root@jailhouse-lab:~# "
int readline(const char *prompt, char *buf, size_t size);  /* length, or -1 when cancelled (Ctrl-C) */
void shell_run(void);
struct command {
	const char *name, *args, *help;
	int (*fn)(int argc, char **argv);
	int background;               /* may run as a job ("CMD ... &"): see shell_background */
};
extern const struct command commands[];
int cmd_bench(int argc, char **argv);
int cmd_lspci(int argc, char **argv);         /* pci.c */
int cmd_ivshmem_demo(int argc, char **argv);  /* pci.c */
int cmd_ip(int argc, char **argv);            /* net.c: eth0 over ivshmem-net */
int cmd_ping(int argc, char **argv);
int cmd_udp(int argc, char **argv);
int cmd_virtio_console(int argc, char **argv); /* virtio/console-backend.c */
int cmd_virtio_block(int argc, char **argv);   /* virtio/block-backend.c */

/* ---- background jobs (job.c): "CMD ... &" ---- */
struct job_ops {
	int (*poll)(void *ctx);       /* does pending work; -1 keeps the job, >= 0 ends it with that status */
	void (*stop)(void *ctx);      /* kill %N: release the device (may be 0) */
};
/* Set while a command line that ended in "&" runs: a command with `background` set then calls
 * job_start instead of looping itself.  Returns the job number, or -1 when all slots are taken. */
extern int shell_background;
int job_start(const char *cmdline, const struct job_ops *ops, void *ctx);
void job_wake_at(unsigned long time);         /* from a poll function: poll me again by this time */
void jobs_poll(void);                         /* every wait calls this (not re-entered) */
unsigned long jobs_next_wake(void);           /* earliest job wake-up time, ~0 when none */
int jobs_running(void);
int cmd_jobs(int argc, char **argv);
int cmd_kill(int argc, char **argv);

/* ---- utilities (util.c) ---- */
int parse_ulong(const char *s, unsigned long *v);   /* 0x.. hex or decimal; 0 ok, -1 bad */
int strncmp(const char *a, const char *b, size_t n);   /* weak: the library's wins if it has one */
char *strchr(const char *s, int c);
char *strncpy0(char *d, const char *s, size_t n);   /* always NUL-terminates */
const char *strerror(long err);                       /* err > 0: errno */
/* Formats the set bits of `mask` as a Linux cpu list ("0-1,3"). */
void format_cpulist(char *buf, size_t size, unsigned long mask);
void hexdump(const void *data, unsigned long size, unsigned long base);
/* Memory regions the root OS itself lives in (image, stacks, initrd, device tree). */
int overlaps_kernel(unsigned long start, unsigned long size, const char **what);

#define EPERM   1
#define ENOENT  2
#define EIO     5
#define E2BIG   7
#define ENOMEM  12
#define EFAULT  14
#define EBUSY   16
#define EEXIST  17
#define ENODEV  19
#define EINVAL  22
#define ENOSYS  38

#endif
