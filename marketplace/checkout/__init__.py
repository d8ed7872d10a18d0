default_app_config = "marketplace.checkout.apps.CheckoutConfig"
