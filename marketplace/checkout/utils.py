from oscar.apps.checkout import utils


class CheckoutSessionData(utils.CheckoutSessionData):
    """Oscar's checkout session data, written to the session only when checkout stores
    something in it: Oscar's adds an empty entry on the first read, so opening checkout
    after an order rewrote the session row for nothing."""

    def __init__(self, request):
        self.request = request

    def _check_namespace(self, namespace):
        if self.SESSION_KEY not in self.request.session:
            self.request.session[self.SESSION_KEY] = {}
        super()._check_namespace(namespace)

    def _get(self, namespace, key, default=None):
        return self.request.session.get(self.SESSION_KEY, {}).get(namespace, {}).get(key, default)

    def _unset(self, namespace, key):
        if key in self.request.session.get(self.SESSION_KEY, {}).get(namespace, {}):
            super()._unset(namespace, key)

    def _flush_namespace(self, namespace):
        self._check_namespace(namespace)
        super()._flush_namespace(namespace)
