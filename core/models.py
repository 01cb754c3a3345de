"""The core's own table: the outbox of emails waiting to be sent (``core.outbox``)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One email to one address, written in the same transaction as the change that causes it,
    so a change that commits always has its email and one that is rolled back has none."""

    # Unbounded text: an email must never be the reason a change fails to save.
    to = models.TextField()
    subject = models.TextField()
    body = models.TextField()
    html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="Not sent before this (it backs off after a failure)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            # The delivery job reads only what is still to send: a small index on a big table.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True),
                name="outbox_undelivered",
            ),
            models.Index(
                fields=["sent_at"], condition=Q(sent_at__isnull=False), name="outbox_sent"
            ),
        ]

    def __str__(self):
        return f"{self.subject} to {self.to}"
