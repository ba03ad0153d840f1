"""The checklist walk-through in a DM: one question at a time, its forms, invitations, and the selector's advice."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.domain import assessment as sa
from bot.domain.checklists import HELP_LIMIT, TEXT_LIMIT, Template
from bot.domain.rounds import EVIDENCE_LIMIT, NOTE_LIMIT
from bot.domain.text import cut, escape
from prompts.blocks.common import context, header, message, section
from prompts.ids import INPUT
from prompts.ids.checklists import ChecklistAction, ChecklistBlock, ChecklistCallback

TYPE_WORDS = {"informal": "informal", "strategic": "strategic", "formal": "formal"}


UNATTRIBUTED = ("Your answers are never linked to you, by anyone who reads the bot's database, logs or messages "
                "queue: they only add to how many gave each answer, and the report waits until at least "
                "{least} members have answered. That is also why they are final once sent and take no notes.")


def _tools(value: str) -> dict:
    return ActionsBlock(block_id=ChecklistBlock.TOOLS.value, elements=[
        ButtonElement(text="Add note", action_id=ChecklistAction.NOTE.value, value=value),
        ButtonElement(text="Add evidence link", action_id=ChecklistAction.EVIDENCE.value, value=value),
        ButtonElement(text="Back", action_id=ChecklistAction.BACK.value, value=value),
        ButtonElement(text="Skip", action_id=ChecklistAction.SKIP.value, value=value),
        ButtonElement(text="Answer this area in one go", action_id=ChecklistAction.AREA.value, value=value),
        ButtonElement(text="Pause", action_id=ChecklistAction.PAUSE.value, value=value),
    ]).to_dict()


def question_message(*, template: Template, round_id: int, question_id: str | None,
                     answers: dict[str, sa.Answer], personal: bool, board_name: str = "") -> dict:
    """One question with its help, progress, answer buttons and tools; or the end of the checklist."""
    if not template.attributed:
        return pulse_message(template, round_id=round_id, sent=question_id is None)
    answered = {q for q, a in answers.items() if a.value}
    done, total = sa.progress(template, answered)
    if question_id is None:
        return finished_message(template=template, answers=answers, personal=personal, round_id=round_id,
                                board_name=board_name)
    question = template.question(question_id)
    area_no, areas, q_no, q_count = template.position(question_id)
    area = template.area_of(question_id)
    lines = [f"Area {area_no} of {areas}: *{escape(area.title)}* · question {q_no} of {q_count} · "
             f"{done} of {total} answered"]
    blocks = [header(template.title), context(lines[0]), section(f"*{escape(question.text)}*")]
    if question.help:
        blocks.append(context(escape(question.help)))
    if question.evidence:
        blocks.append(context("Good evidence: " + escape(question.evidence)))
    mine = answers.get(question_id)
    if mine is not None and (mine.value or mine.note or mine.evidence):
        chosen = next((o.label for o in question.options if o.value == mine.value), None)
        said = [f"Your answer: *{escape(chosen)}*" if chosen else "Not answered yet"]
        said += [f"Note: {escape(cut(mine.note, 300))}"] if mine.note else []
        said += [f"Evidence: {escape(cut(mine.evidence, 300))}"] if mine.evidence else []
        blocks.append(context(" · ".join(said)))
    prefix = f"{round_id}:{question_id}"
    blocks.append(ActionsBlock(block_id=f"{ChecklistBlock.ANSWERS.value}:{question_id}", elements=[
        ButtonElement(text=o.label, action_id=f"{ChecklistAction.ANSWER.value}:{n}", value=f"{prefix}:{o.value}",
                      style="primary" if mine is not None and mine.value == o.value else None)
        for n, o in enumerate(question.options)]).to_dict())
    blocks.append(_tools(prefix))
    return message(blocks, f"{template.title}: {question.text}")


def pulse_message(template: Template, *, round_id: int, sent: bool) -> dict:
    """An unattributed checklist in a DM: a button to its one form, or (once sent) thanks."""
    blocks = [header(template.title)]
    if sent:
        blocks.append(section("Thank you: your answers are counted. They are kept with no link to you, so they "
                              "can't be shown to you again or changed."))
        return message(blocks, f"{template.title}: answers sent")
    count = len(template.questions())
    blocks.append(section(f"{count} statement{'s' if count != 1 else ''}, each on a scale, in one short form. "
                          "Leave any you'd rather not answer blank."))
    first = template.questions()[0].id
    blocks.append(ActionsBlock(block_id=f"{ChecklistBlock.ANSWERS.value}:{first}", elements=[ButtonElement(
        text="Answer", action_id=ChecklistAction.AREA.value, value=f"{round_id}:{first}",
        style="primary")]).to_dict())
    blocks.append(context(UNATTRIBUTED.format(least=template.min_respondents)))
    return message(blocks, f"{template.title}: one short form")


def finished_message(*, template: Template, answers: dict[str, sa.Answer], personal: bool, round_id: int,
                     board_name: str = "") -> dict:
    """Every question answered; for the collaboration-type selector, its recommendation and reasons."""
    blocks = [header(template.title)]
    if template.kind == "selector":
        advice = sa.recommend(template, [a for a in answers.values() if a.value])
        blocks.append(section(f"*Recommendation: {TYPE_WORDS.get(advice.kind, advice.kind)} arrangements.*"))
        blocks.append(section("\n".join(f"• {escape(reason)}" for reason in advice.reasons)))
        blocks.append(context(escape(advice.reminder)))
        confirm = ConfirmObject(title="Change the board's type?", confirm="Apply", deny="Cancel",
                                text=f"{board_name or 'The board'} will be recorded as a {advice.kind} collaboration.")
        blocks.append(ActionsBlock(block_id=ChecklistBlock.APPLY.value, elements=[ButtonElement(
            text="Apply to the board (chair)", action_id=ChecklistAction.APPLY_TYPE.value, value=str(round_id),
            confirm=confirm)]).to_dict())
        return message(blocks, f"Recommendation: {advice.kind} arrangements")
    text = ("You've answered every question. You can change any answer until the round closes: "
            "type `/collab checklist " + template.id + "` in the board's channel.")
    if personal:
        text = "You've answered every question. This was your own run; the chair can open a round for the board."
    blocks.append(section(text))
    return message(blocks, f"{template.title}: all answered")


def paused_message(template: Template) -> dict:
    """The walk-through, paused."""
    text = (f"Paused *{escape(template.title)}*. Your answers are saved; type `/collab checklist {template.id}` in "
            "the board's channel to carry on where you left off.")
    return message([section(text)], f"Paused {template.title}")


def invitation(template: Template, *, board_name: str, round_id: int, closes: str | None) -> dict:
    """The DM inviting a member to a board round, with a Start button."""
    by = f" It closes {closes}." if closes else ""
    how = ("It takes one question at a time, and you can pause whenever you like." if template.attributed else
           "It is one short form, and your answers are never linked to you.")
    text = f"*{escape(board_name)}* has opened a round of *{escape(template.title)}*.{by} {how}"
    start = ActionsBlock(block_id=ChecklistBlock.TOOLS.value, elements=[ButtonElement(
        text="Start", action_id=ChecklistAction.START.value, value=str(round_id), style="primary")]).to_dict()
    return message([section(text), start], f"{board_name}: {template.title}")


def round_reminder(template: Template, *, board_name: str, round_id: int, closes: str | None) -> dict:
    """The DM to a member who hasn't finished before the round closes."""
    text = (f":hourglass: The round of *{escape(template.title)}* for *{escape(board_name)}* closes "
            f"{closes or 'soon'}, and you haven't finished it yet.")
    start = ActionsBlock(block_id=ChecklistBlock.TOOLS.value, elements=[ButtonElement(
        text="Carry on", action_id=ChecklistAction.START.value, value=str(round_id), style="primary")]).to_dict()
    return message([section(text), start], f"A reminder: {template.title}")


