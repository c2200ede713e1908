#!/usr/bin/env python3
"""UDP relay for the interop tests: forwards datagrams between one client and
a server on 127.0.0.1 and drops chosen ones, to make real peers retransmit.

usage: relay.py LISTEN_PORT SERVER_PORT [--drop DIR:KIND:COUNT[:SKIP]]... [--conn N]
                [--seconds S]

DIR is c2s or s2c. KIND picks the datagrams by their DTLS records:
  epoch1   a record of epoch 1 or later (Finished, then application data)
  hello    a ClientHello / ServerHello (handshake types 1, 2)
  cert     a Certificate handshake message (type 11)
  ccs      a ChangeCipherSpec record
The first COUNT matching datagrams in that direction, after SKIP matching
ones (default 0) passed, are dropped. With --conn N only the N-th client
(by source address, from 1) has datagrams dropped: N=2 is the resumed
connection of a client that connects twice. The relay
prints "ready" once listening, one line per drop, and a summary at exit.
"""
import select
import signal
import socket
import sys
import time


def records(dgram):
    """(content_type, epoch, first handshake type or None) for each record."""
    off = 0
    while off + 13 <= len(dgram):
        ctype = dgram[off]
        epoch = int.from_bytes(dgram[off + 3:off + 5], "big")
        length = int.from_bytes(dgram[off + 11:off + 13], "big")
        body = dgram[off + 13:off + 13 + length]
        hs_type = body[0] if ctype == 22 and epoch == 0 and body else None
        yield ctype, epoch, hs_type
        off += 13 + length


def matches(kind, dgram):
    for ctype, epoch, hs_type in records(dgram):
        if kind == "epoch1" and epoch >= 1:
            return True
        if kind == "hello" and hs_type in (1, 2):
            return True
        if kind == "cert" and hs_type == 11:
            return True
        if kind == "ccs" and ctype == 20:
            return True
    return False


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    listen_port, server_port = int(args[0]), int(args[1])
    rules = []  # [direction, kind, remaining, to skip]
    seconds = 30.0
    conn = 0
    i = 2
    while i < len(args):
        if args[i] == "--drop" and i + 1 < len(args):
            fields = args[i + 1].split(":") + ["0"]
            rules.append([fields[0], fields[1], int(fields[2]), int(fields[3])])
            i += 2
        elif args[i] == "--conn" and i + 1 < len(args):
            conn = int(args[i + 1])
            i += 2
        elif args[i] == "--seconds" and i + 1 < len(args):
            seconds = float(args[i + 1])
            i += 2
        else:
            print(__doc__, file=sys.stderr)
            return 2

    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(("127.0.0.1", listen_port))
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.connect(("127.0.0.1", server_port))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print("ready", flush=True)
    counts = {"c2s": 0, "s2c": 0}
    dropped = {"c2s": 0, "s2c": 0}
    deadline = time.monotonic() + seconds
    try:
        relay(front, back, rules, conn, counts, dropped, deadline)
    finally:
        print(f"relayed c2s={counts['c2s']} s2c={counts['s2c']} "
              f"dropped c2s={dropped['c2s']} s2c={dropped['s2c']}", flush=True)
    return 0


def relay(front, back, rules, conn, counts, dropped, deadline):
    client = None
    clients = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([front, back], [], [], 0.2)
        for sock in ready:
            try:
                if sock is front:
                    dgram, addr = front.recvfrom(65535)
                    client = addr
                    if addr not in clients:
                        clients.append(addr)
                    direction = "c2s"
                else:
                    dgram = back.recv(65535)
                    direction = "s2c"
            except ConnectionRefusedError:
                continue
            counts[direction] += 1
            drop = False
            this_conn = clients.index(client) + 1 if client in clients else 0
            for rule in rules if conn in (0, this_conn) else []:
                if rule[0] == direction and rule[2] > 0 and matches(rule[1], dgram):
                    if rule[3] > 0:
                        rule[3] -= 1
                        continue
                    rule[2] -= 1
                    drop = True
                    break
            if drop:
                dropped[direction] += 1
                print(f"dropped {direction} #{counts[direction]} ({len(dgram)} bytes)", flush=True)
                continue
            try:
                if direction == "c2s":
                    back.send(dgram)
                elif client is not None:
                    front.sendto(dgram, client)
            except ConnectionRefusedError:
                pass


if __name__ == "__main__":
    sys.exit(main())
