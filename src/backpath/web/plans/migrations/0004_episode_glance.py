"""Fill the plan-at-a-glance columns of existing episodes from their plan versions."""

from django.db import migrations


def fill(apps, schema_editor):
    from backpath.web.plans.glance import glance_of

    Episode = apps.get_model("patients", "Episode")
    PlanVersion = apps.get_model("plans", "PlanVersion")
    for episode in Episode.objects.filter(pk__in=PlanVersion.objects.values("episode")):
        versions = PlanVersion.objects.filter(episode=episode).order_by("-number")
        latest = versions.values_list("plan", "status").first()
        published = (versions.filter(status="published").exclude(published=None)
                     .values_list("plan", "published").first())
        Episode.objects.filter(pk=episode.pk).update(**glance_of(latest, published))


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0004_episode_plan_at_a_glance"),
        ("plans", "0003_printout"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
