"""An admin list's rows and filters, as Django renders them, at a fraction of the cost.

Rows: Django works out again, for every cell of every row, what kind of column it is (a field,
an admin method, a model attribute), its empty value, its classes and whether it links to the
row's change page: thirteen columns by 25 rows is 325 times. Here each column is worked out once
per list (``core.admin.ChangeList.row_html``) and each row becomes one piece of HTML. Lists with
editable columns or in a popup keep Django's own rows.

Filters: the sidebar's choices, each a link built from the list's address, are the same for
everyone with the same hubs looking at the same filters on the same day, and change only with
the national reference data (``core.admin.filters_html``).
"""

from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template import Library

from core.admin import filters_html

register = Library()


def fast_result_list(cl):
    if cl.formset or cl.is_popup or not hasattr(cl, "row_html"):
        return admin_list.result_list(cl)
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        # One item per row, the row's cells already joined: the template writes them as is.
        "results": [admin_list.ResultList(None, [row]) for row in cl.row_html()],
    }


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        "fast_result_list",
        parser,
        token,
        func=fast_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


@register.simple_tag(takes_context=True)
def list_filters(context, cl):
    """The filter sidebar of Django's change list (``admin/change_list_filters.html``)."""
    return filters_html(context.request, cl)
