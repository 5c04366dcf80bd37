"""Walk every cell of the permission table in DESIGN.md.

The expected values are written out here independently of auth.policy, as
the table reads, so a change to either shows up as a failure.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from auth import policy
from auth.policy import (
    Access,
    DocFacts,
    Member,
    can_on_case,
    can_reopen,
    can_submit,
    document_access,
)

ME, OTHER = 1, 2
SECTIONS = ["A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"]
R, C, E, N = Access.READ, Access.COMMENT, Access.EDIT, Access.NONE


def expected(
    role: str,
    kind: str,
    owner: str,
    section: str | None,
    status: str,
    shared: bool,
    discipline: str | None = None,
) -> Access:
    """DESIGN.md "Who may do what", cell by cell."""
    if kind == "advice":
        if owner == "me":
            return {"draft": E, "submitted": R}[status]
        if role == "caseworker":
            return C
        # A parent reads the child's "All about me"; nobody else reads others'.
        if role == "parent" and discipline == "child_young_person":
            return R
        return N
    # plan sections; the portal writes Section K, so it is read at most
    if section == "K":
        plan = expected(role, kind, owner, "B", status, shared)
        return min(plan, R)
    if role == "caseworker":
        return E
    if role in ("parent", "young_person") and section == "A":
        return E
    if not shared:
        return N
    return {"parent": C, "young_person": R, "professional": R}[role]


ADVICE_DISCIPLINES = ["child_young_person", "parent_carer", "school_senco"]

CELLS = [
    (role, "advice", owner, None, status, shared, discipline)
    for role, owner, status, shared, discipline in itertools.product(
        ["caseworker", "parent", "young_person", "professional"],
        ["me", "other", "nobody"],
        ["draft", "submitted"],
        [False, True],
        ADVICE_DISCIPLINES,
    )
    if not (role == "caseworker" and owner == "me")
] + [
    (role, "plan_section", "nobody", section, "draft", shared, None)
    for role, section, shared in itertools.product(
        ["caseworker", "parent", "young_person", "professional"],
        SECTIONS,
        [False, True],
    )
]


@pytest.mark.parametrize(
    ("role", "kind", "owner", "section", "status", "shared", "discipline"), CELLS
)
def test_every_cell_of_the_table(
    role: str,
    kind: str,
    owner: str,
    section: str | None,
    status: str,
    shared: bool,
    discipline: str | None,
) -> None:
    owner_id = {"me": ME, "other": OTHER, "nobody": None}[owner]
    doc = DocFacts(
        kind=kind,
        section=section,
        owner_membership_id=owner_id,
        status=status,
        draft_shared=shared,
        discipline=discipline,
    )
    assert document_access(Member(role, ME), doc) == expected(
        role, kind, owner, section, status, shared, discipline
    )


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_a_parent_reads_the_childs_all_about_me_but_the_child_not_the_parents(
    status: str,
) -> None:
    all_about_me = DocFacts(
        kind="advice",
        owner_membership_id=OTHER,
        status=status,
        discipline="child_young_person",
    )
    parent_views = DocFacts(
        kind="advice",
        owner_membership_id=OTHER,
        status=status,
        discipline="parent_carer",
    )
    assert document_access(Member("parent", ME), all_about_me) == R
    assert document_access(Member("young_person", ME), parent_views) == N
    # Reading is all: the parent neither writes nor submits the child's words.
    assert not can_submit(Member("parent", ME), all_about_me)
    for role in ("professional", "young_person"):
        assert document_access(Member(role, ME), all_about_me) == N


def test_a_parent_who_writes_all_about_me_for_the_child_edits_it() -> None:
    written_by_parent = DocFacts(
        kind="advice", owner_membership_id=ME, discipline="child_young_person"
    )
    assert document_access(Member("parent", ME), written_by_parent) == E
    assert can_submit(Member("parent", ME), written_by_parent)


@pytest.mark.parametrize("kind", ["advice", "plan_section"])
def test_non_members_and_unknown_roles_get_nothing(kind: str) -> None:
    doc = DocFacts(kind=kind, section="A", owner_membership_id=ME, draft_shared=True)
    assert document_access(None, doc) == N
    assert document_access(Member("headteacher", ME), doc) == N


def test_only_the_author_submits_and_only_the_caseworker_reopens() -> None:
    draft = DocFacts(kind="advice", owner_membership_id=ME)
    submitted = DocFacts(kind="advice", owner_membership_id=ME, status="submitted")
    assert can_submit(Member("professional", ME), draft)
    assert not can_submit(Member("professional", OTHER), draft)
    assert not can_submit(Member("caseworker", OTHER), draft)
    assert not can_submit(Member("professional", ME), submitted)
    assert can_reopen(Member("caseworker", OTHER), submitted)
    assert not can_reopen(Member("professional", ME), submitted)
    assert not can_reopen(Member("caseworker", OTHER), draft)


@pytest.mark.parametrize(
    "action", ["manage", "invite", "remove_member", "share_draft", "view_audit"]
)
@pytest.mark.parametrize("role", ["parent", "young_person", "professional"])
def test_only_the_caseworker_runs_the_case(role: str, action: str) -> None:
    assert can_on_case(Member(role, ME), "view")
    assert not can_on_case(Member(role, ME), action)
    assert can_on_case(Member("caseworker", ME), action)
    assert not can_on_case(None, "view")


def test_unknown_case_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown case action"):
        can_on_case(Member("caseworker", ME), "delete_everything")


def test_only_staff_open_cases() -> None:
    assert policy.can_open_cases(True) is True
    assert policy.can_open_cases(False) is False


def test_the_caseworker_removes_others_but_never_themselves() -> None:
    caseworker = policy.Member("caseworker", 1)
    parent = policy.Member("parent", 2)
    assert policy.can_remove_member(caseworker, parent) is True
    assert policy.can_remove_member(caseworker, caseworker) is False
    assert policy.can_remove_member(parent, caseworker) is False
    assert policy.can_remove_member(None, parent) is False


@pytest.mark.parametrize(
    ("access", "decision", "allowed"),
    [
        (Access.EDIT, "accepted", True),
        (Access.COMMENT, "accepted", False),
        (Access.READ, "accepted", False),
        (Access.READ, "rejected", True),
        (Access.NONE, "rejected", False),
        (Access.EDIT, "maybe", False),
    ],
)
def test_accepting_a_suggestion_needs_edit_rejecting_needs_read(
    access: Access, decision: str, allowed: bool
) -> None:
    assert policy.can_decide_suggestion(access, decision) is allowed


def test_the_dashboard_lists_managed_cases_for_caseworkers_only() -> None:
    assert policy.manages_case(policy.Member("caseworker", 1)) is True
    for role in ("parent", "young_person", "professional"):
        assert policy.manages_case(policy.Member(role, 1)) is False
    assert policy.manages_case(None) is False


@pytest.mark.parametrize("level", list(Access))
def test_adding_a_picture_needs_edit(level: Access) -> None:
    assert policy.can_add_attachment(level) == (level == E)


def test_only_section_a_is_written_by_the_family() -> None:
    for key in SECTIONS:
        for shared in (False, True):
            facts = DocFacts(kind="plan_section", section=key, draft_shared=shared)
            assert policy.family_may_edit(facts) == (key == "A")
    assert not policy.family_may_edit(DocFacts(kind="advice", owner_membership_id=1))


@pytest.mark.parametrize(
    ("origin", "quoting", "family_writes", "from_family", "sees"),
    [
        (R, N, False, False, True),  # readers of the document itself
        (C, N, False, False, True),
        (N, N, False, False, False),  # no way in
        (N, R, False, False, True),  # placed by the caseworker in Section F
        (N, R, True, True, True),  # the child's picture in Section A
        (N, E, True, False, False),  # a professional's picture typed into A
    ],
)
def test_who_sees_a_picture(
    origin: Access, quoting: Access, family_writes: bool, from_family: bool, sees: bool
) -> None:
    assert (
        policy.can_see_attachment(
            origin,
            quoting,
            quoted_where_family_writes=family_writes,
            origin_is_family_writing=from_family,
        )
        == sees
    )


ROLES = policy.ROLES
DATA_PROTECTION_CHECKS: list[Callable[[Member | None, bool], bool]] = [
    policy.can_view_case_audit,
    policy.can_export_case,
    policy.can_erase_case,
]


@pytest.mark.parametrize("check", DATA_PROTECTION_CHECKS)
@pytest.mark.parametrize("role", ROLES)
def test_the_caseworker_and_admins_hold_a_cases_records(
    check: Callable[[Member | None, bool], bool], role: str
) -> None:
    member = policy.Member(role=role, membership_id=1)
    assert check(member, False) is (role == "caseworker")
    assert check(member, True) is True
    assert check(None, True) is True
    assert check(None, False) is False


def test_only_the_caseworker_closes_a_case_and_only_admins_list_every_case() -> None:
    assert [policy.can_close_case(policy.Member(r, 1)) for r in ROLES] == [
        r == "caseworker" for r in ROLES
    ]
    assert not policy.can_close_case(None)
    assert policy.can_list_all_cases(True) and not policy.can_list_all_cases(False)
