# Shared helpers for the interop tests (sourced, not run). Each test runs
# real OpenSSL / GnuTLS command-line peers against tests/interop/interop-peer
# over UDP on 127.0.0.1, and asserts on what both sides print.
#
# Conventions: every process we start is recorded in PIDS and killed by the
# EXIT trap; every process runs under `timeout`; ports come from the kernel
# (interop-peer freeport) and a server that fails to start is retried on a
# new port; exit 77 means skipped (automake), 1 failed, 0 passed.

set -u

: "${srcdir:=$(dirname "$0")/../..}"
PEER=${PEER:-./tests/interop/interop-peer}
PSK_ID=petrel-interop
PSK_HEX=00112233445566778899aabbccddeeff
CLIENT_MSG=hello-from-petrel
PIDS=""
FAILED=0
PASSED=0
FAILED_CASES=""
CASE=""

skip() {
	echo "SKIP: $*"
	exit 77
}

need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed"
	done
}

[ -x "$PEER" ] || skip "$PEER not built"
command -v timeout >/dev/null 2>&1 || skip "timeout (coreutils) not installed"

T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-interop.XXXXXX")

cleanup() {
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null
	done
	PIDS=""
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Remember a background process (started with &) so the trap ends it.
track() {
	PIDS="$PIDS $1"
}

# Stop the tracked processes of the current case.
stop_all() {
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PIDS=""
}

# Keys and self-signed certificates (CN and SAN localhost), made per run.
make_certs() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/ec-key.pem" -out "$T/ec-cert.pem" -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost -days 2 >/dev/null 2>&1 ||
		skip "openssl cannot make an EC certificate"
	openssl req -x509 -newkey rsa:2048 -nodes \
		-keyout "$T/rsa-key.pem" -out "$T/rsa-cert.pem" -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost -days 2 >/dev/null 2>&1 ||
		skip "openssl cannot make an RSA certificate"
	printf '%s:%s\n' "$PSK_ID" "$PSK_HEX" >"$T/psk.passwd"
	# A root, an intermediate and a P-384 leaf: "p384-chain.pem" holds
	# leaf + intermediate, "root.pem" is the only trust anchor.
	printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$T/int.ext"
	printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' >"$T/leaf.ext"
	{
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$T/root-key.pem" -out "$T/root.pem" -subj /CN=Petrel-Interop-Root -days 2 \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/int-key.pem" \
			-out "$T/int.csr" -subj /CN=Petrel-Interop-Intermediate &&
		openssl x509 -req -in "$T/int.csr" -CA "$T/root.pem" -CAkey "$T/root-key.pem" \
			-set_serial 2 -out "$T/int.pem" -days 2 -extfile "$T/int.ext" &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/p384-key.pem" \
			-out "$T/p384.csr" -subj /CN=localhost &&
		openssl x509 -req -in "$T/p384.csr" -CA "$T/int.pem" -CAkey "$T/int-key.pem" \
			-set_serial 3 -out "$T/p384-leaf.pem" -days 2 -extfile "$T/leaf.ext" &&
		cat "$T/p384-leaf.pem" "$T/int.pem" >"$T/p384-chain.pem"
	} >/dev/null 2>&1 || skip "openssl cannot make a certificate chain"
}

free_port() {
	"$PEER" freeport
}

