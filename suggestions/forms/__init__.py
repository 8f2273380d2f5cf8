from .transitions import TRANSITION_FORMS, TransitionForm, perform_transition

__all__ = ["TRANSITION_FORMS", "TransitionForm", "perform_transition"]
