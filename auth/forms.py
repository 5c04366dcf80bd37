"""Sign-in, invitation and password forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from auth.passwords import password_problem


def _good_new_password(form: FlaskForm, field: Field) -> None:
    """The rules of `auth.passwords.password_problem`: length, not common."""
    problem = password_problem(field.data or "")
    if problem is not None:
        raise ValidationError(problem)


def _new_password(label: str) -> PasswordField:
    return PasswordField(
        label, validators=[DataRequired("Enter a password."), _good_new_password]
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Confirm password",
        validators=[
            DataRequired("Confirm your password."),
            EqualTo("password", message="The passwords do not match."),
        ],
    )


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Email(
                "Enter an email address in the correct format, like name@example.org."
            ),
        ],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password.")]
    )


class NewAccountForm(FlaskForm):
    """A new person accepting an invitation sets their name and password."""

    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter your full name."),
            Length(max=200, message="Full name must be 200 characters or fewer."),
        ],
    )
    password = _new_password("Create a password")
    confirm = _confirm()


class ForgottenPasswordForm(FlaskForm):
    """The email address to send a password-reset link to."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Email(
                "Enter an email address in the correct format, like name@example.org."
            ),
            Length(max=254, message="Email address must be 254 characters or fewer."),
        ],
    )


class ResetPasswordForm(FlaskForm):
    """A new password, set from an emailed link."""

    password = _new_password("New password")
    confirm = _confirm()


class ChangePasswordForm(FlaskForm):
    """A signed-in person changes their password, proving they know the old one."""

    current = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
    )
    password = _new_password("New password")
    confirm = _confirm()


class ConfirmPasswordForm(FlaskForm):
    """The signed-in person's password again, to confirm it is them."""

    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password.")]
    )
