from django.contrib.auth import views as auth_views
from django.urls import path

from . import admin_views, signin, views

urlpatterns = [
    path("home/", signin.HomeView.as_view(), name="home"),
    path("login/", signin.SignInView.as_view(), name="login"),
    path("login/code/", signin.SignInCodeView.as_view(), name="signin_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.AccountView.as_view(), name="account"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/two-factor/", signin.TwoFactorEnrollView.as_view(), name="two_factor_enroll"),
    path("me/two-factor/reset/", signin.TwoFactorResetView.as_view(), name="two_factor_reset"),
    path("me/tokens/", views.ApiTokenCreateView.as_view(), name="api_token_create"),
    path("me/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("users/", admin_views.UserListView.as_view(), name="user_list"),
    path("users/add/", admin_views.UserCreateView.as_view(), name="user_add"),
    path("users/<int:pk>/", admin_views.UserView.as_view(), name="user"),
    path("users/<int:pk>/roles/", admin_views.RoleAssignView.as_view(), name="user_assign"),
    path("users/<int:pk>/active/", admin_views.UserActiveView.as_view(), name="user_active"),
    path("users/<int:pk>/two-factor/", admin_views.UserTwoFactorResetView.as_view(), name="user_two_factor_reset"),
    path("users/<int:pk>/unlock/", admin_views.UserUnlockView.as_view(), name="user_unlock"),
    path("users/<int:pk>/roles/<int:assignment>/remove/", admin_views.RoleUnassignView.as_view(), name="user_unassign"),
    path("users/<int:pk>/tokens/<int:token>/revoke/", admin_views.TokenRevokeView.as_view(), name="user_token_revoke"),
]
