"""The query parameters the release pages take: ``route``, ``kind``, ``from``, ``to``, ``page``."""

from django import forms

from changes.models import Kind, Release
from changes.selectors import route_choices


class ChangesForm(forms.Form):
    route = forms.ChoiceField(
        label="Route",
        required=False,
        error_messages={"invalid_choice": "There is no route %(value)s: choose one from the list."},
    )
    kind = forms.ChoiceField(
        label="Kind of change",
        required=False,
        choices=[("", "All kinds of change"), *Kind.choices],
        error_messages={
            "invalid_choice": "%(value)s is not a kind of change: choose one from the list."
        },
    )

    def __init__(self, *args, compare: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [("", "All routes"), *route_choices()]
        if compare:
            number = {"min_value": 0, "required": False, "widget": forms.NumberInput}
            messages = {"invalid": "Enter a release number, such as 3."}
            self.fields["from"] = forms.IntegerField(
                label="From release", error_messages=messages, **number
            )
            self.fields["to"] = forms.IntegerField(
                label="To release", error_messages=messages, **number
            )
            self.fields["page"] = forms.IntegerField(
                min_value=1,
                required=False,
                widget=forms.HiddenInput,
                error_messages={"invalid": "A page is a whole number, such as 2."},
            )

    def clean(self):
        data = super().clean()
        if "from" not in self.fields:
            return data
        first, last = data.get("from"), data.get("to")
        if first is None and last is None:
            return data
        if first is None or last is None:
            if not self.errors:
                self.add_error(None, "To compare releases, give both from and to.")
            return data
        if first >= last:
            self.add_error("to", "The to release must come after the from release.")
            return data
        latest = Release.objects.latest_number()
        if last > latest:
            self.add_error(
                "to",
                f"There is no release {last}: the latest is {latest}."
                if latest
                else f"There is no release {last}: nothing has been released yet.",
            )
        return data

    @property
    def comparing(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("to") is not None
