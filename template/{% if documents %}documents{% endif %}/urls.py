from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="list"),
    path("audit/", views.DocumentAuditView.as_view(), name="audit"),
    path("<int:pk>/", views.DocumentDownloadView.as_view(), name="download"),
]
