"""Hooks into sign-up: a verified email address receives the invitations sent to it, for its
owner to accept or decline (nobody is registered without accepting)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from workgroups.services.nominations import claim_nominations


@receiver(email_confirmed, dispatch_uid="workgroups_claim_nominations")
def claim_on_email_confirmed(sender, request, email_address, **kwargs):
    claim_nominations(user=email_address.user, email=email_address.email)
