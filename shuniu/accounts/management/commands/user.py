"""shuniu user roles                                          the roles and the scope each takes
shuniu user create NAME --role district-office --area 朝阳区  a user (password asked, or from $SHUNIU_PASSWORD)
shuniu user assign NAME ROLE [--area A | --organization O]     one more role
shuniu user unassign NAME ROLE [--area A | --organization O]
shuniu user show NAME                                          the user's roles

An area is a name (朝阳区, 朝阳区 望京街道) or a division code; an organization is its USCC or its number."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.accounts.services import role_assign, role_unassign, user_create
from shuniu.areas.models import Area
from shuniu.organizations.models import Organization


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(message for messages in error.message_dict.values() for message in messages)
    return "；".join(error.messages)


class Command(BaseCommand):
    help = "管理用户和角色（角色分配限定区划或组织）。"

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

    def handle(self, *args, command, **options):
        try:
            getattr(self, f"do_{command}")(**options)
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
        from shuniu.imports.normalize import AreaResolver, NormalizeError

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
