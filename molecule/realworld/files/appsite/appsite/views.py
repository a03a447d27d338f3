from django.http import HttpResponse

RELEASE = "realworld-app-v1"


def home(request):
    return HttpResponse("<h1>appsite</h1><p>%s</p>" % RELEASE)
