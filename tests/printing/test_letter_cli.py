"""`kirjaamo letter` and `kirjaamo dispatch-list` (design §10): files on success, exit 1 and no file on bad input."""

from __future__ import annotations

from printing_helpers import all_text, runs

from desktop.domain.identifiers import s10_check_digit
from desktop.domain.model import Delivery, LetterKind
from desktop.services import letters


def _out_dir(tmp_path):
    """A folder of its own for the output (the test's data dir lives in tmp_path too)."""
    out = tmp_path / "out"
    out.mkdir()
    return out


def test_letter_command_writes_the_pdf(make_case, run_cli, tmp_path):
    tmp_path = _out_dir(tmp_path)
    diary = make_case(LetterKind.ACCESS_REPLY, "sv")
    out = tmp_path / "svar.pdf"
    code, stdout, stderr = run_cli("letter", diary, "--kind", "access_reply", "--out", out)
    assert (code, stderr) == (0, "")
    assert str(out) in stdout
    assert "Svar på er begäran om tillgång" in all_text(out.read_bytes())
    code, _, _ = run_cli("letter", diary, "--kind", "access_reply", "--lang", "en", "--out", out)
    assert code == 0
    assert "Reply to your access request" in all_text(out.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["svar.pdf"]  # no temp file left behind


def test_letter_command_refuses_bad_input(make_case, run_cli, tmp_path):
    tmp_path = _out_dir(tmp_path)
    diary = make_case(LetterKind.ACKNOWLEDGEMENT)
    out = tmp_path / "kirje.pdf"
    cases = [
        (("letter", diary, "--kind", "love_letter", "--out", out), "love_letter"),
        (("letter", "KEHA/999/2026", "--kind", "acknowledgement", "--out", out), "KEHA/999/2026"),
        (("letter", diary, "--kind", "access_reply", "--out", out), "decision"),
        (("letter", diary, "--kind", "acknowledgement", "--lang", "de", "--out", out), "de"),
        (("letter", diary, "--kind", "acknowledgement", "--out", tmp_path / "nowhere" / "x.pdf"), "nowhere"),
        (("letter", diary, "--kind", "acknowledgement"), "--out"),
    ]
    for args, mentioned in cases:
        code, stdout, stderr = run_cli(*args)
        assert code == 1, args
        assert stdout == ""
        assert len(stderr.strip().splitlines()) == 1, stderr
        assert mentioned in stderr
    assert list(tmp_path.iterdir()) == []


def test_dispatch_list_command(make_case, clerk_service, run_cli, tmp_path):
    diary = make_case(LetterKind.ACCESS_REPLY)
    pdf = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY)
    letters.save_reply(clerk_service, diary, LetterKind.ACCESS_REPLY, pdf)
    day = clerk_service.clock.today()
    tracking = f"RR12345678{s10_check_digit('12345678')}FI"
    clerk_service.dispatch(diary, Delivery.REGISTERED_MAIL, tracking)
    out = tmp_path / "lahetysluettelo.pdf"
    # The CLI's clock is the real one, so the day is given explicitly.
    code, stdout, stderr = run_cli("dispatch-list", "--date", day.isoformat(), "--out", out)
    assert (code, stderr) == (0, "")
    assert "1 registered letter(s)" in stdout
    assert tracking in [run.text for run in runs(out.read_bytes())]


def test_dispatch_list_command_refuses_bad_input(run_cli, tmp_path):
    tmp_path = _out_dir(tmp_path)
    out = tmp_path / "lista.pdf"
    for args in (
        ("dispatch-list", "--date", "2026-13-01", "--out", out),
        ("dispatch-list", "--date", "eilen", "--out", out),
        ("dispatch-list", "--out", tmp_path / "missing" / "lista.pdf"),
        ("dispatch-list",),
    ):
        code, stdout, stderr = run_cli(*args)
        assert code == 1, args
        assert len(stderr.strip().splitlines()) == 1, stderr
    assert list(tmp_path.iterdir()) == []
