from rest_framework import serializers


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, trim_whitespace=True)


class DomainErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    unmet = serializers.ListField(child=serializers.CharField(), required=False)
