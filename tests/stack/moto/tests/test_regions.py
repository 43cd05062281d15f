"""Opt-in regions the account has not enabled (rule all.opt-in-region-disabled)."""

from helpers import code, error_of, status


def test_disabled_opt_in_region_per_protocol(account):
    for service, call, expected in (
        ("ecs", "list_clusters", ("UnrecognizedClientException", 400)),
        ("logs", "describe_log_groups", ("UnrecognizedClientException", 400)),
        ("sts", "get_caller_identity", ("InvalidClientTokenId", 403)),
        ("ec2", "describe_vpcs", ("AuthFailure", 401)),
    ):
        error = error_of(getattr(account.client(service, region="af-south-1"), call))
        assert (code(error), status(error)) == expected, service
    account.client("ecs", region="eu-west-1").list_clusters()  # a default region works
    # The credentials are refused before the parameters are looked at.
    bad = account.client("ecs", region="af-south-1")
    assert code(error_of(lambda: bad.list_tasks(desiredStatus="FINISHED"))) == "UnrecognizedClientException"


def test_enabled_opt_in_region_works(account, backend):
    backend.account(account.id, enabled_regions=["af-south-1"])
    account.client("ecs", region="af-south-1").list_clusters()
    assert (
        code(error_of(account.client("ecs", region="me-south-1").list_clusters))
        == "UnrecognizedClientException"
    )
