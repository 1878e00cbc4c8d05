"""One Assemblée nationale open-data question record (``json/{uid}.json``) → ``QuestionItem``.

The record is the JSON rendering of the AN XML schema (root object ``question``). Traps handled
here: a node may be an object or a list of objects (the last one is
the current state), empty values are ``null``, texts are HTML fragments kept raw (normalization
strips them later), dates are passed through as found (ISO in current dumps, ``DD/MM/YYYY`` in older
data), and QG records have ``textesQuestion: null`` with the whole sitting transcript as the answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from spiders.items import QuestionItem

ANSWERED_CODE = "REP_PUB"
UID_RE = re.compile(r"QANR5L(?P<leg>\d+)(?P<type>[A-Z]+)(?P<num>\d+)$")


class RecordError(ValueError):
    """A record that cannot be read as a question (no uid, wrong root, not JSON)."""

    def __init__(self, uid: str | None, reason: str):
        self.uid = uid
        self.reason = reason
        super().__init__(f"{uid or '<no uid>'}: {reason}")


def parse_an_record(
    data: dict | bytes,
    *,
    site_url: str = "https://www.assemblee-nationale.fr",
    source: str = "assemblee",
) -> QuestionItem:
    """Read one record (already decoded, or the member's bytes) into a ``QuestionItem``."""
    q = _root(data)
    uid = _text(q.get("uid"))
    if not uid:
        raise RecordError(None, "record has no uid")
    ident = _obj(q.get("identifiant"))
    legislature = _int(ident.get("legislature"))
    index = _obj(q.get("indexationAN"))
    analysis = _text(_last(_obj(index.get("analyses")).get("analyse")))
    head = _text(index.get("teteAnalyse"))
    rubrique = _text(index.get("rubrique"))
    author = _obj(q.get("auteur"))
    group = _obj(author.get("groupe"))
    asked = _obj(q.get("minInt"))
    attrib = _obj(_last(_obj(q.get("minAttribs")).get("minAttrib")))
    answering = _obj(attrib.get("denomination"))
    question = _obj(_last(_obj(q.get("textesQuestion")).get("texteQuestion")))
    answer = _obj(_last(_obj(q.get("textesReponse")).get("texteReponse")))
    q_jo = _obj(question.get("infoJO"))
    a_jo = _obj(answer.get("infoJO"))
    closure = _obj(q.get("cloture"))
    qtype = _text(q.get("type"))

    question_date = _text(q_jo.get("dateJO"))
    question_page = _text(q_jo.get("pageJO"))
    if not question:  # QG: no question text; published on the sitting day
        question_date = _sitting_date(q, a_jo, closure, attrib)
        question_page = _text(a_jo.get("pageJO"))
    return QuestionItem(
        source=source,
        chamber="AN",
        uid=uid,
        url=f"{site_url.rstrip('/')}/dyn/{legislature or _leg_from_uid(uid)}/questions/{uid}",
        legislature=legislature,
        qtype=qtype,
        number=_int(ident.get("numero")),
        title=head or analysis or rubrique,
        rubrique=rubrique,
        analysis=analysis,
        author_ref=_text(_obj(author.get("identite")).get("acteurRef")),
        group_name=_text(group.get("developpe")) or _text(group.get("abrege")),
        ministry_asked=_text(asked.get("developpe")) or _text(asked.get("abrege")),
        ministry_answering=_text(answering.get("developpe")) or _text(answering.get("abrege")),
        question_date_raw=question_date,
        question_jo_page=question_page,
        question_text=_text(question.get("texte")),
        answer_date_raw=_text(a_jo.get("dateJO")) if answer else None,
        answer_jo_page=_text(a_jo.get("pageJO")) if answer else None,
        answer_text=_text(answer.get("texte")),
        closure_code=_text(closure.get("codeCloture")),
        closure_label=_text(closure.get("libelleCloture")),
        closure_date_raw=_text(closure.get("dateCloture")),
        signalee=_present(q.get("signalement")),
        renewals=_count(q.get("renouvellements")),
    )


def question_status(item: QuestionItem) -> tuple[str, str | None]:
    """``(status, closed_reason)``: status is one of pending | answered | signalee | closed.

    answered: an answer text exists or the closure code is REP_PUB; closed: a closure without an
    answer (reason = the official wording, e.g. "Retrait", "Fin de mandat"); signalee: the
    question was "signalée" and is still open; otherwise pending.
    """
    if item.answer_text or item.closure_code == ANSWERED_CODE:
        return "answered", None
    if item.closure_code or item.closure_label or item.closure_date_raw:
        return "closed", item.closure_label or item.closure_code or "Clôturée"
    if item.signalee:
        return "signalee", None
    return "pending", None


def _root(data: dict | bytes) -> dict:
    if isinstance(data, bytes | bytearray | str):
        try:
            data = json.loads(data)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise RecordError(None, f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("question"), dict):
        keys = list(data)[:3] if isinstance(data, dict) else type(data).__name__
        raise RecordError(None, f"root object is not 'question' (found {keys})")
    return data["question"]


def _sitting_date(q: dict, a_jo: dict, closure: dict, attrib: dict) -> str | None:
    """The sitting day of a QG: answer JO date, else ``dateSeance`` wherever it sits."""
    for candidate in (
        a_jo.get("dateJO"),
        q.get("dateSeance"),
        _obj(q.get("textesReponse")).get("dateSeance"),
        closure.get("dateCloture"),
        _obj(attrib.get("infoJO")).get("dateJO"),
    ):
        if _text(candidate):
            return _text(candidate)
    return None


def _last(node: Any) -> Any:
    """Object-or-list nodes: the last element is the current state."""
    if isinstance(node, list):
        return node[-1] if node else None
    return node


def _obj(node: Any) -> dict:
    node = _last(node)
    return node if isinstance(node, dict) else {}


def _text(value: Any) -> str | None:
    """A scalar as a stripped string; ``{"#text": ...}`` nodes unwrapped; null/empty → None."""
    if isinstance(value, dict):
        value = value.get("#text")
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    text = _text(value)
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _present(node: Any) -> bool:
    """True when a node holds at least one non-empty value (empty shells are absent)."""
    if isinstance(node, dict):
        return any(_present(v) for k, v in node.items() if not k.startswith("@"))
    if isinstance(node, list):
        return any(_present(v) for v in node)
    return _text(node) is not None


def _count(node: Any) -> int:
    """Renewals: ``{"renouvellement": obj | [obj, ...]}`` or a bare list; empty shells count 0."""
    if isinstance(node, dict) and len(node) == 1:
        node = next(iter(node.values()))
    if isinstance(node, list):
        return sum(1 for n in node if _present(n))
    return 1 if _present(node) else 0


def _leg_from_uid(uid: str) -> str:
    match = UID_RE.match(uid)  # QANR5L17QE13024 → "17"
    return match.group("leg") if match else "0"
