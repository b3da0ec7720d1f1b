"""Visiting a served project over HTTP as browsers and load would: one visitor with cookies and CSRF tokens,
bodies too large, many writers and readers, readers through a disruption."""

from __future__ import annotations

import http.client
import http.server
import re
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from http.cookies import SimpleCookie


class Visitor:
    """One browser: keeps its cookies and posts forms with the CSRF token of the page they came from (the hidden field
    `csrf_field`: Django's csrfmiddlewaretoken, Flask-WTF's csrf_token; None: whichever of the two the page has).
    `proxied`: it comes through a TLS-terminating proxy, whose X-Forwarded-Proto header it sends; else plain HTTP."""

    def __init__(
        self, port: int, csrf_field: str | None = "csrfmiddlewaretoken", host: str | None = None, proxied: bool = True
    ):
        self.port = port
        self.csrf_field = csrf_field
        self.host = host  # the Host header (and the origin's host); None: 127.0.0.1 and the port
        self.proxied = proxied
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, body: bytes | None = None, port=None):
        """One request; return (status, headers, text). Set-Cookie headers update the cookies. Raises OSError when
        the connection fails."""
        port = port or self.port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        host = self.host or f"127.0.0.1:{port}"
        origin = f"{'https' if self.proxied else 'http'}://{host}"
        headers = {"Host": host, "Origin": origin, "Referer": origin + path}
        if self.proxied:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def submit(self, path: str, fields: dict[str, str], port=None):
        """GET the form at `path`, then POST `fields` with its CSRF token; return the POST's (status, headers,
        text)."""
        status, _, page = self.request("GET", path, port=port)
        assert status == 200, f"GET {path}: {status}\n{page[:2000]}"
        name, token = self._csrf(page)
        return self.request("POST", path, form={name: token, **fields}, port=port)

    def csrf_token(self, page: str) -> str:
        """The CSRF token of the first form on `page`."""
        return self._csrf(page)[1]

    def _csrf(self, page: str) -> tuple[str, str]:
        names = re.escape(self.csrf_field) if self.csrf_field else "csrfmiddlewaretoken|csrf_token"
        found = re.search(rf'name="({names})"[^>]* value="([^"]+)"', page)
        assert found, f"no CSRF token ({names}) on the page:\n{page[:2000]}"
        return found.group(1), found.group(2)


def post_large_body(port: int, path: str, size: int) -> int:
    """POST `size` bytes to `path`, as fast as the server takes them; return the response's status.

    The server may answer before it has read the body and close the connection: what could not be sent is dropped.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Forwarded-Proto: https\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < size:
                sock.sendall(chunk[: size - sent])
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status


def load(
    port: int,
    writers: int,
    readers: int,
    seconds: float,
    cookies: dict[str, str],
    write: tuple[str, dict[str, str]],
    reads: tuple[str, str],
    at_least: int = 0,
) -> Counter:
    """`writers` threads adding notes and `readers` threads reading pages, each in a loop that stops after
    `seconds`, or once `at_least` requests of its kind were sent if that is later (at most 120 s later: a slow
    machine sends fewer in a given time); return how many answers of each kind came back ("write 302", "read 200",
    "error ...").

    write: (path, form) of the POST that adds a note, a unique title added to the form; reads: the two paths the
    readers alternate between. Every thread sends `cookies`."""
    results: Counter = Counter()
    sent: Counter = Counter()  # requests of each kind, answered or not
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    # A slow machine gets more time to reach `at_least`, not a failure for being slow.
    last_deadline = deadline + 120

    def go_on(kind: str) -> bool:
        now = time.monotonic()
        return now < deadline or (sent[kind] < at_least and now < last_deadline)

    def run(kind: str, number: int) -> None:
        visitor = Visitor(port)
        visitor.cookies = dict(cookies)
        count = 0
        while go_on(kind):
            count += 1
            try:
                if kind == "write":
                    form = {**write[1], "title": f"Load {number}-{count}", "body": "Under load."}
                    status = visitor.request("POST", write[0], form=form)[0]
                else:
                    status = visitor.request("GET", reads[count % 2])[0]
                outcome = f"{kind} {status}"
            except OSError as error:
                outcome = f"error {type(error).__name__}"
            with lock:
                results[outcome] += 1
                sent[kind] += 1

    threads = [threading.Thread(target=run, args=("write", n)) for n in range(writers)]
    threads += [threading.Thread(target=run, args=("read", n)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    return results


def statuses_around(disruption, visit, readers: int = 4, at_least_after: int = 0) -> tuple[list[int], list[int]]:
    """Call `visit(number) -> status` (0 when there is no answer; raises nothing) from `readers` threads, every 50 ms
    each; after 3 s, and one answer to each thread, call `disruption()`, which returns once the disruption is over,
    then read 5 s more, and on until more than `at_least_after` requests were sent after it (at most 60 s: a slow
    machine sends fewer in a given time). Return (the statuses answered more than 1 s before the disruption ended, the
    statuses of requests sent after it ended)."""
    results: list[tuple[float, float, int]] = []  # (sent, answered, status)
    finished = threading.Event()

    def read(number: int) -> None:
        while not finished.is_set():
            sent = time.monotonic()
            status = visit(number)
            results.append((sent, time.monotonic(), status))
            time.sleep(0.05)

    def wait(until: Callable[[], bool], at_most: float) -> None:
        deadline = time.monotonic() + at_most
        while not until() and time.monotonic() < deadline:
            time.sleep(0.1)

    threads = [threading.Thread(target=read, args=(number,)) for number in range(readers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    wait(lambda: time.monotonic() > started + 3 and len(results) >= readers, at_most=60)
    disruption()
    back_at = time.monotonic()
    wait(
        lambda: time.monotonic() > back_at + 5 and sum(sent > back_at for sent, _, _ in results) > at_least_after,
        at_most=60,
    )
    finished.set()
    for thread in threads:
        thread.join(timeout=30)
    before = [status for _, answered, status in results if answered < back_at - 1]
    after = [status for sent, _, status in results if sent > back_at]
    return before, after
