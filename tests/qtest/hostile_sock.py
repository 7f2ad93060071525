#!/usr/bin/env python3
"""Hostile clients of `sim qtest` on unix sockets, as libqtest connects them.

usage: hostile_sock.py SIM TMPDIR CASE

Listens on a qtest socket and a QMP socket, launches `SIM qtest` with
libqtest's options, accepts both, does the QMP handshake, then plays CASE.
Prints one line per failed expectation and exits 1 if there was any; every
wait is bounded (TIMEOUT_S), so a wedged server fails the case instead of
hanging the suite.  See tests/qtest_hostile.sh.
"""
import os
import signal
import socket
import subprocess
import sys
import time

TIMEOUT_S = 10.0
RTC = "base=2006-06-17T16:01:21"
# HPET timer 0: periodic, interrupt enabled, routed to I/O APIC pin 20,
# comparator and period 1 tick: one event per 69.8 ns of simulated time,
# 1.4 * 10^9 of them in LONG_STEP, which the raised ceiling (MAX_EVENTS)
# lets run for minutes.  Nothing is printed while it runs (no intercept).
HPET_STORM = [b"writeq 0xfed00100 0x284c", b"writeq 0xfed00108 1",
              b"writeq 0xfed00108 1", b"writeq 0xfed00010 1"]
LONG_STEP = b"clock_set 100000000000"
MAX_EVENTS = "1000000000"

fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


