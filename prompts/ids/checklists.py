"""Ids of the checklist walk-through's buttons and forms, the report's buttons and the actions forms."""

from enum import StrEnum


class ChecklistCallback(StrEnum):
    """Modal callback ids."""

    NOTE = "checklist_note"
    EVIDENCE = "checklist_evidence"
    AREA = "checklist_area"
    ACTION = "checklist_action"


class ChecklistBlock(StrEnum):
    """Block ids; inline errors are keyed by these."""

    ANSWERS = "checklist_answers"
    TOOLS = "checklist_tools"
    NOTE = "checklist_note_text"
    EVIDENCE = "checklist_evidence_text"
    QUESTION = "checklist_q"  # the area form's block for question q is f"{QUESTION}:{q}"
    ACTION_TITLE = "action_title"
    ACTION_OWNER = "action_owner"
    ACTION_DUE = "action_due"
    APPLY = "checklist_apply"


class ChecklistAction(StrEnum):
    """Action ids of the walk-through's, the report's and the actions list's buttons."""

    ANSWER = "checklist_answer"  # the value names the round, question and answer
    NOTE = "checklist_add_note"
    EVIDENCE = "checklist_add_evidence"
    BACK = "checklist_back"
    SKIP = "checklist_skip"
    PAUSE = "checklist_pause"
    AREA = "checklist_whole_area"
    START = "checklist_start"
    CREATE_ACTION = "checklist_create_action"
    ACTION_DONE = "action_done"
    APPLY_TYPE = "checklist_apply_type"
