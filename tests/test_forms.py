"""Bid data forms: writing, filling, importing, round trips and bad forms."""

import io
import warnings
from pathlib import Path

import openpyxl
import pytest

import fleetcalc
from fleetcalc.cli import main
from fleetcalc.io.forms import SHEETS, import_forms, read_forms, write_form, write_forms
from fleetcalc.validation import number

EXAMPLE = Path("examples/pakistan_locomotives_2026.toml")
CRRC = "bid-form-crrc-ziyang.xlsx"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def tender(example_tender):
    return example_tender


@pytest.fixture
def forms(tmp_path, tender):
    return write_forms(tender, tmp_path / "forms")


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {(ws.title, cell.coordinate): (cell.value, cell.data_type,
                                          cell.protection.locked)
            for ws in wb for row in ws.iter_rows() for cell in row if cell.value is not None}


def _row_of(ws, key):
    return next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == key)


def _fill(path, changes, *, save_as=None):
    """Set ``{(sheet, key or coordinate): value}`` in a form; return the cells set."""
    wb = openpyxl.load_workbook(path)
    where = {}
    for (sheet, key), value in changes.items():
        ws = wb[sheet]
        coordinate = key if key[0].isupper() and key[1:].isdigit() else f"C{_row_of(ws, key)}"
        ws[coordinate].value = value
        where[key] = coordinate
    wb.save(save_as or path)
    return where


