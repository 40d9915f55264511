from typing import Any

from rest_framework import serializers

from scoring.models import Score, ScoreDriver, ScoreFlag, ScoringRun


class ScoringRunSerializer(serializers.ModelSerializer[ScoringRun]):
    framework = serializers.CharField(source="framework_version.framework.key", read_only=True)
    framework_version = serializers.IntegerField(source="framework_version.version", read_only=True)

    class Meta:
        model = ScoringRun
        fields = [
            "id",
            "framework",
            "framework_version",
            "scope",
            "method_id",
            "method_settings",
            "releases",
            "inputs_hash",
            "status",
            "is_current",
            "periods",
            "counts",
            "timings",
            "error",
            "created_at",
            "finished_at",
        ]


class ScoreSerializer(serializers.ModelSerializer[Score]):
    place = serializers.CharField(source="place_id", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    node = serializers.CharField(source="node_key", read_only=True)
    node_label = serializers.SerializerMethodField()
    method_id = serializers.SerializerMethodField()
    coverage = serializers.SerializerMethodField()
    interval = serializers.SerializerMethodField()

    class Meta:
        model = Score
        fields = [
            "place",
            "place_name",
            "node",
            "node_label",
            "level",
            "year",
            "reference_set",
            "score",
            "uncapped",
            "band",
            "rank",
            "rank_of",
            "coverage",
            "indicator_coverage",
            "interval",
            "robust",
            "method_id",
        ]

    def get_node_label(self, score: Score) -> str:
        node = self.context.get("nodes", {}).get(score.node_key)
        return node.label if node else score.node_key

    def get_method_id(self, score: Score) -> str:
        return str(self.context["run"].method_id)

    def get_coverage(self, score: Score) -> dict[str, int]:
        return {"present": score.coverage_present, "expected": score.coverage_expected}

    def get_interval(self, score: Score) -> dict[str, Any]:
        return {
            "score_low": score.score_low,
            "score_high": score.score_high,
            "rank_low": score.rank_low,
            "rank_high": score.rank_high,
            "same_band_share": score.band_agreement,
        }


class DriverSerializer(serializers.ModelSerializer[ScoreDriver]):
    place = serializers.CharField(source="place_id", read_only=True)

    class Meta:
        model = ScoreDriver
        fields = [
            "place",
            "reference_set",
            "year",
            "node_key",
            "level",
            "slot_key",
            "indicator_key",
            "value",
            "data_period_start",
            "data_period_end",
            "z",
            "contribution",
            "contribution_uncapped",
            "score",
        ]


class FlagSerializer(serializers.ModelSerializer[ScoreFlag]):
    place = serializers.CharField(source="place_id", read_only=True)

    class Meta:
        model = ScoreFlag
        fields = [
            "place",
            "reference_set",
            "year",
            "slot_key",
            "indicator_key",
            "value",
            "z",
            "z_threshold",
            "bottom_decile",
            "significantly_below",
            "hidden_by",
            "hidden_by_level",
            "hidden_by_score",
        ]


class DriverChangeSerializer(serializers.Serializer[Any]):
    place = serializers.CharField()
    reference_set = serializers.CharField()
    node = serializers.CharField()
    slot = serializers.CharField()
    indicator = serializers.CharField()
    period_from = serializers.IntegerField()
    period_to = serializers.IntegerField()
    value_from = serializers.FloatField(allow_null=True)
    value_to = serializers.FloatField(allow_null=True)
    contribution_from = serializers.FloatField(allow_null=True)
    contribution_to = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