def _text_modal(callback: ChecklistCallback, block: ChecklistBlock, *, title: str, label: str, initial: str,
                limit: int, metadata: str, multiline: bool) -> dict:
    return View(type="modal", callback_id=callback.value, title=PlainTextObject(text=title),
                submit=PlainTextObject(text="Save"), close=PlainTextObject(text="Cancel"), private_metadata=metadata,
                blocks=[InputBlock(block_id=block.value, label=label, optional=True, element=PlainTextInputElement(
                    action_id=INPUT, initial_value=initial or None, multiline=multiline, max_length=limit))]
                ).to_dict()


def note_modal(question_text: str, *, initial: str, metadata: str) -> dict:
    """A note on one answer."""
    return _text_modal(ChecklistCallback.NOTE, ChecklistBlock.NOTE, title="Add a note", label=cut(question_text, 150),
                       initial=initial, limit=NOTE_LIMIT, metadata=metadata, multiline=True)


def evidence_modal(question_text: str, *, initial: str, metadata: str) -> dict:
    """An evidence link for one answer."""
    return _text_modal(ChecklistCallback.EVIDENCE, ChecklistBlock.EVIDENCE, title="Add evidence",
                       label=cut(question_text, 150), initial=initial, limit=EVIDENCE_LIMIT, metadata=metadata,
                       multiline=False)


def area_modal(template: Template, area_id: str, *, answers: dict[str, sa.Answer], metadata: str) -> dict:
    """Every question of one area as radio buttons, to answer in one go; every question of an unattributed one."""
    area = next(a for a in template.areas if a.id == area_id)
    questions, title, blocks = area.questions, area.title, []
    if not template.attributed:
        questions, title = template.questions(), template.title
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=UNATTRIBUTED.format(least=template.min_respondents))]))
    for q in questions:
        options = [Option(value=o.value, label=o.label) for o in q.options]
        chosen = next((o for o in options if answers.get(q.id) and answers[q.id].value == o.value), None)
        blocks.append(InputBlock(block_id=f"{ChecklistBlock.QUESTION.value}:{q.id}", label=cut(q.text, TEXT_LIMIT),
                                 hint=cut(q.help, HELP_LIMIT) or None, optional=True,
                                 element=RadioButtonsElement(action_id=INPUT, options=options,
                                                             initial_option=chosen)))
    return View(type="modal", callback_id=ChecklistCallback.AREA.value, title=PlainTextObject(text=cut(title, 24)),
                submit=PlainTextObject(text="Save" if template.attributed else "Send"),
                close=PlainTextObject(text="Cancel"), private_metadata=metadata,
                blocks=blocks).to_dict()


def type_applied(board_name: str, kind: str) -> dict:
    """The selector's recommendation applied to the board."""
    text = (f"*{escape(board_name)}* is now recorded as a {TYPE_WORDS.get(kind, kind)} collaboration. Proposals that "
            "need formal arrangements are flagged on its polls accordingly.")
    return message([section(text)], text)
