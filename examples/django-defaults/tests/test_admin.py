"""The admin: closed to anonymous visitors, open to staff, every model of the project registered."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from shop.notes.models import Note

PROJECT_MODELS = [
    model
    for config in apps.get_app_configs()
    if config.name.startswith("shop.")
    for model in config.get_models()
]


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_every_model_is_registered_usefully(model):
    model_admin = admin.site.get_model_admin(model)
    assert model_admin.list_display != admin.ModelAdmin.list_display
    assert model_admin.search_fields and model_admin.list_filter


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_signed_in_people_who_are_not_staff_are_kept_out(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:notes_note_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_staff_can_list_and_add_notes(client, staff_user, sign_in):
    Note.objects.create(title="Existing", body="Already there.")
    sign_in(client, staff_user)

    response = client.get(reverse("admin:notes_note_changelist"))
    assert response.status_code == 200
    assert "Existing" in response.text

    response = client.post(
        reverse("admin:notes_note_add"), {"title": "From the admin", "body": "Added by staff."}
    )
    assert response.status_code == 302
    assert Note.objects.filter(title="From the admin").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_superusers_can_open_every_list_and_add_form(admin_client, model):
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert admin_client.get(reverse(f"{prefix}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"{prefix}_add")).status_code == 200
