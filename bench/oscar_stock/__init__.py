"""A stock django-oscar 4.2.1 shop, the comparator of bench.oscar_compare.

Not Oscar's sandbox (its project and data are not in the PyPI package and cannot be
fetched here): a project configured as Oscar's documentation ("Building your own shop")
says, with the sandbox's cache and product count, and generated data (bench.oscar_stock.data)."""
