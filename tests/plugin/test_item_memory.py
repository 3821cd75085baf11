"""What a cell item keeps once reported: no result, no record, and JUnit properties only for --junitxml
(pytest keeps every report to the end of the session)."""

from __future__ import annotations

pytest_plugins = ["pytester"]

from harness.plugin.items import CellItem  # noqa: E402

NO_CACHE = ("-p", "no:cacheprovider")


def test_a_cell_item_keeps_no_result_or_record_once_reported(pytester, basic_pack):
    reprec = pytester.inline_run("scenarios", *NO_CACHE, "--iam-items", "cell")
    reprec.assertoutcome(passed=3)
    (call,) = reprec.getcalls("pytest_collection_finish")
    items = [item for item in call.session.items if isinstance(item, CellItem)]
    assert len(items) == 3 and all(i.result is None and i.record is None for i in items)
    assert all(not report.user_properties for report in reprec.getreports("pytest_runtest_logreport"))


def test_junit_properties_are_kept_only_when_junit_xml_is_written(pytester, basic_pack):
    reprec = pytester.inline_run("scenarios", *NO_CACHE, "--junitxml", "j.xml")
    (call,) = reprec.getcalls("pytest_collection_finish")
    names = {name for item in call.session.items for name, _value in item.user_properties}
    assert {"principal", "action", "resource", "expected", "actual"} <= names
