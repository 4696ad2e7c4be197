"""A Jupyter authorizer for the frames-route tests: anything but running code in kernels."""

from jupyter_server.auth.authorizer import Authorizer


class DenyKernelExecute(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return not (resource == "kernels" and action == "execute")
