from django.urls import path

from massprobe import views

urlpatterns = [
    path("", views.home, name="home"),
]
