"""Pages of the knowledge app: the agents' editor and the knowledge managers' pages."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.knowledge import assist_views, loop_views, views

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.articles, name="articles"),
    path("new/", views.new_article, name="new"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.article_page, name="article"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/up-to-date/", views.mark_up_to_date, name="up-to-date"),
    path("<int:pk>/delete/", views.delete_article, name="delete"),
    path("<int:pk>/attachments/", views.add_attachment, name="attachments"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/", views.category_edit, name="category"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category-delete"),
    path("help-center/", views.help_center, name="help-center"),
    path("logo/<int:brand_id>/", views.logo, name="logo"),
    path("files/<int:pk>/<str:name>", views.attachment_file, name="file"),
    # agents' assistance in the workspace (knowledge/assist_views.py)
    path("assist/c/<int:pk>/suggestions/", assist_views.suggestions, name="assist-suggestions"),
    path("assist/search/", assist_views.search, name="assist-search"),
    path(
        "assist/c/<int:pk>/articles/<int:article_id>/insert/",
        assist_views.insert_article,
        name="assist-insert-article",
    ),
    path(
        "assist/c/<int:pk>/macros/<int:macro_id>/insert/",
        assist_views.insert_macro,
        name="assist-insert-macro",
    ),
    path("assist/c/<int:pk>/solved/", assist_views.solved, name="assist-solved"),
    path("assist/articles/<int:article_id>/propose/", assist_views.propose, name="assist-propose"),
    path("proposals/", loop_views.proposals_page, name="proposals"),
    path("proposals/<int:pk>/accept/", loop_views.proposal_accept, name="proposal-accept"),
    path("proposals/<int:pk>/dismiss/", loop_views.proposal_dismiss, name="proposal-dismiss"),
    path("reports/", loop_views.reports_page, name="reports"),
]
