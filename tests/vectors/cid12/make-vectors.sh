#!/usr/bin/env bash
# Records DTLS 1.2 sessions with RFC 9146 Connection IDs between mbedTLS 3.6
# ssl_client2 and ssl_server2 (../shared/peers/mbedtls-3.6), loopback only,
# through the relay of ../shared/vectors/capture.py. Same file format as
# tests/vectors/*.txt, plus a "# cid:" line.
# Usage: make-vectors.sh [PEERS_DIR] [CAPTURE_PY]   (ports 47600-47620)
set -u
cd "$(dirname "$(readlink -f "$0")")"
ROOT=$(git rev-parse --show-toplevel 2>/dev/null || echo ../../..)
PEERS=${1:-$ROOT/../shared/peers/mbedtls-3.6}
CAPTURE=${2:-$ROOT/../shared/vectors/capture.py}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
PSK=000102030405060708090a0b0c0d0e0f
port=47600
vec() { # name, description, c2s cid, s2c cid, server args, client args
  local name=$1 desc=$2 c2s=$3 s2c=$4 srv=$5 cli=$6; port=$((port+2)); local out=$name.txt
  printf '# %s\n# server: ssl_server2 %s\n# client: ssl_client2 %s\n# cid: c2s=%s s2c=%s\n' \
    "$desc" "$srv" "$cli" "$c2s" "$s2c" > "$out"
  rm -f "$T/keylog"
  timeout 8 "$PEERS/bin/ssl_server2" dtls=1 server_addr=127.0.0.1 server_port=$port $srv >"$T/s.out" 2>&1 & local sp=$!
  sleep 0.5
  python3 "$CAPTURE" "$T/cap" $((port+1)) $port & local cp=$!
  sleep 0.3
  timeout 6 "$PEERS/bin/ssl_client2" dtls=1 server_addr=127.0.0.1 server_port=$((port+1)) \
    force_version=dtls12 nss_keylog=1 nss_keylog_file="$T/keylog" $cli >"$T/c.out" 2>&1
  sleep 0.5; kill $cp $sp 2>/dev/null; wait $cp $sp 2>/dev/null
  grep -v '^#' "$T/keylog" | sed 's/^/# keylog: /' >> "$out"
  cat "$T/cap" >> "$out"; rm -f "$T/cap"
  echo "$out: $(grep -c '^c2s' "$out") c2s, $(grep -c '^s2c' "$out") s2c datagrams"
}
vec mbedtls-cid-aes128gcm "DTLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 with CIDs both ways (server receives beefcafe, client receives dead01)" \
  beefcafe dead01 "cid=1 cid_val=beefcafe" "cid=1 cid_val=dead01 force_ciphersuite=TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"
vec mbedtls-cid-psk-ccm8 "DTLS 1.2 PSK-AES128-CCM-8 with CIDs both ways, identity Client_identity, key $PSK" \
  0102030405060708 a1 "cid=1 cid_val=0102030405060708 psk=$PSK psk_identity=Client_identity" \
  "cid=1 cid_val=a1 psk=$PSK psk_identity=Client_identity force_ciphersuite=TLS-PSK-WITH-AES-128-CCM-8"
vec mbedtls-cid-psk-chacha20 "DTLS 1.2 ECDHE-PSK-CHACHA20-POLY1305 with CIDs both ways, identity Client_identity, key $PSK" \
  c0ffee 5eed "cid=1 cid_val=c0ffee psk=$PSK psk_identity=Client_identity" \
  "cid=1 cid_val=5eed psk=$PSK psk_identity=Client_identity force_ciphersuite=TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256"
vec mbedtls-cid-one-way "DTLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256, client asks for an empty CID: only client-to-server records carry one" \
  beef "" "cid=1 cid_val=beef" "cid=1 force_ciphersuite=TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"
