"""Opt-in regions the account has not enabled refuse every request, as AWS does."""

from __future__ import annotations

from .. import errors, state
from ..catalog import rule
from ..interceptor import Call, before
from ..settings import OPT_IN_REGIONS

DISABLED_REGION = rule(
    "all.opt-in-region-disabled",
    "A request to an opt-in region (af-south-1, ap-east-1, me-south-1, … 17 in all) that the "
    "account has not enabled answers the invalid-token error of its protocol: "
    "UnrecognizedClientException (JSON, 400), InvalidClientTokenId (query, 403), AuthFailure "
    "(EC2, 401)",
    "*",
    "Opt-in Regions – Regions launched after March 20, 2019 are disabled by default and must be "
    'enabled before use. Reported: STS in eu-south-1 answered "InvalidClientTokenId: The security '
    'token included in the request is invalid."; EC2 answers "AuthFailure: AWS was not able to '
    'validate the provided access credentials" for regions not opted in',
    "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html",
    (
        "test_regions.py::test_disabled_opt_in_region_per_protocol",
        "test_regions.py::test_enabled_opt_in_region_works",
    ),
)


@before()
def opt_in_region(call: Call) -> None:
    if not DISABLED_REGION.enabled or call.region not in OPT_IN_REGIONS:
        return
    if not state.region_enabled(call.account, call.region):
        raise errors.invalid_token(call.protocol)
