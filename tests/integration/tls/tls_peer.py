#!/usr/bin/python3
"""The TLS peers of the gateway in the TLS integration tests, on 127.0.0.1 only.

client: one SMTP session with STARTTLS against the gateway, then QUIT; prints one JSON object
        with the replies, the negotiated version and cipher, and whether the TLS connection ended
        cleanly (the gateway sent close_notify, so ssl's unwrap() succeeded).
server: an internal MTA with STARTTLS that accepts every message; after each QUIT it appends one
        line to --record: "clean" when the client sent close_notify, else "unclean: <why>".
"""

import argparse
import json
import socket
import ssl
import sys

TIMEOUT = 20


class LineReader:
    """CRLF lines from a socket (plain or TLS), without reading past what is needed."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("connection closed")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def reply(self):
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), "\n".join(lines)


def strict_about_eof(ctx):
    """Python sets OP_IGNORE_UNEXPECTED_EOF, which takes a bare TCP close for close_notify."""
    ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF
    return ctx


def client_context(args):
    ctx = strict_about_eof(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if args.max_tls == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    return ctx


def run_client(args):
    result = {}
    sock = socket.create_connection(("127.0.0.1", args.port), timeout=TIMEOUT)
    reader = LineReader(sock)
    result["greeting"] = reader.reply()[0]
    sock.sendall(("HELO" if args.helo else "EHLO").encode() + b" client.test\r\n")
    result["hello"] = reader.reply()[0]
    sock.sendall(b"STARTTLS\r\n")
    result["starttls"] = reader.reply()[0]
    if result["starttls"] != 220:
        print(json.dumps(result))
        return
    try:
        tls = client_context(args).wrap_socket(sock, server_hostname="gw.test")
    except (ssl.SSLError, OSError) as e:
        result["handshake_error"] = str(e)
        print(json.dumps(result))
        return
    result["version"] = tls.version()
    result["cipher"] = tls.cipher()[0]
    reader = LineReader(tls)
    tls.sendall(b"EHLO client.test\r\n")
    result["ehlo_after_tls"] = reader.reply()[0]
    tls.sendall(b"QUIT\r\n")
    result["quit"] = reader.reply()[0]
    try:
        tls.unwrap()
        result["clean_shutdown"] = True
    except (ssl.SSLError, OSError) as e:
        result["clean_shutdown"] = False
        result["shutdown_error"] = str(e)
    print(json.dumps(result))


def record(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text + "\n")


def serve_connection(conn, ctx, record_path):
    conn.settimeout(TIMEOUT)
    sock = conn
    reader = LineReader(sock)
    tls = False
    spoke = False  # a connection that closes before its first command is only a port probe
    sock.sendall(b"220 mta.test ESMTP\r\n")
    while True:
        try:
            line = reader.line()
        except (EOFError, OSError, ssl.SSLError) as e:
            if spoke:
                record(record_path, "unclean: closed before QUIT: %s" % e)
            return
        spoke = True
        verb = line[:4].upper()
        if verb == "EHLO":
            sock.sendall(b"250-mta.test\r\n" + (b"" if tls else b"250-STARTTLS\r\n") +
                         b"250 8BITMIME\r\n")
        elif verb == "STAR" and not tls:
            sock.sendall(b"220 2.0.0 go ahead\r\n")
            sock = ctx.wrap_socket(sock, server_side=True)
            reader = LineReader(sock)
            tls = True
        elif verb == "DATA":
            sock.sendall(b"354 go ahead\r\n")
            while reader.line() != ".":
                pass
            sock.sendall(b"250 2.0.0 queued\r\n")
        elif verb == "QUIT":
            sock.sendall(b"221 2.0.0 bye\r\n")
            if not tls:
                record(record_path, "unclean: no TLS")
                return
            try:
                sock.unwrap()
                record(record_path, "clean")
            except (ssl.SSLError, OSError) as e:
                record(record_path, "unclean: %s" % e)
            return
        else:
            sock.sendall(b"250 2.0.0 ok\r\n")


def run_server(args):
    ctx = strict_about_eof(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    ctx.load_cert_chain(args.cert, args.key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    while True:
        conn, _ = listener.accept()
        try:
            serve_connection(conn, ctx, args.record)
        finally:
            conn.close()


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    client = sub.add_parser("client")
    client.add_argument("--port", type=int, required=True)
    client.add_argument("--helo", action="store_true", help="HELO instead of EHLO before STARTTLS")
    client.add_argument("--max-tls", choices=["1.2", "1.3"], default="1.3")
    client.add_argument("--ciphers", help="OpenSSL cipher list offered for TLS 1.2")
    server = sub.add_parser("server")
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--cert", required=True)
    server.add_argument("--key", required=True)
    server.add_argument("--record", required=True)
    args = parser.parse_args()
    if args.mode == "client":
        run_client(args)
    else:
        run_server(args)


if __name__ == "__main__":
    sys.exit(main())
