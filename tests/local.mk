# tests/ extra programs and scripts (see top-level Makefile.am)
