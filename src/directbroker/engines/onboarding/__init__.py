"""Account opening: applications, eligibility, and the approval workflow.

Owns: the onboarding state (each account's KYC record, opening status and number, and the
firm's eligibility policy), kept in the broker core's snapshot. The broker core dispatches the
onboarding commands here and lends the engine its books (:class:`Books`) to open and close the
ledger account at the right step.
May import: ``directbroker.domain``, the standard library and msgpack (the KYC record's form).
"""

from directbroker.engines.onboarding.engine import Books, OnboardingEngine
from directbroker.engines.onboarding.kyc import merge_kyc, pack_kyc, unpack_kyc
from directbroker.engines.onboarding.rules import SANCTIONED_COUNTRIES, Policy
from directbroker.engines.onboarding.state import Application, OnboardingState
from directbroker.engines.onboarding.status import TRANSITIONS, may_move

__all__ = [
    "SANCTIONED_COUNTRIES",
    "TRANSITIONS",
    "Application",
    "Books",
    "OnboardingEngine",
    "OnboardingState",
    "Policy",
    "may_move",
    "merge_kyc",
    "pack_kyc",
    "unpack_kyc",
]
