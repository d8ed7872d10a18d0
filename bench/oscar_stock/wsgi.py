"""WSGI entry of the stock Oscar comparator (gunicorn bench.oscar_stock.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.oscar_stock.settings")
application = get_wsgi_application()
