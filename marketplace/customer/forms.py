"""Oscar's customer forms; registration never says whether an address already has an
account (the registration service mails the address's owner instead)."""

from oscar.apps.customer.forms import *  # noqa: F403
from oscar.apps.customer.forms import EmailUserCreationForm as OscarEmailUserCreationForm
from oscar.apps.customer.utils import normalise_email
from oscar.core.compat import get_user_model

User = get_user_model()


class EmailUserCreationForm(OscarEmailUserCreationForm):
    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def validate_unique(self):
        # The unique e-mail is the service's to handle, without telling the visitor.
        pass
