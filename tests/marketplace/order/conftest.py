from tests.marketplace.payment.conftest import (  # noqa: F401  fixtures shared with payment
    customer,
    staff,
    stripe_fake,
    two_cooperatives,
)
