from .transitions import (
    TRANSITION_FORMS,
    TransitionForm,
    TransitionInput,
    perform_transition,
    transition_form,
)

__all__ = [
    "TRANSITION_FORMS",
    "TransitionForm",
    "TransitionInput",
    "perform_transition",
    "transition_form",
]
