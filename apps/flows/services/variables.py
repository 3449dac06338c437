import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.flows.models import Variable

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
MAX_VALUE = 10_000


def _check(name: str | None, value: str | None) -> None:
    if name is not None and not NAME_RE.fullmatch(name):
        raise DomainError(
            _("Use letters, digits and _ for the name, starting with a letter (it is used as vars.name)."), code="invalid", field="name"
        )
    if value is not None and len(value) > MAX_VALUE:
        raise DomainError(_("A value can be at most 10,000 characters."), code="invalid", field="value")


def variable_create(*, name: str, value: str) -> Variable:
    _check(name, value)
    try:
        with transaction.atomic():
            return Variable.objects.create(name=name, value=value)
    except IntegrityError:
        raise DomainError(_("A variable called “%(name)s” already exists.") % {"name": name}, code="invalid", field="name") from None


def variable_update(*, variable: Variable, name: str | None = None, value: str | None = None) -> Variable:
    _check(name, value)
    if name is not None:
        variable.name = name
    if value is not None:
        variable.value = value
    try:
        with transaction.atomic():
            variable.save()
    except IntegrityError:
        raise DomainError(_("A variable called “%(name)s” already exists.") % {"name": name}, code="invalid", field="name") from None
    return variable


def variables_for_flows() -> dict[str, str]:
    return dict(Variable.objects.values_list("name", "value"))
