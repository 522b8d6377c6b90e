/* tool.h - the `jailhouse` command (Jailhouse's tools/jailhouse.c) and its parts. */
#ifndef JAILHOUSE_TOOL_H
#define JAILHOUSE_TOOL_H

#include "driver.h"

int jailhouse_main(int argc, char **argv);
const char *jailhouse_cpu_owner(unsigned long cpu);

/* cell-list.c */
int jailhouse_cell_list(int argc, char **argv);
int jailhouse_cell_stats(const struct jh_cell_id *id, int once);
/* config-check.c: argv = jailhouse config check SYSCONFIG [CELLCONFIG ...] */
int jailhouse_config_check(int argc, char **argv);
/* console.c */
int jailhouse_console(int argc, char **argv);

#endif
