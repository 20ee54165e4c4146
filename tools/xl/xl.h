/*
 * xl's commands (design.md, "Toolstack"): one table of {name, function,
 * usage, help, options} in xl_cmdtable.c, looked up by unambiguous prefix;
 * `xl help` is printed from it. Each group of commands lives in its own
 * xl_<group>.c. A command function gets argv with argv[0] = the command
 * name and returns the process's exit status.
 */
#ifndef XL_H
#define XL_H

#include <stdio.h>

#include "xl_types.h"

/* Command flags. */
#define XL_CMD_DRYRUN 0x1 /* accepts the global -N */

struct xl_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    unsigned flags;
    const char *help;    /* one line, for `xl help` */
    const char *usage;   /* after "xl <name> " */
    const char *options; /* the option lines of `xl help <name>`, or NULL */
};

extern const struct xl_cmd xl_cmd_table[];
extern const size_t xl_cmd_count;

/* Exact name, else the one command name starts with; NULL if none or several. */
const struct xl_cmd *xl_cmd_lookup(const char *name, int *ambiguous);
/* xl's internal entry points (XL_MONITOR_CMD): exact names only, never in help. */
const struct xl_cmd *xl_internal_lookup(const char *name);
/* `xl help` (cmd NULL) or `xl help CMD` text. */
void xl_cmd_help(FILE *out, const struct xl_cmd *cmd);

/* Global options (xl(1)): -v (repeatable), -N dry run, -f force. */
struct xl_globals {
    int verbose;
    int dryrun;
    int force;
};
extern struct xl_globals xl_globals;

/* Runs argv (argv[0] = command, possibly a prefix) as `xl` would. */
int xl_dispatch(int argc, char **argv);

/* `xl: <cmd>: not implemented yet`, exit status 1 (never a pretend success). */
int xl_not_implemented(const char *cmd);
/* Parses the command's options; returns the option char, -1 at the end, or
 * 2 after printing the usage for a bad one (the caller returns that). */
int xl_getopt(int argc, char **argv, const char *opts, const char *cmd);
/*
 * The command's options, then at least min and at most max (-1: any)
 * operands. -1 to go on (optind at the first operand), else the exit
 * status to return (0 after -h, 1 after a usage message).
 */
int xl_operands(int argc, char **argv, const char *opts, int min, int max, const char *cmd);
/* Wrong arguments: the usage line on stderr, exit status 1. */
int xl_usage_error(const char *cmd, const char *why);

/*
 * Loads a domain configuration from path: an xl.cfg file, a libvirt domain
 * XML file (first non-blank character '<') or a stored libxl JSON ('{').
 * overrides are `key=value` settings applied after an xl.cfg file
 * (xl create's trailing arguments). 0 or -1 with messages on diag.
 */
int xl_load_config(struct xl_domain_config *c, const char *path, char *const *overrides,
                   int noverrides, FILE *diag);

/* The same for text already read; name stands for the file in messages. */
int xl_load_config_text(struct xl_domain_config *c, const char *name, const char *text,
                        char *const *overrides, int noverrides, FILE *diag);

/* The command functions, by group. */
int main_create(int argc, char **argv);
/* How xl create runs a domain's monitor: xl itself with this first argument (not a command). */
#define XL_MONITOR_CMD "__monitor"
int xl_monitor_main(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_shutdown(int argc, char **argv);
int main_reboot(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_unpause(int argc, char **argv);
int main_rename(int argc, char **argv);
int main_list(int argc, char **argv);
int main_vm_list(int argc, char **argv);
int main_info(int argc, char **argv);
int main_dmesg(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);
int main_uptime(int argc, char **argv);
int main_vcpu_list(int argc, char **argv);
int main_mem_set(int argc, char **argv);
int main_mem_max(int argc, char **argv);
int main_console(int argc, char **argv);
int main_sysrq(int argc, char **argv);
int main_network_attach(int argc, char **argv);
int main_network_detach(int argc, char **argv);
int main_network_list(int argc, char **argv);
int main_block_attach(int argc, char **argv);
int main_block_detach(int argc, char **argv);
int main_block_list(int argc, char **argv);
int main_help(int argc, char **argv);
int main_config_convert(int argc, char **argv);

#endif
