"""A new password revokes the owner's API tokens: whoever changed it (a reset after a lost
laptop, say) expects every old way in to stop."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from backpath.web.api.models import ApiToken


@receiver(pre_save, sender=get_user_model())
def revoke_on_new_password(sender: Any, instance: Any, **_: Any) -> None:
    if instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        ApiToken.objects.filter(user_id=instance.pk, revoked__isnull=True).update(
            revoked=timezone.now()
        )
