from django.urls import path

from pages import views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
]
