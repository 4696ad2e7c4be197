"""Jupyter server extension: serves the kernel's packed frames over HTTP.

``GET {base_url}cloudreel/frames/<token>`` answers with one spool file that a
kernel of this server wrote (see frame_spool.py), to users who may run code in
kernels (Jupyter's authorizer: resource ``kernels``, action ``execute``);
``HEAD`` answers with its size only. The folder and its sweeping: spool_keeper.py.
"""

from __future__ import annotations

import atexit
import os

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError

from .frame_spool import SPOOL_ENV, TOKEN_PATTERN
from .spool_keeper import CloudreelSpool

#: Bytes read and sent at a time. Each GET holds about one block until Tornado
#: has handed it to the socket: 50 GETs at once grew the server by about 80 MiB
#: (1 MiB blocks: 150 MiB, 4 MiB: 500 MiB), and one GET still runs at 1.5-2 GB/s.
BLOCK_BYTES = 512 * 1024
AUTH_RESOURCE = "kernels"  # whoever may run code in a kernel can read what kernels wrote


class FramesHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    def initialize(self, spool: CloudreelSpool) -> None:
        self.spool = spool

    def compute_etag(self) -> None:
        return None  # no-store: nothing to revalidate

    @web.authenticated
    @authorized(action="execute", resource=AUTH_RESOURCE)
    async def get(self, token: str) -> None:
        await self._answer(token, body=True)

    @web.authenticated
    @authorized(action="execute", resource=AUTH_RESOURCE)
    async def head(self, token: str) -> None:
        await self._answer(token, body=False)

    async def _answer(self, token: str, body: bool) -> None:
        opened = self.spool.open_file(token)
        if opened is None:
            raise web.HTTPError(404, "no such frames: the kernel removed them or never wrote them")
        fd, size = opened
        try:
            self.set_header("Content-Type", "application/octet-stream")
            self.set_header("Content-Length", str(size))
            self.set_header("Cache-Control", "no-store")
            if body:
                with self.spool.reading(token):
                    await self._send(fd, size)
            await self.finish(set_content_type="application/octet-stream")  # APIHandler would say JSON
        except StreamClosedError:
            pass  # the page went away (a reload, a closed tab): nothing to report
        finally:
            os.close(fd)

    async def _send(self, fd: int, size: int) -> None:
        # One block in flight at a time: read off the event loop, then wait
        # until Tornado has handed it to the socket before reading the next.
        loop = IOLoop.current()
        offset = 0
        while offset < size:
            block = await loop.run_in_executor(None, os.pread, fd, min(BLOCK_BYTES, size - offset), offset)
            if not block:
                # Shortened while being sent: end the response short rather than hang the page.
                self.log.warning("cloudreel: a spool file shrank while it was sent; closing the connection")
                self.request.connection.stream.close()
                return
            self.write(block)
            offset += len(block)
            await self.flush()


def _load_jupyter_server_extension(serverapp) -> None:
    spool = CloudreelSpool(parent=serverapp)
    spool.start()
    atexit.register(spool.stop)
    spool.sweep_periodically()
    # Kernels this server starts from now on inherit the variable.
    os.environ[SPOOL_ENV] = spool.path
    route = url_path_join(serverapp.web_app.settings["base_url"], "cloudreel", "frames", f"({TOKEN_PATTERN.pattern})")
    serverapp.web_app.add_handlers(".*$", [(route, FramesHandler, {"spool": spool})])
    serverapp.log.info("cloudreel: serving kernel frames over HTTP from %s", spool.path)
