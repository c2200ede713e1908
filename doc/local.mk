# doc/ build fragment (see top-level Makefile.am): man pages generated so
# they cannot drift. Section 3: one page per PETREL_API function, synopsis
# and summary read from include/petrel/petrel.h, longer text from
# doc/api.txt, error table from common/errors.c; petrel(3) is the index.
# petrel(1): the command's own --help text plus doc/petrel.1.txt.
# The generator needs python3; the pages are checked by tests/man_test.sh.
PYTHON3 = python3
petrel_man3_deps = $(srcdir)/doc/gen-man.py $(srcdir)/include/petrel/petrel.h \
	$(srcdir)/common/errors.c $(srcdir)/doc/api.txt

man1_MANS = doc/petrel.1
doc/petrel.1: tools/petrel$(EXEEXT) $(srcdir)/doc/gen-man.py $(srcdir)/doc/petrel.1.txt
	$(AM_V_GEN)$(MKDIR_P) doc && ./tools/petrel$(EXEEXT) --help > doc/petrel.help && \
	$(PYTHON3) $(srcdir)/doc/gen-man.py cli doc/petrel.help $(srcdir)/doc/petrel.1.txt \
		$@.tmp $(PACKAGE_VERSION) && mv $@.tmp $@ && rm -f doc/petrel.help

# The section-3 page list follows the header, so it is not known to
# automake: the pages go to doc/man3/ and are installed by the hooks below.
doc/man3.stamp: $(petrel_man3_deps)
	$(AM_V_GEN)$(PYTHON3) $(srcdir)/doc/gen-man.py api $(srcdir)/include/petrel/petrel.h \
		$(srcdir)/common/errors.c $(srcdir)/doc/api.txt doc/man3 $(PACKAGE_VERSION) && touch $@

all-local: doc/man3.stamp
install-data-local: doc/man3.stamp
	$(MKDIR_P) '$(DESTDIR)$(mandir)/man3'
	$(INSTALL_DATA) doc/man3/*.3 '$(DESTDIR)$(mandir)/man3'
uninstall-local:
	for f in doc/man3/*.3; do rm -f "$(DESTDIR)$(mandir)/man3/$${f##*/}"; done
clean-local:
	rm -rf doc/man3
CLEANFILES += doc/petrel.1 doc/petrel.1.tmp doc/petrel.help doc/man3.stamp
EXTRA_DIST += doc/gen-man.py doc/api.txt doc/petrel.1.txt

# Every page renders without a groff warning; every function has a page.
TESTS += tests/man_test.sh
EXTRA_DIST += tests/man_test.sh
EXTRA_DIST += doc/load-balancing.md
