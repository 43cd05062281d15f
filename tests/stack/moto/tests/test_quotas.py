"""Quotas, set low (rules ecr.quota.*, logs.quota.*, iam.quota.*)."""

from helpers import code, error_of, message, name, status


def test_ecr_repositories_per_region(account, settings):
    settings(ecr_repositories_per_region=2)
    ecr = account.client("ecr")
    ecr.create_repository(repositoryName=name("one"))
    ecr.create_repository(repositoryName=name("two"))
    error = error_of(lambda: ecr.create_repository(repositoryName=name("three")))
    assert code(error) == "LimitExceededException"
    account.client("ecr", region="eu-west-1").create_repository(repositoryName=name("other-region"))


def test_log_groups_per_region(account, settings):
    settings(log_groups_per_region=2)
    logs = account.client("logs")
    logs.create_log_group(logGroupName=name("/one"))
    logs.create_log_group(logGroupName=name("/two"))
    error = error_of(lambda: logs.create_log_group(logGroupName=name("/three")))
    assert code(error) == "LimitExceededException"


def test_access_keys_per_user_quota(account, settings):
    settings(access_keys_per_user=1)
    iam = account.client("iam")
    iam.create_user(UserName="deploy")
    iam.create_access_key(UserName="deploy")
    error = error_of(lambda: iam.create_access_key(UserName="deploy"))
    assert (code(error), status(error), message(error)) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for AccessKeysPerUser: 1",
    )
