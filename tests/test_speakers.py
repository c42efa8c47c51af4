"""ledger.speakers: one name per person, other spellings and scripts caught."""

from ledger.model import Speaker
from ledger.speakers import Registry, fold


def registry() -> Registry:
    r = Registry()
    assert r.add(Speaker(name="Sam Altman", also=["奥特曼", "山姆·奥特曼"])) == []
    assert r.add(Speaker(name="Masayoshi Son", also=["孙正义"])) == []
    return r


def test_fold_ignores_case_width_spaces_and_name_dots():
    assert fold("Ｓａｍ  ALTMAN") == fold("sam altman") == "samaltman"
    assert fold("山姆·奥特曼") == fold("山姆 奥特曼") == "山姆奥特曼"


def test_registered_names_pass_and_others_are_named():
    r = registry()
    assert r.problem("Sam Altman") is None
    assert r.problem("孙正义") == ("speaker-alias", "'孙正义' is another name of 'Masayoshi Son': write 'Masayoshi Son' "
                                                 "(seeds/speakers.yaml)")
    assert r.problem("sam altman")[0] == "speaker-alias"
    assert r.problem("Sam Altmann") == ("unregistered-speaker", "speaker 'Sam Altmann' is not in seeds/speakers.yaml "
                                                                "(did you mean 'Sam Altman'?)")
    assert r.problem("Ada Lovelace")[1].endswith(": add the person to seeds/speakers.yaml")
    assert r.name_for("奥特曼") == "Sam Altman" and r.name_for("Larry Ellison") is None


def test_a_name_given_to_two_people_is_reported():
    r = registry()
    assert r.add(Speaker(name="Someone Else", also=["奥特曼", "Other"])) == ["奥特曼"]
    assert r.add(Speaker(name="Sam Altman")) == ["Sam Altman"]
