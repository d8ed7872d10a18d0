from django.contrib import messages
from oscar.apps.basket import utils

from .offers import RequestApplicator


class BasketMessageGenerator(utils.BasketMessageGenerator):
    def apply_messages(self, request, offers_before):
        """Oscar's messages after a change to the basket (offers gained and lost, the new
        total), the offers applied again with the site's offers the request already read."""
        request.basket.reset_offer_applications()
        RequestApplicator().apply(request.basket, request.user, request)
        offers_after = request.basket.applied_offers()
        for level, message in self.get_messages(request.basket, offers_before, offers_after):
            messages.add_message(request, level, message, extra_tags="safe noicon")
