# Distribution (see top-level Makefile.am). The tarball must hold every file
# git tracks, so a release builds, tests and runs CI like a clone:
# `make dist` fails, naming the files, when a tracked file is in no
# EXTRA_DIST or _SOURCES. List a new file next to where it is built or run
# (the owning local.mk); scripts/ and .ci/ go in whole.
EXTRA_DIST += scripts .ci

# Tracked files a tarball does not need (extended regexes, whole paths).
DIST_UNSHIPPED = (.*/)?\.gitignore|m4/\.keep

# Checked only in a git checkout whose top is $(srcdir) (not in a tarball's
# tree, not without git); "make dist" also runs inside distcheck's tree.
dist-hook: dist-check-tracked
dist-check-tracked:
	@top=`cd "$(srcdir)" && git rev-parse --show-toplevel 2>/dev/null` || exit 0; \
	here=`cd "$(srcdir)" && pwd -P`; \
	test "`cd "$$top" && pwd -P`" = "$$here" || exit 0; \
	case "$(distdir)" in /*) dir="$(distdir)";; *) dir="$(abs_builddir)/$(distdir)";; esac; \
	missing=`cd "$(srcdir)" && git ls-files | grep -v -x -E '$(DIST_UNSHIPPED)' | \
		while read -r f; do \
			test ! -e "$$f" || test -e "$$dir/$$f" || echo "$$f"; \
		done`; \
	if test -n "$$missing"; then \
		echo "dist: tracked files missing from the tarball (add each to EXTRA_DIST in its local.mk):"; \
		for f in $$missing; do echo "  $$f"; done; \
		exit 1; \
	fi

.PHONY: dist-check-tracked
