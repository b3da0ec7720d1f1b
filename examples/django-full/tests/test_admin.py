"""The admin: closed to anonymous visitors, open to staff, every model of the project registered;
staff with the notes permissions see and change every note, whoever owns it."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
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
def test_staff_can_list_and_add_notes(client, staff_user, user, sign_in):
    Note.objects.create(owner=user, title="Existing", body="Already there.")
    sign_in(client, staff_user)

    response = client.get(reverse("admin:notes_note_changelist"))
    assert response.status_code == 200
    assert "Existing" in response.text

    form = {"owner": user.pk, "title": "From the admin", "body": "Added by staff."}
    response = client.post(reverse("admin:notes_note_add"), form)
    assert response.status_code == 302
    assert Note.objects.get(title="From the admin").owner == user


@pytest.mark.django_db
def test_staff_see_every_users_notes_with_their_owners(
    client, staff_user, user, django_user_model, sign_in
):
    other = django_user_model.objects.create_user(email="bob@example.com")
    Note.objects.create(owner=user, title="Note by Ada", body="One.")
    Note.objects.create(owner=other, title="Note by Bob", body="Two.")
    Note.objects.create(owner=None, title="From before owners", body="Three.")
    sign_in(client, staff_user)

    text = client.get(reverse("admin:notes_note_changelist")).text
    for shown in ("Note by Ada", "Note by Bob", "From before owners", user.email, other.email):
        assert shown in text
    ownerless = client.get(reverse("admin:notes_note_changelist"), {"owner__isnull": "True"})
    assert "From before owners" in ownerless.text and "Note by Ada" not in ownerless.text


@pytest.mark.django_db
def test_staff_give_a_note_without_an_owner_an_owner(client, staff_user, user, sign_in):
    note = Note.objects.create(owner=None, title="From before owners", body="Text.")
    sign_in(client, staff_user)
    form = {"owner": user.pk, "title": note.title, "body": note.body}
    response = client.post(reverse("admin:notes_note_change", args=[note.pk]), form)
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.owner == user


@pytest.mark.django_db(transaction=True)
def test_notes_written_before_owners_keep_none_after_the_migration():
    """Migration 0004 gives notes an owner; a note already there keeps none (NULL)."""
    executor = MigrationExecutor(connection)
    owner_migration = executor.loader.get_migration("notes", "0004_note_owner")
    before = [key for key in owner_migration.dependencies if key[0] == "notes"]
    executor.migrate(before)

    executor = MigrationExecutor(connection)
    old_note = executor.loader.project_state(before).apps.get_model("notes", "Note")
    pk = old_note.objects.create(title="From before owners", body="Text.").pk
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Note.objects.get(pk=pk).owner is None


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_superusers_can_open_every_list_and_add_form(admin_client, admin_user, rf, model):
    """Every list; every add form too, but for records only the site writes, whose admin allows
    no adding (403)."""
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert admin_client.get(reverse(f"{prefix}_changelist")).status_code == 200
    request = rf.get("/")
    request.user = admin_user
    addable = admin.site.get_model_admin(model).has_add_permission(request)
    assert admin_client.get(reverse(f"{prefix}_add")).status_code == (200 if addable else 403)
