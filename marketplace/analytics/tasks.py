from celery import shared_task

from .services import (
    basket_addition_record,
    order_placement_record,
    product_view_record,
    user_search_record,
)


@shared_task(ignore_result=True)
def product_view_record_task(product_id: int, user_id: int | None = None) -> None:
    product_view_record(product_id=product_id, user_id=user_id)


@shared_task(ignore_result=True)
def user_search_record_task(user_id: int, query: str) -> None:
    user_search_record(user_id=user_id, query=query)


@shared_task(ignore_result=True)
def basket_addition_record_task(product_id: int, user_id: int | None = None) -> None:
    basket_addition_record(product_id=product_id, user_id=user_id)


@shared_task(ignore_result=True)
def order_placement_record_task(order_id: int, user_id: int | None = None) -> None:
    order_placement_record(order_id=order_id, user_id=user_id)
