from django.urls import path

from schools import views

app_name = "schools"
urlpatterns = [
    path("", views.SchoolListView.as_view(), name="list"),
    path("<int:pk>/", views.SchoolDetailView.as_view(), name="detail"),
]
