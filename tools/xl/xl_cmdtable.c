/*
 * The table of xl's commands (xl(1)), the prefix lookup and the help text
 * printed from it. A new command is a row here and a function in its
 * group's xl_<group>.c.
 */
#include <string.h>

#include "xl.h"

const struct xl_cmd xl_cmd_table[] = {
    {"create", main_create, XL_CMD_DRYRUN, "Create a domain from a config file",
     "[options] <ConfigFile> [vars]",
     "-h                Print this help.\n"
     "-p                Leave the domain paused after it is created.\n"
     "-c                Connect to the console after the domain is created.\n"
     "-F                Run in the foreground until the domain dies.\n"
     "-e                Do not wait in the background for the death of the domain.\n"
     "-q                Quiet.\n"
     "-f FILE           Use the given configuration file.\n"
     "-n, --dryrun      Dry run: print the configuration as JSON (same as xl -N).\n"
     "key=value         Settings appended after the file's, e.g. 'memory=1024'.\n"
     "The file may be an xl.cfg file, a libvirt domain XML file or libxl JSON."},
    {"config-convert", main_config_convert, 0,
     "Convert a domain configuration between xl.cfg, libvirt XML and JSON",
     "--to-xl|--to-xml|--to-json <ConfigFile>",
     "--to-xl           Print the configuration as an xl.cfg file.\n"
     "--to-xml          Print it as libvirt domain XML (virsh domxml-from-native xen-xl).\n"
     "--to-json         Print it as libxl JSON (as xl -N create).\n"
     "The input may be any of the three; its kind is told by its first character."},
    {"list", main_list, 0, "List information about all/some domains", "[options] [Domain]",
     "-l, --long        Print the stored configuration of each domain as JSON.\n"
     "-v, --verbose     Also print the UUID, shutdown reason and security label."},
    {"destroy", main_destroy, 0, "Terminate a domain immediately", "[-f] <Domain>",
     "-f                Allow domain 0 to be destroyed."},
    {"shutdown", main_shutdown, 0, "Issue a shutdown signal to a domain",
     "[options] <-a|Domain>",
     "-a, --all         Shut down all guest domains.\n"
     "-w, --wait        Wait for the domain to complete its shutdown.\n"
     "-F                Fall back to ACPI (HVM only; refused for PV)."},
    {"reboot", main_reboot, 0, "Issue a reboot signal to a domain", "[options] <-a|Domain>",
     "-a, --all         Reboot all guest domains.\n"
     "-w, --wait        Wait for the domain to complete its reboot.\n"
     "-F                Fall back to ACPI (HVM only; refused for PV)."},
    {"pause", main_pause, 0, "Pause execution of a domain", "<Domain>", NULL},
    {"unpause", main_unpause, 0, "Unpause a paused domain", "<Domain>", NULL},
    {"console", main_console, 0, "Attach to a domain's console", "[options] <Domain>",
     "-t <type>         Console type, pv or serial.\n"
     "-n <number>       Console number.\n"
     "-e <escapechar>   Escape character (default ^]).\n"},
    {"info", main_info, 0, "Get information about the Xen host", "[-n] [-x] [field]",
     "-n, --numa        Print host NUMA information.\n"
     "-x, --xenstore    Print xenstore features.\n"
     "field             Print only that field's value."},
    {"dmesg", main_dmesg, 0, "Read and/or clear the hypervisor's message buffer", "[-c]",
     "-c                Clear the buffer after reading it."},
    {"domid", main_domid, 0, "Convert a domain name to a domain id", "<DomainName>", NULL},
    {"domname", main_domname, 0, "Convert a domain id to a domain name", "<DomainId>", NULL},
    {"rename", main_rename, 0, "Rename a domain", "<Domain> <NewDomainName>", NULL},
    {"uptime", main_uptime, 0, "Print the uptime of all/some domains", "[-s] [Domain]",
     "-s, --short       Uptime in a short format."},
    {"vcpu-list", main_vcpu_list, 0, "List the vCPUs of all/some domains", "[Domain ...]",
     NULL},
    {"vm-list", main_vm_list, 0, "List guest domains, excluding dom0 and stubdoms", "", NULL},
    {"mem-set", main_mem_set, 0, "Set the current memory usage of a domain",
     "<Domain> <MemKB[bBkKmMgGtT]>",
     "The size is in KiB unless a unit follows: b bytes, k KiB, m MiB, g GiB, t TiB."},
    {"mem-max", main_mem_max, 0, "Set the maximum amount of memory of a domain",
     "<Domain> <MemKB[bBkKmMgGtT]>",
     "The size is in KiB unless a unit follows: b bytes, k KiB, m MiB, g GiB, t TiB."},
    {"sysrq", main_sysrq, 0, "Send a sysrq to a domain", "<Domain> <letter>", NULL},
    {"network-attach", main_network_attach, XL_CMD_DRYRUN, "Create a new virtual network device",
     "<Domain> [vif spec ...]",
     "The spec is that of a vif= entry (xl-network-configuration(5)), e.g.\n"
     "'mac=00:16:3e:00:00:01 bridge=xenbr0'; with -N the parsed device is printed."},
    {"network-detach", main_network_detach, 0, "Destroy a domain's virtual network device",
     "<Domain> <DevId|mac>", NULL},
    {"network-list", main_network_list, 0, "List virtual network interfaces for a domain",
     "<Domain(s)>", NULL},
    {"block-attach", main_block_attach, XL_CMD_DRYRUN, "Create a new virtual block device",
     "<Domain> <disk spec ...>",
     "The spec is that of a disk= entry (xl-disk-configuration(5)), e.g.\n"
     "'/dev/vg/guest,raw,xvdb,rw'; with -N the parsed device is printed."},
    {"block-detach", main_block_detach, 0, "Destroy a domain's virtual block device",
     "[--force] <Domain> <DevId>", "--force           Remove it even if the guest does not."},
    {"block-list", main_block_list, 0, "List virtual block devices for a domain", "<Domain(s)>",
     NULL},
    {"help", main_help, 0, "Print this help", "[command]", NULL},
};

