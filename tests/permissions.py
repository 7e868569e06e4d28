"""The permission tests every API endpoint joins.

A test class declares the endpoint's router basename, how to find the object
that belongs to a school, payloads, and which personas may write; the mixin
then checks each persona, the multi-role ones included, x (own-scope objects,
other-scope objects) x (list, retrieve, create, update, delete):

- an object in scope is listed and retrieved (200); one outside is neither (404);
- create: 201 for those who may, 403 for those who see the school but may not
  write there, and 400 with nothing saved when the payload names an object
  outside the scope;
- update and delete: an object outside the scope is 404 for everyone; an object
  in scope is 200/204 (or `delete_status`) for those who may, 403 for the rest;
- anonymous requests are refused (401/403).
"""

from django.db import transaction
from django.urls import reverse
from rest_framework import status

from tests.base import ACTS_AS, FOREIGN_SCHOOLS, MULTI_ROLE_PERSONAS, PERSONAS

ALL_PERSONAS = (*PERSONAS, *MULTI_ROLE_PERSONAS)


class ScopedAPITests:
    multi_role_personas = True
    basename: str
    can_create: set[str] = set()
    can_update: set[str] = set()
    can_delete: set[str] = set()
    # Objects referenced by others are protected from deletion (409 Conflict).
    delete_status = status.HTTP_204_NO_CONTENT
    # Endpoints whose objects are changed through actions, not PATCH, answer 405.
    supports_update = True
    # A ledger keeps what it recorded: DELETE answers 405.
    supports_delete = True
    # A create by someone who cannot see the objects its payload names is a
    # 400 (they do not exist for them); a payload naming none (a city) is
    # refused by the write check instead.
    create_status_unseen = status.HTTP_400_BAD_REQUEST
    # "multipart" for an endpoint whose create uploads a file.
    create_format = "json"

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

    def before_create(self, school) -> None:
        """Make room for one more object at `school` (e.g. where only one is allowed)."""

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

    def reached(self, persona):
        """[(object, may)] for the objects of each school the persona reaches.

        `may(rights)` says whether one of the persona's roles that reaches the
        object is in `rights` (a set of single-role personas): a multi-role
        user may write only where one of its roles may.
        """
        acting_by_pk, objects = {}, {}
        for key, acting in ACTS_AS[persona].items():
            obj = self.object_for(self.school(key))
            objects[obj.pk] = obj
            acting_by_pk.setdefault(obj.pk, set()).add(acting)
        return [
            (obj, lambda rights, acting=acting_by_pk[pk]: bool(acting & rights))
            for pk, obj in objects.items()
        ]

    def foreign_objects(self, persona):
        reached = {obj.pk for obj, _may in self.reached(persona)}
        objects = []
        for key in FOREIGN_SCHOOLS[persona]:
            obj = self.object_for(self.school(key))
            if obj.pk not in reached:
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
            client.post(self.list_url(), self.create_payload(self.s1), format=self.create_format),
            client.patch(self.detail_url(obj), self.update_payload(obj), format="json"),
            client.delete(self.detail_url(obj)),
        ):
            self.assertIn(response.status_code, (401, 403))

    def test_list_shows_own_scope_only(self):
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                ids = self.list_ids(persona)
                if persona == "outsider":
                    self.assertEqual(ids, set())
                for obj, _may in self.reached(persona):
                    self.assertIn(obj.pk, ids)
                for obj in self.foreign_objects(persona):
                    self.assertNotIn(obj.pk, ids)

    def test_retrieve(self):
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                client = self.api(persona)
                for obj, _may in self.reached(persona):
                    self.assertEqual(client.get(self.detail_url(obj)).status_code, 200)
                for obj in self.foreign_objects(persona):
                    self.assertEqual(client.get(self.detail_url(obj)).status_code, 404)

    def test_create(self):
        """201 where one of the persona's roles may add, 403 where it may only see, else 400.

        The saved object's scope decides, not whether the user may add such
        objects somewhere: a principal who is also a police liaison elsewhere
        cannot write at the police school.
        """
        model = self.model()
        for persona in ALL_PERSONAS:
            schools = ACTS_AS[persona] or {"s1": None}
            for key, acting in schools.items():
                with self.subTest(persona=persona, school=key):
                    client = self.api(persona)
                    self.before_create(self.school(key))
                    before = model.objects.count()
                    response = client.post(
                        self.list_url(),
                        self.create_payload(self.school(key)),
                        format=self.create_format,
                    )
                    if acting in self.can_create:
                        self.assertEqual(response.status_code, 201, response.content)
                        self.assertEqual(model.objects.count(), before + 1)
                    else:
                        expected = 403 if acting else self.create_status_unseen
                        self.assertEqual(response.status_code, expected, response.content)
                        self.assertEqual(model.objects.count(), before)

    def test_create_naming_out_of_scope_object_is_invalid(self):
        model = self.model()
        for persona in ALL_PERSONAS:
            if persona == "admin" or not set(ACTS_AS[persona].values()) & self.can_create:
                continue
            for key in FOREIGN_SCHOOLS[persona]:
                with self.subTest(persona=persona, school=key):
                    self.before_create(self.school(key))
                    before = model.objects.count()
                    response = self.api(persona).post(
                        self.list_url(),
                        self.create_payload(self.school(key)),
                        format=self.create_format,
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
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                client = self.api(persona)
                for obj, may in self.reached(persona):
                    response = client.patch(
                        self.detail_url(obj), self.update_payload(obj), format="json"
                    )
                    expected = 200 if may(self.can_update) else 403
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
        if not self.supports_delete:
            own = self.object_for(self.s1)
            self.assertEqual(self.api("admin").delete(self.detail_url(own)).status_code, 405)
            self.assertTrue(model.objects.filter(pk=own.pk).exists())
            return
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                client = self.api(persona)
                for obj in self.foreign_objects(persona):
                    self.assertEqual(client.delete(self.detail_url(obj)).status_code, 404)
                    self.assertTrue(model.objects.filter(pk=obj.pk).exists())
                for obj, may in self.reached(persona):
                    # Later personas need the world as it was: undo each deletion.
                    with transaction.atomic():
                        response = client.delete(self.detail_url(obj))
                        deleted = self.is_deleted(obj)
                        transaction.set_rollback(True)
                    if may(self.can_delete):
                        self.assertEqual(response.status_code, self.delete_status, response.content)
                        self.assertEqual(deleted, self.delete_status == status.HTTP_204_NO_CONTENT)
                    else:
                        self.assertEqual(response.status_code, 403, response.content)
                        self.assertTrue(model.objects.filter(pk=obj.pk).exists())


class ReadOnlyScopedAPITests(ScopedAPITests):
    """An endpoint whose objects change only through others (the ledger's): reads are scoped,
    every write answers 405."""

    def create_payload(self, school):
        return {}

    def update_payload(self, obj):
        return {}

    def test_create(self):
        self.assertEqual(
            self.api("admin").post(self.list_url(), {}, format="json").status_code, 405
        )

    def test_create_naming_out_of_scope_object_is_invalid(self):
        """Nothing is created here at all (test_create)."""

    def test_update(self):
        own = self.object_for(self.s1)
        self.assertEqual(self.api("admin").patch(self.detail_url(own), {}).status_code, 405)

    def test_delete(self):
        own = self.object_for(self.s1)
        self.assertEqual(self.api("admin").delete(self.detail_url(own)).status_code, 405)
        self.assertTrue(type(own).objects.filter(pk=own.pk).exists())


class ActionChecks:
    """Custom actions and non-router endpoints, persona by persona and school by school."""

    def cases(self, persona):
        """(school key, acting single-role persona or None when the school is not reached)."""
        yield from ACTS_AS[persona].items()
        for key in FOREIGN_SCHOOLS[persona]:
            yield key, None

    def check(
        self, name, send, allowed, foreign_status=404, refused_status=403, allowed_status=200
    ):
        """`send(client, key)` for every persona and school, undone afterwards.

        `allowed_status` is what those allowed get, for an action whose
        permission is checked with a request it then refuses as invalid (400).
        """
        for persona in ALL_PERSONAS:
            client = self.api(persona)
            for key, acting in self.cases(persona):
                with self.subTest(action=name, persona=persona, school=key):
                    with transaction.atomic():
                        response = send(client, key)
                        transaction.set_rollback(True)
                    if acting is None:
                        expected = foreign_status
                    else:
                        expected = allowed_status if acting in allowed else refused_status
                    self.assertEqual(response.status_code, expected, response.content)


class PageChecks(ActionChecks):
    """HTML pages, persona by persona and school by school (a test class with `login`)."""

    def each_persona(self, url_for, allowed, method="get", data=None, foreign=404, refused=403):
        """Every persona at every school: 200 (or a redirect) if allowed, else 403, or 404 away."""
        for persona in ALL_PERSONAS:
            self.login(persona)
            for key, acting in self.cases(persona):
                with self.subTest(persona=persona, school=key):
                    response = getattr(self.client, method)(url_for(key), data or {})
                    if acting is None:
                        self.assertEqual(response.status_code, foreign)
                    elif acting in allowed:
                        self.assertIn(response.status_code, (200, 302))
                    else:
                        self.assertEqual(response.status_code, refused)

    def only_roles(self, url, allowed):
        """A page about no one school: 200 for those acting as an allowed persona somewhere,
        403 for the rest."""
        for persona in ALL_PERSONAS:
            with self.subTest(persona=persona):
                self.login(persona)
                acting = set(ACTS_AS[persona].values())
                self.assertEqual(self.client.get(url).status_code, 200 if acting & allowed else 403)


def model_to_tuple(obj):
    return tuple(
        getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name != "updated"
    )
