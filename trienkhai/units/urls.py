from django.urls import path

from trienkhai.units import views

app_name = "units"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import-template/", views.import_template, name="import_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/import/", views.import_units, name="import"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/split/", views.split, name="split"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
]
