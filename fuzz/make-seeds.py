#!/usr/bin/env python3
"""Regenerate the seed corpora of the record, reassembly and whole-handshake
fuzz targets from the recorded sessions in ../shared/vectors (real OpenSSL
and GnuTLS traffic), and the der target's seeds from tests/fixtures/x509.

Usage: python3 fuzz/make-seeds.py [VECTORS_DIR]   (run from the source root)
"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'vectors')
CORPUS = os.path.join(ROOT, 'fuzz', 'corpus')


def sessions():
    for name in sorted(os.listdir(VECTORS)):
        if not name.endswith('.txt'):
            continue
        dgrams = []
        with open(os.path.join(VECTORS, name)) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] in ('c2s', 's2c'):
                    dgrams.append((parts[0], bytes.fromhex(parts[1])))
        yield name[:-4], dgrams


def records(dgram):
    pos = 0
    while pos + 13 <= len(dgram):
        length = struct.unpack('>H', dgram[pos + 11:pos + 13])[0]
        yield dgram[pos:pos + 13 + length]
        pos += 13 + length


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def frame(dgrams):
    return b''.join(struct.pack('>H', len(d)) + d for d in dgrams)


for sess, dgrams in sessions():
    # record: mode 0 (epoch 0) and mode 1 (epoch-1 keys, AES-GCM) per datagram.
    for i, (direction, d) in enumerate(dgrams):
        put('record', '%s-%02d-%s' % (sess, i, direction), bytes([i & 1]) + d)
    # reassembly: every epoch-0 handshake record of one direction, in order.
    for direction in ('c2s', 's2c'):
        recs = [r[13:] for dir_, d in dgrams if dir_ == direction
                for r in records(d) if r[0] == 22 and r[3:5] == b'\0\0']
        if recs:
            put('reassembly', '%s-%s' % (sess, direction),
                bytes([8, 0x80, 0x80, 0]) + frame(recs))
    # dtls_messages: every epoch-0 handshake message body, reassembled.
    for direction in ('c2s', 's2c'):
        msgs = {}
        for dir_, d in dgrams:
            if dir_ != direction:
                continue
            for r in records(d):
                if r[0] != 22 or r[3:5] != b'\0\0':
                    continue
                body = r[13:]
                while len(body) >= 12:
                    mtype = body[0]
                    length = int.from_bytes(body[1:4], 'big')
                    seq = int.from_bytes(body[4:6], 'big')
                    off = int.from_bytes(body[6:9], 'big')
                    flen = int.from_bytes(body[9:12], 'big')
                    frag = body[12:12 + flen]
                    m = msgs.setdefault((seq, mtype), bytearray(length))
                    m[off:off + len(frag)] = frag
                    body = body[12 + flen:]
        for (seq, mtype), m in sorted(msgs.items()):
            put('dtls_messages', '%s-%s-%d-type%d.bin' % (sess, direction, seq, mtype), bytes(m))
    # whole handshake: the peer's datagrams (cookie on, cookie off).
    c2s = [d for dir_, d in dgrams if dir_ == 'c2s']
    s2c = [d for dir_, d in dgrams if dir_ == 's2c']
    for config in (0x00, 0x04, 0x84):
        put('handshake_server', '%s-%02x' % (sess, config), bytes([config]) + frame(c2s))
        put('handshake_client', '%s-%02x' % (sess, config), bytes([config]) + frame(s2c))

fixtures = os.path.join(ROOT, 'tests', 'fixtures', 'x509')
if os.path.isdir(fixtures):
    for name in sorted(os.listdir(fixtures)):
        if name.endswith(('.der', '.pem', '.key')):
            with open(os.path.join(fixtures, name), 'rb') as f:
                put('der', name, f.read())
    # Chain PEM, NUL, key PEM: the credentials loader's input.
    for leaf in ('ec-leaf', 'ed-leaf', 'rsa-leaf'):
        with open(os.path.join(fixtures, leaf + '.pem'), 'rb') as f:
            chain = f.read()
        with open(os.path.join(fixtures, leaf + '.key'), 'rb') as f:
            key = f.read()
        put('der', leaf + '-creds', chain + b'\0' + key)
