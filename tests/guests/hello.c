/*
 * The smallest test kernel: the Dom0 builder loaded us from our ELF notes,
 * entered us with RSI = start_info, filled the hypercall page, and
 * CONSOLEIO_write reaches the console.
 */
#include "runtime.h"

const char test_title[] = "hello: boot, start_info and console output";

void test_main(void)
{
    const start_info_t *si = start_info;

    printf("Hello from a Xenolith PV test kernel\n");
    printf("  magic       %.32s\n", si->magic);
    printf("  nr_pages    %lu\n", si->nr_pages);
    printf("  flags       %#x\n", si->flags);
    printf("  pt_base     %#lx (%lu frames)\n", si->pt_base, si->nr_pt_frames);
    printf("  mfn_list    %#lx\n", si->mfn_list);
    printf("  cmd_line    \"%.*s\"\n", (int)sizeof(si->cmd_line), (const char *)si->cmd_line);

    /* xen.h: magic is "xen-<version>-<platform>". */
    check(!strncmp(si->magic, "xen-3.0-x86_64", 14),
          "start_info.magic starts with \"xen-3.0-x86_64\"");
    /* xen.h SIF_*: the only domain the hypervisor builds itself is Dom0. */
    check((si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)) ==
              (SIF_PRIVILEGED | SIF_INITDOMAIN),
          "start_info.flags has SIF_PRIVILEGED and SIF_INITDOMAIN");
    /* RSI pointed into our bootstrap region, at VIRT_BASE or above. */
    check((unsigned long)si >= 0xffffffff80000000UL,
          "start_info at %p lies in the bootstrap region", si);
    check(si->nr_pages > 0, "start_info.nr_pages is not zero");
}
