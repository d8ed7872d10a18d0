from django.views.generic import TemplateView

from .. import workspace as workspace_panels
from ..access import CooperativeStaffRequiredMixin, CountyOfficerRequiredMixin


class CountyHomeView(CountyOfficerRequiredMixin, TemplateView):
    template_name = "producers/county/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(county=self.county, **kwargs)


class CooperativeHomeView(CooperativeStaffRequiredMixin, TemplateView):
    template_name = "producers/cooperative/home.html"

    def get_context_data(self, **kwargs):
        # Products, orders and income are drawn by the store and the income ledger.
        panels = workspace_panels.panels_of(
            workspace=workspace_panels.COOPERATIVE, cooperative=self.cooperative
        )
        return super().get_context_data(cooperative=self.cooperative, panels=panels, **kwargs)
