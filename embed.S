/* The files inside the binary, packed by mkblob (a length and one LZ4
 * block; blob.c unpacks them): the BPF object built from prog/xdp.c,
 * and the OpenAPI document `tcpinspect serve` answers /openapi.json
 * with.  Nothing is looked up on disk at run time. */
	.section .rodata
	.global ti_obj_lz
	.global ti_obj_lz_end
ti_obj_lz:
	.incbin "build/xdp.o.lz"
ti_obj_lz_end:
	.global ti_openapi_lz
	.global ti_openapi_lz_end
ti_openapi_lz:
	.incbin "build/openapi.json.lz"
ti_openapi_lz_end:
	.section .note.GNU-stack,"",%progbits
