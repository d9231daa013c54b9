/* The BPF object, built from prog/xdp.c, inside the binary: nothing is
 * looked up on disk at run time. */
	.section .rodata
	.balign 8
	.global ti_obj
	.global ti_obj_end
ti_obj:
	.incbin "build/xdp.o"
ti_obj_end:
	.section .note.GNU-stack,"",%progbits
