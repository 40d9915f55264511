"""Developer machine: debug on, a throwaway secret, console e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-dev-only-not-secret-" + "x" * 40)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
