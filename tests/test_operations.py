"""Operations recognised by class name (safemigrate.operations.is_operation): a project's subclass counts, in
the rules, the deploy phases and the replay's tracking of NOT VALID constraints alike."""

from __future__ import annotations

from django.db import models
from django.db.migrations import operations as ops

from safemigrate.findings import Phase
from safemigrate.operations import is_operation
from safemigrate.phases import classify
from safemigrate.replay import Replayer
from safemigrate.source.placeholders import UnknownOperation
from safemigrate.source.postgres_operations import AddConstraintNotValid, ValidateConstraint


class ProjectAddConstraintNotValid(AddConstraintNotValid):  # type: ignore[misc]
    pass


class ProjectValidateConstraint(ValidateConstraint):  # type: ignore[misc]
    pass


def check() -> models.CheckConstraint:
    try:
        return models.CheckConstraint(condition=models.Q(price__gte=0), name="price_gte_0")
    except TypeError:  # Django 4.2 and 5.0
        return models.CheckConstraint(check=models.Q(price__gte=0), name="price_gte_0")  # type: ignore[call-arg]


def test_subclasses_and_unimported_operations_are_recognised() -> None:
    assert is_operation(ProjectValidateConstraint("product", "c"), "ValidateConstraint")
    assert is_operation(UnknownOperation("django.contrib.postgres.operations.ValidateConstraint"), "ValidateConstraint")
    assert not is_operation(ops.RemoveConstraint("product", "c"), "ValidateConstraint")


def test_a_subclass_of_validate_constraint_is_post_deploy() -> None:
    assert classify(ProjectValidateConstraint("product", "c"), None, None) is Phase.POST_DEPLOY


def test_the_replay_tracks_subclasses_of_the_not_valid_operations() -> None:
    replayer = Replayer()
    replayer._track_constraints(ProjectAddConstraintNotValid("product", check()), "shop.product")
    assert replayer.unvalidated == {("shop.product", "price_gte_0")}
    replayer._track_constraints(ProjectValidateConstraint("product", "price_gte_0"), "shop.product")
    assert replayer.unvalidated == set()
