#!/usr/bin/env python3
"""UDP relay for the interop tests that can change its source port towards the
server mid-session (a NAT rebinding), for RFC 9146 / RFC 9147 Connection ID
tests, and that prints one line per datagram describing its DTLS records.

usage: relay-rebind.py LISTEN_PORT SERVER_PORT [--rebind-after N]...
                       [--close-old] [--seconds S]

The relay listens on 127.0.0.1:LISTEN_PORT for one client (the latest source
address seen) and forwards to 127.0.0.1:SERVER_PORT from a socket of its own.
"Rebinding" opens a new socket, so the server sees the client's datagrams come
from a new port:
  --rebind-after N  rebind just before forwarding the N-th client-to-server
                    datagram (counted from 1; may be given several times)
  SIGUSR1           rebind before the next client-to-server datagram
  --close-old       close the previous socket at each rebinding, so datagrams
                    the server still sends to the old port are lost (default:
                    they are still relayed, and marked "old" in the output)

Output (flushed line by line): "ready" once listening, then per datagram
  c2s #N port=P len=L rec=T[/eE],... [hello versions=...] [cid=HEX]
  s2c #N port=P len=L rec=... [old]
where port is the relay's port towards the server, T the record content type
(25 = tls12_cid, "u" a DTLS 1.3 unified header: then E is the epoch's low
two bits and "+cid" its C bit), E the epoch; "hello" lists a
whole unfragmented ClientHello's or ServerHello's supported_versions (hex, as
sent) and the connection_id extension (54) value. "rebind OLD -> NEW" at each
rebinding, and a summary line at exit.
"""
import select
import signal
import socket
import sys
import time

EXT_SUPPORTED_VERSIONS = 43
EXT_CONNECTION_ID = 54


def hello_info(body):
    """'hello versions=... cid=...' for a whole ClientHello/ServerHello, else ''."""
    if len(body) < 12 or body[0] not in (1, 2):
        return ""
    msg_len = int.from_bytes(body[1:4], "big")
    frag_off = int.from_bytes(body[6:9], "big")
    frag_len = int.from_bytes(body[9:12], "big")
    if frag_off != 0 or frag_len != msg_len or len(body) < 12 + msg_len:
        return ""
    m = body[12:12 + msg_len]
    try:
        off = 2 + 32
        off += 1 + m[off]                                       # session_id
        if body[0] == 1:
            off += 1 + m[off]                                   # cookie
            off += 2 + int.from_bytes(m[off:off + 2], "big")    # cipher_suites
            off += 1 + m[off]                                   # compression_methods
        else:
            off += 2 + 1                                        # cipher_suite, compression
        if off + 2 > len(m):
            return "hello"
        end = off + 2 + int.from_bytes(m[off:off + 2], "big")
        off += 2
        out = ["hello"]
        while off + 4 <= end:
            etype = int.from_bytes(m[off:off + 2], "big")
            elen = int.from_bytes(m[off + 2:off + 4], "big")
            data = m[off + 4:off + 4 + elen]
            if etype == EXT_SUPPORTED_VERSIONS:
                vers = data[1:] if body[0] == 1 else data
                out.append("versions=" + ",".join(vers[i:i + 2].hex() for i in range(0, len(vers) - 1, 2)))
            elif etype == EXT_CONNECTION_ID and data:
                out.append("cid=" + (data[1:1 + data[0]].hex() or "empty"))
            off += 4 + elen
        return " ".join(out)
    except IndexError:
        return "hello(truncated)"


def describe(dgram):
    recs, extra = [], ""
    off = 0
    while off < len(dgram):
        first = dgram[off]
        if first & 0xE0 == 0x20:
            # RFC 9147 4: unified header; its length is unknown without the
            # CID length when the C bit is set, so stop after it.
            recs.append(f"u/e{first & 3}" + ("+cid" if first & 0x10 else ""))
            break
        if off + 13 > len(dgram):
            recs.append("?")
            break
        epoch = int.from_bytes(dgram[off + 3:off + 5], "big")
        if first == 25:
            # tls12_cid: the CID length is not on the wire; the length field
            # position depends on it, so stop here.
            recs.append(f"25/e{epoch}")
            break
        length = int.from_bytes(dgram[off + 11:off + 13], "big")
        recs.append(f"{first}/e{epoch}")
        if first == 22 and epoch == 0 and not extra:
            extra = hello_info(dgram[off + 13:off + 13 + length])
        off += 13 + length
    return "rec=" + ",".join(recs) + (" " + extra if extra else "")


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    listen_port, server_port = int(args[0]), int(args[1])
    rebind_at = set()
    close_old = False
    seconds = 30.0
    i = 2
    while i < len(args):
        if args[i] == "--rebind-after" and i + 1 < len(args):
            rebind_at.add(int(args[i + 1]))
            i += 2
        elif args[i] == "--close-old":
            close_old = True
            i += 1
        elif args[i] == "--seconds" and i + 1 < len(args):
            seconds = float(args[i + 1])
            i += 2
        else:
            print(__doc__, file=sys.stderr)
            return 2

    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(("127.0.0.1", listen_port))
    state = {"rebind": False}
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGUSR1, lambda signum, frame: state.update(rebind=True))
    counts = {"c2s": 0, "s2c": 0}
    rebinds = 0
    backs = [new_back(server_port)]
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    client = None
    try:
        while time.monotonic() < deadline:
            try:
                ready, _, _ = select.select([front] + backs, [], [], 0.2)
            except InterruptedError:
                continue
            for sock in ready:
                try:
                    if sock is front:
                        dgram, client = front.recvfrom(65535)
                        counts["c2s"] += 1
                        if state["rebind"] or counts["c2s"] in rebind_at:
                            state["rebind"] = False
                            old = backs[-1]
                            backs.append(new_back(server_port))
                            rebinds += 1
                            print(f"rebind {port_of(old)} -> {port_of(backs[-1])}", flush=True)
                            if close_old:
                                old.close()
                                backs.remove(old)
                        print(f"c2s #{counts['c2s']} port={port_of(backs[-1])} len={len(dgram)} "
                              f"{describe(dgram)}", flush=True)
                        backs[-1].send(dgram)
                    else:
                        dgram = sock.recv(65535)
                        counts["s2c"] += 1
                        print(f"s2c #{counts['s2c']} port={port_of(sock)} len={len(dgram)} "
                              f"{describe(dgram)}{'' if sock is backs[-1] else ' old'}", flush=True)
                        if client is not None:
                            front.sendto(dgram, client)
                except ConnectionRefusedError:
                    continue
    finally:
        print(f"relayed c2s={counts['c2s']} s2c={counts['s2c']} rebinds={rebinds}", flush=True)
    return 0


def new_back(server_port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.connect(("127.0.0.1", server_port))
    return s


def port_of(sock):
    return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
