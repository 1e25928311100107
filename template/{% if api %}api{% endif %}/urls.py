from django.urls import path
from knox import views as knox_views

from api import views

app_name = "api"

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="login"),
    # Revokes the token the request was made with; logoutall revokes every one of yours.
    path("auth/logout/", knox_views.LogoutView.as_view(), name="logout"),
    path("auth/logoutall/", knox_views.LogoutAllView.as_view(), name="logoutall"),
    path("me/", views.AccountView.as_view(), name="me"),
]
