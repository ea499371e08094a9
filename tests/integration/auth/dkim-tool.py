#!/usr/bin/python3
"""DKIM keys and signatures for the authentication integration tests, made with dkimpy
(Debian's python3-dkim), an implementation independent of the gateway's verifier.

  dkim-tool.py keygen KEY_FILE
      writes a new RSA-2048 private key (PEM) to KEY_FILE and prints the base64 public key
      (SubjectPublicKeyInfo) for the p= tag of the key record
  dkim-tool.py sign KEY_FILE DOMAIN SELECTOR
      reads a message with CRLF line ends on stdin and prints it with a relaxed/relaxed
      rsa-sha256 DKIM-Signature field prepended

Nothing but the result goes to stdout; errors go to stderr with exit code 1.
"""

import base64
import subprocess
import sys

import dkim

OPENSSL = "/usr/bin/openssl"
KEY_BITS = "2048"
SIGNED_FIELDS = [b"from", b"to", b"subject", b"date", b"message-id"]


def keygen(key_file):
    subprocess.run([OPENSSL, "genrsa", "-out", key_file, KEY_BITS],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    public = subprocess.run([OPENSSL, "rsa", "-in", key_file, "-pubout", "-outform", "DER"],
                            check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    sys.stdout.write(base64.b64encode(public).decode("ascii"))


def sign(key_file, domain, selector):
    with open(key_file, "rb") as f:
        key = f.read()
    message = sys.stdin.buffer.read()
    field = dkim.sign(message, selector.encode(), domain.encode(), key,
                      canonicalize=(b"relaxed", b"relaxed"), include_headers=SIGNED_FIELDS)
    if not field:
        raise RuntimeError("dkimpy produced no signature")
    sys.stdout.buffer.write(field + message)


def main(argv):
    if len(argv) == 3 and argv[1] == "keygen":
        keygen(argv[2])
    elif len(argv) == 5 and argv[1] == "sign":
        sign(argv[2], argv[3], argv[4])
    else:
        sys.stderr.write(__doc__)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as error:  # one clear line instead of a traceback
        sys.stderr.write("dkim-tool.py: %s\n" % error)
        sys.exit(1)
