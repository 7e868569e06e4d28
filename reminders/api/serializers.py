from rest_framework import serializers

from reminders.models import Notification, NotificationItem


class NotificationItemSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    url = serializers.CharField(source="link", read_only=True)

    class Meta:
        model = NotificationItem
        fields = ["subject", "due", "school", "title", "text", "url"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    """A digest: its title and text as sent, and the items it lists."""

    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    is_read = serializers.SerializerMethodField()
    items = NotificationItemSerializer(source="item_list", many=True, read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "url",
            "school",
            "window",
            "items",
            "created",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None
