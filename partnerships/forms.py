"""Forms for the partnership workspace: they parse input; the services decide."""

from typing import Any

from django import forms
from django.db.models import Q

from frameworks.models import Framework
from indicators.models import Indicator
from partnerships.models import Organisation, Partnership, Role
from partnerships.selectors import framework_choices_for


class PartnershipForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="(none)",
        help_text="The organisation the person will represent",
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partnership.organisations.order_by("name")  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class OutcomeForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    lead_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, empty_label="(no lead yet)"
    )
    contributors = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Contributing partners",
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(),
        required=False,
        to_field_name="key",
        empty_label="(none)",
        help_text="The framework whose parts measure this outcome",
    )
    node_keys = forms.CharField(
        required=False,
        label="Framework parts",
        help_text="Keys of the framework's domains, subdomains or indicator slots, "
        "separated by commas",
    )
    indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        to_field_name="slug",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="National indicators and your partnership's own local ones",
    )
    position = forms.IntegerField(
        min_value=0, max_value=2**31 - 1, initial=0, required=False, label="Order"
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = partnership.organisations.order_by("name")
        self.fields["lead_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["contributors"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["framework"].queryset = framework_choices_for(partnership)  # type: ignore[attr-defined]
        self.fields["indicators"].queryset = (  # type: ignore[attr-defined]
            Indicator.objects.filter(
                Q(dataset__partnership__isnull=True) | Q(dataset__partnership=partnership)
            ).order_by("name")
        )

    def clean_node_keys(self) -> list[str]:
        text = self.cleaned_data.get("node_keys") or ""
        return [key.strip() for key in text.replace("\n", ",").split(",") if key.strip()]

    def service_data(self) -> dict[str, Any]:
        """The cleaned values in the shape ``outcome_create``/``outcome_update`` take."""
        data = self.cleaned_data
        lead = data.get("lead_organisation")
        framework = data.get("framework")
        return {
            "title": data["title"],
            "description": data.get("description") or "",
            "lead_organisation": lead.pk if lead else None,
            "contributors": [o.pk for o in data.get("contributors") or []],
            "framework": framework.key if framework else None,
            "node_keys": data.get("node_keys") or [],
            "indicators": [i.slug for i in data.get("indicators") or []],
            "position": data.get("position") or 0,
        }


class PublicationForm(forms.Form):
    is_published = forms.BooleanField(required=False, label="Published")
    published_from = forms.DateField(
        required=False,
        label="Visible to everyone from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to publish at once",
    )