# wait_for FILE REGEX SECONDS [COUNT]: until FILE has COUNT lines matching.
wait_for() {
	local file=$1 re=$2 secs=$3 count=${4:-1} i=0
	while [ "$i" -lt $((secs * 20)) ]; do
		if [ -f "$file" ] && [ "$(grep -c -E -- "$re" "$file" 2>/dev/null)" -ge "$count" ]; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# ---- assertions: each records a failure for the current case ----

fail() {
	echo "  FAIL [$CASE]: $*"
	CASE_OK=0
}

# expect_count FILE REGEX N DESCRIPTION: exactly N lines match.
expect_count() {
	local n
	n=$(grep -c -E -- "$2" "$1" 2>/dev/null)
	[ "$n" = "$3" ] || fail "$4: expected $3 line(s) matching '$2' in $(basename "$1"), got $n"
}

# expect_line FILE REGEX DESCRIPTION: at least one line matches.
expect_line() {
	grep -q -E -- "$2" "$1" 2>/dev/null || fail "$3: no line matching '$2' in $(basename "$1")"
}

expect_status() {
	[ "$1" = "$2" ] || fail "$3: exit status $1, expected $2"
}

begin_case() {
	CASE=$1
	CASE_OK=1
}

# end_case FILES...: report, and show the logs when the case failed.
end_case() {
	stop_all
	if [ "$CASE_OK" = 1 ]; then
		echo "PASS: $CASE"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL: $CASE"
		FAILED=$((FAILED + 1))
		FAILED_CASES="$FAILED_CASES
  $CASE"
		for f in "$@"; do
			echo "  ---- $(basename "$f")"
			sed 's/^/  | /' "$f" 2>/dev/null | head -80
		done
	fi
}

finish() {
	echo "interop: $PASSED passed, $FAILED failed"
	if [ "$FAILED" -gt 0 ]; then
		echo "failed cases:$FAILED_CASES"
		exit 1
	fi
	exit 0
}

# start_with_port OUT READY_REGEX ERROR_REGEX CMD...: run CMD (where the word
# @PORT@ stands for the port) in the background on a free port, until OUT
# matches READY_REGEX; a new port on a bind failure. Sets PORT and SERVER_PID.
start_with_port() {
	local out=$1 ready=$2 err=$3 attempt a args
	shift 3
	for attempt in 1 2 3; do
		PORT=$(free_port)
		args=()
		for a in "$@"; do
			args+=("${a//@PORT@/$PORT}")
		done
		# Every launch empties its output file first: a wait_for must
		# never see a line left by an earlier process (a race under load).
		: >"$out"
		timeout 60 "${args[@]}" >"$out" 2>&1 &
		SERVER_PID=$!
		track "$SERVER_PID"
		wait_for "$out" "$ready|$err" 10
		if grep -q -E -- "$ready" "$out"; then
			return 0
		fi
		stop_all
	done
	return 1
}

# start_petrel_server OUT ARGS...: run interop-peer server on a free port
# (new port on a bind failure); sets PORT and SERVER_PID.
start_petrel_server() {
	local out=$1
	shift
	start_with_port "$out" '^listening:' '^error:' "$PEER" server --port @PORT@ "$@"
}

# start_openssl_server OUT FIFO ARGS...: `openssl s_server -dtls1_2` on a
# free port of 127.0.0.1 with ARGS, until it prints ACCEPT (a new port when
# it does not). Its stdin is the fifo FIFO, held open on fd 3: s_server
# sends what is written there. Sets PORT; the caller closes fd 3
# (`exec 3>&-`) once done, fd 3 is already closed on failure.
start_openssl_server() {
	local out=$1 fifo=$2 attempt
	shift 2
	for attempt in 1 2 3; do
		PORT=$(free_port)
		rm -f "$fifo" && mkfifo "$fifo"
		: >"$out"
		timeout 40 openssl s_server -dtls1_2 -accept "127.0.0.1:$PORT" "$@" <"$fifo" >"$out" 2>&1 &
		track $!
		exec 3>"$fifo"
		if wait_for "$out" '^ACCEPT' 10; then
			return 0
		fi
		exec 3>&-
		stop_all
	done
	return 1
}

# start_gnutls_server OUT ARGS...: `gnutls-serv --udp --echo` on a free port
# with ARGS, until it listens (a new port when it reports an error). Sets
# PORT and SERVER_PID.
start_gnutls_server() {
	local out=$1
	shift
	start_with_port "$out" 'listening on IPv4.*done' 'rror' gnutls-serv --udp --echo -p @PORT@ "$@"
}

# start_petrel_verbose_server OUT ARGS...: `petrel server --echo --verbose`
# (the command-line tool, $PETREL) on 127.0.0.1, port 0: the kernel picks
# it, read back from the "listening on" line. Sets PORT.
start_petrel_verbose_server() {
	local out=$1
	shift
	: >"$out"
	timeout 40 "$PETREL" server --port 0 --bind 127.0.0.1 --echo --verbose "$@" >"$out" 2>&1 &
	track $!
	wait_for "$out" '^listening on ' 10 || return 1
	PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$out")
	[ -n "$PORT" ]
}

# check_datagram_sizes FILE MTU PEER_LIMIT: interop-peer's largest datagram
# fits the MTU less 28 bytes of IPv4 + UDP header, and the peer's fits
# PEER_LIMIT (OpenSSL's -mtu is a link MTU like Petrel's; GnuTLS's --mtu
# is the datagram size).
check_datagram_sizes() {
	local file=$1 max=$(($2 - 28)) peer_max=$3 line sent recv seen=0
	while read -r line; do
		sent=${line#*sent=}
		sent=${sent%% *}
		recv=${line#*received=}
		[ "$sent" -le "$max" ] || fail "Petrel sent a $sent-byte datagram (limit $max)"
		[ "$recv" -le "$peer_max" ] || fail "the peer sent a $recv-byte datagram (limit $peer_max)"
		seen=1
	done < <(grep '^largest_datagram:' "$file")
	[ "$seen" = 1 ] || fail "no datagram sizes in $(basename "$file")"
}

# expect_no_retransmission FILE: every handshake interop-peer reported in
# FILE went without a retransmission (issue #17 item 5: on loopback the
# timer must cover the peer's processing, so nothing is resent).
expect_no_retransmission() {
	local n
	n=$(grep -c -E '^stats: .*retransmissions=[1-9]' "$1" 2>/dev/null)
	[ "$n" = 0 ] || fail "Petrel retransmitted on loopback in $n handshake(s) of $(basename "$1")"
}
