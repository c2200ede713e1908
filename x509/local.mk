# x509/ build fragment (see top-level Makefile.am)
