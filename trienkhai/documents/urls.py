from django.urls import path

from trienkhai.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_create_view, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/chain/", views.document_chain_view, name="chain"),
    path("<int:pk>/files/", views.document_attach, name="attach"),
    path("<int:pk>/links/", views.document_links, name="links"),
    path("files/<int:pk>/", views.file_download, name="file"),
]