const size_t xl_cmd_count = sizeof(xl_cmd_table) / sizeof(xl_cmd_table[0]);

const struct xl_cmd *xl_internal_lookup(const char *name)
{
    static const struct xl_cmd monitor = {XL_MONITOR_CMD, xl_monitor_main, 0,
                                          "the monitor xl create starts", "<domid> <nice>", NULL};

    return !strcmp(name, monitor.name) ? &monitor : NULL;
}

/* xl(1): any unambiguous prefix names a command; an exact name always wins. */
const struct xl_cmd *xl_cmd_lookup(const char *name, int *ambiguous)
{
    const struct xl_cmd *found = NULL;
    size_t len = strlen(name);

    *ambiguous = 0;
    if (!len)
        return NULL;
    for (size_t i = 0; i < xl_cmd_count; i++) {
        if (!strcmp(xl_cmd_table[i].name, name))
            return &xl_cmd_table[i];
        if (!strncmp(xl_cmd_table[i].name, name, len)) {
            if (found)
                *ambiguous = 1;
            found = &xl_cmd_table[i];
        }
    }
    return *ambiguous ? NULL : found;
}

void xl_cmd_help(FILE *out, const struct xl_cmd *cmd)
{
    if (!cmd) {
        fprintf(out, "Usage: xl [-v] [-N] [-f] <subcommand> [args]\n\n"
                     "xl full list of subcommands:\n\n");
        for (size_t i = 0; i < xl_cmd_count; i++)
            fprintf(out, " %-20s%s\n", xl_cmd_table[i].name, xl_cmd_table[i].help);
        fprintf(out, "\nGlobal options: -v verbose, -f force, -N dry run (");
        for (size_t i = 0, k = 0; i < xl_cmd_count; i++)
            if (xl_cmd_table[i].flags & XL_CMD_DRYRUN)
                fprintf(out, "%s%s", k++ ? ", " : "", xl_cmd_table[i].name);
        fprintf(out, ").\nCommands may be abbreviated to any unambiguous prefix.\n"
                     "`xl help <command>` describes one.\n");
        return;
    }
    fprintf(out, "Usage: xl [-v%s] %s %s\n\n%s.\n", cmd->flags & XL_CMD_DRYRUN ? "N" : "",
            cmd->name, cmd->usage, cmd->help);
    /* option lines start with '-'; anything else is a note on the operands */
    if (cmd->options)
        fprintf(out, "\n%s%s%s", cmd->options[0] == '-' ? "Options:\n\n" : "", cmd->options,
                cmd->options[strlen(cmd->options) - 1] == '\n' ? "" : "\n");
}
