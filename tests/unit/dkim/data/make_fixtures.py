#!/usr/bin/python3
"""Regenerates the DKIM fixtures in this folder with dkimpy (Debian python3-dkim), an independent
signer: run `/usr/bin/python3 make_fixtures.py` here. Keys: the RFC 8463 A.1 keys (RSA 1024
"test", Ed25519 "brisbane", d=football.example.com) and dkimpy's 2048-bit test key (s=rsa2048).
The DNS records for them are in fixtures-dns.tsv."""
import base64
import pathlib

import dkim

SHARED = pathlib.Path(__file__).resolve().parents[5] / "shared" / "testdata" / "dkim"
RSA1024 = (SHARED / "rfc-examples" / "rfc8463-A.1-rsa-test.pem").read_bytes()
RSA2048 = (SHARED / "dkimpy" / "2048_testkey.key").read_bytes()
ED25519 = (SHARED / "rfc-examples" / "rfc8463-A.1-ed25519-brisbane.seed.b64").read_bytes().strip()

MESSAGE = (b"From: Joe SixPack <joe@football.example.com>\r\n"
           b"To: Suzie Q <suzie@shopping.example.net>\r\n"
           b"Subject: Is dinner ready?\r\n"
           b"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
           b"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
           b"\r\n"
           b"Hi.  \r\n"
           b"\r\n"
           b"We lost  the game.\tAre you hungry yet?\r\n"
           b"\r\n"
           b"Joe.\r\n"
           b"\r\n\r\n")


def sign(name, selector, key, algorithm, canon, length=False, append=b""):
    signature = dkim.sign(MESSAGE, selector, b"football.example.com", key,
                          canonicalize=canon, signature_algorithm=algorithm, length=length,
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
                          linesep=b"\r\n")
    (pathlib.Path(__file__).parent / name).write_bytes(signature + MESSAGE + append)


sign("rsa-sha1-relaxed.eml", b"test", RSA1024, b"rsa-sha1", (b"relaxed", b"relaxed"))
sign("rsa-sha256-simple-relaxed.eml", b"test", RSA1024, b"rsa-sha256", (b"simple", b"relaxed"))
sign("rsa-sha256-length.eml", b"test", RSA1024, b"rsa-sha256", (b"relaxed", b"simple"),
     length=True, append=b"Appended after signing: covered by nothing.\r\n")
sign("rsa2048-sha256.eml", b"rsa2048", RSA2048, b"rsa-sha256", (b"relaxed", b"relaxed"))
sign("ed25519-sha256.eml", b"brisbane", ED25519, b"ed25519-sha256", (b"relaxed", b"simple"))
