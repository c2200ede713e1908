# Interop tests against real OpenSSL and GnuTLS peers over UDP on 127.0.0.1.
