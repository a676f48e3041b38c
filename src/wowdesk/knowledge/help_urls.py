"""The public help center: ``/help/`` and ``/help/<brand-slug>/``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from wowdesk.knowledge import help_views as views

app_name = "help"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.brand, name="brand"),
    path("<slug:slug>/theme.css", views.theme, name="theme"),
    path("<slug:slug>/logo", views.logo, name="logo"),
    path("<slug:slug>/sitemap.xml", views.sitemap, name="sitemap"),
    path("<slug:slug>/contact/", views.contact, name="contact"),
    path("<slug:slug>/<str:lang>/", views.home, name="home"),
    path("<slug:slug>/<str:lang>/search/", views.search_page, name="search"),
    path(
        "<slug:slug>/<str:lang>/categories/<str:category_slug>/",
        views.category,
        name="category",
    ),
    path(
        "<slug:slug>/<str:lang>/articles/<int:article_id>-<str:article_slug>/",
        views.article,
        name="article",
    ),
    path(
        "<slug:slug>/<str:lang>/articles/<int:article_id>/",
        views.article,
        name="article-short",
    ),
]
