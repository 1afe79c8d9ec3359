"""A plain static web server on localhost for browser tests, optionally
serving the site under a sub-path as an intranet server would."""
from __future__ import annotations

import contextlib
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path, subpath: str = "/") -> Iterator[str]:
    """Serve `root` so that it appears at http://127.0.0.1:PORT{subpath}."""
    if subpath != "/":
        # a throwaway folder holding a link named like the sub-path
        import tempfile

        holder = Path(tempfile.mkdtemp(prefix="serve-"))
        (holder / subpath.strip("/")).symlink_to(root.resolve(), target_is_directory=True)
        docroot = holder
    else:
        docroot = root
    handler = functools.partial(_Quiet, directory=str(docroot))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{subpath}"
    finally:
        httpd.shutdown()
        httpd.server_close()
