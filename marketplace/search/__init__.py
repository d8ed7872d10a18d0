default_app_config = "marketplace.search.apps.SearchConfig"
