from django.urls import path

from trienkhai.portal import feeds, staff_views, views

app_name = "portal"
urlpatterns = [
    # public
    path("", views.home, name="home"),
    path("tin/<slug:slug>/", views.article, name="article"),
    path("tin/<slug:slug>/binh-luan/", views.comments, name="comments"),
    path("binh-luan/bao-cao/", views.comment_report, name="comment_report"),
    path("binh-luan/go/<str:token>/", views.comment_remove, name="comment_remove"),
    path("chuyen-muc/<slug:slug>/", views.category, name="category"),
    path("luu-tru/<int:year>/", views.archive, name="archive_year"),
    path("luu-tru/<int:year>/<int:month>/", views.archive, name="archive_month"),
    path("thong-bao/", views.announcements, name="announcements"),
    path("thong-bao/<int:pk>/", views.announcement, name="announcement"),
    path("van-ban/<int:pk>/", views.document, name="document"),
    path("tien-do/", views.progress_index, name="progress_index"),
    path("tien-do/<int:pk>/", views.progress, name="progress"),
    path("tim-kiem/", views.search, name="search"),
    path("anh/<int:pk>/", views.cover, name="cover"),
    path("rss/", feeds.LatestArticles(), name="rss"),
    path("atom/", feeds.LatestArticlesAtom(), name="atom"),
    # editors
    path("quan-ly/", staff_views.manage, name="manage"),
    path("quan-ly/bai-viet/moi/", staff_views.article_form, name="manage_article_new"),
    path("quan-ly/bai-viet/<int:pk>/", staff_views.article_detail, name="manage_article"),
    path("quan-ly/bai-viet/<int:pk>/sua/", staff_views.article_form, name="manage_article_edit"),
    path(
        "quan-ly/bai-viet/<int:pk>/dang/",
        staff_views.article_status,
        {"action": "publish"},
        name="manage_article_publish",
    ),
    path(
        "quan-ly/bai-viet/<int:pk>/go/",
        staff_views.article_status,
        {"action": "unpublish"},
        name="manage_article_unpublish",
    ),
    path("quan-ly/thong-bao/", staff_views.announcement_list, name="manage_announcements"),
    path("quan-ly/thong-bao/moi/", staff_views.announcement_form, name="manage_announcement_new"),
    path(
        "quan-ly/thong-bao/<int:pk>/sua/",
        staff_views.announcement_form,
        name="manage_announcement_edit",
    ),
    path("quan-ly/binh-luan/", staff_views.moderation, name="moderation"),
    path("quan-ly/binh-luan/<int:pk>/kiem-duyet/", staff_views.moderate, name="moderate"),
    path("quan-ly/binh-luan/<int:pk>/tra-loi/", staff_views.reply, name="reply"),
    path("quan-ly/tim-kiem/", staff_views.staff_search, name="staff_search"),
]
