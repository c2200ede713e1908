/* The DTLS 1.3 operations of the dispatcher's table (dtls13/hs13_ops.c). */
#ifndef PETREL_DTLS13_HS13_OPS_H
#define PETREL_DTLS13_HS13_OPS_H

#include "dtls/dispatch.h"

extern const struct petrel_hs_ops petrel_hs13_client_ops;
extern const struct petrel_hs_ops petrel_hs13_server_ops;

#endif
