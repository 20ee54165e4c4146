/* The hypervisor image: linked at XEN_VIRT_START, loaded at XEN_LOAD_PADDR. */
#include <asm/config.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start)

PHDRS
{
    image PT_LOAD;
}

SECTIONS
{
    . = XEN_VIRT_START;
    _start = .;
    .text : AT(XEN_LOAD_PADDR) {
        *(.text.head)
        *(.text .text.*)
        *(.fixup)
    } :image
    .rodata : {
        *(.rodata.head)
        *(.rodata .rodata.*)
        . = ALIGN(8);
        __ex_table_start = .;
        *(.ex_table)
        __ex_table_end = .;
        . = ALIGN(4);
        __note_gnu_build_id_start = .;
        *(.note.gnu.build-id)
        __note_gnu_build_id_end = .;
    } :image
    .data : {
        . = ALIGN(PAGE_SIZE);
        *(.data.page_aligned)
        . = ALIGN(8);
        __param_start = .;
        *(.data.param)
        __param_end = .;
        *(.data .data.*)
    } :image
    . = ALIGN(PAGE_SIZE);
    .bss : {
        __bss_start = .;
        *(.bss.page_aligned)
        *(.bss .bss.*)
        *(COMMON)
        . = ALIGN(8);
        __bss_end = .;
    } :image
    . = ALIGN(PAGE_SIZE);
    _end = .;

    /DISCARD/ : {
        *(.comment)
        *(.eh_frame)
        *(.note.GNU-stack)
        *(.note.gnu.property)
    }
}
