"""The publishers' layouts the test files do not cover (daily files, Pastor-Stambaugh's text file), and what a
parser refuses. The numbers in these short texts only exercise the layout; real values are tested in
test_libraries.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlfactor.data.library_files import parse_dates, parse_ps_txt, parse_q_csv, parse_stambaugh_csv
from xlfactor.errors import XLFactorError


def test_q_daily_layout_is_percent_with_yyyymmdd_dates():
    raw = (
        b"DATE,R_F,R_MKT,R_ME,R_IA,R_ROE,R_EG\r\n19670103,0.0187,-0.5010,0.2110,0.1000,-0.0300,0.0400\r\n"
        b"19670104,0.0187,0.1200,-0.0100,0.0500,0.0200,-0.0100\r\n"
    )
    frame = parse_q_csv(raw, "D")
    assert list(frame.columns) == ["MKT", "ME", "IA", "ROE", "EG", "RF"]
    assert list(frame.index) == [pd.Timestamp("1967-01-03"), pd.Timestamp("1967-01-04")]
    assert frame.loc["1967-01-03", "MKT"] == pytest.approx(-0.005010, abs=1e-15)
    assert frame.loc["1967-01-04", "RF"] == pytest.approx(0.000187, abs=1e-15)


def test_stambaugh_daily_layout_uses_a_date_column():
    raw = (
        b"DATE,MKTRF,SMB,MGMT,PERF,RF\n19630102,-0.0014,0.0021,0.0003,-0.0011,0.0001\n"
        b"19630103,0.0102,0.0,0.0,0.0,0.0001\n"
    )
    frame = parse_stambaugh_csv(raw, "D")
    assert frame.index[1] == pd.Timestamp("1963-01-03") and frame.loc["1963-01-03", "MKTRF"] == 0.0102
    with pytest.raises(XLFactorError, match=r"header \['YYYYMM', 'MKTRF'.*is not \['DATE', 'MKTRF'"):
        parse_stambaugh_csv(raw.replace(b"DATE", b"YYYYMM"), "D")


def test_pastor_stambaugh_text_skips_percent_comments_and_marks_minus_99_missing():
    raw = (
        b"% Liquidity factors of Pastor and Stambaugh (2003)\n% Month  Agg Liq.  Innov Liq (eq8)  Traded Liq (LIQ_V)\n"
        b"196208   -0.017537   0.005881   -99.000000\n196209   0.011210   0.018020   -0.012345\n"
    )
    frame = parse_ps_txt(raw, "M")
    assert list(frame.columns) == ["LIQ_V"]
    assert list(frame.index) == [pd.Timestamp("1962-08-31"), pd.Timestamp("1962-09-30")]
    assert np.isnan(frame.iloc[0, 0]) and frame.iloc[1, 0] == -0.012345
    with pytest.raises(XLFactorError, match="does not have 4 fields"):
        parse_ps_txt(raw + b"196210 0.1 0.2\n", "M")


def test_dates_must_be_readable_and_increasing():
    assert parse_dates(["01/31/1926", "02/28/1926"], "M")[1] == pd.Timestamp("1926-02-28")
    assert parse_dates([192607.0, 192608], "M")[0] == pd.Timestamp("1926-07-31")
    with pytest.raises(XLFactorError, match="not strictly increasing"):
        parse_dates(["196302", "196301"], "M")
    with pytest.raises(XLFactorError, match="'Jan 1963' is not a date"):
        parse_dates(["Jan 1963"], "M")
