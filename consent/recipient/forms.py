"""Forms of the recipient pages. The per-purpose switches are dynamic and read by changes.save;
these forms carry the CSRF token and the few fixed fields."""

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from consent.core.subjects import InvalidEmail, normalise_email
from consent.core.vocabulary import LOCALES
from consent.web.form import Form
from consent.web.i18n import _l


class PreferencesForm(Form):
    """The preference page; `notice_locale` names the language the notices were shown in."""

    notice_locale = HiddenField()

    def validate_notice_locale(self, field):
        if field.data not in LOCALES:
            raise ValidationError("unknown locale")


class ButtonForm(Form):
    """A page whose only input is its button (double opt-in confirmation)."""


class EraseForm(Form):
    confirm = BooleanField(
        _l("I understand that all my data will be erased and that this cannot be undone."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )


def _email(form, field):
    try:
        normalise_email(field.data or "")
    except InvalidEmail as error:
        raise ValidationError(_l("Please enter a valid email address.")) from error


class AddressForm(Form):
    """Art. 16: the new address a person wants us to use."""

    email = StringField(
        _l("New email address"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254), _email],
        render_kw={"type": "email", "autocomplete": "email"},
    )


class WayInForm(Form):
    """A way in without a link: the organisation and the address a fresh link goes to."""

    controller = SelectField(_l("Organisation"), validators=[DataRequired()])
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254), _email],
        render_kw={"type": "email", "autocomplete": "email"},
    )


class FreshLinkForm(Form):
    """Asks for a new link after an old one expired; `token` is the expired link."""

    email = StringField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254), _email],
        render_kw={"type": "email", "autocomplete": "email"},
    )
    token = HiddenField(validators=[DataRequired(), Length(max=2000)])
    use = HiddenField(validators=[DataRequired()])
