"""Fill an admin change form the way a browser would: every field as rendered, then changes."""

from django.forms import JSONField


def _value(bound):
    value = bound.value()
    if isinstance(bound.field, JSONField):
        return bound.field.prepare_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def form_data(response) -> dict:
    """The POST data a browser would send back for an admin add or change page, unchanged."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = _value(form[name])
        if value == "" and form.fields[name].widget.input_type == "checkbox":
            continue
        data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for form in formset.forms:
            for name in form.fields:
                value = _value(form[name])
                if value == "":
                    continue
                data[form.add_prefix(name)] = value
    return {key: value for key, value in data.items() if value is not None}
