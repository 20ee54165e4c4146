/* The child PV kernel's flat image (child/domu_child.c), for the toolstack tests. */
    .section .rodata
    .balign 16
    .globl child_image, child_image_end
child_image:
    .incbin CHILD_BIN
child_image_end:
    .section .note.GNU-stack, "", @progbits
