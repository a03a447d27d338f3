from django.contrib import admin

from probe.models import Note

admin.site.register(Note)
