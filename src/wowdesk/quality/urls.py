"""Pages of the quality app (``quality/views.py``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.quality import views

app_name = "quality"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("queue/", views.index, name="queue"),
    path("review/<int:conversation_id>/", views.review_form, name="review-form"),
    path("reviews/<int:pk>/", views.review_page, name="review"),
    path("reviews/<int:pk>/comment/", views.review_comment, name="review-comment"),
    path("reviews/<int:pk>/acknowledge/", views.review_acknowledge, name="review-acknowledge"),
    path("reviews/<int:pk>/share/", views.review_share, name="review-share"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("calibration/", views.calibration, name="calibration"),
    path("calibration/<int:pk>/", views.calibration_detail, name="calibration-detail"),
]
