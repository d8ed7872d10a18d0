"""OpenAPI schema scope: only the evaluation API is described. Wagtail's own admin API (under
/cms-admin/) is internal to the editor and is not part of the public contract."""

API_PREFIX = "/api/"


def endpoints_of_the_evaluation_api(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]
