"""shuniu user roles                                          the roles and the scope each takes
shuniu user create NAME --role district-office --area 朝阳区  a user (password asked, or from $SHUNIU_PASSWORD)
shuniu user assign NAME ROLE [--area A | --organization O]     one more role
shuniu user unassign NAME ROLE [--area A | --organization O]
shuniu user show NAME                                          the user's roles
shuniu user token NAME --name 报表脚本 [--days 90]              a new API token, printed this once (to stdout alone)
shuniu user tokens NAME                                        the user's API tokens (prefix, state, dates)
shuniu user revoke-token NAME PREFIX                           revoke one (PREFIX as listed, with or without sn_)
shuniu user deactivate|activate NAME                           a user who may no longer (or again) sign in
shuniu user reset-two-factor NAME                              remove the user's authenticator and recovery codes

An area is a name (朝阳区, 朝阳区 望京街道) or a division code; an organization is its USCC or its number."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shuniu.accounts.models import ApiToken, Role, RoleAssignment
from shuniu.accounts.services import role_assign, role_unassign, user_create, user_set_active
from shuniu.accounts.tokens import DEFAULT_DAYS, MAX_DAYS, api_token_create, api_token_revoke
from shuniu.areas.models import Area
from shuniu.organizations.models import Organization


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(message for messages in error.message_dict.values() for message in messages)
    return "；".join(error.messages)


class Command(BaseCommand):
    help = "管理用户、角色（角色分配限定区划或组织）和 API 令牌。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("roles", help="列出角色")
        create = commands.add_parser("create", help="新增用户")
        create.add_argument("username")
        create.add_argument("--name", default="", help="姓名")
        create.add_argument("--email", default="")
        create.add_argument("--role", help="角色代码，见 shuniu user roles")
        for name in ("assign", "unassign"):
            sub = commands.add_parser(name, help="分配角色" if name == "assign" else "取消角色")
            sub.add_argument("username")
            sub.add_argument("role")
        for sub in (create, commands.choices["assign"], commands.choices["unassign"]):
            sub.add_argument("--area", help="区划名称或代码")
            sub.add_argument("--organization", help="组织的统一社会信用代码或编号")
        show = commands.add_parser("show", help="显示用户的角色")
        show.add_argument("username")
        for name, text in (("deactivate", "停用用户"), ("activate", "启用用户"), ("reset-two-factor", "重置两步验证")):
            commands.add_parser(name, help=text).add_argument("username")
        token = commands.add_parser("token", help="生成 API 令牌（只显示这一次）")
        token.add_argument("username")
        token.add_argument("--name", required=True, help="令牌名称（用途），例如「区里的报表脚本」")
        days = f"有效天数，1 到 {MAX_DAYS}，默认 {DEFAULT_DAYS}"
        token.add_argument("--days", type=int, default=DEFAULT_DAYS, help=days)
        tokens = commands.add_parser("tokens", help="列出用户的 API 令牌")
        tokens.add_argument("username")
        revoke = commands.add_parser("revoke-token", help="撤销用户的一个 API 令牌")
        revoke.add_argument("username")
        revoke.add_argument("prefix", help="令牌前缀，见 shuniu user tokens")

    def handle(self, *args, command, **options):
        try:
            getattr(self, f"do_{command.replace('-', '_')}")(**options)
        except ValidationError as error:
            raise CommandError(_messages(error)) from error

    # --- lookups ----------------------------------------------------------------------------------------------

    def user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户「{username}」。") from None

    def role(self, slug):
        try:
            return Role.objects.get(slug=slug)
        except Role.DoesNotExist:
            slugs = "、".join(Role.objects.values_list("slug", flat=True))
            raise CommandError(f"没有角色「{slug}」。可用的角色：{slugs}") from None

    def area(self, text):
        if not text:
            return None
        from shuniu.areas.resolvers import AreaResolver
        from shuniu.core.importing.normalize import NormalizeError

        text = text.strip()
        found = Area.objects.filter(code=text).first() or Area.objects.filter(name=text).first()
        if found is None:
            resolver, parts = AreaResolver.load(), text.split()
            try:
                if len(parts) > 1:
                    found = resolver.street(parts[1], resolver.district(parts[0]))
                else:
                    try:
                        found = resolver.district(text)
                    except NormalizeError:
                        found = resolver.street(text)
            except NormalizeError as error:
                raise CommandError(str(error)) from None
        if found is None:
            raise CommandError(f"找不到区划「{text}」。")
        return found

    def organization(self, text):
        if not text:
            return None
        text = text.strip().upper()
        found = Organization.objects.filter(uscc=text).first()
        if found is None and text.isdigit():
            found = Organization.objects.filter(pk=int(text)).first()
        if found is None:
            raise CommandError(f"找不到组织「{text}」。")
        return found

    # --- subcommands ------------------------------------------------------------------------------------------

    def do_roles(self, **options):
        for role in Role.objects.all():
            self.stdout.write(f"{role.slug:<16} {role.name}（{role.get_scope_kind_display()}）：{role.description}")

    def do_create(self, *, username, name, email, role, area, organization, **options):
        password = os.environ.get("SHUNIU_PASSWORD") or getpass.getpass("密码：")
        user = user_create(
            username=username,
            password=password,
            full_name=name,
            email=email,
            role=self.role(role) if role else None,
            area=self.area(area),
            organization=self.organization(organization),
        )
        self.stdout.write(f"已创建用户 {user.username}。")
        self.do_show(username=user.username)

    def do_assign(self, *, username, role, area, organization, **options):
        user = self.user(username)
        role_assign(user=user, role=self.role(role), area=self.area(area), organization=self.organization(organization))
        self.do_show(username=username)

    def do_unassign(self, *, username, role, area, organization, **options):
        assignment = RoleAssignment.objects.filter(
            user=self.user(username),
            role=self.role(role),
            area=self.area(area),
            organization=self.organization(organization),
        ).first()
        if assignment is None:
            raise CommandError(f"用户「{username}」没有这个角色分配。")
        role_unassign(assignment=assignment)
        self.do_show(username=username)

    def do_show(self, *, username, **options):
        user = self.user(username)
        assignments = user.role_assignments.select_related("role", "area", "organization")
        self.stdout.write(f"{user.username}：" + ("；".join(str(a) for a in assignments) or "无角色"))

    def do_token(self, *, username, name, days, **options):
        issued = api_token_create(user=self.user(username), name=name, days=days)
        expires = _local(issued.token.expires_at)
        self.stderr.write(
            f"已为 {username} 生成 API 令牌「{issued.token.name}」，有效至 {expires}。"
            "令牌只显示这一次，请立即妥善保存（请求头 Authorization: Token 令牌）："
        )
        self.stdout.write(issued.text)

    def do_tokens(self, *, username, **options):
        tokens = ApiToken.objects.filter(user=self.user(username)).select_related("user")
        if not tokens:
            self.stdout.write(f"{username} 没有 API 令牌。")
        for token in tokens:
            used = _local(token.last_used_at) if token.last_used_at else "未使用"
            self.stdout.write(
                f"sn_{token.prefix}  {token.state.label}  {token.name}  "
                f"生成 {_local(token.created_at)}  到期 {_local(token.expires_at)}  最近使用 {used}"
            )

    def do_revoke_token(self, *, username, prefix, **options):
        prefix = prefix.strip().removeprefix("sn_").split("_")[0]
        token = ApiToken.objects.filter(user=self.user(username), prefix=prefix).select_related("user").first()
        if token is None:
            raise CommandError(f"用户「{username}」没有前缀为「{prefix}」的 API 令牌。")
        if api_token_revoke(token=token):
            self.stdout.write(f"已撤销 API 令牌「{token.name}」（sn_{token.prefix}）。")
        else:
            self.stdout.write(f"API 令牌「{token.name}」（sn_{token.prefix}）此前已撤销。")

    def do_deactivate(self, *, username, **options):
        user_set_active(user=self.user(username), active=False)
        self.stdout.write(f"已停用用户 {username}：不能再登录，已登录的会话在下一次请求时结束。")

    def do_activate(self, *, username, **options):
        user_set_active(user=self.user(username), active=True)
        self.stdout.write(f"已启用用户 {username}。")

    def do_reset_two_factor(self, *, username, **options):
        from shuniu.accounts.two_factor import two_factor_reset

        if two_factor_reset(user=self.user(username), message="在命令行重置了该用户的两步验证"):
            self.stdout.write(f"已重置 {username} 的两步验证：下次登录时须重新设置身份验证器。")
        else:
            self.stdout.write(f"{username} 没有设置两步验证。")
