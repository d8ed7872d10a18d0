"""The CMS's answers to what other layers announce."""

from .models import PublicParticipation


def participation_withdraw_on_account_delete(sender, user, **kwargs) -> None:
    """A deleted account leaves the public ranking (as withdrawn consent does): its consent
    is switched off; its nickname is already cleared by the deletion."""
    PublicParticipation.objects.filter(user=user).update(show_in_ranking=False)
