/* driver.h - the root OS's counterpart of Jailhouse's Linux driver (driver/main.c, cell.c): it owns the
 * hypervisor state seen from the root cell, places the system configuration, enters and leaves the
 * hypervisor on every CPU, offlines and onlines CPUs around cell creation and destruction, issues the
 * hypercalls and copies images into loadable cell memory.  Every call returns 0 (or a value) or -errno,
 * like the driver's ioctls; the tool (tool.c) turns errors into perror()-style messages. */
#ifndef JAILHOUSE_DRIVER_H
#define JAILHOUSE_DRIVER_H

#include "../rootos.h"
#include <jailhouse/cell-config.h>

#define JH_MAX_CELLS        16
#define JH_CELL_CONFIG_MAX  (16 * 1024)

struct jh_cell {
	int used;
	long id;                       /* 0 = the root cell */
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	unsigned long cpus;            /* assigned CPUs (for the root cell: what it still has) */
	unsigned long offlined;        /* CPUs this driver took offline for the cell */
	unsigned long config_size;
	uint8_t config[JH_CELL_CONFIG_MAX] ALIGNED(8);   /* the copy CELL_CREATE was given (root RAM) */
};

/* A cell named on the command line: by id (id >= 0) or by name (id == -1). */
struct jh_cell_id {
	long id;
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
};

/* An image for cell load: bytes in root memory and the cell's guest address. */
struct jh_image {
	const void *source;
	unsigned long size;
	unsigned long target;
};

int jh_enabled(void);
long jh_enable(const void *config, unsigned long size);
long jh_disable(void);
long jh_cell_create(const void *config, unsigned long size);
long jh_cell_load(const struct jh_cell_id *id, const struct jh_image *images, int count);  /* count 0: shutdown */
long jh_cell_start(const struct jh_cell_id *id);
long jh_cell_destroy(const struct jh_cell_id *id);
/* The cell (root included), or NULL. */
struct jh_cell *jh_cell_find(const struct jh_cell_id *id);
/* Cells in creation order, the root cell first; NULL past the end or while disabled. */
struct jh_cell *jh_cell_at(int index);
/* "root cell", "cell \"x\"" or "" for a CPU (the `cpus` command). */
const char *jailhouse_cpu_owner(unsigned long cpu);
/* Kernel-log style messages ("[   1.234567] text"). */
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* HPA of the hypervisor console page, or 0 (see README.md). */
unsigned long jh_console_page(void);

#endif
