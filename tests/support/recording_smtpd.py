#!/usr/bin/python3
"""A recording internal MTA for integration tests (run with /usr/bin/python3, which has aiosmtpd).

Listens on 127.0.0.1:PORT (0: an ephemeral port, written to --port-file) and stores every accepted
message in --dir as NNNNNN.eml (the exact message bytes after dot-unstuffing) and NNNNNN.toml (the
envelope: mail_from (empty for <>), rcpt_tos, the MAIL and RCPT parameters as sent, the DSN parameters). The
.toml file is written last, by rename, so a message exists once its .toml exists.

--tempfail ADDR / --permfail ADDR answer 450 4.2.0 / 550 5.1.1 at RCPT for that recipient (may
be repeated). DSN (RFC 3461) is advertised unless --no-dsn: RET/ENVID/NOTIFY/ORCPT are recorded
verbatim.
--max-line-length N answers "500 Line too long" at the end of DATA when a message line has more
than N octets before its CRLF (RFC 5321 4.5.3.1.6 allows 998), as a strict internal MTA does.
"""
import argparse
import asyncio
import json
import os
import signal

from aiosmtpd.smtp import SMTP

DSN_MAIL = ("RET", "ENVID")
DSN_RCPT = ("NOTIFY", "ORCPT")


def q(text):
    """A TOML basic string (JSON's escapes are valid TOML when non-ASCII stays raw)."""
    return json.dumps(text, ensure_ascii=False)


def split_params(arg, names):
    """Removes the named ESMTP parameters from a MAIL/RCPT argument; returns (rest, {name: value})."""
    words = arg.split(" ")
    kept, found = [], {}
    for i, word in enumerate(words):
        key, _, value = word.partition("=")
        if i > 0 and key.upper() in names:
            found[key.upper()] = value
        else:
            kept.append(word)
    return " ".join(kept), found


class RecordingSMTP(SMTP):
    line_length_limit = 1 << 20
    command_size_limit = 1 << 16

    def __init__(self, handler, dsn, max_line_length=0, **kwargs):
        if max_line_length:
            # aiosmtpd refuses a DATA line whose length with CRLF exceeds line_length_limit; it
            # sizes its stream reader with it in __init__.
            self.line_length_limit = max_line_length + 2
        super().__init__(handler, **kwargs)
        self._dsn = dsn

    async def smtp_MAIL(self, arg):
        found = {}
        if self._dsn and arg:
            arg, found = split_params(arg, DSN_MAIL)
        self.envelope.dsn_mail = found
        self.envelope.dsn_rcpt = []
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):
        found = {}
        if self._dsn and arg:
            arg, found = split_params(arg, DSN_RCPT)
        before = len(self.envelope.rcpt_tos)
        await super().smtp_RCPT(arg)
        if len(self.envelope.rcpt_tos) > before:
            self.envelope.dsn_rcpt.append(found)


class Recorder:
    def __init__(self, directory, tempfail, permfail, dsn):
        self.directory = directory
        self.tempfail = {a.lower() for a in tempfail}
        self.permfail = {a.lower() for a in permfail}
        self.dsn = dsn
        self.count = len([n for n in os.listdir(directory) if n.endswith(".toml")])

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.dsn:
            responses.insert(-1, "250-DSN")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.tempfail:
            return "450 4.2.0 <%s> try again later" % address
        if address.lower() in self.permfail:
            return "550 5.1.1 <%s> unknown user" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%06d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        lines = [
            "peer = %s" % q(session.peer[0]),
            "helo = %s" % q(session.host_name or ""),
            "mail_from = %s" % q("" if envelope.mail_from == "<>" else envelope.mail_from),
            "mail_options = [%s]" % ", ".join(q(o) for o in envelope.mail_options),
            "rcpt_tos = [%s]" % ", ".join(q(r) for r in envelope.rcpt_tos),
            "smtputf8 = %s" % ("true" if envelope.smtp_utf8 else "false"),
            "size = %d" % len(envelope.original_content),
            "[dsn_mail]",
        ]
        lines += ["%s = %s" % (k, q(v)) for k, v in getattr(envelope, "dsn_mail", {}).items()]
        for params in getattr(envelope, "dsn_rcpt", []):
            lines.append("[[dsn_rcpt]]")
            lines += ["%s = %s" % (k, q(v)) for k, v in params.items()]
        with open(base + ".toml.tmp", "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(base + ".toml.tmp", base + ".toml")
        return "250 2.0.0 stored as %06d" % self.count


async def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--tempfail", action="append", default=[])
    p.add_argument("--permfail", action="append", default=[])
    p.add_argument("--no-dsn", action="store_true")
    p.add_argument("--max-line-length", type=int, default=0)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    recorder = Recorder(args.dir, args.tempfail, args.permfail, not args.no_dsn)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: RecordingSMTP(recorder, recorder.dsn, args.max_line_length,
                              hostname="recorder.test",
                              data_size_limit=None, enable_SMTPUTF8=True),
        host="127.0.0.1", port=args.port, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    print("recording SMTP on port %d into %s" % (port, args.dir), flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
