# crypto/ build fragment (see top-level Makefile.am)
