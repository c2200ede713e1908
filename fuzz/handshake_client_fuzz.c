/* libFuzzer target: a Petrel client handshake against a fuzzer-played
 * server (see handshake_peer.h). Seeds: fuzz/corpus/handshake_client/,
 * the server-to-client datagrams of real sessions (../shared/vectors). */
#include "fuzz/handshake_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_play_peer(PETREL_CLIENT, data, size);
	return 0;
}
