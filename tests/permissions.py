"""The permission tests every API endpoint joins.

A test class declares the endpoint's router basename, how to find the object
that belongs to a school, payloads, and which personas may write; the mixin
then checks each persona x (own-scope object, other-scope objects) x (list,
retrieve, create, update, delete):

- an object in scope is listed and retrieved (200); one outside is neither (404);
- create: 201 for those who may, 403 for those who may not, and 400 with
  nothing saved when the payload names an out-of-scope related object;
- update and delete: an object outside the scope is 404 for everyone; an object
  in scope is 200/204 (or `delete_status`) for those who may, 403 for the rest;
- anonymous requests are refused (401/403).
"""

from django.db import transaction
from django.urls import reverse
from rest_framework import status

from tests.base import FOREIGN_SCHOOLS, HOME_SCHOOL, PERSONAS


class ScopedAPITests:
    basename: str
    can_create: set[str] = set()
    can_update: set[str] = set()
    can_delete: set[str] = set()
    # Objects referenced by others are protected from deletion (409 Conflict).
    delete_status = status.HTTP_204_NO_CONTENT
    # Endpoints whose objects are changed through actions, not PATCH, answer 405.
    supports_update = True

    # --- to declare ---------------------------------------------------------
    def object_for(self, school):
        """The object of this endpoint that belongs to (or contains) `school`."""
        raise NotImplementedError

    def create_payload(self, school) -> dict:
        """A valid payload creating an object that belongs to `school`."""
        raise NotImplementedError

    def update_payload(self, obj) -> dict:
        """A valid partial update of `obj`."""
        raise NotImplementedError

    # --- helpers ------------------------------------------------------------
    _seq = 0

    def seq(self) -> int:
        """A number unique within the test run, for unique names and codes."""
        ScopedAPITests._seq += 1
        return ScopedAPITests._seq

    def list_url(self):
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj):
        return reverse(f"{self.basename}-detail", args=[obj.pk])

    def own_object(self, persona):
        key = HOME_SCHOOL[persona]
        return self.object_for(self.school(key)) if key else None

    def foreign_objects(self, persona):
        own = self.own_object(persona)
        visible_anyway = {own.pk} if own is not None and HOME_SCHOOL[persona] else set()
        objects = []
        for key in FOREIGN_SCHOOLS[persona]:
            obj = self.object_for(self.school(key))
            if obj.pk not in visible_anyway:
                objects.append(obj)
        return objects

    def model(self):
        return type(self.object_for(self.s1))

    def is_deleted(self, obj):
        return not type(obj).objects.filter(pk=obj.pk).exists()

    def list_ids(self, persona):
        response = self.api(persona).get(self.list_url(), {"page_size": 500})
        self.assertEqual(response.status_code, 200, response.content)
        return {row["id"] for row in response.json()["results"]}

    # --- the tests ----------------------------------------------------------
    def test_anonymous_is_refused(self):
        client = self.api()
        obj = self.object_for(self.s1)
        for response in (
            client.get(self.list_url()),
            client.get(self.detail_url(obj)),
            client.post(self.list_url(), self.create_payload(self.s1), format="json"),
            client.patch(self.detail_url(obj), self.update_payload(obj), format="json"),
            client.delete(self.detail_url(obj)),
        ):
            self.assertIn(response.status_code, (401, 403))

    def test_list_shows_own_scope_only(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                ids = self.list_ids(persona)
                own = self.own_object(persona)
                if persona == "outsider":
                    self.assertEqual(ids, set())
                else:
                    self.assertIn(own.pk, ids)
                for obj in self.foreign_objects(persona):
                    self.assertNotIn(obj.pk, ids)

    def test_retrieve(self):
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                client = self.api(persona)
                own = self.own_object(persona)
                if own is not None:
                    self.assertEqual(client.get(self.detail_url(own)).status_code, 200)
                for obj in self.foreign_objects(persona):
                    self.assertEqual(client.get(self.detail_url(obj)).status_code, 404)

    def test_create(self):
        model = self.model()
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                client = self.api(persona)
                home = HOME_SCHOOL[persona] or "s1"
                before = model.objects.count()
                response = client.post(
                    self.list_url(), self.create_payload(self.school(home)), format="json"
                )
                if persona in self.can_create:
                    self.assertEqual(response.status_code, 201, response.content)
                    self.assertEqual(model.objects.count(), before + 1)
                else:
                    self.assertEqual(response.status_code, 403, response.content)
                    self.assertEqual(model.objects.count(), before)

    def test_create_naming_out_of_scope_object_is_invalid(self):
        model = self.model()
        for persona in self.can_create - {"admin"}:
            for key in FOREIGN_SCHOOLS[persona]:
                with self.subTest(persona=persona, school=key):
                    before = model.objects.count()
                    response = self.api(persona).post(
                        self.list_url(), self.create_payload(self.school(key)), format="json"
                    )
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertEqual(model.objects.count(), before)

    def test_update(self):
        if not self.supports_update:
            own = self.object_for(self.s1)
            response = self.api("admin").patch(
                self.detail_url(own), self.update_payload(own), format="json"
            )
            self.assertEqual(response.status_code, 405)
            return
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                client = self.api(persona)
                own = self.own_object(persona)
                if own is not None:
                    response = client.patch(
                        self.detail_url(own), self.update_payload(own), format="json"
                    )
                    expected = 200 if persona in self.can_update else 403
                    self.assertEqual(response.status_code, expected, response.content)
                for obj in self.foreign_objects(persona):
                    obj.refresh_from_db()
                    before = model_to_tuple(obj)
                    response = client.patch(
                        self.detail_url(obj), self.update_payload(obj), format="json"
                    )
                    self.assertEqual(response.status_code, 404)
                    obj.refresh_from_db()
                    self.assertEqual(model_to_tuple(obj), before)

    def test_delete(self):
        model = self.model()
        for persona in PERSONAS:
            with self.subTest(persona=persona):
                client = self.api(persona)
                for obj in self.foreign_objects(persona):
                    self.assertEqual(client.delete(self.detail_url(obj)).status_code, 404)
                    self.assertTrue(model.objects.filter(pk=obj.pk).exists())
                own = self.own_object(persona)
                if own is None:
                    continue
                # Later personas need the world as it was: undo each deletion.
                with transaction.atomic():
                    response = client.delete(self.detail_url(own))
                    deleted = self.is_deleted(own)
                    transaction.set_rollback(True)
                if persona in self.can_delete:
                    self.assertEqual(response.status_code, self.delete_status, response.content)
                    self.assertEqual(deleted, self.delete_status == status.HTTP_204_NO_CONTENT)
                else:
                    self.assertEqual(response.status_code, 403, response.content)
                    self.assertTrue(model.objects.filter(pk=own.pk).exists())


def model_to_tuple(obj):
    return tuple(
        getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name != "updated"
    )
