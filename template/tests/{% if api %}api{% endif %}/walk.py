"""What the URL walk (tests/walk.py) needs of the REST API: which views are the API's.

REST framework's views leave Django's LoginRequiredMiddleware out and refuse anonymous
requests themselves (DEFAULT_PERMISSION_CLASSES), so the walk expects 401 from them;
one is public on purpose when its permission_classes hold AllowAny, and says why.
"""

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

API_VIEW_CLASS = APIView
API_PUBLIC_PERMISSION = AllowAny
