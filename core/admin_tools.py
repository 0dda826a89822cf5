"""Admin pieces: change forms whose queries stay fixed however many inline rows they show,
codes fixed once created, staff edits that become releases, and a warning for text that a
spreadsheet would run."""

from contextlib import ExitStack

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import router
from django.template.response import TemplateResponse
from django.utils.text import capfirst

from core import releases
from core.importing import ImportBusy, locked_transaction
from core.spreadsheet import starts_formula


class KnownLabelsAutocomplete(AutocompleteSelect):
    """An autocomplete that names its selected object from labels it was given, if it can,
    instead of querying for it (Django queries once per inline row)."""

    known_labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        known = self.known_labels or {}
        if not selected or not selected <= known.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for option_value in sorted(selected):
            options.append(
                self.create_option(name, option_value, known[option_value], selected, len(options))
            )
        return [(None, options, 0)]


class KnownLabelsInlineMixin:
    """For inlines: load the related objects of ``autocomplete_fields`` with the rows, and hand
    their names to each row's widget."""

    #: Other relations each row's name needs (its ``__str__``), loaded with the rows too.
    also_select: tuple[str, ...] = ()

    def get_queryset(self, request):
        related = (*self.autocomplete_fields, *self.also_select)
        return super().get_queryset(request).select_related(*related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = KnownLabelsAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        fields = tuple(self.autocomplete_fields)

        class KnownLabelsFormSet(formset_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for form in self.forms:
                    if form.instance.pk is None:
                        continue
                    for name in fields:
                        related = getattr(form.instance, name, None)
                        widget = form.fields[name].widget
                        widget = getattr(widget, "widget", widget)
                        if related is not None and isinstance(widget, KnownLabelsAutocomplete):
                            label = form.fields[name].label_from_instance(related)
                            widget.known_labels = {str(related.pk): label}

        return KnownLabelsFormSet


class CodeReadOnlyMixin:
    """Codes from the source identify a record across imports: fixed once created."""

    source_codes: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += [name for name in self.source_codes if name not in fields]
        return fields


#: How long a staff edit waits for an import (or another staff edit) to finish writing.
EDIT_WAIT_SECONDS = 10


class RecordsReleasesMixin:
    """A staff edit that changes what the maps show is a release, like an import: each form
    sent (an add, a change with its inlines, a delete, an action on a list) is compared before
    and after in one transaction (``core.releases``). Pages that only show are not.

    The edit holds the import lock while it writes, so that it is never part of another
    write's release, nor another's part of its own: it waits for an import that is writing,
    for up to :data:`EDIT_WAIT_SECONDS`, and then, if the import is still writing, saves
    nothing and says so (503, with Retry-After)."""

    def _in_release(self, request, view, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        source = f"Staff edit: {self.model._meta.verbose_name}"
        with ExitStack() as stack:
            try:
                stack.enter_context(
                    locked_transaction(EDIT_WAIT_SECONDS, using=router.db_for_write(self.model))
                )
            except ImportBusy:
                return self._busy(request)
            stack.enter_context(releases.recorded(kind="admin", source=source))
            return view(request, *args, **kwargs)

    def _busy(self, request):
        """Nothing was read or written: the import lock stayed with another write."""
        response = TemplateResponse(
            request,
            "admin/busy.html",
            {**self.admin_site.each_context(request), "title": "Not saved yet"},
            status=503,
        )
        response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
        return response

    def changeform_view(self, request, *args, **kwargs):
        return self._in_release(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._in_release(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._in_release(request, super().changelist_view, *args, **kwargs)


class FormulaWarningMixin:
    """Warn (without refusing) when a saved text starts as a spreadsheet formula would (``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return): the CSV downloads write such a cell with
    a leading quote (``core.spreadsheet``), and staff should know that it looked like one."""

    def construct_change_message(self, request, form, formsets, add=False):
        risky = formula_fields(form)
        for formset in formsets or []:
            for inline_form in formset.forms:
                if inline_form.has_changed() and not _deleted(inline_form):
                    risky += formula_fields(inline_form)
        if risky:
            messages.warning(
                request,
                f"{'; '.join(risky)}: a spreadsheet would run such text as a formula. The "
                "site's CSV downloads put a ' in front of it so that it shows as text; check "
                "that it is meant.",
            )
        return super().construct_change_message(request, form, formsets, add)


def formula_fields(form) -> list[str]:
    """``Title starts with "="`` for each text the form was given that starts as a formula."""
    found = []
    for name, value in getattr(form, "cleaned_data", {}).items():
        if isinstance(value, str) and starts_formula(value):
            label = form.fields[name].label if name in form.fields else name
            found.append(f"{capfirst(label)} starts with {value[0]!r}")
    return found


def _deleted(form) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))
