"""API tokens: exchange a username and password for a token, and revoke it.

The token goes in the ``Authorization: Token <key>`` header. Obtaining one calls
``authenticate()``, so it counts against the same sign-in rate limit as the login page.
"""

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

TokenResponse = inline_serializer("AuthToken", fields={"token": serializers.CharField()})


class AuthTokenView(ObtainAuthToken):
    """POST signs in without a session; DELETE needs the caller to be signed in already."""

    def _is_delete(self) -> bool:
        return getattr(getattr(self, "request", None), "method", "") == "DELETE"

    def get_authenticators(self) -> list[BaseAuthentication]:
        if self._is_delete():
            return super().get_authenticators()
        return []

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if self._is_delete() else []

    @extend_schema(
        summary="Obtain an API token",
        description=(
            "Exchange a username and password for the account's token (the same token each "
            "time until it is revoked). Send it as `Authorization: Token <key>`. Failed "
            "attempts count towards the sign-in rate limit."
        ),
        request=AuthTokenSerializer,
        responses={
            200: TokenResponse,
            400: OpenApiResponse(description="Wrong username or password, or too many attempts"),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    @extend_schema(
        summary="Revoke the API token",
        description="Delete the caller's token; the next POST issues a new one.",
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked (or there was none)"),
            403: OpenApiResponse(description="Not signed in"),
        },
        tags=["auth"],
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user_id = request.user.pk
        if user_id is not None:  # always, given IsAuthenticated
            Token.objects.filter(user_id=user_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [path("auth/token/", AuthTokenView.as_view(), name="auth-token")]
