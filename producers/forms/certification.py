"""Forms of supplier certification. They only read what the user sent; the services check
the file's content, the state and who may act."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import CooperativeDocument
from ..services.certification import REVIEW_ACTIONS, document_max_bytes


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=CooperativeDocument.Kind.choices)
    title = forms.CharField(label=_("说明"), max_length=128, required=False)
    file = forms.FileField(
        label=_("文件"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("PDF、PNG或JPEG格式，不超过%(limit)s。") % {
            "limit": filesizeformat(document_max_bytes())
        }


class ReviewForm(forms.Form):
    """One decision of the county office; whether a reason is required is the service's rule."""

    action = forms.ChoiceField(
        label=_("决定"),
        choices=[(action.value, action.label) for action in REVIEW_ACTIONS],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