class Session:
    def __init__(self, sim, tmp, extra=()):
        self.qpath = os.path.join(tmp, "q.sock")
        self.mpath = os.path.join(tmp, "m.sock")
        lq = listen(self.qpath)
        lm = listen(self.mpath)
        self.proc = subprocess.Popen(
            [sim, "qtest", "-qtest", "unix:" + self.qpath, "-qtest-log", "none",
             "-chardev", "socket,path=%s,id=char0" % self.mpath,
             "-mon", "chardev=char0,mode=control", "-display", "none",
             "-rtc", RTC, "-accel", "qtest", "--max-events", MAX_EVENTS] + list(extra),
            stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.q = accept(lq)
        self.m = accept(lm)
        lq.close()
        lm.close()
        self.qbuf = b""
        self.mbuf = b""
        greeting = self.qmp_line()
        check(greeting.startswith(b'{"QMP"'), "no QMP greeting: %r" % greeting)
        self.qmp(b'{"execute": "qmp_capabilities"}')
        check(self.qmp_line() == b'{"return": {}}', "qmp_capabilities")

    def qtest(self, line):
        """Sends one request; returns the reply line (IRQ lines skipped)."""
        self.q.sendall(line + b"\n")
        while True:
            reply = self.read_line("q")
            if not reply.startswith(b"IRQ "):
                return reply

    def qmp(self, data):
        self.m.sendall(data + b"\n")

    def qmp_line(self):
        return self.read_line("m")

    def read_line(self, which):
        sock = self.q if which == "q" else self.m
        end = time.monotonic() + TIMEOUT_S
        while True:
            buf = self.qbuf if which == "q" else self.mbuf
            nl = buf.find(b"\n")
            if nl >= 0:
                line, rest = buf[:nl], buf[nl + 1:]
                if which == "q":
                    self.qbuf = rest
                else:
                    self.mbuf = rest
                return line.rstrip(b"\r")
            left = end - time.monotonic()
            if left <= 0:
                return b"<timeout>"
            sock.settimeout(left)
            try:
                data = sock.recv(65536)
            except socket.timeout:
                return b"<timeout>"
            if not data:
                return b"<eof>"
            if which == "q":
                self.qbuf += data
            else:
                self.mbuf += data

    def wait(self, limit=TIMEOUT_S):
        """The exit status, or None when sim is still running after limit s."""
        try:
            return self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def quit(self):
        self.qmp(b'{"execute": "quit"}')
        check(self.qmp_line() == b'{"return": {}}', "quit: no return")
        st = self.wait()
        check(st == 0, "quit: exit status %r" % st)


def listen(path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    s.settimeout(TIMEOUT_S)
    return s


def accept(lsock):
    conn, _ = lsock.accept()
    return conn


def consistent(s):
    """After a hostile input the session still answers correctly."""
    check(s.qtest(b"outb 0x70 0x07") == b"OK", "follow-up outb")
    check(s.qtest(b"inb 0x71") == b"OK 0x0017", "follow-up inb: the RTC day is 17")
    check(s.qtest(b"endianness") == b"OK little", "follow-up endianness")


def case_garbage(s):
    big = b"x" * (1 << 20)
    check(s.qtest(big) == b"FAIL line too long", "1 MiB line")
    check(s.qtest(b"inb 0x61\0rest") == b"FAIL NUL byte in request", "NUL byte")
    check(s.qtest(b"\xff\xfe\x01garbage") == b"FAIL Unknown command '\xff\xfe\x01garbage'",
          "binary garbage")
    check(s.qtest(b"outb 99999999999999999999999 1")
          == b"FAIL bad number '99999999999999999999999'", "huge number")
    check(s.qtest(b"clock_set 18446744073709552").startswith(b"FAIL time out of range"),
          "clock_set past the clock's end")
    consistent(s)
    s.quit()


def case_qmp_brackets(s, opener, n):
    s.qmp(opener * n)
    s.qmp(b'{"execute": "query-status", "id": 7}')
    first = s.qmp_line()
    check(first.startswith(b'{"error": {"class": "GenericError"'),
          "%d x %r: no error reply: %r" % (n, opener, first[:80]))
    reply = s.qmp_line()
    check(reply == b'{"return": {"status": "running", "running": true}, "id": 7}',
          "%d x %r: query-status after it: %r" % (n, opener, reply[:80]))
    consistent(s)
    s.quit()


def long_step(s):
    for line in HPET_STORM:
        check(s.qtest(line) == b"OK", line.decode())
    s.q.sendall(LONG_STEP + b"\n")
    time.sleep(0.5)
    check(s.proc.poll() is None, "the long step ended too early for the test")


def case_sigterm(s):
    long_step(s)
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    st = s.wait(5)
    check(st == 0, "SIGTERM during a long step: exit status %r (None: still running "
          "after 5 s)" % st)
    print("sigterm: exited %.2f s after the signal" % (time.monotonic() - t0))


def case_hangup(s):
    long_step(s)
    t0 = time.monotonic()
    s.q.close()
    s.m.close()
    st = s.wait(5)
    check(st == 0, "both sockets closed during a long step: exit status %r (None: still "
          "running after 5 s)" % st)
    print("hangup: exited %.2f s after the close" % (time.monotonic() - t0))


def case_hangup_mid_line(s):
    s.q.sendall(b"outb 0x4")
    s.q.close()
    s.m.close()
    st = s.wait(5)
    check(st == 0, "closed mid-line: exit status %r" % st)


def case_qmp_gone(s):
    s.m.close()
    time.sleep(0.2)
    consistent(s)
    s.q.close()
    st = s.wait(5)
    check(st == 0, "qtest EOF after the monitor left: exit status %r" % st)


CASES = {
    "garbage": case_garbage,
    "qmp-brackets-1000": lambda s: case_qmp_brackets(s, b"[", 1000),
    "qmp-brackets-70000": lambda s: case_qmp_brackets(s, b"[", 70000),
    "qmp-braces-1000": lambda s: case_qmp_brackets(s, b"{", 1000),
    "sigterm-mid-step": case_sigterm,
    "hangup-mid-step": case_hangup,
    "hangup-mid-line": case_hangup_mid_line,
    "qmp-gone": case_qmp_gone,
}


def main():
    sim, tmp, case = sys.argv[1:4]
    s = Session(sim, tmp)
    try:
        CASES[case](s)
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
    for f in fails:
        print("FAIL: %s: %s" % (case, f))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
