/* tool.c - `jailhouse`, the command line of Jailhouse's tools/jailhouse.c: argument parsing, files from
 * the RAM disk, and perror()-style error messages ("JAILHOUSE_CELL_CREATE: Invalid argument"). */
#include "tool.h"

#define MAX_IMAGES 8

static int usage(int status)
{
	con_puts("Usage: jailhouse { COMMAND | --help | --version }\n"
		 "\nAvailable commands:\n"
		 "   enable SYSCONFIG\n"
		 "   disable\n"
		 "   console [-f | --follow]\n"
		 "   cell create CELLCONFIG\n"
		 "   cell list\n"
		 "   cell load { ID | [--name] NAME } { IMAGE | { -s | --string } \"STRING\" }\n"
		 "             [-a | --address ADDRESS] ...\n"
		 "   cell start { ID | [--name] NAME }\n"
		 "   cell shutdown { ID | [--name] NAME }\n"
		 "   cell destroy { ID | [--name] NAME }\n"
		 "   cell stats [--once] { ID | [--name] NAME }\n"
		 "   config check SYSCONFIG [CELLCONFIG ...]\n");
	return status;
}

static int match_opt(const char *arg, const char *short_opt, const char *long_opt)
{
	return !strcmp(arg, short_opt) || !strcmp(arg, long_opt);
}

/* perror(name) for a driver result; returns the exit status. */
static int report(const char *name, long err)
{
	if (err >= 0)
		return 0;
	con_printf("%s: %s\n", name, strerror(-err));
	return 1;
}

/* read_file(): a file of the RAM disk, or the message of the real tool and NULL. */
static const struct file *read_file(const char *name)
{
	const struct file *f = file_lookup(name);
	if (!f) {
		con_printf("opening %s: No such file or directory\n", name);
		return 0;
	}
	if ((f->mode & S_IFMT) == S_IFDIR) {
		con_printf("reading %s: Is a directory\n", name);
		return 0;
	}
	return f;
}

/* parse_cell_id(): "--name NAME", a number (an id) or a name.  Arguments consumed, 0 if none. */
static int parse_cell_id(struct jh_cell_id *id, int argc, char **argv)
{
	int pos = 0, use_name = 0;
	unsigned long v;
	if (argc < 1)
		return 0;
	if (!strcmp(argv[0], "--name")) {
		if (argc < 2)
			return 0;
		pos = 1;
		use_name = 1;
	} else if (parse_ulong(argv[0], &v) || v > 0x7fffffff) {
		use_name = 1;
	} else {
		id->id = (long)v;
	}
	if (use_name) {
		id->id = -1;
		strncpy0(id->name, argv[pos], sizeof(id->name));
	}
	return pos + 1;
}

static int cell_create(int argc, char **argv)
{
	if (argc != 4)
		return usage(1);
	const struct file *f = read_file(argv[3]);
	if (!f)
		return 1;
	return report("JAILHOUSE_CELL_CREATE", jh_cell_create(f->data, f->size));
}

static int cell_load(int argc, char **argv)
{
	struct jh_cell_id id;
	struct jh_image images[MAX_IMAGES];
	int n = 0;
	int arg = 3 + parse_cell_id(&id, argc - 3, argv + 3);
	if (arg == 3 || arg >= argc)
		return usage(1);
	while (arg < argc) {
		if (n == MAX_IMAGES) {
			con_printf("jailhouse: at most %d images\n", MAX_IMAGES);
			return 1;
		}
		struct jh_image *img = &images[n++];
		if (match_opt(argv[arg], "-s", "--string")) {
			if (arg + 1 >= argc)
				return usage(1);
			img->source = argv[arg + 1];
			img->size = strlen(argv[arg + 1]) + 1;
			arg += 2;
		} else {
			const struct file *f = read_file(argv[arg]);
			if (!f)
				return 1;
			img->source = f->data;
			img->size = f->size;
			arg++;
		}
		img->target = 0;
		if (arg < argc && match_opt(argv[arg], "-a", "--address")) {
			if (arg + 1 >= argc)
				return usage(1);
			if (parse_ulong(argv[arg + 1], &img->target)) {
				con_printf("Invalid address: %s\n", argv[arg + 1]);
				return 1;
			}
			arg += 2;
		}
	}
	return report("JAILHOUSE_CELL_LOAD", jh_cell_load(&id, images, n));
}

/* start, shutdown, destroy, stats: one cell argument and nothing else (stats: --once before it). */
static int cell_simple(int argc, char **argv)
{
	struct jh_cell_id id;
	const char *cmd = argv[2];
	int once = !strcmp(cmd, "stats") && argc > 3 && !strcmp(argv[3], "--once");
	int used = parse_cell_id(&id, argc - 3 - once, argv + 3 + once);
	if (!used || 3 + once + used != argc)
		return usage(1);
	if (!strcmp(cmd, "start"))
		return report("JAILHOUSE_CELL_START", jh_cell_start(&id));
	if (!strcmp(cmd, "shutdown"))
		return report("JAILHOUSE_CELL_LOAD", jh_cell_load(&id, 0, 0));
	if (!strcmp(cmd, "destroy"))
		return report("JAILHOUSE_CELL_DESTROY", jh_cell_destroy(&id));
	return jailhouse_cell_stats(&id, once);
}

static int cell_management(int argc, char **argv)
{
	if (argc < 3)
		return usage(1);
	const char *cmd = argv[2];
	if (!strcmp(cmd, "create"))
		return cell_create(argc, argv);
	if (!strcmp(cmd, "list"))
		return jailhouse_cell_list(argc, argv);
	if (!strcmp(cmd, "load"))
		return cell_load(argc, argv);
	if (!strcmp(cmd, "start") || !strcmp(cmd, "shutdown") || !strcmp(cmd, "destroy") || !strcmp(cmd, "stats"))
		return cell_simple(argc, argv);
	return usage(1);
}

static int config_management(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[2], "check"))
		return usage(1);
	if (argc < 4)
		return usage(1);
	return jailhouse_config_check(argc, argv);
}

int jailhouse_main(int argc, char **argv)
{
	if (argc < 2)
		return usage(1);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "enable")) {
		if (argc != 3)
			return usage(1);
		const struct file *f = read_file(argv[2]);
		if (!f)
			return 1;
		return report("JAILHOUSE_ENABLE", jh_enable(f->data, f->size));
	}
	if (!strcmp(cmd, "disable")) {
		if (argc != 2)
			return usage(1);
		return report("JAILHOUSE_DISABLE", jh_disable());
	}
	if (!strcmp(cmd, "cell"))
		return cell_management(argc, argv);
	if (!strcmp(cmd, "console"))
		return jailhouse_console(argc, argv);
	if (!strcmp(cmd, "config"))
		return config_management(argc, argv);
	if (!strcmp(cmd, "--version")) {
		con_printf("Jailhouse management tool (Jailhouse Lab root-cell OS %s)\n", ROOTOS_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help"))
		return usage(0);
	return usage(1);
}
