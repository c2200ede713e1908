/* libFuzzer target: a Petrel server handshake against a fuzzer-played
 * client (see handshake_peer.h; config bit 0x04 turns the cookie exchange
 * off so the fuzzer can get past it). Seeds: fuzz/corpus/handshake_server/,
 * the client-to-server datagrams of real sessions (../shared/vectors). */
#include "fuzz/handshake_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_play_peer(PETREL_SERVER, data, size);
	return 0;
}
