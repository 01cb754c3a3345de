from allauth.account.adapter import DefaultAccountAdapter

from mathshub.email import queue_email


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's emails (verification, password reset) through the Celery email task."""

    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            None,
        )
        queue_email(to=list(message.to), subject=message.subject, body=message.body, html=html)
