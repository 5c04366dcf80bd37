"""Who may do what: the permission table of DESIGN.md as plain code.

Pure: no Flask, no database. Callers describe the person's membership and the
document in small value objects; every page, API call and socket message asks
here. The browser's read-only editor is a courtesy; this is the control.

| role         | own advice       | others' advice | plan sections                     |
|--------------|------------------|----------------|-----------------------------------|
| caseworker   | -                | comment        | edit all                          |
| parent       | edit (until submitted) | read "All about me"; none else | edit A; comment on the rest once shared |
| young_person | edit (until submitted) | none     | edit A; read the rest once shared |
| professional | edit (until submitted) | none     | read once shared                  |

Section K is the exception among plan sections: the portal writes it from
the advice received (`portal.services.section_k`), so nobody edits it; those
who may read the plan read it.

"All about me" is the advice with discipline `child_young_person`: the child's
own words. Families write it and Section A together, so a parent on the case
reads it (and edits it when they own it, having written it for a child with
no account). The young person does not read the parent's views: nothing asks
for that, so the least privilege stands.

The writing assistant reads only what its user may read (READ or more), and
findings about advice and whether Section A sounds like the child
(`portal.assistant.CASEWORKER_KINDS`) need `view_findings`,
as the case page's checks do: others get findings on plan text alone.

Pictures and voice recordings (attachments) follow their document: adding
one needs EDIT; seeing or hearing one needs READ on the document it was
uploaded to, or on a plan section that shows it (`can_see_attachment`, which
also says why Section A is treated with care).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

ROLES = ("caseworker", "parent", "young_person", "professional")
FAMILY_ROLES = frozenset({"parent", "young_person"})
DOC_KINDS = ("advice", "plan_section")
DOC_STATUSES = ("draft", "submitted")
# The adviser id of the child's or young person's own views ("All about me").
CHILD_DISCIPLINE = "child_young_person"


class Access(IntEnum):
    """Ordered levels: each includes the ones below it."""

    NONE = 0
    READ = 1
    COMMENT = 2
    EDIT = 3

    @property
    def label(self) -> str:
        """The lower-case name used in the API and the socket protocol."""
        return self.name.lower()


@dataclass(frozen=True)
class Member:
    """The facts about a person's place on one case that permissions depend on."""

    role: str
    membership_id: int


@dataclass(frozen=True)
class DocFacts:
    """The facts about a document that permissions depend on."""

    kind: str
    section: str | None = None
    owner_membership_id: int | None = None
    status: str = "draft"
    draft_shared: bool = False
    discipline: str | None = None


# A plan section's status once the final plan is issued (`Document.status`).
ISSUED = "issued"
# The plan section the portal writes itself: the advice and information gathered.
WRITTEN_BY_THE_PORTAL = "K"


def document_access(member: Member | None, doc: DocFacts) -> Access:
    """The access a member has to a document; NONE for a non-member."""
    if member is None or member.role not in ROLES:
        return Access.NONE
    if doc.kind == "advice":
        return _advice_access(member, doc)
    if doc.kind == "plan_section":
        return _plan_access(member, doc)
    return Access.NONE


def _advice_access(member: Member, doc: DocFacts) -> Access:
    if member.membership_id == doc.owner_membership_id:
        return Access.EDIT if doc.status == "draft" else Access.READ
    if member.role == "caseworker":
        return Access.COMMENT
    if member.role == "parent" and doc.discipline == CHILD_DISCIPLINE:
        return Access.READ
    return Access.NONE


def _plan_access(member: Member, doc: DocFacts) -> Access:
    if doc.section == WRITTEN_BY_THE_PORTAL:
        return min(_section_access(member, doc), Access.READ)
    return _section_access(member, doc)


def _section_access(member: Member, doc: DocFacts) -> Access:
    if doc.status == ISSUED:
        # An issued plan is locked for everyone, the caseworker included, until
        # it is amended; those who read the draft read the final plan.
        if member.role == "caseworker" or doc.draft_shared:
            return Access.READ
        return Access.NONE
    if member.role == "caseworker":
        return Access.EDIT
    if member.role in FAMILY_ROLES and doc.section == "A":
        return Access.EDIT
    if not doc.draft_shared:
        return Access.NONE
    if member.role == "parent":
        return Access.COMMENT
    return Access.READ


def can_submit(member: Member | None, doc: DocFacts) -> bool:
    """Only the author of draft advice submits it."""
    return (
        member is not None
        and doc.kind == "advice"
        and doc.status == "draft"
        and doc.owner_membership_id == member.membership_id
    )


def can_reopen(member: Member | None, doc: DocFacts) -> bool:
    """Only the caseworker reopens submitted advice."""
    return (
        member is not None
        and member.role == "caseworker"
        and doc.kind == "advice"
        and doc.status == "submitted"
    )


CASE_ACTIONS = (
    "view",
    "manage",
    "invite",
    "remove_member",
    "share_draft",
    "view_audit",
    "view_findings",
    "dismiss_finding",
    "merge",
    "issue_plan",
    "record_advice",
)


def can_on_case(member: Member | None, action: str) -> bool:
    """Case-level actions: any member may view the case; the caseworker runs it."""
    if action not in CASE_ACTIONS:
        raise ValueError(
            f"Unknown case action {action!r}; expected one of {CASE_ACTIONS}."
        )
    if member is None or member.role not in ROLES:
        return False
    if action == "view":
        return True
    return member.role == "caseworker"


