"""WSGI entry point: gunicorn serves `config.wsgi:application` (see Procfile).

Django's application, inside a guard that cuts off request bodies sent too slowly
(security/bodies.py): Heroku's router streams bodies, and each slow one holds a thread.
"""

import os

from django.core.wsgi import get_wsgi_application

from security.bodies import SlowBodyGuard

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = SlowBodyGuard(get_wsgi_application())
