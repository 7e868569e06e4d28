from unittest import mock
from posts.api import serializers as S
from tests.test_posts_dutylogs import DutyLogTests, URL, TODAY


class Q(DutyLogTests):
    def test_fields(self):
        client = self.api("principal1")
        self.log("principal1", self.afternoon("s1"))
        orig = S.DutyLogSerializer.get_fields
        calls = []

        def spy(self_):
            import traceback

            calls.append("".join(traceback.format_stack(limit=8)[:-1]))
            return orig(self_)

        with mock.patch.object(S.DutyLogSerializer, "get_fields", spy):
            r = client.post(
                URL,
                {"post_period": self.morning("s1").pk, "date": TODAY.isoformat()},
                format="json",
            )
        print(r.status_code, len(calls))
        for c in calls:
            print(c[-1500:])
            print("-----")
