from django.contrib.auth import views as auth_views
from django.urls import path

from . import admin_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.AccountView.as_view(), name="account"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/token/", views.ApiTokenCreateView.as_view(), name="api_token_create"),
    path("me/token/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("users/", admin_views.UserListView.as_view(), name="user_list"),
    path("users/add/", admin_views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", admin_views.UserView.as_view(), name="user"),
    path("users/<int:pk>/roles/", admin_views.RoleAssignView.as_view(), name="user_assign"),
    path("users/<int:pk>/roles/<int:assignment>/remove/", admin_views.RoleUnassignView.as_view(), name="user_unassign"),
]
