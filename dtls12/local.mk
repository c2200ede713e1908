# dtls12/ build fragment (see top-level Makefile.am): the DTLS 1.2
# handshake (RFC 6347), beside dtls13/, under the one dispatcher of dtls/.
libpetrel_core_la_SOURCES += dtls12/client12.c dtls12/server12.c dtls12/hs12.h dtls12/hs12_ops.c \
	dtls12/hello_verify.c
# cycle13: the 1.3 client handing over to the 1.2 client (issue #18)
libpetrel_core_la_SOURCES += dtls12/take_over12.c dtls12/take_over12.h
