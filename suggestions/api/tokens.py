"""API tokens (django-rest-knox): stored hashed, expire after REST_KNOX["TOKEN_TTL"], revocable
one at a time or all at once, and all revoked when the user's password changes.

* ``POST auth/token/`` with username and password → ``{"token", "expiry"}``; throttled per
  client address (scope ``api-token``) and, through django-axes, refused with 429 once the
  username is locked out from this address (suggestions/login_throttle.py);
* ``POST auth/token/revoke/`` (with the token) → 204, that token no longer works;
* ``POST auth/token/revoke-all/`` (with a token or a session) → 204, none of the user's do.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox import views as knox_views
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle

from suggestions.api.authentication import ExpiringTokenAuthentication
from suggestions.login_throttle import LOCKED_OUT_STATUS, lockout_message


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = ExpiringTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )


class LoginLockedOut(exceptions.APIException):
    status_code = LOCKED_OUT_STATUS
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(lockout_message())
        # DRF's exception handler turns `wait` into the Retry-After header.
        self.wait = int(settings.AXES_COOLOFF_TIME.total_seconds())


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(help_text="The token stops working at this time.")


class ObtainTokenView(knox_views.LoginView):
    """Username and password → a new token. knox's LoginView expects a user already
    authenticated; here DRF's AuthTokenSerializer checks the password through
    authenticate(request=…), so django-axes counts the failures and refuses locked-out users."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "api-token"

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: TokenResponseSerializer,
            429: OpenApiResponse(
                description="Too many attempts: this username is locked out from this address "
                "after repeated wrong passwords (code `locked_out`), or this address sent too "
                "many requests (code `throttled`). Retry-After says when to try again."
            ),
        },
        summary="Obtain an expiring API token",
    )
    def post(self, request, format=None):
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        if not credentials.is_valid():
            # Set by the axes backend or failure handler: this username is locked out here.
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut()
            raise exceptions.ValidationError(credentials.errors)
        request.user = credentials.validated_data["user"]
        return super().post(request, format=format)


class RevokeTokenView(knox_views.LogoutView):
    authentication_classes = (ExpiringTokenAuthentication,)

    @extend_schema(request=None, responses={204: None}, summary="Revoke the token sent")
    def post(self, request, format=None):
        return super().post(request, format=format)


class RevokeAllTokensView(knox_views.LogoutAllView):
    authentication_classes = (ExpiringTokenAuthentication, SessionAuthentication)

    @extend_schema(request=None, responses={204: None}, summary="Revoke all of your tokens")
    def post(self, request, format=None):
        return super().post(request, format=format)