def _small_tender_text():
    """The example without the technical weight (a new bid needs no committee score)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    return text.replace("technical_weight = 0.20", "")


def test_one_form_per_bidder_with_the_sheets(forms, tender):
    assert [p.name for p in forms] == [
        "bid-form-wabtec-ge-transportation.xlsx", "bid-form-progress-rail-emd.xlsx", CRRC,
        "bid-form-late-bidder-ltd-fictitious.xlsx"]
    wb = openpyxl.load_workbook(forms[2])
    assert wb.sheetnames == ["About", *SHEETS]
    price = wb["Price schedule"]
    assert price[f"C{_row_of(price, 'unit_price')}"].value == 21_000_000
    assert price[f"C{_row_of(price, 'currency')}"].value == "CNY"
    assert price[f"C{_row_of(price, 'delivery[2]')}"].value == 20


def test_round_trip_form_toml_form_is_identical_cell_by_cell(tmp_path, forms, tender):
    into = tmp_path / "tender.toml"
    into.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    done = import_forms(forms, into, output=tmp_path / "new.toml", replace=True)
    assert done["replaced"] == [b.bidder for b in tender.bids]
    again = fleetcalc.load_tender(tmp_path / "new.toml")
    assert again == tender
    second = write_forms(again, tmp_path / "again")
    for first, other in zip(forms, second):
        assert _cells(first) == _cells(other), first.name


def test_input_cells_are_unlocked_described_and_validated(forms):
    wb = openpyxl.load_workbook(forms[0])
    ws = wb["Price schedule"]
    assert ws.protection.sheet and wb.security.lockStructure
    row = _row_of(ws, "unit_price")
    assert not ws[f"C{row}"].protection.locked and not ws[f"E{row}"].protection.locked
    assert ws[f"A{row}"].protection.locked and ws[f"B{row}"].protection.locked
    assert ws[f"D{row}"].value == "currency" and ws[f"F{row}"].value == "amount, >= 0"
    assert ws[f"C{row}"].comment.text == "unit_price: Price per locomotive. [currency]"
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    validation = next(dv for ref, dv in rules.items() if f"C{row}" in ref.split())
    assert (validation.type, validation.operator, validation.formula1) == (
        "decimal", "greaterThanOrEqual", "0.0")
    share = _row_of(ws, "payments.signing")
    validation = next(dv for ref, dv in rules.items() if f"C{share}" in ref.split())
    assert (validation.operator, validation.formula1, validation.formula2) == (
        "between", "0.0", "1.0")
    tech = wb["Technical data"]
    life = _row_of(tech, "service_life_years")
    validation = next(dv for dv in tech.data_validations.dataValidation
                      if f"C{life}" in str(dv.sqref).split())
    assert validation.type == "whole"
    fin = wb["Financing"]
    repayment = _row_of(fin, "financing.repayment")
    validation = next(dv for dv in fin.data_validations.dataValidation
                      if f"C{repayment}" in str(dv.sqref).split())
    assert validation.type == "list" and validation.formula1 == '"equal_principal,annuity"'


def test_existing_forms_are_not_replaced_without_force(tmp_path, forms, tender):
    before = forms[0].read_bytes()
    code, out, err = run("forms", EXAMPLE, "--output", tmp_path / "forms")
    assert code == 2 and out == ""
    assert "already exist; use --force to replace; nothing was written." in err
    assert forms[0].read_bytes() == before
    code, out, err = run("forms", EXAMPLE, "--output", tmp_path / "forms", "--force")
    assert code == 0 and out.splitlines() == [str(p) for p in forms]


def test_a_form_is_never_written_through_a_link(tmp_path, tender):
    target = tmp_path / "elsewhere.xlsx"
    target.write_bytes(b"keep")
    link = tmp_path / "f.xlsx"
    link.symlink_to(target)
    with pytest.raises(FileExistsError, match="is a link"):
        write_form(tender, link, force=True)
    assert target.read_bytes() == b"keep"


def test_blank_form_filled_in_is_added_and_the_tender_keeps_its_comments(tmp_path, tender):
    into = tmp_path / "tender.toml"
    original = _small_tender_text()
    into.write_text(original, encoding="utf-8")
    code, out, err = run("forms", into, "--output", tmp_path / "blank", "--blank")
    assert code == 0 and out.strip() == str(tmp_path / "blank" / "bid-form.xlsx")
    form = tmp_path / "blank" / "bid-form.xlsx"
    wb = openpyxl.load_workbook(form)
    assert all(c.value is None for r in wb["Price schedule"]["C4:C60"] for c in r)
    _fill(form, {
        ("Price schedule", "bidder"): "Stadler", ("Price schedule", "currency"): "USD",
        ("Price schedule", "unit_price"): 4_100_000, ("Price schedule", "quantity"): 50,
        ("Price schedule", "delivery[1]"): 25, ("Price schedule", "delivery[2]"): 25,
        ("Price schedule", "payments.signing"): 0.1, ("Price schedule", "payments.delivery"): 0.9,
        ("Technical data", "model"): "Euro9000", ("Technical data", "fuel_litres_per_km"): 4.4,
        ("Technical data", "maintenance_per_km"): 1.15,
        ("Technical data", "service_life_years"): 30.0,  # Excel stores whole numbers as floats
        ("Technical data", "mtbf_hours"): 1400,
    })
    code, out, err = run("forms", "import", form, "--into", into)
    assert (code, out.splitlines()) == (0, ["added: Stadler", str(into)]), err
    text = into.read_text(encoding="utf-8")
    assert text.startswith(original.rstrip("\n"))  # comments and layout kept
    updated = fleetcalc.load_tender(into)
    bid = updated.bids[-1]
    assert (bid.bidder, bid.delivery, bid.service_life_years) == ("Stadler", (0, 25, 25), 30)
    assert [(p.event, p.share) for p in bid.payments] == [("signing", 0.1), ("delivery", 0.9)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fleetcalc.TenderWarning)
        result = fleetcalc.evaluate(updated)
    assert "Stadler" in result.ranking.index
    assert list(tmp_path.glob("*.bak")) == []


def test_replace_keeps_the_committee_findings_and_backs_up_a_rewritten_file(tmp_path, forms,
                                                                           tender):
    into = tmp_path / "tender.toml"
    into.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    _fill(forms[2], {("Price schedule", "unit_price"): 20_000_000})
    code, out, err = run("forms", "import", forms[2], "--into", into, "--replace")
    assert code == 0 and out.splitlines() == ["replaced: CRRC Ziyang", str(into)]
    backups = list(tmp_path.glob("tender.toml.*.bak"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == EXAMPLE.read_text(
        encoding="utf-8")
    assert "comments are not kept" in err
    crrc = fleetcalc.load_tender(into).bids[2]
    assert crrc.unit_price == 20_000_000
    assert crrc.evaluation == tender.bids[2].evaluation  # not part of a form: kept


def test_bad_forms_report_every_problem_at_once_and_lose_nothing(tmp_path, forms, tender):
    into = tmp_path / "tender.toml"
    into.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    before = into.read_bytes()
    form = forms[2]
    where = _fill(form, {
        ("Price schedule", "unit_price"): "21 million",   # wrong type
        ("Price schedule", "quantity"): None,             # missing required cell
        ("Technical data", "fuel_litres_per_km"): -5,     # out of range
        ("Technical data", "mtbf_hours"): "=950*1",       # a formula
    })
    wb = openpyxl.load_workbook(form)
    wb.create_sheet("Notes")["A1"] = "extra"
    wb.save(form)
    code, out, err = run("forms", "import", form, "--into", into, "--replace",
                         "--output", tmp_path / "new.toml")
    source = str(form)
    assert code == 2 and out == ""
    expected = [
        f"error: {source}, sheet 'Notes': (file): has a sheet 'Notes' that is not part of the "
        "form; remove it",
        f"error: {source}, sheet 'Technical data', cell {where['mtbf_hours']}: mtbf_hours: "
        "holds a formula; type the value itself (formulas in a form are never calculated)",
        f"error: {source}, sheet 'Price schedule', cell {where['unit_price']}: "
        f'bids[CRRC Ziyang].unit_price = "21 million": {number("21 million")}',
        f"error: {source}, sheet 'Price schedule', cell {where['quantity']}: "
        "bids[CRRC Ziyang].quantity: is required",
        f"error: {source}, sheet 'Technical data', cell {where['fuel_litres_per_km']}: "
        "bids[CRRC Ziyang].fuel_litres_per_km = -5: must be >= 0",
    ]
    lines = err.splitlines()
    for line in expected:
        assert line in lines, (line, lines)
    assert lines[-1] == "forms import: 5 problems; nothing was written."
    assert into.read_bytes() == before and not (tmp_path / "new.toml").exists()


def test_a_changed_structure_or_an_error_value_is_reported(tmp_path, forms, tender):
    form = forms[0]
    wb = openpyxl.load_workbook(form)
    ws = wb["Guarantees"]
    row = _row_of(ws, "guarantees.availability")
    ws[f"A{row}"].value = "guarantees.availabilty"
    ws["H2"].value = "note"
    wb["Financing"][f"C{_row_of(wb['Financing'], 'financing.share')}"].value = "#N/A"
    wb["Financing"][f"C{_row_of(wb['Financing'], 'financing.share')}"].data_type = "e"
    wb.save(form)
    with pytest.raises(fleetcalc.TenderError) as caught:
        read_forms([form], tender, replace=True)
    text = [str(p) for p in caught.value.problems]
    assert (f"{form}, sheet 'Guarantees', cell A{row}: guarantees.availability: should read "
            "'guarantees.availability', not 'guarantees.availabilty': the form's structure "
            "was changed; issue it again") in text
    assert f"{form}, sheet 'Guarantees', cell H2: (file): is not part of the form; clear it" in text
    share = _row_of(wb["Financing"], "financing.share")
    assert (f"{form}, sheet 'Financing', cell C{share}: financing.share: holds the error "
            "value #N/A") in text


def test_a_blank_inside_the_reference_rates_is_reported(tmp_path, forms, tender):
    form = forms[1]  # Progress Rail: a floating rate
    _fill(form, {("Financing", "financing.reference_rate[2]"): 0.05})
    with pytest.raises(fleetcalc.TenderError) as caught:
        read_forms([form], tender, replace=True)
    wb = openpyxl.load_workbook(form)
    row = _row_of(wb["Financing"], "financing.reference_rate[1]")
    assert [str(p) for p in caught.value.problems if p.severity == "error"] == [
        f"{form}, sheet 'Financing', cell C{row}: financing.reference_rate[1]: is blank; give "
        "a value for every year up to the last one given"]


def test_a_floating_rate_by_year_round_trips(tmp_path, forms, tender):
    _fill(forms[1], {("Financing", "financing.reference_rate[1]"): 0.045})
    result, report = read_forms([forms[1]], tender, replace=True)
    assert result.bids[1].financing.reference_rate == (0.043, 0.045)


def test_formula_like_text_is_written_and_read_as_text(tmp_path, tender):
    import attrs

    hostile = "=HYPERLINK(\"http://x\",\"y\")"
    bid = attrs.evolve(tender.bids[3], bidder=hostile, notes="+cmd|' /C calc'!A0")
    changed = attrs.evolve(tender, bids=(*tender.bids[:3], bid))
    path = write_form(changed, tmp_path / "f.xlsx", bid=bid)
    ws = openpyxl.load_workbook(path)["Price schedule"]
    cell = ws[f"C{_row_of(ws, 'bidder')}"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (hostile, "s", True)
    result, report = read_forms([path], changed, replace=True)
    assert result.bids[3].bidder == hostile and result.bids[3].notes == bid.notes


def test_a_duplicate_bidder_without_replace_names_the_cell(forms, tender):
    with pytest.raises(fleetcalc.TenderError) as caught:
        read_forms([forms[0]], tender, tender_source="t.toml")
    assert [str(p) for p in caught.value.problems if p.severity == "error"] == [
        f"{forms[0]}, sheet 'Price schedule', cell C5: bids[Wabtec (GE Transportation)].bidder"
        ' = "Wabtec (GE Transportation)": already has a bid in t.toml; use --replace to '
        "replace it"]


def test_a_file_that_is_not_a_form(tmp_path, tender):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(fleetcalc.TenderError) as caught:
        read_forms([path], tender)
    assert str(caught.value.problems[0]).startswith(f"{path}: (file): cannot be read as an "
                                                    "Excel form (")


def test_usage_errors_exit_2(tmp_path):
    code, out, err = run("forms", "import", "--into", EXAMPLE)
    assert code == 2 and err.startswith("error: usage: fleetcalc forms import FORM.xlsx")
    code, out, err = run("forms", EXAMPLE)
    assert code == 2 and err.startswith("error: usage: fleetcalc forms TENDER.toml --output")


def test_a_currency_without_an_amount_is_reported(forms, tender):
    wb = openpyxl.load_workbook(forms[2])
    ws = wb["Price schedule"]
    row = _row_of(ws, "initial_support")
    ws[f"C{row}"].value = None
    ws[f"E{row}"].value = "USD"
    wb.save(forms[2])
    with pytest.raises(fleetcalc.TenderError) as caught:
        read_forms([forms[2]], tender, replace=True)
    assert [str(p) for p in caught.value.problems if p.severity == "error"] == [
        f"{forms[2]}, sheet 'Price schedule', cell E{row}: initial_support = \"USD\": has a "
        "currency but no amount in column C"]


def test_a_form_for_another_tender_is_a_warning(forms, tender):
    import attrs

    other = attrs.evolve(tender, tender=attrs.evolve(tender.tender, name="Another tender"))
    result, report = read_forms([forms[0]], other, replace=True)
    assert [str(p) for p in report["warnings"] if str(p).startswith(str(forms[0]))] == [
        f"{forms[0]}, sheet 'About', cell B5: (file): was issued for the tender "
        f"{tender.tender.name!r}, not 'Another tender'"]


@pytest.mark.skipif(not __import__("shutil").which("soffice") and not __import__("os").environ.get(
    "CI"), reason="LibreOffice (soffice) is needed to re-save a form as a bidder would")
def test_a_form_saved_by_libreoffice_imports_to_the_same_bid(tmp_path, forms, tender):
    import subprocess

    out = tmp_path / "saved"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(forms[1])],
        check=True, capture_output=True, timeout=300)
    result, report = read_forms([out / forms[1].name], tender, replace=True)
    assert result == tender and report["replaced"] == ["Progress Rail (EMD)"]
