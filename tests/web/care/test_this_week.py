"""My plan starts with 'This week': clinic sessions, home exercises with their dose, walking;
and its week table has a row for each home exercise on the days it is due."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse

from backpath.exercises import load_exercises
from backpath.web.patients.models import Episode, Patient
from tests.web.builders import DAILY, WALK_NOW, WEEKLY, latest, logged_in, with_program


def page(client: Client) -> str:
    return html.unescape(client.get(reverse("care:my_plan")).content.decode())


def words(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", markup).split())


def test_this_week_is_the_first_section_of_my_plan(me: Client) -> None:
    text = page(me)
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", text)
    assert headings[0] == "This week"


def test_this_week_lists_each_home_exercise_with_its_dose_and_days(me: Client) -> None:
    block = words(page(me).split('id="this-week"')[1].split("</section>")[0])
    for exercise in (*DAILY, WEEKLY):
        item = load_exercises()[exercise]
        assert f"{item.name}: {item.dose.text()}" in block
    assert "once a day, every day" not in block and "on Monday, Wednesday and Friday" in block
    assert WALK_NOW in block


def test_this_week_lists_the_clinic_sessions_of_the_plan(
    patient: Patient, episode: Episode
) -> None:
    with_program(episode)
    plan = latest(episode).document
    sessions = [r for r in plan.recommended if r.line == 1 and r.schedule.per_week]
    assert sessions, "the fixture plan has a course of clinic sessions"
    block = words(page(logged_in(patient.user)).split('id="this-week"')[1].split("</section>")[0])
    assert "At the clinic" in block
    for r in sessions:
        per = r.schedule.per_week
        assert f"{r.name}: {per} session{'s' if per != 1 else ''}" in block


def test_the_week_table_has_a_row_per_home_exercise_on_its_days(me: Client) -> None:
    text = page(me)
    table = text.split('<table class="week">')[1].split("</table>")[0]
    weekly = load_exercises()[WEEKLY].name
    row = re.search(
        rf'<tr class="home-row"><th scope="row">{re.escape(weekly)}</th>(.*?)</tr>', table
    )
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells == ["At home", "—", "At home", "—", "At home", "—", "—"]
    daily = load_exercises()[DAILY[0]].name
    assert f'<tr class="home-row"><th scope="row">{daily}</th>' in table


def test_a_plan_without_a_home_program_has_no_home_rows(patient: Patient, episode: Episode) -> None:
    text = page(logged_in(patient.user))
    assert 'class="home-row"' not in text
