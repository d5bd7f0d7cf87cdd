"""The register catalog: the five seed registers load, say what the seeds say, and bad files are refused."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from desktop.domain.errors import DomainError
from desktop.domain.registers import (
    RIGHTS,
    LocalizedList,
    LocalizedText,
    Register,
    RegisterCatalog,
    register_from_dict,
)
from desktop.services.catalog import REGISTERS_DIR, load_catalog

IDS = (
    "kainuu-webropol",
    "palkkaturva-puhelut",
    "pohjois-karjala-asiakaspalvelu",
    "te-asiakaspalvelukeskus",
    "te-asiakasrekisteri",
)
STATUTORY = (
    "palkkaturva-puhelut",
    "pohjois-karjala-asiakaspalvelu",
    "te-asiakaspalvelukeskus",
    "te-asiakasrekisteri",
)
RECORDINGS = ("palkkaturva-puhelut", "te-asiakaspalvelukeskus")


@pytest.fixture(scope="module")
def catalog() -> RegisterCatalog:
    return load_catalog()


def raw(register_id: str) -> dict:
    with (REGISTERS_DIR / f"{register_id}.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_the_five_seed_registers_load_in_id_order(catalog: RegisterCatalog) -> None:
    assert catalog.ids() == IDS
    assert len(catalog) == 5
    assert [register.id for register in catalog] == list(IDS)
    assert "kainuu-webropol" in catalog
    assert sorted(path.stem for path in REGISTERS_DIR.glob("*.toml")) == list(IDS)


@pytest.mark.parametrize("register_id", IDS)
def test_each_register_has_its_texts_in_finnish_and_swedish(
    catalog: RegisterCatalog, register_id: str
) -> None:
    register = catalog.get(register_id)
    for lang in ("fi", "sv", "en"):
        assert register.name.get(lang)
        assert register.controller.name.get(lang)
        assert register.purposes.get(lang)
        assert register.legal_basis.get(lang)
        assert register.retention.get(lang)
        assert register.data_content.get(lang)
        assert register.sources.get(lang)
        assert register.disclosures.get(lang)
    # Swedish and English are really there, not a fallback to Finnish.
    assert register.name.sv != register.name.fi
    assert register.name.en and register.name.en not in (register.name.fi, register.name.sv)
    assert register.purposes.en and len(register.purposes.sv) == len(register.purposes.fi)
    assert register.legal_basis.sv != register.legal_basis.fi
    assert register.retention.sv != register.retention.fi
    for right in RIGHTS:
        note = register.rights_notes.get(right)
        if note is not None:
            assert note.fi and note.sv and note.en


@pytest.mark.parametrize("register_id", IDS)
def test_access_rectification_and_restriction_apply_everywhere(
    catalog: RegisterCatalog, register_id: str
) -> None:
    register = catalog.get(register_id)
    for right in ("access", "rectification", "restriction"):
        assert register.applies(right)


@pytest.mark.parametrize("register_id", STATUTORY)
def test_statutory_registers_refuse_erasure_and_objection_with_a_reason(
    catalog: RegisterCatalog, register_id: str
) -> None:
    register = catalog.get(register_id)
    assert register.statutory
    assert not register.applies("erasure")
    assert not register.applies("objection")
    for lang in ("fi", "sv", "en"):
        erasure = register.right_note("erasure", lang)
        objection = register.right_note("objection", lang)
        assert erasure and "17" in erasure
        assert objection and "21" in objection


def test_only_the_webropol_survey_register_is_based_on_consent(catalog: RegisterCatalog) -> None:
    webropol = catalog.get("kainuu-webropol")
    assert not webropol.statutory
    assert "6.1 a" in webropol.legal_basis.sv and "6(1)(a)" in webropol.legal_basis.en
    assert webropol.applies("consent_withdrawal")
    assert webropol.applies("erasure")  # the seed: deleted and destroyed at the person's request
    assert not webropol.applies("objection")  # art. 21 covers 6(1)(e)/(f), not consent
    assert webropol.right_note("objection", "fi")
    assert [r.id for r in catalog if not r.statutory] == ["kainuu-webropol"]


@pytest.mark.parametrize("register_id", IDS)
def test_listening_to_a_recording_only_where_calls_are_recorded(
    catalog: RegisterCatalog, register_id: str
) -> None:
    register = catalog.get(register_id)
    assert register.recordings is (register_id in RECORDINGS)
    assert register.applies("recording") is (register_id in RECORDINGS)
    if register_id in RECORDINGS:
        assert "henkilöllisyy" in (register.right_note("recording", "fi") or "")
        assert "identitet" in (register.right_note("recording", "sv") or "")
        assert "överenskommelse" in (register.right_note("recording", "sv") or "")
    else:
        assert register.right_note("recording", "fi") is None


def test_the_texts_follow_the_seed_statements(catalog: RegisterCatalog) -> None:
    calls = catalog.get("te-asiakaspalvelukeskus")
    assert calls.controller.email == "kirjaamo.etela-savo@ely-keskus.fi"
    assert calls.controller.phone == "0295 024 000"
    assert calls.contact.name == "Sanni Harju"
    assert "180" in calls.retention.fi and "12" in calls.retention.sv
    assert "skyddad e-post" in (calls.right_note("access", "sv") or "")
    assert "turvapostia" in (calls.right_note("access", "fi") or "")

    wage = catalog.get("palkkaturva-puhelut")
    assert wage.controller.address == "PL 1000, 50101 Mikkeli"
    assert wage.dpo.email == "tietosuoja.keha@ely-keskus.fi"
    assert "PATU" in wage.sources.fi and "Gorilla" in wage.sources.sv
    assert "allekirjoitettava" in (wage.right_note("access", "fi") or "")

    customers = catalog.get("te-asiakasrekisteri")
    assert "fem år" in customers.retention.sv and "viiden vuoden" in customers.retention.fi
    assert "352/2010" in customers.legal_basis.fi
    assert "rekommenderat brev" in (customers.right_note("access", "sv") or "")
    assert "kieltäytymistodistuksen" in (customers.right_note("rectification", "fi") or "")
    assert customers.applies("consent_withdrawal")

    karelia = catalog.get("pohjois-karjala-asiakaspalvelu")
    assert karelia.controller.address == "Torikatu 19, 80100 Joensuu"
    assert karelia.dpo.email == "tietosuojavastaava@joensuu.fi"
    assert "380/2023" in karelia.legal_basis.sv
    assert "arkistonmuodostussuunnitelman" in karelia.retention.fi

    webropol = catalog.get("kainuu-webropol")
    assert webropol.controller.email == "kirjaamo.kainuu@te-toimisto.fi"
    assert webropol.contact.email == "kaisamarja.vihanta@te-toimisto.fi"
    assert "Erikoisruokavalio" in webropol.data_content.fi
    assert "www.tietosuoja.fi" in (webropol.right_note("access", "sv") or "")


def test_localized_text_falls_back_to_english_then_finnish() -> None:
    text = LocalizedText(fi="rekisteri", sv="register", en="")
    assert text.get("fi") == "rekisteri"
    assert text.get("sv") == "register"
    assert text.get("en") == "rekisteri"
    assert text.get("de") == "rekisteri"
    assert LocalizedText(fi="a", sv="b", en="c").get("de") == "c"
    assert LocalizedText(fi="a", sv="b", en="c").get("get") == "c"
    items = LocalizedList(fi=("a",), sv=("b",))
    assert items.get("en") == ("a",)
    assert items.get("sv") == ("b",)


def test_catalog_lookups(catalog: RegisterCatalog) -> None:
    with pytest.raises(DomainError, match="Unknown register no-such-register") as info:
        catalog.get("no-such-register")
    assert info.value.params == {"register_id": "no-such-register"}
    register = catalog.get("palkkaturva-puhelut")
    with pytest.raises(DomainError, match="Unknown right teleport"):
        register.applies("teleport")
    with pytest.raises(DomainError, match="Duplicate register palkkaturva-puhelut"):
        RegisterCatalog([register, register])
    assert isinstance(hash(register), int)
    assert register == register_from_dict(raw("palkkaturva-puhelut"))


def test_register_values_are_frozen(catalog: RegisterCatalog) -> None:
    register = catalog.get("te-asiakasrekisteri")
    with pytest.raises(AttributeError):
        register.statutory = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        register.rights_notes["erasure"] = LocalizedText("x", "y")  # type: ignore[index]


# --- bad input -------------------------------------------------------------------------------------------


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "rikki.toml").write_text('id = "rikki"\nname = { fi = "Rikki"\n', encoding="utf-8")
    with pytest.raises(DomainError, match=r"Register file rikki\.toml is not valid TOML") as info:
        load_catalog(tmp_path)
    assert info.value.params["file"] == "rikki.toml"


def test_a_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "latin.toml").write_bytes('id = "Ä"\n'.encode("latin-1"))
    with pytest.raises(DomainError, match=r"latin\.toml is not valid TOML"):
        load_catalog(tmp_path)


def test_an_unknown_right_names_the_file_and_the_key(tmp_path: Path) -> None:
    text = (REGISTERS_DIR / "kainuu-webropol.toml").read_text(encoding="utf-8")
    assert "[rights]\n" in text
    (tmp_path / "kainuu-webropol.toml").write_text(
        text.replace("[rights]\n", "[rights]\nteleport = true\n"), encoding="utf-8"
    )
    with pytest.raises(
        DomainError, match=r"Register kainuu-webropol: unknown right teleport in rights\.teleport"
    ):
        load_catalog(tmp_path)


def test_an_unknown_right_in_the_notes_is_refused() -> None:
    data = raw("te-asiakasrekisteri")
    data["rights_notes"]["teleport"] = {"fi": "x", "sv": "y", "en": "z"}
    with pytest.raises(DomainError, match=r"unknown right teleport in rights_notes\.teleport"):
        register_from_dict(data)


def test_the_file_loads_when_copied_as_is(tmp_path: Path) -> None:
    for register_id in IDS:
        (tmp_path / f"{register_id}.toml").write_bytes((REGISTERS_DIR / f"{register_id}.toml").read_bytes())
    assert load_catalog(tmp_path).ids() == IDS


@pytest.mark.parametrize(
    ("path", "key"),
    [
        (("name", "sv"), "name.sv"),
        (("name", "fi"), "name.fi"),
        (("retention",), "retention"),
        (("controller", "email"), "controller.email"),
        (("controller", "name", "sv"), "controller.name.sv"),
        (("purposes", "sv"), "purposes.sv"),
        (("rights", "erasure"), "rights.erasure"),
        (("dpo", "email"), "dpo.email"),
        (("statutory",), "statutory"),
    ],
)
def test_a_missing_key_names_the_register_and_the_key(path: tuple[str, ...], key: str) -> None:
    data = copy.deepcopy(raw("palkkaturva-puhelut"))
    table = data
    for part in path[:-1]:
        table = table[part]
    del table[path[-1]]
    with pytest.raises(DomainError, match=rf"Register palkkaturva-puhelut: missing key {key}$") as info:
        register_from_dict(data)
    assert info.value.params == {"register_id": "palkkaturva-puhelut", "key": key}


def test_an_empty_swedish_text_is_refused() -> None:
    data = raw("kainuu-webropol")
    data["legal_basis"]["sv"] = "  "
    with pytest.raises(DomainError, match=r"Register kainuu-webropol: legal_basis\.sv is empty"):
        register_from_dict(data)
    data = raw("kainuu-webropol")
    data["purposes"]["sv"] = []
    with pytest.raises(DomainError, match=r"purposes\.sv is empty"):
        register_from_dict(data)


def test_an_english_text_may_be_missing_and_falls_back_to_finnish() -> None:
    data = raw("kainuu-webropol")
    del data["retention"]["en"]
    del data["data_content"]["en"]
    register = register_from_dict(data)
    assert register.retention.get("en") == register.retention.fi
    assert register.data_content.get("en") == register.data_content.fi


def test_unknown_keys_and_wrong_types_are_refused() -> None:
    data = raw("kainuu-webropol")
    data["owner"] = "x"
    with pytest.raises(DomainError, match="unknown key owner"):
        register_from_dict(data)
    data = raw("kainuu-webropol")
    data["name"]["de"] = "Register"
    with pytest.raises(DomainError, match=r"unknown key name\.de"):
        register_from_dict(data)
    data = raw("kainuu-webropol")
    data["rights"]["access"] = "yes"
    with pytest.raises(DomainError, match=r"rights\.access must be true or false"):
        register_from_dict(data)
    data = raw("kainuu-webropol")
    data["name"] = "Webropol"
    with pytest.raises(DomainError, match=r"Register kainuu-webropol: name must be a table"):
        register_from_dict(data)


def test_a_missing_id_is_named_by_the_source() -> None:
    data = raw("kainuu-webropol")
    del data["id"]
    with pytest.raises(DomainError, match=r"Register kainuu-webropol\.toml: missing key id"):
        register_from_dict(data, source="kainuu-webropol.toml")


def test_the_id_must_be_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_bytes((REGISTERS_DIR / "kainuu-webropol.toml").read_bytes())
    with pytest.raises(DomainError, match=r"Register file other\.toml has id kainuu-webropol"):
        load_catalog(tmp_path)


def test_a_bad_id_is_refused() -> None:
    data = raw("kainuu-webropol")
    data["id"] = "Kainuu Webropol"
    with pytest.raises(DomainError, match="is not valid"):
        register_from_dict(data)


def test_a_statutory_register_cannot_grant_erasure_or_objection() -> None:
    data = raw("te-asiakasrekisteri")
    data["rights"]["erasure"] = True
    with pytest.raises(
        DomainError, match="erasure does not apply to a register processed for statutory tasks"
    ):
        register_from_dict(data)
    data = raw("pohjois-karjala-asiakaspalvelu")
    data["rights"]["objection"] = True
    with pytest.raises(DomainError, match="objection does not apply"):
        register_from_dict(data)


def test_a_statutory_register_must_say_why_erasure_does_not_apply() -> None:
    data = raw("te-asiakaspalvelukeskus")
    del data["rights_notes"]["erasure"]
    with pytest.raises(DomainError, match=r"missing key rights_notes\.erasure"):
        register_from_dict(data)


def test_the_recording_right_needs_recordings() -> None:
    data = raw("kainuu-webropol")
    data["rights"]["recording"] = True
    with pytest.raises(DomainError, match="rights.recording needs recordings = true"):
        register_from_dict(data)


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="does not exist"):
        load_catalog(tmp_path / "nowhere")


def test_register_can_be_built_directly_and_checks_the_same_rules() -> None:
    base = register_from_dict(raw("kainuu-webropol"))
    with pytest.raises(DomainError, match="unknown right teleport"):
        Register(**{**base.__dict__, "rights": frozenset({"access", "teleport"})})
