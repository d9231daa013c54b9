/* The BPF objects, built from prog/xdp.c, inside the binary: nothing is
 * looked up on disk at run time.  ti_obj is the -mcpu=v3 build,
 * ti_obj_v2 the one for kernels without JMP32/ALU32 or atomic fetch. */
	.section .rodata
	.balign 8
	.global ti_obj
	.global ti_obj_end
ti_obj:
	.incbin "build/xdp.o"
ti_obj_end:
	.balign 8
	.global ti_obj_v2
	.global ti_obj_v2_end
ti_obj_v2:
	.incbin "build/xdp_v2.o"
ti_obj_v2_end:
	/* the OpenAPI document `tcpinspect serve` answers /openapi.json with */
	.global ti_openapi
	.global ti_openapi_end
ti_openapi:
	.incbin "openapi.json"
ti_openapi_end:
	.section .note.GNU-stack,"",%progbits
