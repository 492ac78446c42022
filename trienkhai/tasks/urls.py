from django.urls import path  # noqa: F401 - each section below adds its routes

from trienkhai.tasks import calendar, dashboard, views  # noqa: F401

app_name = "tasks"

# Pages (views.py)
page_urls: list = []

# Dashboard (dashboard.py)
dashboard_urls: list = []

# Calendar feed (calendar.py)
calendar_urls: list = []

urlpatterns = [*page_urls, *dashboard_urls, *calendar_urls]
