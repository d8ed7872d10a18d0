"""Oscar's offer applicator, asking for the site's offers once per request: a request that
changes the basket applies the offers again (to say which were gained or lost), and the
site's offers have not changed in between."""

from oscar.core.loading import get_class

Applicator = get_class("offer.applicator", "Applicator")


class RequestApplicator(Applicator):
    def apply(self, basket, user=None, request=None):
        self._request = request
        super().apply(basket, user, request)

    def get_site_offers(self):
        request = getattr(self, "_request", None)
        if request is None:
            return super().get_site_offers()
        offers = getattr(request, "_site_offers", None)
        if offers is None:
            offers = request._site_offers = list(super().get_site_offers())
        return offers
