"""Sign-in and invitation forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


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
    password = PasswordField(
        "Create a password",
        validators=[
            DataRequired("Enter a password."),
            Length(
                min=10, max=500, message="Password must be at least 10 characters long."
            ),
        ],
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            DataRequired("Confirm your password."),
            EqualTo("password", message="The passwords do not match."),
        ],
    )
