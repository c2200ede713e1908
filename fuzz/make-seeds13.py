#!/usr/bin/env python3
"""Seed corpora of the DTLS 1.3 fuzz targets (header13, record13, ack,
msg13, server13) from the recorded wolfSSL DTLS 1.3 sessions in
tests/vectors/dtls13 and from bodies built here by hand (RFC 8446 4,
RFC 9147 4, 7, 9 layouts), so each target starts from well-formed input.

Usage: python3 fuzz/make-seeds13.py [VECTORS_DIR]   (run from the source root)
"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'tests', 'vectors', 'dtls13')
CORPUS = os.path.join(ROOT, 'fuzz', 'corpus')

# msg13_fuzz.c's selectors (byte 0).
(M_CLIENT_HELLO, M_SERVER_HELLO, M_ENCRYPTED_EXTENSIONS, M_CERTIFICATE, M_CERTIFICATE_REQUEST,
 M_CERTIFICATE_VERIFY, M_NEW_SESSION_TICKET, M_KEY_UPDATE, M_NEW_CONNECTION_ID,
 M_REQUEST_CONNECTION_ID, M_EXTENSION_BLOCK) = range(11)


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def u8(v): return struct.pack('>B', v)
def u16(v): return struct.pack('>H', v)
def u24(v): return struct.pack('>I', v)[1:]
def u32(v): return struct.pack('>I', v)
def u64(v): return struct.pack('>Q', v)
def op8(b): return u8(len(b)) + b
def op16(b): return u16(len(b)) + b
def op24(b): return u24(len(b)) + b
def ext(t, body): return u16(t) + op16(body)


def sessions():
    for name in sorted(os.listdir(VECTORS)):
        if not name.endswith('.txt'):
            continue
        dgrams, cid = [], 0
        with open(os.path.join(VECTORS, name)) as f:
            for line in f:
                parts = line.split()
                if line.startswith('# cid:'):
                    cid = len(bytes.fromhex(parts[2].split('=')[1]))
                if len(parts) == 2 and parts[0] in ('c2s', 's2c'):
                    dgrams.append((parts[0], bytes.fromhex(parts[1])))
        yield name[:-4], dgrams, cid


def plaintext_messages(dgram):
    """Whole (unfragmented) handshake messages of DTLS 1.2-header records."""
    pos = 0
    while pos + 13 <= len(dgram) and dgram[pos] in range(20, 27):
        length = struct.unpack('>H', dgram[pos + 11:pos + 13])[0]
        rec = dgram[pos + 13:pos + 13 + length]
        pos += 13 + length
        if dgram[pos - 13 - length] != 22:
            continue
        while len(rec) >= 12:
            mtype = rec[0]
            mlen = int.from_bytes(rec[1:4], 'big')
            foff = int.from_bytes(rec[6:9], 'big')
            flen = int.from_bytes(rec[9:12], 'big')
            if foff == 0 and flen == mlen and len(rec) >= 12 + flen:
                yield mtype, rec[12:12 + flen]
            rec = rec[12 + flen:]


recon = bytes(range(1, 17))  # header13: 16 bytes of reconstruction inputs / mask
for sess, dgrams, cid in sessions():
    selector = {0: 0, 1: 1, 8: 2, 20: 3}.get(cid, 0)
    for i, (direction, d) in enumerate(dgrams):
        if d and 0x20 <= d[0] <= 0x3f and i < 8:
            put('header13', '%s-%02d-%s' % (sess, i, direction), u8(selector) + recon + d)
            if i < 4:
                # record13 mode 4 (ChaCha20) / 0 (AES-128-GCM): the real records fail
                # their tags, the built chunks after them do not.
                put('record13', '%s-%02d-%s' % (sess, i, direction),
                    u8((cid and 0x08) | (4 if 'chacha' in sess else 0)) + b'\x00\x01' + d)
        for mtype, body in plaintext_messages(d):
            if mtype == 1:
                put('msg13', '%s-%02d-client-hello' % (sess, i), u8(M_CLIENT_HELLO) + body)
                put('server13', '%s-%02d-ch' % (sess, i), b'\x00' + u16(len(body)) + body)
                put('server13', '%s-%02d-ch-hrr' % (sess, i), b'\x01' + u16(len(body)) + body)
                if 'psk' in sess:
                    put('server13', '%s-%02d-ch-psk' % (sess, i), b'\x06' + u16(len(body)) + body)
                # A second message after the first flight: a bogus Finished.
                put('server13', '%s-%02d-ch-fin' % (sess, i),
                    b'\x80' + u16(len(body)) + body + b'\x14' + bytes(32))
            elif mtype == 2:
                put('msg13', '%s-%02d-server-hello' % (sess, i), u8(M_SERVER_HELLO) + body)

# ---- built message bodies (msg13) ----
sig_algs = ext(13, op16(u16(0x0403) + u16(0x0804) + u16(0x0807)))
groups = ext(10, op16(u16(0x001d) + u16(0x0017)))
alpn = ext(16, op16(op8(b'coap')))
put('msg13', 'ee-empty', u8(M_ENCRYPTED_EXTENSIONS) + op16(b''))
put('msg13', 'ee-groups-alpn', u8(M_ENCRYPTED_EXTENSIONS) + op16(groups + alpn))
cert = bytes.fromhex('3082') + bytes(40)
put('msg13', 'certificate-one', u8(M_CERTIFICATE) + op8(b'') + op24(op24(cert) + op16(b'')))
put('msg13', 'certificate-two-ctx', u8(M_CERTIFICATE) + op8(b'\x01\x02') +
    op24(op24(cert) + op16(b'') + op24(cert[:10]) + op16(ext(5, b''))))
put('msg13', 'certificate-empty', u8(M_CERTIFICATE) + op8(b'') + op24(b''))
put('msg13', 'certificate-request', u8(M_CERTIFICATE_REQUEST) + op8(b'') + op16(sig_algs))
put('msg13', 'certificate-verify', u8(M_CERTIFICATE_VERIFY) + u16(0x0403) + op16(bytes(range(72))))
put('msg13', 'nst', u8(M_NEW_SESSION_TICKET) + u32(7200) + u32(0x01020304) + op8(b'\x00\x01') +
    op16(bytes(range(48))) + op16(b''))
put('msg13', 'nst-early-data', u8(M_NEW_SESSION_TICKET) + u32(600) + u32(9) + op8(b'') +
    op16(b'T') + op16(ext(42, u32(16384))))
put('msg13', 'key-update-0', u8(M_KEY_UPDATE) + b'\x00')
put('msg13', 'key-update-1', u8(M_KEY_UPDATE) + b'\x01')
put('msg13', 'ncid', u8(M_NEW_CONNECTION_ID) + op16(op8(bytes(8)) + op8(b'') + op8(b'\xab')) + b'\x00')
put('msg13', 'rcid', u8(M_REQUEST_CONNECTION_ID) + b'\x03')
ch_exts = (ext(43, op8(u16(0xfefc) + u16(0xfefd))) + groups + sig_algs +
           ext(51, op16(u16(0x001d) + op16(bytes(32)))) + ext(44, op16(bytes(range(20)))) +
           ext(45, op8(b'\x01')) +
           ext(41, op16(op16(b'id') + u32(0)) + op16(op8(bytes(32)))))
put('msg13', 'block-client-hello', u8(M_EXTENSION_BLOCK) + ch_exts)
sh_exts = ext(43, u16(0xfefc)) + ext(51, u16(0x001d) + op16(bytes(32))) + ext(41, u16(0))
put('msg13', 'block-server-hello', u8(M_EXTENSION_BLOCK) + sh_exts + b'\x00')  # odd: ServerHello forms

# ---- ACK bodies ----
def ack(nums): return op16(b''.join(u64(e) + u64(s) for e, s in nums))
put('ack', 'empty', ack([]))
put('ack', 'one', ack([(2, 0)]))
put('ack', 'flight', ack([(0, 1), (2, 0), (2, 1), (2, 3), (3, 7)]))
put('ack', 'unordered', ack([(2, 5), (2, 1)]))
put('ack', 'odd-length', u16(17) + bytes(17))

# ---- record13: [mode][expected u16] then [type][len][shape] chunks ----
chunks = (b'\x17\x05\x00hello' + b'\x16\x04\x02\x01\x00\x00\x00' + b'\x15\x02\x05\x01\x00' +
          b'\x1a\x10\x06' + bytes(16) + b'\x17\x00\x18')
for alg in range(5):
    put('record13', 'built-aead%d' % alg, u8(alg) + b'\x00\x00' + chunks)
    put('record13', 'built-aead%d-cid-flip' % alg, u8(alg | 0x28) + b'\x01\x00' + chunks)
put('record13', 'built-chacha-be', u8(4 | 0x10) + b'\xff\xf0' + chunks)

# ---- client13: [config] then [type][u16 length][body] server messages ----
# (helper "sm13"): a hand-built server flight, and the ServerHellos of the
# recorded sessions followed by it.
def msg(t, body): return u8(t) + u16(len(body)) + body
hrr_random = bytes.fromhex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c')
def server_hello(random, suite, exts):
    return u16(0xfefd) + random + op8(b'') + u16(suite) + b'\x00' + op16(exts)
sh_x25519 = server_hello(bytes(range(32)), 0x1301,
                         ext(43, u16(0xfefc)) + ext(51, u16(0x001d) + op16(bytes(range(9, 41)))))
sh_psk = server_hello(bytes(range(32)), 0x1301,
                      ext(43, u16(0xfefc)) + ext(51, u16(0x001d) + op16(bytes(range(9, 41)))) +
                      ext(41, u16(0)))
sh_psk_ke = server_hello(bytes(range(32)), 0x1301, ext(43, u16(0xfefc)) + ext(41, u16(0)))
hrr = server_hello(hrr_random, 0x1301,
                   ext(43, u16(0xfefc)) + ext(51, u16(0x0017)) + ext(44, op16(bytes(range(40)))))
ee = msg(8, op16(b''))
cr = msg(13, op8(b'') + op16(sig_algs))
cert_msg = msg(11, op8(b'') + op24(op24(cert) + op16(b'')))
cv = msg(15, u16(0x0403) + op16(bytes(range(72))))
fin = msg(20, bytes(32))
nst = msg(4, u32(7200) + u32(0x01020304) + op8(b'\x00\x01') + op16(bytes(range(48))) + op16(b''))
put('client13', 'flight', b'\x00' + msg(2, sh_x25519) + ee + cert_msg + cv + fin + nst)
put('client13', 'flight-cr', b'\x08' + msg(2, sh_x25519) + ee + cr + cert_msg + cv + fin)
put('client13', 'flight-one-suite', b'\x40' + msg(2, sh_x25519) + ee + cert_msg + cv + fin)
put('client13', 'psk-dhe', b'\x01' + msg(2, sh_psk) + ee + fin + nst)
put('client13', 'psk-ke', b'\x03' + msg(2, sh_psk_ke) + ee + fin)
put('client13', 'hrr', b'\x10' + msg(2, hrr) + msg(2, sh_x25519) + ee + cert_msg + cv + fin)
put('client13', 'hrr-twice', b'\x00' + msg(2, hrr) + msg(2, hrr))
put('client13', 'hvr-offer12', b'\x04' + msg(3, u16(0xfefd) + op8(bytes(20))))
put('client13', 'key-update-early', b'\x00' + msg(2, sh_x25519) + msg(24, b'\x00'))
for sess, dgrams, cid in sessions():
    for i, (direction, d) in enumerate(dgrams):
        for mtype, body in plaintext_messages(d):
            if mtype == 2 and direction == 's2c':
                put('client13', '%s-%02d-sh' % (sess, i),
                    (b'\x03' if 'psk' in sess else b'\x00') + msg(2, body) + ee + cert_msg + cv + fin)
# A real leaf (tests/fixtures/x509/ec-leaf.pem) so the client gets past the
# Certificate to CertificateVerify (whose signature then fails).
import base64
with open(os.path.join(ROOT, 'tests', 'fixtures', 'x509', 'ec-leaf.pem')) as f:
    pem = f.read()
leaf = base64.b64decode(''.join(l for l in pem.split('-----BEGIN CERTIFICATE-----')[1]
                                .split('-----END CERTIFICATE-----')[0].split()))
real_cert = msg(11, op8(b'') + op24(op24(leaf) + op16(b'')))
put('client13', 'flight-real-cert', b'\x00' + msg(2, sh_x25519) + ee + real_cert + cv + fin)
put('client13', 'flight-cr-real-cert', b'\x08' + msg(2, sh_x25519) + ee + cr + real_cert + cv + fin)

# ---- the newest post-handshake messages (helper "rcidtest", issue #20) ----
# msg13: NewConnectionId with cid_immediate and several CIDs, an empty
# list, RequestConnectionId for none and for the most; a bad KeyUpdate.
put('msg13', 'ncid-immediate', u8(M_NEW_CONNECTION_ID) +
    op16(op8(b'new-cid') + op8(b'spare-1') + op8(b'spare-2')) + b'\x00')
put('msg13', 'ncid-empty', u8(M_NEW_CONNECTION_ID) + op16(b'') + b'\x01')
put('msg13', 'rcid-zero', u8(M_REQUEST_CONNECTION_ID) + b'\x00')
put('msg13', 'rcid-max', u8(M_REQUEST_CONNECTION_ID) + b'\xff')
put('msg13', 'key-update-2', u8(M_KEY_UPDATE) + b'\x02')
# cid13 (cid13_fuzz.c): selector bits 0-2 the input (2 NewConnectionId, 3
# RequestConnectionId), bit 3 CIDs not enabled, bits 5-7 our CID length.
put('cid13', 'rcid', u8(0xe3) + b'\x04')
put('cid13', 'rcid-not-negotiated', u8(0xeb) + b'\x02')
put('cid13', 'ncid-spares', u8(0xe2) + op16(op8(b'spare-1') + op8(b'spare-2') + op8(b'')) + b'\x01')
put('cid13', 'ncid-immediate-empty', u8(0xe2) + op16(b'') + b'\x00')
# Bit 4: the spares kept (past the cap of 8, a duplicate, an empty one).
put('cid13', 'ncid-spares-kept', u8(0xf2) + op16(b''.join(op8(b'spare-%d' % (i % 9)) for i in range(11)) +
                                              op8(b'')) + b'\x01')
put('cid13', 'ncid-immediate-then-spares', u8(0xf2) + op16(op8(b'now') + op8(b'now') + op8(b'next')) +
    b'\x00')
# ack: ACKs of post-handshake KeyUpdates (RFC 9147 8): the KeyUpdate's
# record in epoch 3, path MTU probes' (dtls13/probe13.c) in later epochs,
# the last epoch and sequence number there are.
put('ack', 'key-update', ack([(3, 9)]))
put('ack', 'probe13', ack([(3, 12), (4, 0), (4, 1), (5, 0)]))
put('ack', 'epoch-max', ack([((1 << 48) - 1, (1 << 48) - 1)]))
# record13: a KeyUpdate (RFC 8446 4.6.3) in a record padded with zeros
# (shape bits 3-7: 31 bytes, the most the target adds), as a path MTU
# probe sends it, followed by application data, or last and without a
# length; with a CID and with ChaCha20.
ku_msg = u8(24) + u24(1) + u16(5) + u24(0) + u24(1) + b'\x01'
padded_ku = b'\x16' + u8(len(ku_msg)) + b'\xfa' + ku_msg
put('record13', 'padded-key-update', u8(0) + b'\x00\x07' + padded_ku + b'\x17\x03\x00abc')
put('record13', 'padded-key-update-last', u8(1) + b'\x00\x07' + b'\x16' + u8(len(ku_msg)) +
    b'\xf8' + ku_msg)
put('record13', 'padded-key-update-cid', u8(0x08 | 2) + b'\x01\x00' + padded_ku)
put('record13', 'padded-key-update-chacha', u8(4) + b'\x00\x00' + padded_ku + b'\x1a\x12\x00' +
    ack([(3, 7)]))
# post13 (post13_fuzz.c): [config] then operations on a 1.3 session after
# its handshake: 0 [type][len][body] a message, 2 [n][back, seq u16]... an
# ACK, 3 [ms u16] timers, 4 [what] the victim acts, 5 exchanges, 6 an
# alert, 7 [len][bytes] application data.
def hs(t, body): return b'\x00' + u8(t) + u8(len(body)) + body
ncid_body = op16(op8(b'nc-1') + op8(b'nc-2')) + b'\x01'
put('post13', 'key-update-requested', b'\x00' + hs(24, b'\x01') + b'\x05' + b'\x07\x02hi')
put('post13', 'key-update-to-server', b'\x03' + hs(24, b'\x01') + b'\x0d' + b'\x03\x01\x00')
put('post13', 'rcid', b'\x02' + hs(9, b'\x04') + b'\x05' + b'\x03\x00\x80' + b'\x05')
put('post13', 'ncid-then-rotate', b'\x03' + hs(10, ncid_body) + b'\x04\x02' + b'\x05' + b'\x04\x03')
put('post13', 'ncid-without-cids', b'\x00' + hs(10, ncid_body))
put('post13', 'victim-key-update-acked', b'\x00' + b'\x04\x00' + b'\x02\x01\x00\x00\x00' +
    b'\x02\x01\x01\x00\x00' + b'\x05')
put('post13', 'victim-ncid-crossing-rcid', b'\x03' + b'\x04\x01' + hs(9, b'\x02') +
    b'\x02\x02\x00\x00\x05\x00\x00\x06' + b'\x03\x01\xf4' + b'\x05\x15')
put('post13', 'nst-to-server', b'\x01' + hs(4, u32(60) + u32(1) + op8(b'') + op16(b'tk') + op16(b'')))
put('post13', 'alert', b'\x02' + b'\x06\x02\x0a')
