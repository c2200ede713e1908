# tools/ build fragment (see top-level Makefile.am): the petrel command,
# its shell test, and the README's example program.
bin_PROGRAMS += tools/petrel
tools_petrel_SOURCES = tools/petrel.c tools/cli.h tools/options.c tools/setup.c tools/net.c \
	tools/report.c tools/lines.c tools/cmd_client.c tools/cmd_demo.c tools/cmd_server.c \
	tools/peers.c
tools_petrel_SOURCES += tools/psk_file.c
tools_petrel_SOURCES += tools/ticket_key_file.c
tools_petrel_SOURCES += tools/cmd_tunnel.c tools/tunnel_session.c tools/tunnel.h tools/forward.c \
	tools/forward.h
tools_petrel_SOURCES += tools/server_workers.c
tools_petrel_LDADD = libpetrel.la

# The README's library example: built by make check so it cannot rot.
check_PROGRAMS += examples/echo_client
examples_echo_client_SOURCES = examples/echo_client.c
examples_echo_client_LDADD = libpetrel.la

TESTS += tools/cli_test.sh
EXTRA_DIST += tools/cli_test.sh
# --psk-file, --require-ems, info listings.
TESTS += tools/cli_psk_test.sh
EXTRA_DIST += tools/cli_psk_test.sh
# Resumption across servers sharing --ticket-key-file (issue #19 item 5).
check_PROGRAMS += tests/ticket_resume_client
tests_ticket_resume_client_SOURCES = tests/ticket_resume_client.c
tests_ticket_resume_client_LDADD = libpetrel.la
TESTS += tools/cli_ticket_test.sh
EXTRA_DIST += tools/cli_ticket_test.sh
# --min-version / --max-version, the version in reports and `petrel info` (issue #20 item 3)
TESTS += tools/cli_version_test.sh
EXTRA_DIST += tools/cli_version_test.sh
# DTLS 1.3 resumption from the command line (issue #20)
TESTS += tools/cli_resume13_test.sh
EXTRA_DIST += tools/cli_resume13_test.sh
