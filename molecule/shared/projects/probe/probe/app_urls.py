from django.urls import path

from probe import views

app_name = "probe"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("session/", views.session, name="session"),
    path("form/", views.form, name="form"),
    path("slow/", views.slow, name="slow"),
    path("fail/", views.fail, name="fail"),
    path("whoami-files/", views.whoami_files, name="whoami_files"),
    path("minimal/", views.minimal, name="minimal"),
    path("env-hash/", views.env_hash, name="env_hash"),
    path("page/", views.page, name="page"),
    path("messages/", views.message_box, name="message_box"),
]
