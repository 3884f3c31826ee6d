"""The two PostgreSQL roles of a production database: the **owner**, which runs `shuniu migrate` and owns every table,
and the **application's role**, as which the web server and the worker connect. The owner could drop the audit
table's triggers; the application's role cannot: it owns nothing, and on `audit_objectchange` it holds only SELECT
and INSERT, so that neither a flaw in the application nor its stolen credentials can change, delete or empty the
log (UPDATE, DELETE and TRUNCATE are refused by privilege, DROP TRIGGER and ALTER TABLE by ownership).

`application_role_grant` (`shuniu audit db_roles`), run as the owner, creates or updates the application's role and
sets its privileges on everything in the schema: SELECT, INSERT, UPDATE and DELETE on every table, USAGE and SELECT
on every sequence, and on the audit table SELECT and INSERT alone. Default privileges grant the same on tables the
owner creates later; but a migration that recreates the audit table would give the role DELETE on it again, so the
command sets every privilege afresh each time and is run after each `migrate` (it is idempotent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection as default_connection
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ObjectChange

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_PRIVILEGES = "SELECT, INSERT"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"


class RoleError(Exception):
    """The role cannot be set up as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class RoleSetup:
    role: str
    created: bool
    owner: str
    schema: str
    tables: int


def application_role_grant(*, role: str, password: str = "", connection=default_connection) -> RoleSetup:
    """Create or update the application's role `role` (LOGIN; `password` set when given, required for a new role)
    and set its privileges, in one transaction. Run as the owner of the tables."""
    if connection.vendor != "postgresql":
        raise RoleError(_("数据库角色只用于 PostgreSQL；SQLite 数据库没有角色。"))
    if not ROLE_NAME.match(role):
        raise RoleError(
            _("角色名「%(role)s」无效：只能用小写字母、数字和下划线，不以数字开头，最长 63 个字符。") % {"role": role}
        )
    audit_table = ObjectChange._meta.db_table
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, current_schema(), current_database(), "
            "(SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = %s)",
            [audit_table],
        )
        me, schema, database, owner = cursor.fetchone()
        if owner is None:
            raise RoleError(_("数据库中还没有审计表：请先以所有者角色运行 shuniu migrate。"))
        if role == owner:
            raise RoleError(_("应用角色不能是表的所有者 %(owner)s。") % {"owner": owner})
        cursor.execute("SELECT pg_has_role(current_user, %s, 'USAGE')", [owner])
        if not cursor.fetchone()[0]:
            raise RoleError(
                _("须以表的所有者 %(owner)s 运行（现在是 %(me)s）：DATABASE_URL 指向所有者角色。")
                % {"owner": owner, "me": me}
            )
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tableowner <> %s ORDER BY tablename",
            [schema, owner],
        )
        strangers = [name for (name,) in cursor.fetchall()]
        if strangers:
            raise RoleError(
                _("这些表的所有者不是 %(owner)s：%(tables)s。所有迁移须由同一个所有者角色运行。")
                % {"owner": owner, "tables": "、".join(strangers)}
            )
        created = _role_ensure(cursor, connection, role=role, owner=owner, password=password)
        role_q, schema_q = quote(role), quote(schema)
        cursor.execute("SELECT has_database_privilege(%s, %s, 'CONNECT')", [role, database])
        if not cursor.fetchone()[0]:
            cursor.execute(f"GRANT CONNECT ON DATABASE {quote(database)} TO {role_q}")
        statements = [
            f"GRANT USAGE ON SCHEMA {schema_q} TO {role_q}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema_q} FROM {role_q}",
            f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema_q} TO {role_q}",
            f"REVOKE ALL ON {quote(schema)}.{quote(audit_table)} FROM {role_q}",
            f"GRANT {AUDIT_PRIVILEGES} ON {quote(schema)}.{quote(audit_table)} TO {role_q}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema_q} FROM {role_q}",
            f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema_q} TO {role_q}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote(owner)} IN SCHEMA {schema_q} "
            f"GRANT {TABLE_PRIVILEGES} ON TABLES TO {role_q}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote(owner)} IN SCHEMA {schema_q} "
            f"GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {role_q}",
        ]
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema])
        tables = cursor.fetchone()[0]
    return RoleSetup(role=role, created=created, owner=owner, schema=schema, tables=tables)


def _role_ensure(cursor, connection, *, role: str, owner: str, password: str) -> bool:
    """The role exists, may log in, holds no power beyond its grants, and has `password` when one is given. True
    when it was created."""
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin, "
        "pg_has_role(%s, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
        [role, owner, role],
    )
    found = cursor.fetchone()
    if found is None:
        if not password:
            raise RoleError(_("新建角色需要密码：请在环境变量 SHUNIU_APP_DB_PASSWORD 中给出。"))
        cursor.execute(f"CREATE ROLE {quote(role)} LOGIN NOCREATEDB NOCREATEROLE")
    else:
        superuser, createdb, createrole, replication, bypassrls, login, member_of_owner = found
        if superuser or replication or bypassrls:
            raise RoleError(
                _("角色 %(role)s 有超级用户、复制或绕过行级安全的属性，不能作为应用角色；请先取消这些属性。")
                % {"role": role}
            )
        if member_of_owner:
            raise RoleError(
                _("角色 %(role)s 是所有者 %(owner)s 的成员，会取得所有者的权限；请先撤销这一成员关系。")
                % {"role": role, "owner": owner}
            )
        changes = [
            word
            for word, wrong in (("LOGIN", not login), ("NOCREATEDB", createdb), ("NOCREATEROLE", createrole))
            if wrong
        ]
        if changes:
            cursor.execute(f"ALTER ROLE {quote(role)} {' '.join(changes)}")
    if password:
        verifier = connection.connection.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
        cursor.execute(f"ALTER ROLE {quote(role)} PASSWORD %s", [verifier.decode("ascii")])
    return found is None