def can_view_case_audit(member: Member | None, is_admin: bool) -> bool:
    """The case's audit trail (and its CSV): its caseworker, or an admin, who
    answers data-protection requests without being on the case."""
    return is_admin or can_on_case(member, "view_audit")


def can_export_case(member: Member | None, is_admin: bool) -> bool:
    """Everything held about a case, as a ZIP (a subject access request)."""
    return is_admin or can_on_case(member, "manage")


def can_erase_case(member: Member | None, is_admin: bool) -> bool:
    """Erasing a case and everything of it; the page also asks for the
    person's password and the case reference."""
    return is_admin or can_on_case(member, "manage")


def can_close_case(member: Member | None) -> bool:
    """Closing a case (which starts its retention period) and reopening it."""
    return can_on_case(member, "manage")


def can_list_all_cases(is_admin: bool) -> bool:
    """The admin's list of every case, with those due for erasure."""
    return is_admin


def may_see_source_of_passage(access_to_source: Access) -> bool:
    """Who sees the words a plan passage was taken from and a link to them:
    only readers of the source. Everyone who reads the plan sees which
    document, author and date a passage came from: the plan says so anyway."""
    return access_to_source >= Access.READ


def can_open_cases(is_staff: bool) -> bool:
    """Only local authority staff open new cases (they become its caseworker)."""
    return is_staff


def can_remove_member(actor: Member | None, target: Member) -> bool:
    """The caseworker removes others from the case, never themselves: a case
    must keep the person who runs it."""
    return (
        can_on_case(actor, "remove_member")
        and actor is not None
        and actor.membership_id != target.membership_id
    )


def can_clear_sign_in_delays(actor: Member | None, target: Member) -> bool:
    """The caseworker clears the waits that failed passwords put on a member's
    sign-in (someone else guessing, say), for members of their own case only:
    the caller passes a `target` on the actor's case."""
    return can_on_case(actor, "manage") and target.role in ROLES


# Accepting a suggestion changes the text; rejecting it only records a choice.
SUGGESTION_DECISIONS = {"accepted": Access.EDIT, "rejected": Access.READ}


def can_decide_suggestion(access: Access, decision: str) -> bool:
    """Whether someone with `access` to a document may record this decision."""
    needed = SUGGESTION_DECISIONS.get(decision)
    return needed is not None and access >= needed


def manages_case(member: Member | None) -> bool:
    """Whether the dashboard lists this case among those the person runs
    (with its 20-week clock), rather than what they are asked to write."""
    return can_on_case(member, "manage")


def can_add_attachment(access: Access) -> bool:
    """Adding a picture or a recording changes the document, so it needs EDIT."""
    return access >= Access.EDIT


def family_may_edit(doc: DocFacts) -> bool:
    """Whether parents and young people may write in this document's text
    whatever they like (Section A), rather than only their own advice."""
    return (
        doc.kind == "plan_section"
        and doc.section is not None
        and (_plan_access(Member(role="parent", membership_id=-1), doc) >= Access.EDIT)
    )


def can_see_attachment(
    origin: Access,
    quoting_section: Access = Access.NONE,
    *,
    quoted_where_family_writes: bool = False,
    origin_is_family_writing: bool = False,
) -> bool:
    """Whether a person may see a picture, or hear a recording, uploaded to a
    document.

    Args:
        origin: their access to the document it was uploaded to.
        quoting_section: their access to a plan section of the same case whose
            current text shows it (the caseworker placed it there).
        quoted_where_family_writes: that section is one the family edits
            (Section A), so anyone there could have typed the address in.
        origin_is_family_writing: it comes from a parent's or young
            person's own writing (their advice, or Section A itself).
    """
    if origin >= Access.READ:
        return True
    if quoting_section < Access.READ:
        return False
    # A family member can type any attachment's address into Section A.
    # Counting that would let them reveal a professional's pictures or
    # recordings to themselves, so there only those from the family's own
    # writing travel with the text.
    return not quoted_where_family_writes or origin_is_family_writing


def sees_reading_measures(member: Member | None) -> bool:
    """Reading age and ease help people who write for families, not the
    families themselves: a parent or child is never scored on their words."""
    return member is not None and member.role not in FAMILY_ROLES


def origin_of(url: str) -> str:
    """The origin (scheme://host[:port], lower case) of a URL, as browsers send it."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return f"{scheme.lower()}://{host.lower()}"


def may_open_socket(
    origin: str | None, own_origin: str, public_url: str | None
) -> bool:
    """Whether a Socket.IO connection may open, given its `Origin` header.

    A browser sends the page's origin; a page on another site must not reach
    a family's documents with their cookie (cross-site WebSocket hijacking),
    so only the portal's own origin passes: PUBLIC_URL's when set, else the
    one the request was addressed to. Clients that send no Origin are not
    browsers and prove who they are with a token or cookie they hold.
    """
    if origin is None:
        return True
    allowed = origin_of(public_url) if public_url else origin_of(own_origin)
    return origin.lower() == allowed


def may_speak_for_client(owner: str | None, claimant: str) -> bool:
    """A connection announces presence only for Yjs client ids it claimed
    first in that room: nobody moves or renames someone else's cursor."""
    return owner is None or owner == claimant
