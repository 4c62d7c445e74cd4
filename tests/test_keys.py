import pytest

from rathaus.core import keys


def test_barleben_ars_follows_the_einheitsgemeinde_rule():
    assert keys.ars_for_einheitsgemeinde("15083040") == "150830040040"
    assert keys.ags_of_ars("150830040040") == "15083040"


def test_landkreis_ars_is_its_kreis_key_padded():
    assert keys.ars_for_area("15083") == "150830000000"


@pytest.mark.parametrize("bad", ["1508304", "150830400", "15O83040", ""])
def test_malformed_ags_is_rejected(bad):
    with pytest.raises(ValueError, match="AGS"):
        keys.ars_for_einheitsgemeinde(bad)


def test_ars_needs_twelve_digits():
    with pytest.raises(ValueError, match="12 digits"):
        keys.validate_ars("15083004004")
