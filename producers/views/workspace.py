from django.views.generic import TemplateView

from ..access import CooperativeStaffRequiredMixin, CountyOfficerRequiredMixin


class CountyHomeView(CountyOfficerRequiredMixin, TemplateView):
    template_name = "producers/county/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(county=self.county, **kwargs)


class CooperativeHomeView(CooperativeStaffRequiredMixin, TemplateView):
    template_name = "producers/cooperative/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(cooperative=self.cooperative, **kwargs)
