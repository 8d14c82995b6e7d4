"""Designated teachers were on the team of every child placed at their school, whichever LA
registered them. From now on they are linked, with a per-child grant, by the child's own LA.
This migration makes those links for the placements the rule keeps: a designated teacher
registered by the child's LA, at the child's current school. Teachers registered by another
LA get no link: they ask the child's LA for access."""

from django.db import migrations

DESIGNATED_TEACHER = "designated_teacher"


def link_same_la_designated_teachers(apps, schema_editor):
    SchoolPlacement = apps.get_model("children", "SchoolPlacement")
    TeamMembership = apps.get_model("children", "TeamMembership")
    Grant = apps.get_model("children", "ChildUserObjectPermission")
    User = apps.get_model("accounts", "User")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    placements = list(SchoolPlacement.objects.filter(ended_on__isnull=True)
                      .values_list("child_id", "child__local_authority_id", "school_id", "started_on"))
    if not placements:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="children", model="child")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_child_record",
        defaults={"name": "May open this child's record"})
    teachers: dict[tuple[int, int], list[int]] = {}
    for user_id, school_id, la_id in User.objects.filter(
            role=DESIGNATED_TEACHER, is_active=True, local_authority__isnull=False).values_list(
            "pk", "school_id", "local_authority_id"):
        teachers.setdefault((school_id, la_id), []).append(user_id)
    linked = set(TeamMembership.objects.filter(role=DESIGNATED_TEACHER, ends_on__isnull=True)
                 .values_list("user_id", "child_id"))
    granted = set(Grant.objects.filter(permission=permission).values_list("user_id", "content_object_id"))
    links, grants = [], []
    for child_id, la_id, school_id, started_on in placements:
        for user_id in teachers.get((school_id, la_id), []):
            if (user_id, child_id) not in linked:
                links.append(TeamMembership(user_id=user_id, child_id=child_id, role=DESIGNATED_TEACHER,
                                            starts_on=started_on))
            if (user_id, child_id) not in granted:
                grants.append(Grant(user_id=user_id, content_object_id=child_id, permission=permission))
    TeamMembership.objects.bulk_create(links, batch_size=500)
    Grant.objects.bulk_create(grants, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0007_child_access_requests"),
        ("accounts", "0002_auditevent_record_destroyed"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(link_same_la_designated_teachers, migrations.RunPython.noop),
    ]
