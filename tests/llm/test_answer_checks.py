"""The model's report is repaired where it can be and held against the data: a version, hash or
onset the tools never returned is sent back once for correction, then dropped or marked."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from bot.scenarios import shared_dir
from tests.fakes.model_server import Call, Reply
from tests.llm.conftest import analyst_for, investigate
from tests.llm.test_investigation import REPORT
from tests.llm.test_misbehaving_model import PLAIN

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCHEMA = json.loads((shared_dir() / "rca-report.schema.json").read_text())

LOOK = Reply("", [Call("get_error_rates", {}), Call("get_deployments", {})])


def with_changes(**changes) -> dict:
    report = copy.deepcopy(REPORT)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = report
        for p in parents:
            node = node[p]
        node[leaf] = value
    return report


async def test_a_version_the_data_does_not_hold_is_sent_back_and_the_correction_kept(engine, fake):
    bad = with_changes(root_cause__trigger={"type": "deploy", "ref": "v1.2.0"})
    fake.script(LOOK, Reply("", [Call("submit_report", bad)]), Reply("", [Call("submit_report", REPORT)]))
    report, _ = await investigate(engine, analyst_for(fake))

    rejected = fake.requests[2].tool_results()[-1]["content"]
    assert rejected.startswith("Rejected:") and "'v1.2.0' is not a deployment version" in rejected
    assert "versions v1.1.0, v1.0.9" in rejected  # what it could have said
    assert report.root_cause.trigger.ref == "v1.1.0"
    assert report.warnings == []
    jsonschema.validate(report.to_dict(), SCHEMA)


async def test_claims_that_fail_twice_are_dropped_or_marked(engine, fake):
    bad = with_changes(
        root_cause__trigger={"type": "deploy", "ref": "v9.9.9"},
        onset="2031-01-01T00:00:00Z",
        summary="Checkout fails since v9.9.9 shipped commit deadbee1234.",
        evidence=[{"source": "git", "finding": "commit deadbee1234 changed the pool"},
                  {"source": "logs", "tool": "search_logs", "finding": "errors at 12.5%"}],
    )
    fake.script(LOOK, Reply("", [Call("submit_report", bad)]), Reply("", [Call("submit_report", bad)]))
    report, _ = await investigate(engine, analyst_for(fake))

    assert len(fake.requests) == 3  # one correction round, not more
    rc = report.root_cause
    assert (rc.trigger.type, rc.trigger.ref) == ("unknown", None)
    assert rc.confidence <= 0.4
    assert report.onset is None
    assert "v9.9.9 [not in the data]" in report.summary and "deadbee1234 [not in the data]" in report.summary
    assert [e.finding for e in report.evidence] == ["errors at 12.5%"]
    assert report.evidence[0].tool is None  # search_logs was never called
    assert any("v9.9.9" in w and "dropped" in w for w in report.warnings)
    assert any("2031-01-01T00:00:00Z" in w and "outside the observed data" in w for w in report.warnings)
    jsonschema.validate(report.to_dict(), SCHEMA)


async def test_a_short_hash_and_a_loose_onset_are_normalised_to_the_data(engine, fake):
    loose = with_changes(root_cause__trigger={"type": "deploy", "ref": "A1B2C3D"}, onset="2030-01-01 10:20")
    fake.script(LOOK, Reply("", [Call("submit_report", loose)]))
    report, _ = await investigate(engine, analyst_for(fake))

    assert (report.root_cause.trigger.type, report.root_cause.trigger.ref) == ("commit", "a1b2c3d4e5f6")
    assert report.onset == "2030-01-01T10:20:00Z"
    assert len(fake.requests) == 2


async def test_a_sloppy_report_is_repaired(engine, fake):
    sloppy = {
        "summary": "Pool exhaustion after v1.1.0.",
        "root_cause": {"description": "The database pool is too small.", "trigger": "deployment v1.1.0",
                       "confidence": "high"},
        "onset": "2030-01-01T10:20:00+00:00",
        "timeline": [{"timestamp": "2030-01-01T10:20:00Z", "description": "errors start"},
                     {"time": "not a time", "event": "?"}],
        "evidence": ["error rate 12.5% from 10:20"],
        "recommendations": "Roll back v1.1.0",
    }
    fake.script(LOOK, Reply("", [Call("submit_report", sloppy)]))
    report, _ = await investigate(engine, analyst_for(fake, "openai"))

    assert report.incident_detected is True
    assert (report.root_cause.trigger.type, report.root_cause.trigger.ref) == ("deploy", "v1.1.0")
    assert report.root_cause.confidence == 0.8
    assert report.onset == "2030-01-01T10:20:00Z"
    assert [(t.time, t.source, t.event) for t in report.timeline] == [("2030-01-01T10:20:00Z", "analysis", "errors start")]
    assert [(e.source, e.finding) for e in report.evidence] == [("analysis", "error rate 12.5% from 10:20")]
    assert report.recommendations == ["Roll back v1.1.0"]
    jsonschema.validate(report.to_dict(), SCHEMA)


async def test_a_report_with_no_conclusion_is_rejected_with_what_to_say(engine, fake):
    fake.script(Reply("", [Call("submit_report", {"confidence": 0.9})]), Reply("", [Call("submit_report", PLAIN)]))
    report, _ = await investigate(engine, analyst_for(fake))

    rejected = fake.requests[1].tool_results()[0]["content"]
    assert "neither a summary nor a root_cause.description" in rejected
    assert report.summary == PLAIN["summary"]


async def test_no_incident_means_no_trigger_and_no_onset(engine, fake):
    quiet = {"incident_detected": "false", "summary": "Nothing abnormal in the data.",
             "root_cause": {"description": "No incident.", "trigger": {"type": "deploy", "ref": "v1.1.0"},
                            "confidence": 0.7},
             "onset": "2030-01-01T10:20:00Z", "recommendations": []}
    fake.script(LOOK, Reply("", [Call("submit_report", quiet)]))
    report, _ = await investigate(engine, analyst_for(fake))

    assert report.incident_detected is False
    assert (report.root_cause.trigger.type, report.root_cause.trigger.ref) == ("none", None)
    assert report.onset is None
    jsonschema.validate(report.to_dict(), SCHEMA)


@pytest.mark.parametrize(("trigger", "expected"), [
    ("v1.1.0", ("deploy", "v1.1.0")),
    ("a1b2c3d4", ("commit", "a1b2c3d4e5f6")),
    ({"type": "release", "ref": "1.1.0"}, ("deploy", "v1.1.0")),
    ({"type": "commit", "ref": "v1.1.0"}, ("deploy", "v1.1.0")),
])
async def test_a_trigger_is_read_whatever_shape_it_comes_in(engine, fake, trigger, expected):
    fake.script(LOOK, Reply("", [Call("submit_report", with_changes(root_cause__trigger=trigger))]))
    report, _ = await investigate(engine, analyst_for(fake))

    assert (report.root_cause.trigger.type, report.root_cause.trigger.ref) == expected
    assert len(fake.requests) == 2  # accepted as it came, no correction round
