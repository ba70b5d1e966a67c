"""The onboarding engine's state: each application and the policy in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from directbroker.domain.accounts import AccountType
from directbroker.domain.onboarding_messages import OnboardingStatus
from directbroker.engines.onboarding.rules import Policy


@dataclass(slots=True)
class Application:
    """One account as the opening workflow knows it (the books know its money)."""

    account_id: str
    account_number: str
    account_type: AccountType
    status: OnboardingStatus
    kyc: bytes
    created_ns: int
    updated_ns: int

    def to_plain(self) -> list[object]:
        """For the snapshot."""
        return [
            self.account_id, self.account_number, self.account_type.value, self.status.value,
            self.kyc, self.created_ns, self.updated_ns,
        ]  # fmt: skip

    @classmethod
    def from_plain(cls, plain: list[Any]) -> Application:
        """From :meth:`to_plain`."""
        account_id, number, kind, status, kyc, created, updated = plain
        return cls(
            str(account_id), str(number), AccountType(kind), OnboardingStatus(status),
            bytes(kyc), int(created), int(updated),
        )  # fmt: skip


@dataclass(slots=True)
class OnboardingState:
    """Every application by account id, the policy, and how many numbers were issued."""

    policy: Policy = field(default_factory=Policy)
    applications: dict[str, Application] = field(default_factory=dict)
    numbers_issued: int = 0

    def to_plain(self) -> list[object]:
        """Canonical plain form (applications in id order) for the snapshot."""
        ordered = [self.applications[k].to_plain() for k in sorted(self.applications)]
        return [self.policy.to_plain(), ordered, self.numbers_issued]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> OnboardingState:
        """From :meth:`to_plain` (an empty list: a snapshot from before onboarding existed)."""
        if not plain:
            return cls()
        policy, applications, issued = plain
        found = [Application.from_plain(item) for item in applications]
        return cls(
            Policy.from_plain(policy),
            {item.account_id: item for item in found},
            int(issued),
        )
